//! Confidentiality: who sees and takes a highly confidential case, and opening a case one is
//! not involved in only with a stated reason.

use crate::common::pages::field_error;
use crate::common::users::User;
use crate::common::{TestApp, location};

use super::{anders, give_lead, insert_case, lists, lock_of};

#[tokio::test]
async fn a_highly_confidential_case_is_seen_only_by_its_lead_process_managers_and_named_professionals() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Geheimhouding", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("{path}/confidentiality"),
            &[("lock_version", &lock), ("level", "zeer_vertrouwelijk")],
        )
        .await;
    assert_eq!(status, 303);
    let event: (String, String) = sqlx::query_as(
        "SELECT from_value, to_value FROM case_events WHERE case_id = $1::uuid AND kind = 'confidentiality'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(event, ("normaal".to_owned(), "zeer_vertrouwelijk".to_owned()));

    let (status, body) = anna.page(&path).await;
    assert_eq!(status, 403);
    assert!(
        !body.contains("Geheimhouding") && !body.contains("/access\""),
        "no way in by stating a reason"
    );
    let (status, _) = anna
        .send(&format!("{path}/access"), &[("reason", "Ik ben nieuwsgierig.")])
        .await;
    assert_eq!(status, 403);
    let grants: i64 = sqlx::query_scalar("SELECT count(*) FROM case_access_grants")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(grants, 0);
    for tab in ["open", "unassigned", "mine", "overdue", "escalated"] {
        let (_, queue) = anna.page(&format!("/demo/team?tab={tab}")).await;
        assert!(!lists(&queue, &case) && !queue.contains("Geheimhouding"), "{tab}");
    }

    assert_eq!(team.page(&path).await.0, 200);
    let (status, page) = pm.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Zeer vertrouwelijk"));
    let (_, queue) = pm.page("/demo/team?tab=open").await;
    assert!(lists(&queue, &case));

    // A professional the lead names as involved sees it.
    let (status, _) = team
        .send(&format!("{path}/members"), &[("member", &anna.id.to_string())])
        .await;
    assert_eq!(status, 303);
    assert_eq!(anna.page(&path).await.0, 200);
    let (_, queue) = anna.page("/demo/team?tab=open").await;
    assert!(lists(&queue, &case));
}

#[tokio::test]
async fn a_professional_cannot_take_a_highly_confidential_case_they_may_not_see() {
    let app = TestApp::spawn().await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Verborgen", "normal", 1).await;
    let path = format!("/demo/cases/{case}");
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = pm
        .send(
            &format!("{path}/confidentiality"),
            &[("lock_version", &lock), ("level", "zeer_vertrouwelijk")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(team.page(&path).await.0, 403);

    let lock = lock_of(&mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("{path}/lead"),
            &[("lock_version", &lock), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 403, "taking the case would open it");
    let lead: Option<String> = sqlx::query_scalar("SELECT lead_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(lead, None);
    assert_eq!(team.page(&path).await.0, 403);
}

#[tokio::test]
async fn a_professional_not_involved_opens_a_case_only_after_stating_a_reason() {
    let app = TestApp::spawn().await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Inzage", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");

    let (status, body) = anna.page(&path).await;
    assert_eq!(status, 403);
    assert!(body.contains("Inzage met reden"));
    assert!(body.contains(&format!("action=\"{path}/access\"")));
    assert!(
        !body.contains("Inzage<") && !body.contains("Hulp in huis"),
        "nothing of the case shows"
    );

    let (status, body) = anna.send(&format!("{path}/access"), &[("reason", "   ")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "reason").as_deref(),
        Some("Geef een reden op.")
    );
    assert_eq!(anna.page(&path).await.0, 403);

    let reason = "Ik neem waar tijdens de vakantie van Tom.";
    let response = anna.post(&format!("{path}/access"), &[("reason", reason)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), path);
    let (status, page) = anna.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Hulp in huis"));
    let audited: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT actor_id::text, details->>'reason' FROM audit_events
         WHERE kind = 'case_access_granted' AND case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, [(anna.id.to_string(), Some(reason.to_owned()))]);

    // Seeing is not steering: the lead moves the case along.
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = anna
        .send(
            &format!("{path}/status"),
            &[("lock_version", &lock), ("to", "in_onderzoek")],
        )
        .await;
    assert_eq!(status, 403);
    // Nor writing in it: the journal, tasks and the plan are for those involved.
    let (status, _) = anna
        .send(
            &format!("{path}/tasks"),
            &[
                ("title", "Bellen"),
                ("assignee", &anna.id.to_string()),
                ("due_on", "01-12-2026"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = anna
        .send(
            &format!("{path}/plan/goals"),
            &[("lock_version", "1"), ("description", "Iets")],
        )
        .await;
    assert_eq!(status, 403);
}
