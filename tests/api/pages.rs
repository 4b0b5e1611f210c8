use crate::common::TestApp;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/demo/login",
        "/healthz",
        "/readyz",
        "/bestaat-niet/",
        "/static/css/schakel.css",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(
            headers.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin", "{path}");
        assert!(headers.get("x-request-id").is_some(), "{path}");
    }
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    for path in ["/demo/", "/demo/login", "/", "/bestaat-niet/"] {
        let body = app.get(path).await.text().await.unwrap();
        assert!(!body.contains("<script>") && !body.contains(" style="), "{path}");
        assert!(!body.contains(" onclick="), "{path}");
    }
}

#[tokio::test]
async fn the_layout_has_a_skip_link_labels_and_a_language() {
    let app = TestApp::spawn().await;
    let body = app.get("/demo/login").await.text().await.unwrap();
    assert!(body.contains(r##"<a class="skip-link" href="#main">Direct naar de inhoud</a>"##));
    assert!(body.contains(r#"<html lang="nl">"#));
    assert!(body.contains(r#"<label for="email">E-mailadres</label>"#));
    assert!(body.contains(r#"<label for="password">Wachtwoord</label>"#));
}

#[tokio::test]
async fn the_users_language_preference_wins_over_the_browser() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET language = 'en' WHERE email = 'team@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    app.login("demo", "team@demo.test").await;
    let body = app.get("/demo/").await.text().await.unwrap();
    assert!(body.contains("Welcome, Tom Teamlid"), "{body}");
}

#[tokio::test]
async fn the_start_page_shows_a_section_per_role_and_matching_navigation() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET roles = '{admin,chair}' WHERE email = 'beheer@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    app.login("demo", "beheer@demo.test").await;
    let body = app.get("/demo/").await.text().await.unwrap();
    assert!(body.contains(r#"id="start-admin""#));
    assert!(body.contains(r#"id="start-chair""#));
    assert!(!body.contains(r#"id="start-desk""#));
    assert!(
        body.contains(r#"href="/demo/assembly""#),
        "the chair starts at the assembly"
    );
    assert!(
        body.contains(r#"<a href="/demo/" aria-current="page">Start</a>"#),
        "{body}"
    );
    assert!(body.contains("Bram Beheer"));
}

#[tokio::test]
async fn a_member_organisations_staff_start_at_their_referrals() {
    let app = TestApp::spawn().await;
    app.login("demo", "lid@demo.test").await;
    let body = app.get("/demo/").await.text().await.unwrap();
    let section = &body[body.find(r#"id="start-member""#).expect("the member's section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains(r#"href="/demo/inbox""#), "{section}");
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404_in_the_layout() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/nergens/te/vinden"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(body.contains("Page not found"));
    assert!(
        body.contains(r#"class="skip-link""#),
        "rendered in the base layout"
    );
}

#[tokio::test]
async fn healthz_says_alive_and_readyz_ready_only_with_every_migration() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    // A database one migration behind this build is not ready for it.
    let mut db = app.owner_connection().await;
    let (version, row): (i64, String) = sqlx::query_as(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)
         RETURNING version, row_to_json(_sqlx_migrations)::text",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("not migrated"));
    assert_eq!(app.get("/healthz").await.status(), 200, "still alive");
    sqlx::query(
        "INSERT INTO _sqlx_migrations SELECT * FROM json_populate_record(NULL::_sqlx_migrations, $1::json)",
    )
    .bind(row)
    .execute(&mut db)
    .await
    .unwrap();
    assert!(version > 0);
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn static_assets_are_served_with_their_type() {
    let app = TestApp::spawn().await;
    let css = app.get("/static/css/schakel.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers().get("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
    let js = app.get("/static/js/schakel.js").await;
    assert_eq!(
        js.headers().get("content-type").unwrap(),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
    assert_eq!(app.get("/static/css/nope.css").await.status(), 404);
}

#[tokio::test]
async fn a_too_large_request_body_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.csrf_token("/demo/login").await;
    let big = "x".repeat(3 * 1024 * 1024);
    let response = app
        .post_raw(
            "/demo/login",
            &[("csrf_token", &token), ("email", &big), ("password", "x")],
        )
        .await;
    assert_eq!(response.status(), 413);
}
