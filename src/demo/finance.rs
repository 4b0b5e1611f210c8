//! The demo cooperative's money: this year's contract with the municipality in three budget
//! lines, and two grants from the pot the autumn meeting opened (`assembly::POT`), with a
//! dozen expenses and their receipts — so that the treasurer, the chair and `lid@demo.test`
//! each see money where they should.

use time::{Date, Duration};
use uuid::Uuid;

use super::assembly::{POT, representative_email};
use crate::db::TenantTx;
use crate::finance::account::{self, Quarter};
use crate::finance::agreements::{self, Measure};
use crate::finance::contracts::{self, NewContract};
use crate::finance::grants::{self, Application, DecisionInput, GrantStatus, NewExpense, Receipt};
use crate::finance::payments::{self, NewPayment};
use crate::shared::money::Cents;

/// A receipt as a member would scan it: a one-page PDF.
const RECEIPT: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

pub(super) async fn load(tx: &mut TenantTx, today: Date) -> anyhow::Result<()> {
    let loaded = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM contracts WHERE tenant_id = $1) AS "loaded!""#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    if loaded {
        return Ok(());
    }
    let treasurer = user(tx, "penningmeester@demo.test").await?;
    let year = today.year();
    let contract = contracts::create(
        tx,
        &NewContract {
            kind: "opdracht".to_owned(),
            title: format!("Opdracht sociaal domein {year}"),
            commissioner: "Gemeente Woudenberg".to_owned(),
            amount: Cents(185_000_000),
            starts_on: Date::from_calendar_date(year, time::Month::January, 1)?,
            ends_on: Date::from_calendar_date(year, time::Month::December, 31)?,
            conditions: "Eén opdracht en één missie: loket, sociaal team en maatwerk door de coöperatie. \
                         Verantwoording per kwartaal aan de gemeenteraad."
                .to_owned(),
        },
        treasurer,
    )
    .await?;
    for (measure, target, note) in [
        (
            Measure::WmoOnTime,
            95,
            "Wmo-besluiten binnen de wettelijke termijn.",
        ),
        (Measure::YouthOnTime, 90, "Jeugdbesluiten binnen de termijn."),
        (
            Measure::DeskHandled,
            60,
            "Minstens zes op de tien vragen aan de voorkant beantwoord.",
        ),
        (
            Measure::SignpostingWorked,
            75,
            "De wegwijzer werkt: nagebeld en gelukt.",
        ),
        (
            Measure::YouthChildren,
            150,
            "Minder kinderen in de jeugdhulp dan vorig jaar.",
        ),
    ] {
        agreements::add(tx, contract, measure, target, note).await?;
    }
    let mut lines = Vec::new();
    for (name, euros, flexible) in [
        ("Loket en sociaal team", 1_150_000, false),
        ("Maatwerkbudget", 245_000, true),
        ("Gezamenlijke projecten", 455_000, false),
    ] {
        lines.push(contracts::add_line(tx, contract, name, Cents(euros * 100), flexible).await?);
    }
    let (flexible, projects) = (lines[1], Some(lines[2]));
    // The municipality pays a quarter of the contract at the start of each quarter.
    let mut quarter = Quarter::of(Date::from_calendar_date(year, time::Month::January, 1)?);
    while quarter.start() <= today && quarter.year == year {
        let new = NewPayment {
            received_on: quarter.start(),
            amount: Cents(185_000_000 / 4),
            note: format!("Tranche {}e kwartaal", quarter.number),
            submission: Uuid::new_v4(),
        };
        payments::record(tx, contract, &new, treasurer).await?;
        quarter = quarter.next();
    }
    super::costs::load(tx, flexible, today).await?;

    // Demo data loaded before there was money has no pot: its meetings were held already.
    let Some(pot) = sqlx::query_scalar!(
        "SELECT id FROM pots WHERE tenant_id = $1 AND name = $2",
        tx.tenant_id(),
        POT
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(());
    };
    // The pot's spending counts towards the joint projects' line.
    account::link_pot(tx, pot, projects).await?;
    let lid = user(tx, "lid@demo.test").await?;
    let welzijn = user(tx, &representative_email("Welzijn Woudenberg")).await?;
    for (requester, project, euros, purpose, expenses) in [
        (
            lid,
            "Boodschappenhulp na ziekenhuisopname",
            20_000,
            "De eerste weken na ontslag uit het ziekenhuis boodschappen en lichte huishoudelijke hulp, voordat een indicatie er is.",
            7,
        ),
        (
            welzijn,
            "Huiskamer voor ouderen in Woudenberg-Noord",
            35_000,
            "Een wekelijkse huiskamer met maaltijd, vervoer en een vrijwilligerscoördinator.",
            5,
        ),
    ] {
        let organisation: Uuid = sqlx::query_scalar!(
            r#"SELECT organisation_id AS "organisation_id!" FROM users WHERE tenant_id = $1 AND id = $2"#,
            tx.tenant_id(),
            requester
        )
        .fetch_one(&mut **tx)
        .await?;
        let grant = grants::apply(
            tx,
            pot,
            organisation,
            &Application {
                project: project.to_owned(),
                amount: Cents(euros * 100),
                purpose: purpose.to_owned(),
                expected_result: "Minder opnames en langer thuis wonen.".to_owned(),
            },
            requester,
        )
        .await?;
        let decision = DecisionInput {
            outcome: GrantStatus::Granted.code().to_owned(),
            note: "Past binnen het werkplan.".to_owned(),
            over_commitment: String::new(),
            decision_number: String::new(),
        };
        grants::decide(
            tx,
            grant,
            GrantStatus::Granted,
            &decision,
            (false, None),
            treasurer,
        )
        .await?;
        for i in 0..expenses {
            grants::record_expense(
                tx,
                grant,
                &NewExpense {
                    spent_on: today - Duration::days(7 * (i + 1)),
                    amount: Cents(95_000 + 12_345 * i),
                    description: format!("Inzet week {}", i + 1),
                    submission: Uuid::new_v4(),
                },
                &Receipt {
                    name: format!("bon-{}.pdf", i + 1),
                    content_type: "application/pdf",
                    content: RECEIPT.to_vec(),
                },
                requester,
            )
            .await?;
        }
    }
    // One more, waiting for the treasurer's decision.
    let haven = user(tx, &representative_email("Zorggroep De Haven")).await?;
    let organisation: Uuid = sqlx::query_scalar!(
        r#"SELECT organisation_id AS "organisation_id!" FROM users WHERE tenant_id = $1 AND id = $2"#,
        tx.tenant_id(),
        haven
    )
    .fetch_one(&mut **tx)
    .await?;
    grants::apply(
        tx,
        pot,
        organisation,
        &Application {
            project: "Valpreventie thuis".to_owned(),
            amount: Cents(1_250_000),
            purpose: "Huisbezoeken met een fysiotherapeut en kleine aanpassingen in huis tegen vallen."
                .to_owned(),
            expected_result: "Minder valincidenten en ziekenhuisopnames bij 75-plussers.".to_owned(),
        },
        haven,
    )
    .await?;
    Ok(())
}

async fn user(tx: &mut TenantTx, email: &str) -> anyhow::Result<Uuid> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE tenant_id = $1 AND email = $2",
        tx.tenant_id(),
        email
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| anyhow::anyhow!("demo user {email} missing"))
}
