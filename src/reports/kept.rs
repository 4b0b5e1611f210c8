//! The dashboard's dearest figures, kept per calendar period. A year's medians, distinct
//! children and counts per organisation read every case and referral of the year (160,000
//! referrals in the benchmark); the server's periodic task computes them for the months,
//! quarters and years people look at (this one and the one before, and each a year earlier)
//! and a page view reads one row. Custom periods, and calendar periods without a fresh row, are
//! computed when viewed, so the figures are the same either way, only older by at most
//! [`REFRESH_EVERY`]. What is "now" (open cases, terms and referrals overdue) is never kept.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::types::Json;
use time::{Date, PrimitiveDateTime};

use crate::cases::clocks::{self, Now, TermFigures};
use crate::db::{self, Commit, TenantTx};
use crate::referrals::stats::{self, OrganisationFigures};
use crate::reports::figures::{self, Durations, Tally, YouthYear};
use crate::reports::period::{Period, PeriodKind};

/// How often the server's periodic task computes the kept figures afresh.
pub const REFRESH_EVERY: Duration = Duration::from_secs(600);

/// Kept figures older than this (a server that stopped refreshing) are not used.
const FRESH_MINUTES: i32 = 30;

/// The figures of one period that cost most to read.
#[derive(Debug, Serialize, Deserialize)]
pub struct PeriodFigures {
    pub cases_per_month: Vec<Tally>,
    pub durations: Durations,
    /// Per organisation, without what is overdue now (see [`stats::fill_overdue`]).
    pub organisations: Vec<OrganisationFigures>,
    pub declines: Vec<Tally>,
    /// Decisions on time and late per law, without the clocks overdue now (see
    /// [`clocks::count_open`]).
    pub terms: Vec<TermFigures>,
    /// The five years up to the period's last year (or this year, for a period ahead).
    pub youth: Vec<YouthYear>,
}

/// What a period's figures are read for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// The period the dashboard shows: everything.
    Shown,
    /// The same period a year earlier, to compare with: no medians or youth when computed now.
    Compared,
}

impl PeriodFigures {
    /// Computes the figures from the cases and referrals themselves.
    pub async fn compute(tx: &mut TenantTx, period: Period, today: Date, usage: Use) -> sqlx::Result<Self> {
        let organisations = match usage {
            Use::Shown => stats::per_organisation(tx, period.from, period.to).await?,
            Use::Compared => stats::received_per_organisation(tx, period.from, period.to)
                .await?
                .into_iter()
                .map(|(id, received)| OrganisationFigures {
                    id,
                    name: String::new(),
                    received,
                    accepted: 0,
                    declined: 0,
                    median_accept_hours: None,
                    median_finish_days: None,
                    overdue: 0,
                })
                .collect(),
        };
        let youth = match usage {
            Use::Shown => figures::youth(tx, period.to.year().min(today.year())).await?,
            Use::Compared => Vec::new(),
        };
        Ok(PeriodFigures {
            cases_per_month: figures::cases_per_month(tx, period).await?,
            durations: figures::durations(tx, period).await?,
            organisations,
            declines: figures::declines(tx, period).await?,
            terms: clocks::term_figures(tx, period.from, period.to).await?,
            youth,
        })
    }

    /// The kept figures of `period` when there are fresh ones, with the time they were
    /// computed; otherwise computed now.
    pub async fn read(
        tx: &mut TenantTx,
        period: Period,
        today: Date,
        usage: Use,
    ) -> sqlx::Result<(Self, Option<PrimitiveDateTime>)> {
        let (mut figures, computed_at) = match Self::fresh(tx, period).await? {
            Some((figures, computed_at)) => (figures, Some(computed_at)),
            None => (Self::compute(tx, period, today, usage).await?, None),
        };
        if usage == Use::Shown {
            stats::fill_overdue(tx, &mut figures.organisations).await?;
            clocks::count_open(tx, &mut figures.terms, Now::Overdue).await?;
        }
        Ok((figures, computed_at))
    }
}

impl PeriodFigures {
    /// The figures of a calendar period as a fresh kept row holds them, with when they were
    /// computed; none when no fresh row holds them. Nothing is computed.
    pub async fn fresh(tx: &mut TenantTx, period: Period) -> sqlx::Result<Option<(Self, PrimitiveDateTime)>> {
        // Custom periods are never kept, even when they span a calendar period's days.
        if period.kind == PeriodKind::Custom {
            return Ok(None);
        }
        let kept = sqlx::query!(
            r#"SELECT figures,
                      local_time(computed_at) AS "computed_at!"
               FROM kept_figures
               WHERE tenant_id = $1 AND period_from = $2 AND period_to = $3
                 AND computed_at > now() - make_interval(mins => $4)"#,
            tx.tenant_id(),
            period.from,
            period.to,
            FRESH_MINUTES
        )
        .fetch_optional(&mut **tx)
        .await?;
        // Figures kept by an earlier version that no longer read as these are computed afresh.
        Ok(kept.and_then(|kept| Some((serde_json::from_value(kept.figures).ok()?, kept.computed_at))))
    }
}

/// The calendar periods whose figures are kept on `today`: this month, quarter and year and
/// the ones before them, each also a year earlier (what the dashboard compares with).
pub fn kept_periods(today: Date) -> Vec<Period> {
    let mut periods = Vec::new();
    for kind in [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year] {
        let current = Period::around(kind, today);
        let previous = current.previous().expect("a calendar period has one before it");
        for period in [current, previous] {
            for period in [period, period.year_earlier()] {
                if !periods.contains(&period) {
                    periods.push(period);
                }
            }
        }
    }
    periods
}

/// Computes and stores the kept figures of one cooperative, and drops those of periods no
/// longer kept (which are then computed when viewed, so they never go stale).
pub async fn refresh(tx: &mut TenantTx, today: Date) -> sqlx::Result<()> {
    let periods = kept_periods(today);
    for &period in &periods {
        let figures = PeriodFigures::compute(tx, period, today, Use::Shown).await?;
        sqlx::query!(
            r#"INSERT INTO kept_figures (tenant_id, period_from, period_to, figures)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (tenant_id, period_from, period_to)
               DO UPDATE SET figures = EXCLUDED.figures, computed_at = now()"#,
            tx.tenant_id(),
            period.from,
            period.to,
            Json(&figures) as _
        )
        .execute(&mut **tx)
        .await?;
    }
    let froms: Vec<Date> = periods.iter().map(|p| p.from).collect();
    let tos: Vec<Date> = periods.iter().map(|p| p.to).collect();
    sqlx::query!(
        r#"DELETE FROM kept_figures k
           WHERE k.tenant_id = $1
             AND NOT EXISTS (SELECT FROM unnest($2::date[], $3::date[]) AS p(period_from, period_to)
                             WHERE p.period_from = k.period_from AND p.period_to = k.period_to)"#,
        tx.tenant_id(),
        &froms,
        &tos
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Refreshes the kept figures of every cooperative, each in its own transaction.
pub async fn refresh_everywhere(pool: &PgPool) -> sqlx::Result<()> {
    let tenants = sqlx::query_scalar!("SELECT id FROM tenants WHERE disabled_at IS NULL")
        .fetch_all(pool)
        .await?;
    for tenant_id in tenants {
        let mut tx = db::tenant_tx_with(pool, tenant_id, Commit::Relaxed).await?;
        let today = crate::shared::clock::local_now(&mut tx).await?.date();
        refresh(&mut tx, today).await?;
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_periods_around_today_and_a_year_earlier_are_kept() {
        let kept = kept_periods(date!(2026 - 01 - 15));
        let has = |from: Date, to: Date| kept.iter().any(|p| p.from == from && p.to == to);
        assert!(has(date!(2026 - 01 - 01), date!(2026 - 01 - 31)));
        assert!(has(date!(2025 - 12 - 01), date!(2025 - 12 - 31)));
        assert!(has(date!(2025 - 01 - 01), date!(2025 - 01 - 31)));
        assert!(has(date!(2024 - 12 - 01), date!(2024 - 12 - 31)));
        assert!(has(date!(2025 - 10 - 01), date!(2025 - 12 - 31)));
        assert!(has(date!(2026 - 01 - 01), date!(2026 - 12 - 31)));
        assert!(has(date!(2025 - 01 - 01), date!(2025 - 12 - 31)));
        assert!(has(date!(2024 - 01 - 01), date!(2024 - 12 - 31)));
        // Month, quarter and year: this one, the one before, and both a year earlier; the
        // previous year a year earlier is the year before that, once.
        assert_eq!(kept.len(), 11);
    }
}
