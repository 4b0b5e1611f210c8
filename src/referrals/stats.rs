//! Closing the loop, for administrators and process managers: which referrals are waiting past
//! their answer date, and per organisation how many it received, accepted and declined and how
//! long accepting and finishing took.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::record::format_timestamp;
use crate::db::TenantTx;
use crate::web::forms::format_date;

pub struct OrganisationFigures {
    pub id: Uuid,
    pub name: String,
    pub received: i64,
    pub accepted: i64,
    pub declined: i64,
    /// Median hours from sending to acceptance.
    pub median_accept_hours: Option<f64>,
    /// Median days from sending to the outcome report.
    pub median_finish_days: Option<f64>,
    pub overdue: i64,
}

impl OrganisationFigures {
    pub fn accept_time(&self) -> Option<String> {
        self.median_accept_hours
            .map(|h| format!("{h:.1}").replace('.', ","))
    }

    pub fn finish_time(&self) -> Option<String> {
        self.median_finish_days
            .map(|d| format!("{d:.1}").replace('.', ","))
    }
}

/// The figures of every organisation over referrals sent from `from` to `to` (inclusive);
/// overdue counts what waits past its answer date now, whenever it was sent.
pub async fn per_organisation(
    tx: &mut TenantTx,
    from: Date,
    to: Date,
) -> sqlx::Result<Vec<OrganisationFigures>> {
    sqlx::query_as!(
        OrganisationFigures,
        r#"SELECT o.id, o.name,
                  count(r.sent_at) AS "received!",
                  count(r.sent_at) FILTER (WHERE r.answered_at IS NOT NULL AND r.decline_reason IS NULL) AS "accepted!",
                  count(r.sent_at) FILTER (WHERE r.status = 'afgewezen') AS "declined!",
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.answered_at - r.sent_at) / 3600)
                      FILTER (WHERE r.answered_at IS NOT NULL AND r.decline_reason IS NULL) AS median_accept_hours,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.finished_at - r.sent_at) / 86400)
                      FILTER (WHERE r.finished_at IS NOT NULL) AS median_finish_days,
                  (SELECT count(*) FROM referrals w
                   WHERE w.tenant_id = o.tenant_id AND w.organisation_id = o.id AND w.status = 'verstuurd'
                     AND w.answer_due_on < (now() AT TIME ZONE 'Europe/Amsterdam')::date) AS "overdue!"
           FROM organisations o
           LEFT JOIN referrals r ON r.tenant_id = o.tenant_id AND r.organisation_id = o.id
            AND r.sent_at >= $2::date::timestamp AT TIME ZONE 'Europe/Amsterdam'
            AND r.sent_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
           WHERE o.tenant_id = $1
           GROUP BY o.tenant_id, o.id, o.name
           ORDER BY o.name
           LIMIT 500"#,
        tx.tenant_id(),
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await
}

pub struct OverdueReferral {
    pub id: Uuid,
    pub case_id: Uuid,
    pub service: String,
    pub organisation: Option<String>,
    pub lead: Option<String>,
    pub sent_at: PrimitiveDateTime,
    pub answer_due_on: Date,
}

impl OverdueReferral {
    pub fn sent(&self) -> String {
        format_timestamp(self.sent_at)
    }

    pub fn answer_due(&self) -> String {
        format_date(self.answer_due_on)
    }
}

pub const PAGE_SIZE: i64 = 50;

/// Unanswered referrals past their answer date, longest waiting first.
pub async fn overdue(tx: &mut TenantTx, page: i64) -> sqlx::Result<Vec<OverdueReferral>> {
    sqlx::query_as!(
        OverdueReferral,
        r#"SELECT r.id, r.case_id, s.name AS service, o.name AS "organisation?", l.name AS "lead?",
                  (r.sent_at AT TIME ZONE 'Europe/Amsterdam') AS "sent_at!", r.answer_due_on
           FROM referrals r
           JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
           JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
           LEFT JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           LEFT JOIN users l ON l.tenant_id = c.tenant_id AND l.id = c.lead_id
           WHERE r.tenant_id = $1 AND r.status = 'verstuurd'
             AND r.answer_due_on < (now() AT TIME ZONE 'Europe/Amsterdam')::date
           ORDER BY r.answer_due_on, r.id LIMIT $2 OFFSET $3"#,
        tx.tenant_id(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}
