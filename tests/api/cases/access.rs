//! Who sees what: only the team opens a case, the desk sees its status and lead, and another
//! cooperative reaches nothing, not even in the database.

use sqlx::{ConnectOptions, Connection, Row};
use uuid::Uuid;

use crate::common::TestApp;
use crate::common::users::User;

use super::{add_user, desk_case, lists, lock_of, status_of, take};

#[tokio::test]
async fn only_the_team_opens_a_case_and_the_desk_sees_its_status_and_lead() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, request) = desk_case(&desk, "Zichtbaar", &["wmo"], None).await;
    take(&team, &mut db, &case).await;
    let path = format!("/demo/cases/{case}");

    for email in [
        "lid@demo.test",
        "balie@demo.test",
        "beheer@demo.test",
        "voorzitter@demo.test",
    ] {
        let user = User::login(&app, "demo", email).await;
        // A member organisation's staff are not even told the case exists.
        let refused = if email == "lid@demo.test" { 404 } else { 403 };
        for page in [path.clone(), format!("{path}/plan"), format!("{path}/journal")] {
            assert_eq!(user.page(&page).await.0, refused, "{email} {page}");
        }
        let lock = lock_of(&mut db, &case).await;
        let (status, _) = user
            .send(
                &format!("{path}/status"),
                &[("lock_version", &lock), ("to", "in_onderzoek")],
            )
            .await;
        assert_eq!(status, refused, "{email}");
        if email != "beheer@demo.test" {
            assert_eq!(user.page("/demo/team").await.0, 403, "{email}");
        }
    }
    assert_eq!(status_of(&mut db, &case).await.0, "aangemeld");
    let viewed: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'case_viewed'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(viewed, 0, "a refused look is no view");

    assert_eq!(team.page(&format!("/demo/cases/{}", Uuid::new_v4())).await.0, 404);
    assert_eq!(team.page("/demo/cases/geen-casus").await.0, 404);

    // The desk sees that there is a case, where it stands and who leads it; no link to it.
    let (status, page) = desk.page(&request).await;
    assert_eq!(status, 200);
    let summary = &page[page
        .find("id=\"case-summary\"")
        .expect("the case on the request page")..];
    let summary = &summary[..summary.find("</p>").unwrap()];
    assert!(
        summary.contains("Aangemeld") && summary.contains("Tom Teamlid"),
        "{summary}"
    );
    assert!(!page.contains("/demo/cases/"), "no link to the case for the desk");
    let (_, page) = team.page(&request).await;
    assert!(lists(&page, &case), "the team follows the link");
}

// ---------------------------------------------------------------------------------------------
// Tenant isolation

#[tokio::test]
async fn another_cooperative_cannot_reach_a_case_not_even_in_the_database() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Isolatie", &["wmo", "jeugd"], Some("2025-12-01")).await;
    take(&team, &mut db, &case).await;
    let (status, _) = team
        .journal(
            &case,
            &[
                ("kind", "notitie"),
                ("date", "2026-01-05"),
                ("time", "09:00"),
                ("body", "Eerste contact."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);

    add_user(&app, "demo2", "team@demo2.test", "Ruud Tweede", "professional").await;
    let foreign = User::login(&app, "demo2", "team@demo2.test").await;
    let foreign_desk = User::login(&app, "demo2", "balie@demo.test").await;
    for page in [
        format!("/demo2/cases/{case}"),
        format!("/demo2/cases/{case}/plan"),
        format!("/demo2/cases/{case}/journal"),
        format!("/demo/cases/{case}"),
    ] {
        assert_eq!(foreign.page(&page).await.0, 404, "{page}");
    }
    let (status, _) = foreign
        .send(
            &format!("/demo2/cases/{case}/lead"),
            &[("lock_version", "2"), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = foreign
        .send(
            &format!("/demo2/cases/{case}/access"),
            &[("reason", "Even kijken.")],
        )
        .await;
    assert_eq!(status, 404);
    // The other cooperative's desk may not open cases at all; it learns nothing either way.
    let existing = foreign_desk.page(&format!("/demo2/cases/{case}")).await.0;
    let unknown = foreign_desk
        .page(&format!("/demo2/cases/{}", Uuid::new_v4()))
        .await
        .0;
    assert!(existing == 403 || existing == 404, "{existing}");
    assert_eq!(existing, unknown);
    assert_eq!(foreign_desk.page(&format!("/demo/cases/{case}")).await.0, 404);
    let (_, queue) = foreign.page("/demo2/team?tab=open").await;
    assert!(!queue.contains(&case) && !queue.contains("Isolatie"));

    // The database itself shows the web role nothing of demo when it acts for demo2.
    let mut web = app.app.connect().await.unwrap();
    for (tenant, expect_rows) in [("demo2", false), ("demo", true)] {
        let mut tx = web.begin().await.unwrap();
        sqlx::query(
            "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = $1), true)",
        )
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .unwrap();
        for table in [
            "cases",
            "case_clocks",
            "case_leads",
            "journal_entries",
            "audit_events",
        ] {
            let count: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT count(*) FROM {table} WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')"
            )))
            .fetch_one(&mut *tx)
            .await
            .unwrap()
            .get(0);
            assert_eq!(count > 0, expect_rows, "{table} as {tenant}: {count}");
        }
        tx.rollback().await.unwrap();
    }
}
