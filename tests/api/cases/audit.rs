//! Viewing and changing a case is audited with the case and the resident.

use crate::common::TestApp;
use crate::common::users::User;

use super::{change_status, desk_case, lock_of, lock_version, take};

#[tokio::test]
async fn viewing_and_changing_a_case_is_audited_with_the_case_and_the_resident() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Logboek", &["wmo"], None).await;
    let resident: String = sqlx::query_scalar("SELECT resident_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let path = format!("/demo/cases/{case}");

    assert_eq!(team.page(&path).await.0, 200);
    let viewed: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT actor_id::text, case_id::text, resident_id::text FROM audit_events WHERE kind = 'case_viewed'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        viewed,
        [(team.id.to_string(), Some(case.clone()), Some(resident.clone()))]
    );

    take(&team, &mut db, &case).await;
    let (status, _) = change_status(&team, &mut db, &case, &[("to", "in_onderzoek")]).await;
    assert_eq!(status, 303);
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("{path}/escalation"),
            &[
                ("lock_version", &lock),
                ("level", "opgeschaald"),
                ("reason", "Schulden lopen op."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .send(
            &format!("{path}/network"),
            &[
                ("name", "Dokter Bos"),
                ("relation", "huisarts"),
                ("phone", "0318 111 222"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .send(
            &format!("{path}/tasks"),
            &[
                ("title", "Huisarts bellen"),
                ("assignee", &team.id.to_string()),
                ("due_on", "2030-01-07"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .send(
            &format!("{path}/conversations"),
            &[("date", "2030-01-08"), ("time", "10:00"), ("place", "Thuis")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, plan) = team.page(&format!("{path}/plan")).await;
    let (status, _) = team
        .send(
            &format!("{path}/plan/goals"),
            &[
                ("lock_version", &lock_version(&plan)),
                ("description", "Rust in de financiën."),
            ],
        )
        .await;
    assert_eq!(status, 303);

    let events: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT kind, actor_id::text, resident_id::text FROM audit_events WHERE case_id = $1::uuid ORDER BY occurred_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    for kind in [
        "case_viewed",
        "case_lead_changed",
        "case_status_changed",
        "case_escalation_changed",
        "network_changed",
        "task_changed",
        "conversation_scheduled",
        "plan_changed",
    ] {
        assert!(events.iter().any(|(k, _, _)| k == kind), "{kind} in {events:?}");
    }
    assert!(
        events
            .iter()
            .all(|(_, actor, r)| *actor == team.id.to_string() && r.as_deref() == Some(resident.as_str())),
        "{events:?}"
    );
    let details: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE case_id = $1::uuid AND kind = 'case_status_changed'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(details["from"], "aangemeld");
    assert_eq!(details["to"], "in_onderzoek");
}
