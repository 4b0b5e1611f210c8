//! The lists behind the dashboard's numbers: requests, cases and referrals, a page at a time,
//! without residents' names (who follows a row to the file meets that file's own rights).

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::reports::period::Period;
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;
use crate::web::pagination::COUNT_LIMIT;

pub const PAGE_SIZE: i64 = 50;

fn offset(page: i64) -> i64 {
    (page.max(1) - 1) * PAGE_SIZE
}

pub struct RequestRow {
    pub id: Uuid,
    pub received_at: PrimitiveDateTime,
    pub channel: String,
    pub domains: Vec<String>,
    pub triage: Option<String>,
}

impl RequestRow {
    pub fn received(&self) -> String {
        format_timestamp(self.received_at)
    }
}

/// Which requests: one domain, channel or triage outcome (`open` while waiting), or all.
#[derive(Default)]
pub struct RequestFilter {
    pub domain: Option<String>,
    pub channel: Option<String>,
    pub triage: Option<String>,
}

pub async fn requests(
    tx: &mut TenantTx,
    period: Period,
    filter: &RequestFilter,
    page: i64,
) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as!(
        RequestRow,
        r#"SELECT id, local_time(received_at) AS "received_at!", channel, domains, triage
           FROM requests
           WHERE tenant_id = $1
             AND received_at >= local_moment($2::date::timestamp)
             AND received_at < local_moment(($3::date + 1)::timestamp)
             AND ($4::text IS NULL OR $4 = ANY (domains))
             AND ($5::text IS NULL OR channel = $5)
             AND ($6::text IS NULL OR coalesce(triage, 'open') = $6)
           ORDER BY received_at DESC, id
           LIMIT $7 OFFSET $8"#,
        tx.tenant_id(),
        period.from,
        period.to,
        filter.domain,
        filter.channel,
        filter.triage,
        PAGE_SIZE + 1,
        offset(page)
    )
    .fetch_all(&mut **tx)
    .await
}

pub struct CaseRow {
    pub id: Uuid,
    pub created_at: PrimitiveDateTime,
    pub domains: Vec<String>,
    pub status: String,
    pub escalation: String,
    pub lead: Option<String>,
    /// The clock's due date, for lists of clocks.
    pub due_on: Option<Date>,
}

impl CaseRow {
    pub fn opened(&self) -> String {
        format_timestamp(self.created_at)
    }

    pub fn due(&self) -> Option<String> {
        self.due_on.map(format_date)
    }
}

/// Which cases: those open now (by status or level), opened or closed in a period, whose clock
/// ended on time or late in a period or is overdue now, or with a child in a year.
pub enum CaseFilter {
    Open {
        status: Option<String>,
        escalation: Option<String>,
    },
    Opened(Period),
    Closed(Period),
    /// Clocks of `kind` that ended in the period, on time or late.
    Decided {
        kind: String,
        period: Period,
        on_time: bool,
    },
    /// Clocks of `kind` overdue now.
    Overdue(String),
    Youth(i32),
}

pub async fn cases(tx: &mut TenantTx, filter: &CaseFilter, page: i64) -> sqlx::Result<Vec<CaseRow>> {
    let tenant = tx.tenant_id();
    let (limit, offset) = (PAGE_SIZE + 1, offset(page));
    match filter {
        CaseFilter::Open { status, escalation } => {
            sqlx::query_as!(
                CaseRow,
                r#"SELECT c.id, local_time(c.created_at) AS "created_at!", c.domains, c.status,
                          c.escalation, u.name AS "lead?", NULL::date AS due_on
                   FROM cases c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
                   WHERE c.tenant_id = $1 AND c.status <> 'afgesloten'
                     AND ($2::text IS NULL OR c.status = $2) AND ($3::text IS NULL OR c.escalation = $3)
                   ORDER BY c.created_at, c.id
                   LIMIT $4 OFFSET $5"#,
                tenant,
                status.as_deref(),
                escalation.as_deref(),
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        CaseFilter::Opened(period) => {
            sqlx::query_as!(
                CaseRow,
                r#"SELECT c.id, local_time(c.created_at) AS "created_at!", c.domains, c.status,
                          c.escalation, u.name AS "lead?", NULL::date AS due_on
                   FROM cases c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
                   WHERE c.tenant_id = $1
                     AND c.created_at >= local_moment($2::date::timestamp)
                     AND c.created_at < local_moment(($3::date + 1)::timestamp)
                   ORDER BY c.created_at, c.id
                   LIMIT $4 OFFSET $5"#,
                tenant,
                period.from,
                period.to,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        CaseFilter::Closed(period) => {
            sqlx::query_as!(
                CaseRow,
                r#"SELECT c.id, local_time(c.created_at) AS "created_at!", c.domains, c.status,
                          c.escalation, u.name AS "lead?", NULL::date AS due_on
                   FROM cases c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
                   WHERE c.tenant_id = $1 AND c.closed_at IS NOT NULL
                     AND c.closed_at >= local_moment($2::date::timestamp)
                     AND c.closed_at < local_moment(($3::date + 1)::timestamp)
                   ORDER BY c.closed_at, c.id
                   LIMIT $4 OFFSET $5"#,
                tenant,
                period.from,
                period.to,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        CaseFilter::Overdue(kind) => {
            // Off case_clocks_running, most overdue first.
            sqlx::query_as!(
                CaseRow,
                r#"SELECT c.id, local_time(c.created_at) AS "created_at!", c.domains, c.status,
                          c.escalation, u.name AS "lead?", k.due_on AS "due_on?"
                   FROM case_clocks k
                   JOIN cases c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
                   LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
                   WHERE k.tenant_id = $1 AND k.kind = $2 AND k.completed_on IS NULL AND c.status <> 'afgesloten'
                     AND k.due_on < local_now()::date
                     AND (k.paused_on IS NULL OR k.resumed_on IS NOT NULL)
                   ORDER BY k.due_on, c.id
                   LIMIT $3 OFFSET $4"#,
                tenant,
                kind,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        CaseFilter::Decided { kind, period, on_time } => {
            // Off case_clocks_kind: the clocks completed in the period.
            sqlx::query_as!(
                CaseRow,
                r#"SELECT c.id, local_time(c.created_at) AS "created_at!", c.domains, c.status,
                          c.escalation, u.name AS "lead?", k.due_on AS "due_on?"
                   FROM case_clocks k
                   JOIN cases c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
                   LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
                   WHERE k.tenant_id = $1 AND k.kind = $2 AND k.completed_on BETWEEN $3 AND $4
                     AND (k.completed_on <= k.due_on) = $5
                   ORDER BY k.completed_on, c.id
                   LIMIT $6 OFFSET $7"#,
                tenant,
                kind,
                period.from,
                period.to,
                on_time,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        CaseFilter::Youth(year) => {
            sqlx::query_as!(
                CaseRow,
                r#"SELECT c.id, local_time(c.created_at) AS "created_at!", c.domains, c.status,
                          c.escalation, u.name AS "lead?", NULL::date AS due_on
                   FROM cases c
                   LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
                   WHERE c.tenant_id = $1 AND 'jeugd' = ANY (c.domains)
                     AND c.created_at < local_moment(make_date($2 + 1, 1, 1)::timestamp)
                     AND (c.closed_at IS NULL
                          OR c.closed_at >= local_moment(make_date($2, 1, 1)::timestamp))
                     AND local_time(c.created_at)::date
                         < coalesce((c.resident_born_on + interval '18 years')::date, make_date(c.resident_birth_year + 18, 12, 31))
                     AND coalesce((c.resident_born_on + interval '18 years')::date, make_date(c.resident_birth_year + 18, 12, 31))
                         > make_date($2, 1, 1)
                   ORDER BY c.created_at, c.id
                   LIMIT $3 OFFSET $4"#,
                tenant,
                year,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
    }
}

pub struct ReferralRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub sent_at: PrimitiveDateTime,
    pub organisation: Option<String>,
    pub service: String,
    pub status: String,
    pub decline_reason: Option<String>,
}

impl ReferralRow {
    pub fn sent(&self) -> String {
        format_timestamp(self.sent_at)
    }
}

/// Which referrals: received, accepted or declined (for a reason) in a period, or overdue now;
/// of one organisation or all.
pub struct ReferralFilter {
    pub organisation: Option<Uuid>,
    pub state: ReferralState,
    pub reason: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReferralState {
    Received,
    Accepted,
    Declined,
    Overdue,
}

impl ReferralState {
    pub fn parse(code: &str) -> Option<ReferralState> {
        match code {
            "received" => Some(ReferralState::Received),
            "accepted" => Some(ReferralState::Accepted),
            "declined" => Some(ReferralState::Declined),
            "overdue" => Some(ReferralState::Overdue),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ReferralState::Received => "received",
            ReferralState::Accepted => "accepted",
            ReferralState::Declined => "declined",
            ReferralState::Overdue => "overdue",
        }
    }
}

pub async fn referrals(
    tx: &mut TenantTx,
    period: Period,
    filter: &ReferralFilter,
    page: i64,
) -> sqlx::Result<Vec<ReferralRow>> {
    sqlx::query_as!(
        ReferralRow,
        r#"SELECT r.id, r.case_id, local_time(r.sent_at) AS "sent_at!",
                  o.name AS "organisation?", s.name AS service, r.status, r.decline_reason
           FROM referrals r
           JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
           LEFT JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           WHERE r.tenant_id = $1
             AND ($4::uuid IS NULL OR r.organisation_id = $4)
             AND CASE $5
                 WHEN 'overdue' THEN r.status = 'verstuurd'
                                     AND r.answer_due_on < local_now()::date
                 ELSE r.sent_at >= local_moment($2::date::timestamp)
                      AND r.sent_at < local_moment(($3::date + 1)::timestamp)
                      AND ($5 <> 'accepted' OR (r.answered_at IS NOT NULL AND r.decline_reason IS NULL))
                      AND ($5 <> 'declined' OR r.status = 'afgewezen')
                      AND ($6::text IS NULL OR r.decline_reason = $6)
                 END
           ORDER BY r.sent_at DESC, r.id
           LIMIT $7 OFFSET $8"#,
        tx.tenant_id(),
        period.from,
        period.to,
        filter.organisation,
        filter.state.code(),
        filter.reason,
        PAGE_SIZE + 1,
        offset(page)
    )
    .fetch_all(&mut **tx)
    .await
}

// The counts of the lists above, with their filters and without their joins: "1–50 van 312".

/// How many requests [`requests`] lists in all, counted up to the limit of a list's count.
pub async fn count_requests(tx: &mut TenantTx, period: Period, filter: &RequestFilter) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (
               SELECT 1 FROM requests
               WHERE tenant_id = $1
                 AND received_at >= local_moment($2::date::timestamp)
                 AND received_at < local_moment(($3::date + 1)::timestamp)
                 AND ($4::text IS NULL OR $4 = ANY (domains))
                 AND ($5::text IS NULL OR channel = $5)
                 AND ($6::text IS NULL OR coalesce(triage, 'open') = $6)
               LIMIT $7
           ) AS counted"#,
        tx.tenant_id(),
        period.from,
        period.to,
        filter.domain,
        filter.channel,
        filter.triage,
        COUNT_LIMIT + 1
    )
    .fetch_one(&mut **tx)
    .await
}

/// How many cases [`cases`] lists in all.
pub async fn count_cases(tx: &mut TenantTx, filter: &CaseFilter) -> sqlx::Result<i64> {
    let tenant = tx.tenant_id();
    match filter {
        CaseFilter::Open { status, escalation } => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!" FROM cases c
                   WHERE c.tenant_id = $1 AND c.status <> 'afgesloten'
                     AND ($2::text IS NULL OR c.status = $2) AND ($3::text IS NULL OR c.escalation = $3)"#,
                tenant,
                status.as_deref(),
                escalation.as_deref()
            )
            .fetch_one(&mut **tx)
            .await
        }
        CaseFilter::Opened(period) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!" FROM cases c
                   WHERE c.tenant_id = $1
                     AND c.created_at >= local_moment($2::date::timestamp)
                     AND c.created_at < local_moment(($3::date + 1)::timestamp)"#,
                tenant,
                period.from,
                period.to
            )
            .fetch_one(&mut **tx)
            .await
        }
        CaseFilter::Closed(period) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!" FROM cases c
                   WHERE c.tenant_id = $1 AND c.closed_at IS NOT NULL
                     AND c.closed_at >= local_moment($2::date::timestamp)
                     AND c.closed_at < local_moment(($3::date + 1)::timestamp)"#,
                tenant,
                period.from,
                period.to
            )
            .fetch_one(&mut **tx)
            .await
        }
        CaseFilter::Overdue(kind) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!"
                   FROM case_clocks k
                   JOIN cases c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
                   WHERE k.tenant_id = $1 AND k.kind = $2 AND k.completed_on IS NULL AND c.status <> 'afgesloten'
                     AND k.due_on < local_now()::date
                     AND (k.paused_on IS NULL OR k.resumed_on IS NOT NULL)"#,
                tenant,
                kind
            )
            .fetch_one(&mut **tx)
            .await
        }
        CaseFilter::Decided { kind, period, on_time } => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!"
                   FROM case_clocks k
                   WHERE k.tenant_id = $1 AND k.kind = $2 AND k.completed_on BETWEEN $3 AND $4
                     AND (k.completed_on <= k.due_on) = $5"#,
                tenant,
                kind,
                period.from,
                period.to,
                on_time
            )
            .fetch_one(&mut **tx)
            .await
        }
        CaseFilter::Youth(year) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "count!"
                   FROM cases c
                   WHERE c.tenant_id = $1 AND 'jeugd' = ANY (c.domains)
                     AND c.created_at < local_moment(make_date($2 + 1, 1, 1)::timestamp)
                     AND (c.closed_at IS NULL
                          OR c.closed_at >= local_moment(make_date($2, 1, 1)::timestamp))
                     AND local_time(c.created_at)::date
                         < coalesce((c.resident_born_on + interval '18 years')::date, make_date(c.resident_birth_year + 18, 12, 31))
                     AND coalesce((c.resident_born_on + interval '18 years')::date, make_date(c.resident_birth_year + 18, 12, 31))
                         > make_date($2, 1, 1)"#,
                tenant,
                year
            )
            .fetch_one(&mut **tx)
            .await
        }
    }
}

/// How many referrals [`referrals`] lists in all, counted up to the limit of a list's count.
pub async fn count_referrals(
    tx: &mut TenantTx,
    period: Period,
    filter: &ReferralFilter,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (
               SELECT 1 FROM referrals r
               WHERE r.tenant_id = $1
                 AND ($4::uuid IS NULL OR r.organisation_id = $4)
                 AND CASE $5
                     WHEN 'overdue' THEN r.status = 'verstuurd'
                                         AND r.answer_due_on < local_now()::date
                     ELSE r.sent_at >= local_moment($2::date::timestamp)
                          AND r.sent_at < local_moment(($3::date + 1)::timestamp)
                          AND ($5 <> 'accepted' OR (r.answered_at IS NOT NULL AND r.decline_reason IS NULL))
                          AND ($5 <> 'declined' OR r.status = 'afgewezen')
                          AND ($6::text IS NULL OR r.decline_reason = $6)
                     END
               LIMIT $7
           ) AS counted"#,
        tx.tenant_id(),
        period.from,
        period.to,
        filter.organisation,
        filter.state.code(),
        filter.reason,
        COUNT_LIMIT + 1
    )
    .fetch_one(&mut **tx)
    .await
}
