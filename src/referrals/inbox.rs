//! The inbox of a member organisation's staff: new referrals for the organisation (including
//! open offers for a service it offers that it has not passed on), the ones this person accepted
//! and has still to start, and the ones started that wait for their report. Each tab is read
//! off its own index in its own order.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::record::format_timestamp;
use crate::db::TenantTx;
use crate::referrals::ReferralStatus;
use crate::web::forms::format_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    New,
    Mine,
    Report,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::New, Tab::Mine, Tab::Report];

    pub fn code(self) -> &'static str {
        match self {
            Tab::New => "new",
            Tab::Mine => "mine",
            Tab::Report => "report",
        }
    }

    pub fn parse(code: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("inbox.tab.{}", self.code())
    }
}

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
    ($from:literal, $where:literal, $paging:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            InboxRow,
            r#"SELECT r.id AS "id!", s.name AS "service!", r.purpose AS "purpose!",
                      CASE WHEN p.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(p.first_names, ''), p.initials), ''), nullif(p.surname_prefix, ''), p.surname) END AS resident_name,
                      r.open_offer AS "open_offer!", (r.sent_at AT TIME ZONE 'Europe/Amsterdam') AS "sent_at!",
                      r.answer_due_on AS "answer_due_on!", r.expected_start,
                      (r.status = 'verstuurd' AND r.answer_due_on < (now() AT TIME ZONE 'Europe/Amsterdam')::date) AS "overdue!"
               FROM "# + $from + r#"
               JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
               JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
               LEFT JOIN residents p ON p.tenant_id = c.tenant_id AND p.id = c.resident_id
               WHERE "# + $where + r#"
               ORDER BY r.sent_at, r.id "# + $paging
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
    }
}

/// How many referrals each tab holds, for the tabs and the navigation; read with the session
/// (`auth::session::load_at`), so no page of a member's staff spends a round trip on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub new: i64,
    pub mine: i64,
    pub report: i64,
}

impl Counts {
    pub fn of(&self, tab: &Tab) -> i64 {
        match tab {
            Tab::New => self.new,
            Tab::Mine => self.mine,
            Tab::Report => self.report,
        }
    }
}
