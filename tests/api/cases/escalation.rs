//! Scaling a case up to care and safety: a reason and a coordinating process manager.

use crate::common::TestApp;
use crate::common::pages::field_error;
use crate::common::users::User;

use super::{give_lead, insert_case, lists, lock_of};

#[tokio::test]
async fn scaling_up_to_care_and_safety_takes_a_reason_and_a_coordinating_process_manager() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Opschalen", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}/escalation");

    let lock = lock_of(&mut db, &case).await;
    let (status, body) = team
        .send(
            &path,
            &[
                ("lock_version", &lock),
                ("level", "zorg_en_veiligheid"),
                ("coordinator", &pm.id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "escalation-reason").as_deref(),
        Some("Geef de reden voor opschalen naar zorg en veiligheid.")
    );
    for coordinator in ["", team.id.to_string().as_str()] {
        let (status, body) = team
            .send(
                &path,
                &[
                    ("lock_version", &lock),
                    ("level", "zorg_en_veiligheid"),
                    ("coordinator", coordinator),
                    ("reason", "Zorgen over de veiligheid van de kinderen."),
                ],
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(
            field_error(&body, "escalation-coordinator").as_deref(),
            Some("Kies de procesmanager die de coördinatie overneemt.")
        );
    }
    let (status, _) = team
        .send(
            &path,
            &[
                ("lock_version", &lock),
                ("level", "zorg_en_veiligheid"),
                ("coordinator", &pm.id.to_string()),
                ("reason", "Zorgen over de veiligheid van de kinderen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (level, coordinator): (String, Option<String>) =
        sqlx::query_as("SELECT escalation, coordinator_id::text FROM cases WHERE id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(
        (level.as_str(), coordinator.as_deref()),
        ("zorg_en_veiligheid", Some(pm.id.to_string().as_str()))
    );
    let (_, mine) = pm.page("/demo/team?tab=mine").await;
    assert!(lists(&mine, &case), "in the process manager's own queue");
    let (_, escalated) = team.page("/demo/team?tab=escalated").await;
    assert!(lists(&escalated, &case));

    // Scaling down hands coordination back to the team, recorded too.
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = pm
        .send(
            &path,
            &[
                ("lock_version", &lock),
                ("level", "normaal"),
                ("reason", "Veilig thuis."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let coordinator: Option<String> =
        sqlx::query_scalar("SELECT coordinator_id::text FROM cases WHERE id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(coordinator, None);
    let events: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT from_value, to_value, actor_id::text FROM case_events
         WHERE case_id = $1::uuid AND kind = 'escalation' ORDER BY occurred_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            (
                "normaal".to_owned(),
                "zorg_en_veiligheid".to_owned(),
                team.id.to_string()
            ),
            (
                "zorg_en_veiligheid".to_owned(),
                "normaal".to_owned(),
                pm.id.to_string()
            )
        ]
    );
    let (_, mine) = pm.page("/demo/team?tab=mine").await;
    assert!(!lists(&mine, &case));
}
