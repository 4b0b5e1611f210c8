//! Two people saving at once: the second of two simultaneous changes is refused as a conflict.

use crate::common::TestApp;
use crate::common::users::User;

use super::{give_lead, insert_case, lock_version, status_events, status_of};

#[tokio::test]
async fn the_second_of_two_simultaneous_status_changes_is_refused_as_a_conflict() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Gelijktijdig", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");
    let (_, team_page) = team.page(&path).await;
    let (_, pm_page) = pm.page(&path).await;
    assert_eq!(lock_version(&team_page), lock_version(&pm_page));

    let (status, _) = team
        .send(
            &format!("{path}/status"),
            &[
                ("lock_version", &lock_version(&team_page)),
                ("to", "in_onderzoek"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, body) = pm
        .send(
            &format!("{path}/status"),
            &[
                ("lock_version", &lock_version(&pm_page)),
                ("to", "afgesloten"),
                ("closing_result", "anders"),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(body.contains("Iemand anders heeft deze casus intussen gewijzigd"));
    assert!(body.contains("Laatst gewijzigd door Tom Teamlid"), "{body}");
    assert!(
        body.contains("id=\"case-status\">In onderzoek<"),
        "the page shows the case as it is now"
    );
    assert!(
        body.contains("value=\"anders\" selected"),
        "what was chosen is still in the form"
    );
    assert_eq!(status_of(&mut db, &case).await.0, "in_onderzoek");
    assert_eq!(status_events(&mut db, &case).await.len(), 1);

    // With the version shown on the refreshed page it goes through.
    let (status, _) = pm
        .send(
            &format!("{path}/status"),
            &[
                ("lock_version", &lock_version(&body)),
                ("to", "afgesloten"),
                ("closing_result", "anders"),
            ],
        )
        .await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn the_second_of_two_simultaneous_plan_edits_is_refused_and_only_one_goal_is_kept() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Planconflict", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let plan = format!("/demo/cases/{case}/plan");
    let (status, team_page) = team.page(&plan).await;
    assert_eq!(status, 200);
    let (_, pm_page) = pm.page(&plan).await;
    assert_eq!(lock_version(&team_page), lock_version(&pm_page));

    let (status, _) = team
        .send(
            &format!("{plan}/goals"),
            &[
                ("lock_version", &lock_version(&team_page)),
                ("description", "Ik wil weer zelf koken."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, body) = pm
        .send(
            &format!("{plan}/goals"),
            &[
                ("lock_version", &lock_version(&pm_page)),
                ("description", "Ik wil weer fietsen."),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(body.contains("Iemand anders heeft het plan intussen gewijzigd."));
    assert!(
        body.contains("Het plan is intussen gewijzigd door Tom Teamlid"),
        "{body}"
    );
    assert!(
        body.contains("Ik wil weer zelf koken."),
        "the page shows the plan as it is now"
    );
    assert!(body.contains("Ik wil weer fietsen."), "what was typed is kept");
    let goals: Vec<String> = sqlx::query_scalar(
        "SELECT g.description FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id WHERE p.case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(goals, ["Ik wil weer zelf koken."]);
}
