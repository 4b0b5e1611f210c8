//! Money for the benchmark: a contract with the municipality for each of the last `years`
//! years (the one a year already has is used), each with its three budget lines and five
//! performance agreements; flexible support on the cases, spread over each year; and, when the
//! cooperative has a joint pot (opened by a decision of its assembly), grants from it over the
//! years, each spent in expenses with a receipt. Amounts are proportionate: the grants never
//! take more than the pot was given.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;

/// Flexible support entries per year, grants per year and expenses per grant.
const FLEXIBLE_PER_YEAR: i64 = 1_500;
const GRANTS_PER_YEAR: i64 = 40;
const EXPENSES_PER_GRANT: i64 = 25;

/// A receipt as scanned: a one-page PDF.
const RECEIPT: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// What was added: contracts, flexible support entries, grants and their expenses.
#[derive(Debug, Default, Clone, Copy)]
pub struct MoneyAdded {
    pub contracts: i64,
    pub flexible: i64,
    pub grants: i64,
    pub expenses: i64,
}

pub async fn add(tx: &mut TenantTx, seed: u64, years: i32, today: Date) -> anyhow::Result<MoneyAdded> {
    let mut added = MoneyAdded::default();
    if years <= 0 {
        return Ok(added);
    }
    let tenant = tx.tenant_id();
    // Deterministic: PostgreSQL's random() follows the seed for the rest of the transaction.
    let fraction = (seed % 1000) as f64 / 1000.0;
    sqlx::query!("SELECT setseed($1)", fraction)
        .execute(&mut **tx)
        .await?;
    let staff = sqlx::query!(
        r#"SELECT (SELECT id FROM users WHERE tenant_id = $1 AND 'treasurer' = ANY (roles) ORDER BY created_at LIMIT 1)
                      AS treasurer,
                  (SELECT id FROM users WHERE tenant_id = $1 AND 'professional' = ANY (roles) ORDER BY created_at LIMIT 1)
                      AS professional,
                  (SELECT id FROM users WHERE tenant_id = $1 AND 'member' = ANY (roles) ORDER BY created_at LIMIT 1)
                      AS member"#,
        tenant
    )
    .fetch_one(&mut **tx)
    .await?;
    let (Some(treasurer), Some(professional)) = (staff.treasurer, staff.professional) else {
        anyhow::bail!("generating money needs a treasurer and a professional in the cooperative");
    };

    for year in today.year() - years + 1..=today.year() {
        let (from, to) = (
            Date::from_calendar_date(year, time::Month::January, 1)?,
            Date::from_calendar_date(year, time::Month::December, 31)?,
        );
        let existing = sqlx::query_scalar!(
            "SELECT id FROM contracts WHERE tenant_id = $1 AND starts_on = $2 ORDER BY created_at LIMIT 1",
            tenant,
            from
        )
        .fetch_optional(&mut **tx)
        .await?;
        let contract = match existing {
            Some(id) => id,
            None => {
                added.contracts += 1;
                contract(tx, year, from, to, treasurer).await?
            }
        };
        let line = sqlx::query_scalar!(
            "SELECT id FROM budget_lines WHERE tenant_id = $1 AND contract_id = $2 AND flexible ORDER BY created_at LIMIT 1",
            tenant,
            contract
        )
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(line) = line {
            // Spread over the year up to today, on cases from the whole file, € 20 to € 280
            // each (about € 225.000 a year, within the line); one in twenty refused.
            let spent_until = to.min(today);
            added.flexible += sqlx::query!(
                "WITH pool AS (SELECT array_agg(id) AS ids, count(*) AS n
                               FROM (SELECT id FROM cases WHERE tenant_id = $1 ORDER BY id LIMIT 20000) c)
                 INSERT INTO flexible_support (tenant_id, case_id, budget_line_id, amount_cents, provider_name,
                                               description, spent_on, status, requested_by, requested_at,
                                               decided_at, decision_note, submission)
                 SELECT $1, pool.ids[1 + floor(random() * pool.n)::int], $2,
                        (20 + floor(random() * 260)::int) * 100 + floor(random() * 100)::int,
                        (ARRAY['Fietsenmaker Van Dijk', 'Thuishulp Vallei', 'Volksuniversiteit', 'Kringloop De Schakel'])[1 + floor(random() * 4)::int],
                        (ARRAY['Een fiets om naar het werk te gaan', 'Huishoudelijke hulp tot de indicatie',
                               'Cursus omgaan met geld', 'Inrichting na een verhuizing'])[1 + floor(random() * 4)::int],
                        d.day, CASE WHEN random() < 0.05 THEN 'afgewezen' ELSE 'goedgekeurd' END, $3,
                        d.day::timestamp AT TIME ZONE 'Europe/Amsterdam',
                        d.day::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '2 hours', '', gen_random_uuid()
                 FROM pool, generate_series(1, $4::bigint) i
                 CROSS JOIN LATERAL (SELECT $5::date + floor(random() * ($6::date - $5::date + 1))::int AS day) d
                 WHERE pool.n > 0",
                tenant,
                line,
                professional,
                FLEXIBLE_PER_YEAR,
                from,
                spent_until
            )
            .execute(&mut **tx)
            .await?
            .rows_affected() as i64;
        }
    }

    // Grants from the oldest pot, a thousand euro each, over the years: never more than the
    // assembly put in it.
    let pot = sqlx::query!(
        r#"SELECT p.id, coalesce((SELECT sum(amount_cents) FROM pot_allocations a
                                  WHERE a.tenant_id = p.tenant_id AND a.pot_id = p.id), 0)::bigint AS "allocated!",
                  coalesce((SELECT sum(amount_cents) FROM grants g
                            WHERE g.tenant_id = p.tenant_id AND g.pot_id = p.id AND g.status = 'toegekend'), 0)::bigint
                      AS "granted!"
           FROM pots p WHERE p.tenant_id = $1 ORDER BY p.created_at LIMIT 1"#,
        tenant
    )
    .fetch_optional(&mut **tx)
    .await?;
    let (Some(pot), Some(member)) = (pot, staff.member) else {
        return Ok(added);
    };
    let grant_cents: i64 = 100_000;
    let room = (pot.allocated - pot.granted) / grant_cents;
    let count = (GRANTS_PER_YEAR * i64::from(years)).min(room);
    let grants: Vec<Uuid> = sqlx::query_scalar!(
        "WITH members AS (SELECT array_agg(id) AS ids, count(*) AS n
                          FROM (SELECT id FROM organisations WHERE tenant_id = $1 AND status = 'lid' ORDER BY id) o)
         INSERT INTO grants (tenant_id, pot_id, organisation_id, project, amount_cents, purpose, expected_result,
                             status, requested_by, requested_at, decided_by, decided_at, decision_note, result)
         SELECT $1, $2, members.ids[1 + floor(random() * members.n)::int],
                'Project ' || i || ': ' || (ARRAY['Ouderen in beweging', 'Samen eten', 'Valpreventie', 'Mantelzorgcafé'])[1 + i % 4],
                $3, 'Activiteiten in de wijk voor ouderen die langer thuis wonen.', 'Minder eenzaamheid.',
                'toegekend', $4, t.at, $5, t.at + interval '14 days', 'Past binnen het werkplan.',
                CASE WHEN t.at < now() - interval '1 year' THEN 'Afgerond volgens plan.' ELSE '' END
         FROM members, generate_series(1, $6::bigint) i
         CROSS JOIN LATERAL (SELECT now() - make_interval(days => (i * 3650 / $6::bigint)::int) AS at) t
         WHERE members.n > 0
         RETURNING id",
        tenant,
        pot.id,
        grant_cents,
        member,
        treasurer,
        count
    )
    .fetch_all(&mut **tx)
    .await?;
    added.grants = grants.len() as i64;
    added.expenses = sqlx::query!(
        "INSERT INTO grant_expenses (tenant_id, grant_id, spent_on, amount_cents, description, receipt_name,
                                     receipt_type, receipt, submission, recorded_by)
         SELECT $1, g.id, least((g.decided_at AT TIME ZONE 'Europe/Amsterdam')::date + (e * 7)::int, current_date),
                $2::bigint / $3::bigint, 'Boodschappen en vervoer, week ' || e, 'bon-' || e || '.pdf',
                'application/pdf', $4, gen_random_uuid(), $5
         FROM grants g, generate_series(1, $3::bigint) e
         WHERE g.tenant_id = $1 AND g.id = ANY ($6)",
        tenant,
        grant_cents,
        EXPENSES_PER_GRANT,
        RECEIPT,
        member,
        &grants
    )
    .execute(&mut **tx)
    .await?
    .rows_affected() as i64;
    Ok(added)
}

/// A year's contract with its three budget lines (the second for flexible support) and five
/// performance agreements.
async fn contract(
    tx: &mut TenantTx,
    year: i32,
    from: Date,
    to: Date,
    treasurer: Uuid,
) -> anyhow::Result<Uuid> {
    let tenant = tx.tenant_id();
    let id = sqlx::query_scalar!(
        "INSERT INTO contracts (tenant_id, kind, title, commissioner, amount_cents, starts_on, ends_on, conditions,
                                created_by)
         VALUES ($1, 'opdracht', 'Opdracht sociaal domein ' || $2::int, 'Gemeente', 185000000, $3, $4,
                 'Eén opdracht en één missie.', $5)
         RETURNING id",
        tenant,
        year,
        from,
        to,
        treasurer
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO budget_lines (tenant_id, contract_id, name, amount_cents, flexible, created_at)
         VALUES ($1, $2, 'Loket en sociaal team', 115000000, false, now()),
                ($1, $2, 'Maatwerkbudget', 24500000, true, now() + interval '1 second'),
                ($1, $2, 'Gezamenlijke projecten', 45500000, false, now() + interval '2 seconds')",
        tenant,
        id
    )
    .execute(&mut **tx)
    .await?;
    // A quarter of it paid at the start of each quarter begun.
    sqlx::query!(
        "INSERT INTO contract_payments (tenant_id, contract_id, received_on, amount_cents, note, recorded_by, submission)
         SELECT $1, $2, q::date, 185000000 / 4, 'Tranche', $3, gen_random_uuid()
         FROM generate_series($4::date, least($5::date, current_date), interval '3 months') q",
        tenant,
        id,
        treasurer,
        from,
        to
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO performance_agreements (tenant_id, contract_id, measure, target)
         VALUES ($1, $2, 'wmo_besluit_op_tijd', 95), ($1, $2, 'jeugd_besluit_op_tijd', 90),
                ($1, $2, 'balie_afgehandeld', 60), ($1, $2, 'wegwijzer_gelukt', 75), ($1, $2, 'kinderen_jeugd', 150)",
        tenant,
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
