//! What referrals cost: the referrals finished in a period with a tariff, per domain of their
//! service, per organisation and per case — the numbers behind "fewer referrals to expensive
//! specialist care". Amounts are exact cents.

use uuid::Uuid;

use crate::db::TenantTx;
use crate::reports::period::Period;

/// Referrals finished in the period with what they cost, for one domain or organisation.
pub struct CostLine {
    /// A domain's code, or an organisation's id.
    pub key: String,
    pub name: String,
    pub referrals: i64,
    pub cost_cents: i64,
}

/// The cost per case: how many cases had costs, and what they cost in all.
#[derive(Default)]
pub struct CaseCosts {
    pub cases: i64,
    pub cost_cents: i64,
}

impl CaseCosts {
    /// The average per case to the cent (half a cent up), none without cases.
    pub fn average_cents(&self) -> Option<i64> {
        (self.cases > 0).then(|| (self.cost_cents + self.cases / 2) / self.cases)
    }
}

/// A case with what its referrals cost in the period.
pub struct CaseCost {
    pub id: Uuid,
    pub reference: String,
    pub referrals: i64,
    pub cost_cents: i64,
}

pub struct Costs {
    pub domains: Vec<CostLine>,
    pub organisations: Vec<CostLine>,
    pub cases: CaseCosts,
    /// The dearest cases, for those who may see lists.
    pub dearest: Vec<CaseCost>,
}

/// How many of the dearest cases are listed.
pub const DEAREST: i64 = 20;

pub async fn of(tx: &mut TenantTx, period: Period) -> sqlx::Result<Costs> {
    let tenant = tx.tenant_id();
    // A service serving several domains counts in each of them.
    let domains = sqlx::query_as!(
        CostLine,
        r#"SELECT d AS "key!", d AS "name!", count(*) AS "referrals!", sum(r.cost_cents)::bigint AS "cost_cents!"
           FROM referrals r
           JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
           CROSS JOIN LATERAL unnest(s.domains) d
           WHERE r.tenant_id = $1 AND r.cost_cents IS NOT NULL
             AND r.finished_at >= $2::date::timestamp AT TIME ZONE 'Europe/Amsterdam'
             AND r.finished_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
           GROUP BY d
           ORDER BY d"#,
        tenant,
        period.from,
        period.to
    )
    .fetch_all(&mut **tx)
    .await?;
    let organisations = sqlx::query_as!(
        CostLine,
        r#"SELECT o.id::text AS "key!", o.name AS "name!", count(*) AS "referrals!",
                  sum(r.cost_cents)::bigint AS "cost_cents!"
           FROM referrals r
           JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           WHERE r.tenant_id = $1 AND r.cost_cents IS NOT NULL
             AND r.finished_at >= $2::date::timestamp AT TIME ZONE 'Europe/Amsterdam'
             AND r.finished_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
           GROUP BY o.id, o.name
           ORDER BY lower(o.name), o.id"#,
        tenant,
        period.from,
        period.to
    )
    .fetch_all(&mut **tx)
    .await?;
    let cases = sqlx::query_as!(
        CaseCosts,
        r#"SELECT count(DISTINCT r.case_id) AS "cases!", coalesce(sum(r.cost_cents), 0)::bigint AS "cost_cents!"
           FROM referrals r
           WHERE r.tenant_id = $1 AND r.cost_cents IS NOT NULL
             AND r.finished_at >= $2::date::timestamp AT TIME ZONE 'Europe/Amsterdam'
             AND r.finished_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'"#,
        tenant,
        period.from,
        period.to
    )
    .fetch_one(&mut **tx)
    .await?;
    let dearest = sqlx::query_as!(
        CaseCost,
        r#"SELECT c.id, c.reference, x.referrals AS "referrals!", x.cost_cents AS "cost_cents!"
           FROM (SELECT r.case_id, count(*) AS referrals, sum(r.cost_cents)::bigint AS cost_cents
                 FROM referrals r
                 WHERE r.tenant_id = $1 AND r.cost_cents IS NOT NULL
                   AND r.finished_at >= $2::date::timestamp AT TIME ZONE 'Europe/Amsterdam'
                   AND r.finished_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
                 GROUP BY r.case_id
                 ORDER BY sum(r.cost_cents) DESC, r.case_id
                 LIMIT $4) x
           JOIN cases c ON c.tenant_id = $1 AND c.id = x.case_id
           ORDER BY x.cost_cents DESC, c.id"#,
        tenant,
        period.from,
        period.to,
        DEAREST
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Costs {
        domains,
        organisations,
        cases,
        dearest,
    })
}
