//! Staff of member organisations: only member staff are linked to an organisation, and an
//! expelled organisation's staff lose their access.

use schakel::demo;
use uuid::Uuid;

use crate::common::users::User;
use crate::common::{TestApp, location};

use super::count;

#[tokio::test]
async fn only_member_staff_are_linked_to_an_organisation() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let id = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let member = app.user_id("demo", "lid@demo.test").await;
    let team = app.user_id("demo", "team@demo.test").await;

    let (_, page) = admin.page(&format!("/demo/members/{id}")).await;
    assert!(page.contains("Lars Lidorganisatie"), "offered for linking");
    assert!(
        !page.contains(&format!("value=\"{team}\"")),
        "only member staff are offered"
    );

    let (status, body) = admin.link(&id, &team).await;
    assert_eq!(status, 422);
    assert!(body.contains("Alleen gebruikers met de rol medewerker lidorganisatie"));
    assert!(body.contains("aria-describedby=\"link-user-error\""));
    assert_eq!(admin.link(&id, "niet-een-id").await.0, 422);
    assert_eq!(admin.link(&id, &Uuid::new_v4().to_string()).await.0, 422);

    assert_eq!(admin.link(&id, &member).await.0, 303);
    let (_, page) = admin.page(&format!("/demo/members/{id}")).await;
    let staff = page.split("id=\"organisation-staff\"").nth(1).unwrap();
    assert!(
        staff
            .split("</ul>")
            .next()
            .unwrap()
            .contains("Lars Lidorganisatie")
    );
    let other = admin.register("Zorgcentrum Het Baken", "ouderenzorg", &[]).await;
    let (status, body) = admin.link(&other, &member).await;
    assert_eq!(status, 422);
    assert!(body.contains("Deze gebruiker is al aan een organisatie gekoppeld."));

    let mut db = app.owner_connection().await;
    let linked: Option<Uuid> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1::uuid")
        .bind(&member)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(linked.map(|u| u.to_string()), Some(id.clone()));
    let subject: String = sqlx::query_scalar(
        "SELECT subject_user_id::text FROM audit_events WHERE kind = 'member_updated' ORDER BY occurred_at LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(subject, member);

    let unlink = format!("/demo/members/{id}/users/{member}/unlink");
    assert_eq!(admin.post(&unlink, &[]).await.status(), 303);
    assert_eq!(admin.post(&unlink, &[]).await.status(), 404, "no longer linked");
    let linked: Option<Uuid> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1::uuid")
        .bind(&member)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(linked, None);
}

#[tokio::test]
async fn staff_of_an_expelled_organisation_lose_their_session_and_cannot_log_in() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let id = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let member_id = app.user_id("demo", "lid@demo.test").await;
    assert_eq!(admin.link(&id, &member_id).await.0, 303);

    let member = User::login(&app, "demo", "lid@demo.test").await;
    assert_eq!(member.page("/demo/groups").await.0, 200);
    let (status, _) = admin.set_status(&id, "ontzet", "01-01-2025").await;
    assert_eq!(status, 303);

    let response = member.app.get("/demo/groups").await;
    assert_eq!(response.status(), 303, "the session is gone");
    assert!(location(&response).starts_with("/demo/login"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM sessions WHERE user_id = '{member_id}'")
        )
        .await,
        0
    );
    let login = app
        .other_client()
        .try_login("demo", "lid@demo.test", demo::PASSWORD)
        .await;
    assert_eq!(login.status(), 422);
    assert!(
        login
            .text()
            .await
            .unwrap()
            .contains("Het e-mailadres of het wachtwoord klopt niet.")
    );

    // Its history stays, and it takes on no new staff.
    let (status, page) = admin.page(&format!("/demo/members/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Deze organisatie is geen lid meer.") && page.contains("Lars Lidorganisatie"));
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET organisation_id = NULL WHERE id = $1::uuid")
        .bind(&member_id)
        .execute(&mut db)
        .await
        .unwrap();
    let (status, body) = admin.link(&id, &member_id).await;
    assert_eq!(status, 422);
    assert!(body.contains("krijgt geen nieuwe medewerkers"));
}
