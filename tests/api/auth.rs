use schakel::demo;

use crate::common::{TestApp, hidden_value, location};

#[tokio::test]
async fn login_with_the_right_password_leads_to_the_start_page() {
    let app = TestApp::spawn().await;
    let response = app.try_login("demo", "balie@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/");
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("schakel_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let start = app.get("/demo/").await;
    assert_eq!(start.status(), 200);
    let body = start.text().await.unwrap();
    assert!(body.contains("Welkom, Bente Balie"), "{body}");
    assert!(
        body.contains("<h2 class=\"card__title\" id=\"start-desk-title\">Loket</h2>"),
        "{body}"
    );
    assert!(
        !body.contains("start-admin"),
        "a desk user sees only the desk section"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app.try_login("demo", "balie@demo.test", "not-the-password").await;
    let unknown = app
        .try_login("demo", "niemand@demo.test", "not-the-password")
        .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(unknown.status(), 422);
    let wrong = wrong.text().await.unwrap().replace("balie@demo.test", "EMAIL");
    let unknown = unknown
        .text()
        .await
        .unwrap()
        .replace("niemand@demo.test", "EMAIL");
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("Het e-mailadres of het wachtwoord klopt niet."));
}

#[tokio::test]
async fn a_failed_login_keeps_the_email_and_explains_each_empty_field() {
    let app = TestApp::spawn().await;
    let response = app
        .try_login("demo", "  Balie@Demo.test", "fout-wachtwoord")
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(r#"value="  Balie@Demo.test""#),
        "the typed email is kept"
    );

    let response = app.try_login("demo", "", "").await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Vul je e-mailadres in."));
    assert!(body.contains("Vul je wachtwoord in."));
    assert!(body.contains(r#"aria-describedby="email-error""#));
    assert!(
        body.contains(r##"<a href="#email">"##),
        "the error summary links to the field"
    );
}

#[tokio::test]
async fn the_email_address_is_not_case_sensitive() {
    let app = TestApp::spawn().await;
    let response = app.try_login("demo", " BALIE@demo.test ", demo::PASSWORD).await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    app.login("demo", "team@demo.test").await;
    let response = app.post_form("/demo/", "/demo/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/login");

    let mut db = app.owner_connection().await;
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(sessions, 0);

    let login_page = app.get("/demo/login").await.text().await.unwrap();
    assert!(login_page.contains("Je bent uitgelogd."));
    let response = app.get("/demo/").await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn pages_need_a_login_and_return_to_where_you_were() {
    let app = TestApp::spawn().await;
    let response = app.get("/demo/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/login?next=%2Fdemo%2F");

    let login = app.get("/demo/login?next=%2Fdemo%2F").await.text().await.unwrap();
    assert_eq!(hidden_value(&login, "next").as_deref(), Some("/demo/"));
    let response = app
        .post_form(
            "/demo/login",
            "/demo/login",
            &[
                ("email", "team@demo.test"),
                ("password", demo::PASSWORD),
                ("next", "/demo/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/demo/");
}

#[tokio::test]
async fn login_never_redirects_outside_the_cooperative() {
    let app = TestApp::spawn().await;
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/demo2/",
        "/demo/\\evil",
    ] {
        let client = app.other_client();
        let response = client
            .post_form(
                "/demo/login",
                "/demo/login",
                &[
                    ("email", "team@demo.test"),
                    ("password", demo::PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/demo/", "next={next}");
    }
}

#[tokio::test]
async fn a_session_expires_after_thirty_idle_minutes() {
    let app = TestApp::spawn().await;
    app.login("demo", "balie@demo.test").await;
    assert_eq!(app.get("/demo/").await.status(), 200);

    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '29 minutes'")
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(app.get("/demo/").await.status(), 200, "29 idle minutes are fine");

    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
        .execute(&mut db)
        .await
        .unwrap();
    let response = app.get("/demo/").await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/demo/login"));
    let login_page = app.get("/demo/login").await.text().await.unwrap();
    assert!(
        login_page.contains("niet actief"),
        "the user is told why: {login_page}"
    );
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "the expired session is removed");
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_login_however_active() {
    let app = TestApp::spawn().await;
    app.login("demo", "balie@demo.test").await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "UPDATE sessions SET created_at = now() - interval '12 hours 1 minute', last_seen_at = now()",
    )
    .execute(&mut db)
    .await
    .unwrap();
    assert_eq!(app.get("/demo/").await.status(), 303);
}

#[tokio::test]
async fn logging_in_again_replaces_the_session() {
    let app = TestApp::spawn().await;
    app.login("demo", "balie@demo.test").await;
    let mut db = app.owner_connection().await;
    let first: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let again = app
        .post_form(
            "/demo/",
            "/demo/login",
            &[("email", "balie@demo.test"), ("password", demo::PASSWORD)],
        )
        .await;
    assert_eq!(again.status(), 303);
    let hashes: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0], first, "a new session id at login");
}

#[tokio::test]
async fn a_deactivated_user_is_logged_out_and_cannot_log_in() {
    let app = TestApp::spawn().await;
    app.login("demo", "balie@demo.test").await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET active = false WHERE email = 'balie@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(app.get("/demo/").await.status(), 303);
    let response = app.try_login("demo", "balie@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn a_post_without_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.get("/demo/login").await;
    let response = app
        .post_raw(
            "/demo/login",
            &[("email", "balie@demo.test"), ("password", demo::PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 403);
    let mut db = app.owner_connection().await;
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(sessions, 0);

    app.login("demo", "balie@demo.test").await;
    let response = app.post_raw("/demo/logout", &[]).await;
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert!(body.contains("Geen toegang"), "{body}");
    let response = app
        .post_raw(
            "/demo/logout",
            &[("csrf_token", "wrong-token-wrong-token-wrong-token")],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.get("/demo/").await.status(), 200, "still logged in");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn the_csrf_token_of_one_session_does_not_work_for_another() {
    let app = TestApp::spawn().await;
    let attacker = app.other_client();
    attacker.login("demo", "team@demo.test").await;
    let attacker_token = attacker.csrf_token("/demo/").await;

    app.login("demo", "balie@demo.test").await;
    let response = app
        .post_raw("/demo/logout", &[("csrf_token", &attacker_token)])
        .await;
    assert_eq!(response.status(), 403);
}
