//! The lead: taking a case, handing it over with a note, and an administrator assigning it.

use crate::common::pages::field_error;
use crate::common::users::User;
use crate::common::{TestApp, hidden_value, location};

use super::{anders, insert_case, lock_of, monitor_section, take};

#[tokio::test]
async fn a_professional_takes_a_case_and_hands_it_over_only_with_a_note() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Overdracht", "normal", 1).await;
    let path = format!("/demo/cases/{case}");

    let (status, page) = team.page(&path).await;
    assert_eq!(status, 200, "an unassigned case is the team's shared intake");
    assert!(page.contains("Ik neem de regie"));
    take(&team, &mut db, &case).await;
    let lead: Option<String> = sqlx::query_scalar("SELECT lead_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(lead.as_deref(), Some(team.id.to_string().as_str()));

    // Anna cannot take a case that has a lead.
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = anna
        .send(
            &format!("{path}/lead"),
            &[("lock_version", &lock), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 403);

    // Handing over takes a note for the colleague.
    let (status, body) = team
        .send(
            &format!("{path}/lead"),
            &[
                ("lock_version", &lock),
                ("lead", &anna.id.to_string()),
                ("note", "  "),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "lead-note").as_deref(),
        Some("Schrijf een overdrachtsnotitie voor je collega.")
    );
    let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM case_leads WHERE case_id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(leads, 1, "nothing changed");

    let (status, _) = team
        .send(
            &format!("{path}/lead"),
            &[
                ("lock_version", &lock),
                ("lead", &anna.id.to_string()),
                ("note", "Dochter belt graag na vieren."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let history: Vec<(String, bool, String)> = sqlx::query_as(
        "SELECT user_id::text, ended_at IS NULL, handover_note FROM case_leads
         WHERE case_id = $1::uuid ORDER BY started_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        history,
        [
            (team.id.to_string(), false, String::new()),
            (
                anna.id.to_string(),
                true,
                "Dochter belt graag na vieren.".to_owned()
            )
        ],
        "the old lead's period ended, exactly one is current"
    );
    let lead: String = sqlx::query_scalar("SELECT lead_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(lead, anna.id.to_string());

    let (status, page) = anna.page(&format!("{path}/history")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Eerdere regisseurs") && page.contains("Dochter belt graag na vieren."));
    assert!(page.contains("Anna Anders (") && page.contains("Tom Teamlid ("));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE case_id = $1::uuid AND kind = 'case_lead_changed'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, 2);
    // The former lead stays involved, and still opens the case without stating a reason.
    assert_eq!(team.page(&path).await.0, 200);
}

#[tokio::test]
async fn an_administrator_assigns_from_the_monitor_and_the_desk_cannot_assign() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let member = User::login(&app, "demo", "lid@demo.test").await;
    let team_id = app.user_id("demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Wachtenaar", "normal", 10).await;

    let (status, page) = admin.page("/demo/team/monitor").await;
    assert_eq!(status, 200);
    let unassigned = monitor_section(&page, "unassigned");
    let reference = crate::common::records::reference(&app, "cases", &case).await;
    assert!(unassigned.contains(&reference));
    assert!(
        !unassigned.contains("Wachtenaar"),
        "an administrator sees no resident's name"
    );
    assert!(unassigned.contains(&format!("action=\"/demo/cases/{case}/lead\"")));
    let lock = hidden_value(unassigned, "lock_version").unwrap();

    for user in [&desk, &member] {
        let (status, _) = user
            .send(
                &format!("/demo/cases/{case}/lead"),
                &[("lock_version", &lock), ("lead", &team_id), ("from", "monitor")],
            )
            .await;
        assert_eq!(status, 403);
    }
    let response = admin
        .post(
            &format!("/demo/cases/{case}/lead"),
            &[("lock_version", &lock), ("lead", &team_id), ("from", "monitor")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/team/monitor");
    let (lead, assigned_by): (String, String) = sqlx::query_as(
        "SELECT user_id::text, assigned_by::text FROM case_leads WHERE case_id = $1::uuid AND ended_at IS NULL",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((lead, assigned_by), (team_id, admin.id.to_string()));
    let (_, page) = admin.page("/demo/team/monitor").await;
    assert!(!monitor_section(&page, "unassigned").contains(&reference));
}
