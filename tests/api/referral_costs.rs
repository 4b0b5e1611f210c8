//! Costs per referral: a tariff on a service of the catalogue, the units an organisation
//! delivered when it finishes, their cost to the cent on the referral and in the figures per
//! domain, organisation and case against a year earlier.

use uuid::Uuid;

use crate::api::referrals::{REPORT, World};
use crate::common::pages::{element_text, field_error};
use crate::common::records::today;

fn service_form<'a>(tariff: &'a str, unit: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Maatjescontact"),
        ("description", ""),
        ("domains", "wmo"),
        ("areas", ""),
        ("tariff", tariff),
        ("tariff_unit", unit),
    ]
}

#[tokio::test]
async fn a_finished_referral_costs_its_units_at_the_tariff_and_the_figures_add_it_up() {
    let w = World::new().await;
    let admin = w.login("beheer@demo.test").await;
    let service = format!("/demo/services/{}", w.own);

    // A tariff is an amount with what it is per; each half alone is refused beside its field.
    for (tariff, unit, field) in [
        ("45,50", "", "tariff_unit"),
        ("", "uur", "tariff"),
        ("vijftig", "uur", "tariff"),
        ("45,5055", "uur", "tariff"),
    ] {
        let (status, page) = admin.send(&service, &service_form(tariff, unit)).await;
        assert_eq!(status, 422, "{tariff} {unit}");
        assert!(field_error(&page, field).is_some(), "{tariff} {unit}: {field}");
    }
    let (status, page) = admin.send(&service, &service_form("45,50", "uur")).await;
    assert_eq!(status, 303, "{page}");
    let mut db = w.app.owner_connection().await;
    let change: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE kind = 'service_changed' ORDER BY occurred_at DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(change["old"]["tariff_cents"], serde_json::Value::Null);
    assert_eq!(change["new"]["tariff_cents"], 4550);

    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let steps = format!("/demo/referrals/{referral}");
    for step in ["accept", "start"] {
        assert_eq!(lid.submit(&format!("{steps}/{step}"), &[]).await.status, 303);
    }
    let (_, page) = lid.page(&steps).await;
    assert!(
        element_text(&page, "finish-tariff").is_some_and(|t| t.contains("€ 45,50")),
        "{page}"
    );

    // Per hour: how many were delivered is asked, and read exactly.
    let (status, page) = lid.send(&format!("{steps}/finish"), REPORT).await;
    assert_eq!(status, 422);
    assert!(field_error(&page, "finish-units").is_some(), "{page}");
    let mut fields = REPORT.to_vec();
    fields.push(("units", "1,5,5"));
    let (status, page) = lid.send(&format!("{steps}/finish"), &fields).await;
    assert_eq!(status, 422);
    assert!(field_error(&page, "finish-units").is_some());
    fields.pop();
    fields.push(("units", "1,5"));
    let (status, _) = lid.send(&format!("{steps}/finish"), &fields).await;
    assert_eq!(status, 303);
    let stored: (String, i64, i64, String) = sqlx::query_as(
        "SELECT units::text, tariff_cents, cost_cents, tariff_unit FROM referrals WHERE id = $1",
    )
    .bind(referral)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(stored, ("1.50".into(), 4550, 6825, "uur".into()));
    let (_, page) = lid.page(&steps).await;
    assert!(
        element_text(&page, "delivered-cost").is_some_and(|t| t.contains("€ 68,25")),
        "the organisation sees its units and their cost"
    );

    // Another organisation does not see this referral, nor what it delivered.
    let other = w.login("hulp@demo.test").await;
    assert_eq!(other.status(&steps).await, 404);

    // A later tariff does not rewrite what was spent.
    let (status, _) = admin.send(&service, &service_form("60", "uur")).await;
    assert_eq!(status, 303);
    let cost: i64 = sqlx::query_scalar("SELECT cost_cents FROM referrals WHERE id = $1")
        .bind(referral)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(cost, 6825);

    // A year earlier the same service cost € 100,00 on another referral of the case.
    let earlier: Uuid = sqlx::query_scalar(
        "INSERT INTO referrals (tenant_id, case_id, service_id, organisation_id, status, purpose, summary,
                                answer_due_on, sent_by, sent_at, answered_at, started_at, finished_at, outcome,
                                delivered, report, units, tariff_cents, tariff_unit, cost_cents, consent_id)
         SELECT tenant_id, case_id, service_id, organisation_id, 'afgerond', 'Vorig jaar', 'Vorig jaar',
                answer_due_on - 365, sent_by, sent_at - interval '1 year', answered_at - interval '1 year',
                started_at - interval '1 year', finished_at - interval '1 year', 'geslaagd', true, 'Verslag',
                2, 5000, 'uur', 10000, consent_id
         FROM referrals WHERE id = $1 RETURNING id",
    )
    .bind(referral)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_ne!(earlier, referral);

    // The figures: per domain, per organisation and per case, now and a year earlier.
    let at = today(&w.app).await;
    let query = format!("period=year&at={at}");
    let (status, page) = admin.page(&format!("/demo/reports?{query}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"table-costs-domain\""), "{page}");
    for table in ["costs-domain", "costs-organisation"] {
        let response = admin
            .get(&format!("/demo/reports/export/{table}.csv?{query}"))
            .await;
        assert_eq!(response.status(), 200);
        let csv = response.text().await.unwrap();
        let row = csv.lines().nth(1).unwrap_or_else(|| panic!("{table}: {csv}"));
        assert!(row.contains(";1;68,25;1;100,00;"), "{table}: {row}");
    }
    let response = admin
        .get(&format!("/demo/reports/export/costs-case.csv?{query}"))
        .await;
    let csv = response.text().await.unwrap();
    assert!(csv.contains(";68,25;100,00;"), "{csv}");
    // The cooperative sees the dearest cases; the municipality's view hides them and small
    // numbers.
    assert!(page.contains("id=\"table-costs-dearest\""));
    let (_, municipal) = admin
        .page(&format!("/demo/reports?{query}&view=municipality"))
        .await;
    assert!(!municipal.contains("id=\"table-costs-dearest\""));
    assert!(!municipal.contains("€ 68,25"), "one referral is too few to show");
    // The treasurer reads the figures too.
    let treasurer = w.login("penningmeester@demo.test").await;
    assert_eq!(treasurer.status(&format!("/demo/reports?{query}")).await, 200);
}
