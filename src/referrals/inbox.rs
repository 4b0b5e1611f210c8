//! The inbox of a member organisation's staff: new referrals for the organisation (including
//! open offers for a service it offers that it has not passed on), the ones this person accepted
//! and has still to start, the ones started that wait for their report, and the organisation's
//! finished ones (newest first, to find one again). Each tab is read off its own index in its
//! own order.
//!
//! The counts and the pages are kept by the web server between views ([`KeptInboxes`]): staff
//! look at their inbox far more often than the cooperative's referrals change. A kept copy is
//! used only while the cooperative's inbox revision is what it was when the copy was read (raised
//! by triggers on every table an inbox shows, migration 0014, so no write path can forget it) and
//! the day is the same (the overdue marks depend on it). The revision is read by the session
//! check, before a page would be read in the same transaction: a copy is never older than what
//! the viewer's own reading shows.

use std::num::NonZeroUsize;

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::db::kept::KeptCopies;
use crate::referrals::ReferralStatus;
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    New,
    Mine,
    Report,
    Done,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::New, Tab::Mine, Tab::Report, Tab::Done];

    pub fn code(self) -> &'static str {
        match self {
            Tab::New => "new",
            Tab::Mine => "mine",
            Tab::Report => "report",
            Tab::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("inbox.tab.{}", self.code())
    }
}

#[derive(Clone)]
pub struct InboxRow {
    pub id: Uuid,
    pub service: String,
    pub purpose: String,
    pub resident_name: Option<String>,
    pub open_offer: bool,
    pub sent_at: PrimitiveDateTime,
    pub answer_due_on: Date,
    pub expected_start: Option<Date>,
    pub overdue: bool,
}

impl InboxRow {
    pub fn sent(&self) -> String {
        format_timestamp(self.sent_at)
    }

    pub fn answer_due(&self) -> String {
        format_date(self.answer_due_on)
    }

    pub fn expected(&self) -> Option<String> {
        self.expected_start.map(format_date)
    }
}

pub const PAGE_SIZE: i64 = 25;

macro_rules! inbox_rows {
    ($from:literal, $where:literal, $order:literal, $paging:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            InboxRow,
            r#"-- kept: member inbox
           SELECT r.id AS "id!", s.name AS "service!", r.purpose AS "purpose!",
                      CASE WHEN p.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(p.first_names, ''), p.initials), ''), nullif(p.surname_prefix, ''), p.surname) END AS resident_name,
                      r.open_offer AS "open_offer!", local_time(r.sent_at) AS "sent_at!",
                      r.answer_due_on AS "answer_due_on!", r.expected_start,
                      (r.status = 'verstuurd' AND r.answer_due_on < local_now()::date) AS "overdue!"
               FROM "# + $from + r#"
               JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
               JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
               LEFT JOIN residents p ON p.tenant_id = c.tenant_id AND p.id = c.resident_id
               WHERE "# + $where + r#"
               ORDER BY "# + $order + " " + $paging
            $(, $arg)*
        )
    };
}

/// One page of a tab; one row more than a page tells whether there is a next.
/// `$1` tenant, `$2` organisation, `$3` user (for the tabs of one person).
pub async fn page(
    tx: &mut TenantTx,
    tab: Tab,
    organisation_id: Uuid,
    user_id: Uuid,
    page: i64,
) -> sqlx::Result<Vec<InboxRow>> {
    let tenant = tx.tenant_id();
    let (limit, offset) = (PAGE_SIZE + 1, (page - 1) * PAGE_SIZE);
    match tab {
        Tab::New => {
            inbox_rows!(
                "(SELECT * FROM referrals
                  WHERE tenant_id = $1 AND organisation_id = $2 AND status = 'verstuurd' AND access_revoked_at IS NULL
                  UNION ALL
                  -- Per service offered, its own first open offers (a join read every open
                  -- offer of the cooperative).
                  SELECT r.* FROM organisation_services os
                  CROSS JOIN LATERAL (
                      SELECT * FROM referrals r
                      WHERE r.tenant_id = os.tenant_id AND r.service_id = os.service_id
                        AND r.organisation_id IS NULL AND r.status = 'verstuurd'
                        AND NOT EXISTS (SELECT FROM referral_passes x WHERE x.tenant_id = r.tenant_id
                                          AND x.referral_id = r.id AND x.organisation_id = os.organisation_id)
                      ORDER BY r.sent_at, r.id LIMIT $3::bigint + $4::bigint) r
                  WHERE os.tenant_id = $1 AND os.organisation_id = $2) r",
                "TRUE",
                "r.sent_at, r.id",
                "LIMIT $3 OFFSET $4",
                tenant,
                organisation_id,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        Tab::Mine | Tab::Report => {
            let status = match tab {
                Tab::Mine => ReferralStatus::Accepted,
                _ => ReferralStatus::Started,
            };
            inbox_rows!(
                "referrals r",
                "r.tenant_id = $1 AND r.handled_by = $3 AND r.status = $6
                 AND r.organisation_id = $2 AND r.access_revoked_at IS NULL",
                "r.sent_at, r.id",
                "LIMIT $4 OFFSET $5",
                tenant,
                organisation_id,
                user_id,
                limit,
                offset,
                status.code()
            )
            .fetch_all(&mut **tx)
            .await
        }
        Tab::Done => {
            inbox_rows!(
                "referrals r",
                "r.tenant_id = $1 AND r.organisation_id = $2 AND r.status = 'afgerond'
                 AND r.access_revoked_at IS NULL",
                "r.sent_at DESC, r.id DESC",
                "LIMIT $3 OFFSET $4",
                tenant,
                organisation_id,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
    }
}

/// How many finished referrals the organisation has, counted up to the limit of a list's count;
/// the other tabs' counts come with the session ([`Counts`]).
pub async fn count_done(tx: &mut TenantTx, organisation_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (
               SELECT 1 FROM referrals
               WHERE tenant_id = $1 AND organisation_id = $2 AND status = 'afgerond'
                 AND access_revoked_at IS NULL
               LIMIT $3
           ) AS counted"#,
        tx.tenant_id(),
        organisation_id,
        crate::web::pagination::COUNT_LIMIT + 1
    )
    .fetch_one(&mut **tx)
    .await
}

/// How many referrals each tab holds, for the tabs and the navigation; read with the session
/// (`auth::session::load_at`), so no page of a member's staff spends a round trip on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: i64,
    pub mine: i64,
    pub report: i64,
}

impl Counts {
    /// None for the finished tab: it only grows, and is not work waiting.
    pub fn of(&self, tab: &Tab) -> Option<i64> {
        match tab {
            Tab::New => Some(self.new),
            Tab::Mine => Some(self.mine),
            Tab::Report => Some(self.report),
            Tab::Done => None,
        }
    }
}

/// What the session check read of a member's inbox.
#[derive(Debug, Clone, Copy)]
pub struct InboxState {
    pub counts: Counts,
    pub version: Version,
}

/// What a kept copy must have been read at to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// The cooperative's inbox revision (migration 0014).
    pub revision: i64,
    pub today: Date,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct PageKey {
    tenant: Uuid,
    organisation: Uuid,
    user: Uuid,
    tab: Tab,
    page: i64,
}

/// How many sessions' counts and how many pages are kept (a few kilobytes a page).
const KEPT_SESSIONS: NonZeroUsize = NonZeroUsize::new(10_000).expect("not zero");
const KEPT_PAGES: NonZeroUsize = NonZeroUsize::new(2_000).expect("not zero");

/// Members' inbox counts (by session) and pages kept between views.
pub struct KeptInboxes {
    counts: KeptCopies<[u8; 32], i64, Counts>,
    pages: KeptCopies<PageKey, Version, Vec<InboxRow>>,
}

impl Default for KeptInboxes {
    fn default() -> Self {
        KeptInboxes {
            counts: KeptCopies::new("inbox_counts", KEPT_SESSIONS),
            pages: KeptCopies::new("inbox_pages", KEPT_PAGES),
        }
    }
}

impl KeptInboxes {
    /// The counts last read for the session with this token hash, with their revision.
    pub fn counts(&self, session: &[u8]) -> Option<(i64, Counts)> {
        self.counts.latest(&session.try_into().ok()?)
    }

    pub fn keep_counts(&self, session: &[u8], revision: i64, counts: Counts) {
        if let Ok(session) = session.try_into() {
            self.counts.keep(session, revision, counts);
        }
    }

    /// One page of a tab as the viewer's transaction sees it: the kept copy while `version`
    /// (the session check's) is the one it was read at, else read afresh and kept.
    pub async fn page(
        &self,
        tx: &mut TenantTx,
        version: Version,
        tab: Tab,
        organisation: Uuid,
        user: Uuid,
        number: i64,
    ) -> sqlx::Result<Vec<InboxRow>> {
        let key = PageKey {
            tenant: tx.tenant_id(),
            organisation,
            user,
            tab,
            page: number,
        };
        if let Some(rows) = self.pages.get(&key, &version) {
            return Ok(rows);
        }
        let rows = page(tx, tab, organisation, user, number).await?;
        self.pages.keep(key, version, rows.clone());
        Ok(rows)
    }
}
