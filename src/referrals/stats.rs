//! Closing the loop, for administrators and process managers: which referrals are waiting past
//! their answer date, and per organisation how many it received, accepted and declined and how
//! long accepting and finishing took.

use serde::{Deserialize, Serialize};
use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;

#[derive(Debug, Serialize, Deserialize)]
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
    let mut figures = sqlx::query_as!(
        OrganisationFigures,
        r#"SELECT o.id, o.name,
                  f.received AS "received!", f.accepted AS "accepted!", f.declined AS "declined!",
                  f.median_accept_hours, f.median_finish_days, 0::bigint AS "overdue!"
           FROM organisations o
           -- Per organisation its own range of referrals_sent: index-only, and no sort of the
           -- whole period's referrals before the medians.
           CROSS JOIN LATERAL (
               SELECT count(*) AS received,
                      count(*) FILTER (WHERE r.answered_at IS NOT NULL AND r.decline_reason IS NULL) AS accepted,
                      count(*) FILTER (WHERE r.status = 'afgewezen') AS declined,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.answered_at - r.sent_at) / 3600)
                          FILTER (WHERE r.answered_at IS NOT NULL AND r.decline_reason IS NULL) AS median_accept_hours,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.finished_at - r.sent_at) / 86400)
                          FILTER (WHERE r.finished_at IS NOT NULL) AS median_finish_days
               FROM referrals r
               WHERE r.tenant_id = o.tenant_id AND r.organisation_id = o.id
                 AND r.sent_at >= local_moment($2::date::timestamp)
                 AND r.sent_at < local_moment(($3::date + 1)::timestamp)
           ) f
           WHERE o.tenant_id = $1
           ORDER BY o.name
           LIMIT 500"#,
        tx.tenant_id(),
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await?;
    fill_overdue(tx, &mut figures).await?;
    Ok(figures)
}

/// Sets each organisation's `overdue`: what waits past its answer date now
/// (`referrals_unanswered`). Apart from the period's figures, since those may be kept figures
/// (`reports::kept`) while this is always now.
pub async fn fill_overdue(tx: &mut TenantTx, figures: &mut [OrganisationFigures]) -> sqlx::Result<()> {
    let overdue = sqlx::query!(
        r#"SELECT organisation_id AS "organisation_id!", count(*) AS "overdue!" FROM referrals
           WHERE tenant_id = $1 AND status = 'verstuurd' AND organisation_id IS NOT NULL
             AND answer_due_on < local_now()::date
           GROUP BY organisation_id"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    for f in figures {
        f.overdue = overdue
            .iter()
            .find(|o| o.organisation_id == f.id)
            .map_or(0, |o| o.overdue);
    }
    Ok(())
}

/// Referrals each organisation received from `from` to `to`: the count alone, for comparing.
pub async fn received_per_organisation(
    tx: &mut TenantTx,
    from: Date,
    to: Date,
) -> sqlx::Result<Vec<(Uuid, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT o.id AS organisation_id, f.received AS "received!"
           FROM organisations o
           CROSS JOIN LATERAL (
               SELECT count(*) AS received FROM referrals r
               WHERE r.tenant_id = o.tenant_id AND r.organisation_id = o.id
                 AND r.sent_at >= local_moment($2::date::timestamp)
                 AND r.sent_at < local_moment(($3::date + 1)::timestamp)
           ) f
           WHERE o.tenant_id = $1"#,
        tx.tenant_id(),
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.organisation_id, r.received))
        .collect())
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
/// How many referrals are past their answer date in all.
pub async fn count_overdue(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM referrals
           WHERE tenant_id = $1 AND status = 'verstuurd' AND answer_due_on < local_now()::date"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn overdue(tx: &mut TenantTx, page: i64) -> sqlx::Result<Vec<OverdueReferral>> {
    sqlx::query_as!(
        OverdueReferral,
        r#"SELECT r.id, r.case_id, s.name AS service, o.name AS "organisation?", l.name AS "lead?",
                  local_time(r.sent_at) AS "sent_at!", r.answer_due_on
           FROM referrals r
           JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
           JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
           LEFT JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           LEFT JOIN users l ON l.tenant_id = c.tenant_id AND l.id = c.lead_id
           WHERE r.tenant_id = $1 AND r.status = 'verstuurd'
             AND r.answer_due_on < local_now()::date
           ORDER BY r.answer_due_on, r.id LIMIT $2 OFFSET $3"#,
        tx.tenant_id(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}
