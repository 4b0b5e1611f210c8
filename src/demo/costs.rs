//! The demo cooperative's costs: tariffs on the common services, what the referrals finished
//! in its history delivered and cost, and flexible support on a few cases — one of them
//! waiting for a process manager.

use time::{Date, Duration};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::finance::flexible::{self, NewSupport, SupportStatus};
use crate::shared::money::Cents;

/// (service, tariff in cents, per)
const TARIFFS: &[(&str, i64, &str)] = &[
    ("Huishoudelijke hulp", 3_150, "uur"),
    ("Persoonlijke verzorging", 5_890, "uur"),
    ("Dagbesteding ouderen", 31_200, "week"),
    ("Ambulante jeugdhulp", 8_975, "uur"),
    ("Pleegzorg", 42_500, "week"),
    ("Schuldhulpverlening", 125_000, "verwijzing"),
    ("Maatschappelijk werk", 7_200, "uur"),
];

pub(super) async fn load(tx: &mut TenantTx, flexible_line: Uuid, today: Date) -> anyhow::Result<()> {
    for (service, cents, unit) in TARIFFS {
        sqlx::query!(
            "UPDATE services SET tariff_cents = $3, tariff_unit = $4 WHERE tenant_id = $1 AND name = $2",
            tx.tenant_id(),
            service,
            cents,
            unit
        )
        .execute(&mut **tx)
        .await?;
    }
    // The history's finished referrals delivered between 2 and 31 hours or weeks.
    sqlx::query!(
        "WITH delivered AS (
             SELECT r.id, s.tariff_cents, s.tariff_unit,
                    CASE s.tariff_unit WHEN 'verwijzing' THEN 1 ELSE 2 + abs(hashtext(r.id::text)) % 30 END AS units
             FROM referrals r JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
             WHERE r.tenant_id = $1 AND r.status = 'afgerond' AND s.tariff_cents IS NOT NULL AND r.cost_cents IS NULL)
         UPDATE referrals r
         SET units = d.units, tariff_cents = d.tariff_cents, tariff_unit = d.tariff_unit,
             cost_cents = d.tariff_cents * d.units
         FROM delivered d WHERE r.tenant_id = $1 AND r.id = d.id",
        tx.tenant_id()
    )
    .execute(&mut **tx)
    .await?;

    let cases = sqlx::query!(
        r#"SELECT DISTINCT ON (c.id) c.id AS case_id, g.id AS goal_id, c.lead_id AS "lead_id!"
           FROM cases c
           JOIN support_plans p ON p.tenant_id = c.tenant_id AND p.case_id = c.id
           JOIN plan_goals g ON g.tenant_id = p.tenant_id AND g.plan_id = p.id
           WHERE c.tenant_id = $1 AND c.status <> 'afgesloten' AND c.lead_id IS NOT NULL
           ORDER BY c.id, g.position
           LIMIT 3"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let spending = [
        (
            "Een fiets om zelfstandig naar de dagbesteding te gaan",
            "Fietsenmaker Van Dijk",
            34_900,
            SupportStatus::Approved,
        ),
        (
            "Vier weken huishoudelijke hulp in afwachting van de Wmo-indicatie",
            "Thuishulp Vallei",
            50_400,
            SupportStatus::Approved,
        ),
        (
            "Cursus omgaan met geld bij de volksuniversiteit",
            "Volksuniversiteit Veenendaal",
            145_000,
            SupportStatus::Requested,
        ),
    ];
    for (i, (case, (description, provider, cents, status))) in cases.iter().zip(spending).enumerate() {
        let new = NewSupport {
            budget_line_id: flexible_line,
            goal_id: case.goal_id,
            amount: Cents(cents),
            provider_organisation_id: None,
            provider_name: provider.to_owned(),
            description: description.to_owned(),
            spent_on: today - Duration::days(7 * (i as i64 + 1)),
            submission: Uuid::new_v4(),
        };
        flexible::record(tx, case.case_id, &new, status, case.lead_id).await?;
    }
    Ok(())
}
