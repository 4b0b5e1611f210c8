//! What the referrals area counts as waiting for a user, beside the navigation: unread
//! notifications for everyone, and for a member organisation's staff what waits in their
//! inbox. Counted by the database's `waiting_counts` (migration 0016) with the session check,
//! for every page; read here.

use axum::http::Extensions;
use time::Date;

use crate::referrals::inbox::{Counts, InboxState, KeptInboxes, Version};
use crate::web::context::WaitingSource;
use crate::web::layout::Waiting;

/// The navigation paths the counts are shown at.
pub const INBOX_PATH: &str = "/inbox";
pub const NOTIFICATIONS_PATH: &str = "/notifications";

impl WaitingSource for KeptInboxes {
    fn known(&self, session_hash: &[u8]) -> Option<i64> {
        self.counts(session_hash).map(|(revision, _)| revision)
    }

    fn read(&self, counts: &[i64], today: Date, session_hash: &[u8], extensions: &mut Extensions) -> Waiting {
        let mut waiting = Waiting::default();
        let Some((&unread, inbox)) = counts.split_first() else {
            return waiting;
        };
        waiting.add(NOTIFICATIONS_PATH, unread);
        let inbox = match *inbox {
            // Only the revision: the counts kept for this session are of that revision.
            [revision] => self.counts(session_hash).filter(|(kept, _)| *kept == revision),
            [revision, new, mine, report] => {
                let counts = Counts { new, mine, report };
                self.keep_counts(session_hash, revision, counts);
                Some((revision, counts))
            }
            _ => None,
        };
        if let Some((revision, counts)) = inbox {
            waiting.add(INBOX_PATH, counts.new);
            extensions.insert(InboxState {
                counts,
                version: Version { revision, today },
            });
        }
        waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nav(waiting: &Waiting) -> String {
        format!("{waiting:?}")
    }

    #[test]
    fn counts_are_read_as_notifications_then_the_inbox() {
        let kept = KeptInboxes::default();
        let session = [7u8; 32];
        let today = time::macros::date!(2026 - 12 - 04);
        let mut extensions = Extensions::new();

        // Someone without an inbox: only their unread notifications.
        let waiting = kept.read(&[3], today, &session, &mut extensions);
        assert_eq!(nav(&waiting), r#"Waiting([("/notifications", 3)])"#);
        assert!(extensions.get::<InboxState>().is_none());

        // A member's staff: counted afresh, then kept for the session under the revision.
        let waiting = kept.read(&[0, 41, 5, 1, 2], today, &session, &mut extensions);
        assert_eq!(
            nav(&waiting),
            r#"Waiting([("/notifications", 0), ("/inbox", 5)])"#
        );
        assert_eq!(kept.known(&session), Some(41));
        assert_eq!(extensions.get::<InboxState>().unwrap().counts.report, 2);

        // The same revision again: the database sends only the revision, the kept counts stand.
        let mut extensions = Extensions::new();
        let waiting = kept.read(&[0, 41], today, &session, &mut extensions);
        assert_eq!(
            nav(&waiting),
            r#"Waiting([("/notifications", 0), ("/inbox", 5)])"#
        );
        assert_eq!(extensions.get::<InboxState>().unwrap().version.revision, 41);
    }
}
