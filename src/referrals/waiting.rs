//! What the referrals area counts as waiting for a user, beside the navigation: unread
//! notifications for everyone, and for a member organisation's staff what waits in their
//! inbox. Read in the session check's transaction, in one statement, for every page.

use axum::http::Extensions;

use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::referrals::inbox::{Counts, InboxState, KeptInboxes, Version};
use crate::web::context::{BoxFuture, WaitingSource};
use crate::web::layout::Waiting;

/// The navigation paths the counts are shown at.
pub const INBOX_PATH: &str = "/inbox";
pub const NOTIFICATIONS_PATH: &str = "/notifications";

impl WaitingSource for KeptInboxes {
    fn count<'a>(
        &'a self,
        tx: &'a mut TenantTx,
        user: &'a CurrentUser,
        session_hash: &'a [u8],
        extensions: &'a mut Extensions,
    ) -> BoxFuture<'a, sqlx::Result<Waiting>> {
        Box::pin(async move {
            let organisation = user.organisation_id.filter(|_| user.has(Role::Member));
            let known = organisation.and_then(|_| self.counts(session_hash));
            // The inbox counts in a function (migration 0014) that counts only when the counts
            // kept for this session are of an older revision.
            let row = sqlx::query!(
                r#"SELECT (SELECT count(*) FROM notifications n
                           WHERE n.tenant_id = $1 AND n.user_id = $2 AND n.read_at IS NULL) AS "unread!",
                          CASE WHEN $3::uuid IS NOT NULL THEN member_inbox_counts($2, $3, $4) END AS inbox,
                          local_now()::date AS "today!""#,
                tx.tenant_id(),
                user.id,
                organisation,
                known.map(|(revision, _)| revision),
            )
            .fetch_one(&mut **tx)
            .await?;
            let mut waiting = Waiting::default();
            waiting.add(NOTIFICATIONS_PATH, row.unread);
            let counts = match row.inbox.as_deref() {
                // Only the revision: the kept counts are of that revision.
                Some(&[revision]) => known.filter(|(kept, _)| *kept == revision),
                Some(&[revision, new, mine, report]) => {
                    let counts = Counts { new, mine, report };
                    self.keep_counts(session_hash, revision, counts);
                    Some((revision, counts))
                }
                _ => None,
            };
            if let Some((revision, counts)) = counts {
                waiting.add(INBOX_PATH, counts.new);
                extensions.insert(InboxState {
                    counts,
                    version: Version {
                        revision,
                        today: row.today,
                    },
                });
            }
            Ok(waiting)
        })
    }
}
