//! Login throttling (OWASP ASVS 2.2): guesses from unknown browsers slow an account down step
//! by step instead of locking it, a browser that logged in before is never held up by
//! failures from elsewhere, the counters hold under concurrent attempts, and administrators
//! see in the audit log when an account starts being slowed down.

use schakel::demo;
use sha2::{Digest, Sha256};

use crate::common::TestApp;
use crate::common::users::User;

/// The seconds the answer asks to wait (`Retry-After`), if it asks.
fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Lets every running delay pass, as if the clock had moved on.
async fn wait_out_the_delays(app: &TestApp) {
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE login_throttles SET next_attempt_at = least(next_attempt_at, now())")
        .execute(&mut db)
        .await
        .unwrap();
}

/// A browser that has logged in as `email` before, and logged out again.
async fn known_browser(app: &TestApp, email: &str) -> TestApp {
    let browser = app.other_client();
    browser.login("demo", email).await;
    let response = browser.post_form("/demo/", "/demo/logout", &[]).await;
    assert_eq!(response.status(), 303);
    browser
}

#[tokio::test]
async fn fifty_concurrent_guesses_get_no_more_checks_than_the_design_allows() {
    let app = TestApp::spawn().await;
    let token = app.csrf_token("/demo/login").await;
    let attempts = (0..50).map(|i| {
        let client = app.client.clone();
        let url = app.url("/demo/login");
        let token = token.clone();
        async move {
            let guess = format!("geraden-{i}");
            let form = [
                ("csrf_token", token.as_str()),
                ("email", "beheer@demo.test"),
                ("password", guess.as_str()),
            ];
            client
                .post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, refused),
        (5, 45),
        "five guesses are checked before the first delay, the rest wait: {statuses:?}"
    );

    let mut db = app.owner_connection().await;
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'login_failed'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(failed, 5);
    let counted: i32 = sqlx::query_scalar("SELECT failures FROM login_throttles WHERE kind = 'account'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(counted, 5);
}

#[tokio::test]
async fn a_known_browser_logs_in_despite_failures_on_its_account_and_from_its_address() {
    let app = TestApp::spawn().await;
    let browser = app.other_client();
    let response = browser.try_login("demo", "team@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 303);
    let device = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("schakel_device="));
    browser.post_form("/demo/", "/demo/logout", &[]).await;

    // Someone else, from the same address, guesses at the account and at others.
    let attacker = app.other_client();
    for i in 0..25 {
        let status = attacker
            .try_login("demo", "team@demo.test", &format!("geraden-{i}"))
            .await
            .status();
        assert!(status == 422 || status == 429, "{status}");
    }
    for i in 0..25 {
        attacker
            .try_login("demo", &format!("gok{i}@demo.test"), "geraden")
            .await;
    }
    let response = attacker.try_login("demo", "team@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 429, "an unknown browser waits");

    let response = browser.try_login("demo", "team@demo.test", demo::PASSWORD).await;
    assert_eq!(
        response.status(),
        303,
        "the known browser is not held up: {}",
        response.text().await.unwrap()
    );
    assert_eq!(browser.get("/demo/").await.status(), 200);

    // What made the browser known: a long-lived cookie the database knows only by its hash.
    let device = device.expect("a successful login remembers the browser");
    assert!(device.contains("HttpOnly"), "{device}");
    assert!(
        device.contains("Max-Age=15552000"),
        "kept for half a year: {device}"
    );
    let token = device["schakel_device=".len()..].split(';').next().unwrap();
    let mut db = app.owner_connection().await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM known_devices")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(
        stored,
        Sha256::digest(base64_decode(token)).to_vec(),
        "only a hash is stored"
    );
}

#[tokio::test]
async fn an_unknown_browser_is_slowed_down_step_by_step_and_never_locked_out() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let response = app.try_login("demo", "beheer@demo.test", "geraden").await;
        assert_eq!(response.status(), 422);
    }
    let response = app.try_login("demo", "beheer@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 429, "even the right password waits its turn");
    assert!(matches!(retry_after(&response), Some(29..=30)), "{response:?}");
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Probeer het over 30 seconden opnieuw")
            || body.contains("Probeer het over 29 seconden opnieuw"),
        "{body}"
    );
    assert!(
        body.contains("value=\"beheer@demo.test\""),
        "the form keeps the email"
    );

    // Attempts during a delay check nothing and count nothing, so they cannot stretch it.
    for _ in 0..20 {
        let response = app.try_login("demo", "beheer@demo.test", "geraden").await;
        assert_eq!(response.status(), 429);
        assert!(retry_after(&response).unwrap() <= 30);
    }

    wait_out_the_delays(&app).await;
    let response = app.try_login("demo", "beheer@demo.test", "geraden").await;
    assert_eq!(response.status(), 422, "after the delay a guess is checked again");
    let response = app.try_login("demo", "beheer@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(
        matches!(retry_after(&response), Some(59..=60)),
        "the delay doubles"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Probeer het over 1 minuut opnieuw")
            || body.contains("Probeer het over 59 seconden opnieuw"),
        "{body}"
    );

    // However many failures, the delay stays at a quarter of an hour.
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE login_throttles SET failures = 40, next_attempt_at = now() WHERE kind = 'account'")
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(
        app.try_login("demo", "beheer@demo.test", "geraden")
            .await
            .status(),
        422
    );
    let response = app.try_login("demo", "beheer@demo.test", demo::PASSWORD).await;
    assert!(matches!(retry_after(&response), Some(899..=900)), "{response:?}");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Probeer het over 15 minuten opnieuw")
    );

    wait_out_the_delays(&app).await;
    app.login("demo", "beheer@demo.test").await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM login_throttles WHERE kind = 'account'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(left, 0, "a completed login forgives the account's failures");
}

#[tokio::test]
async fn the_limit_per_address_slows_unknown_browsers_but_not_a_known_one() {
    let app = TestApp::spawn().await;
    let browser = known_browser(&app, "team@demo.test").await;
    let attacker = app.other_client();
    for i in 0..25 {
        attacker
            .try_login("demo", &format!("gok{i}@demo.test"), "geraden")
            .await;
    }
    let stranger = app.other_client();
    let response = stranger
        .try_login("demo", "balie@demo.test", demo::PASSWORD)
        .await;
    assert_eq!(response.status(), 429, "an unknown browser at that address waits");

    let response = browser.try_login("demo", "team@demo.test", demo::PASSWORD).await;
    assert_eq!(
        response.status(),
        303,
        "right on the first try from a known browser"
    );
}

#[tokio::test]
async fn a_known_browser_that_keeps_guessing_is_slowed_down_itself() {
    let app = TestApp::spawn().await;
    let browser = known_browser(&app, "team@demo.test").await;
    let other = known_browser(&app, "team@demo.test").await;
    for _ in 0..5 {
        let response = browser.try_login("demo", "team@demo.test", "geraden").await;
        assert_eq!(response.status(), 422);
    }
    let response = browser.try_login("demo", "team@demo.test", demo::PASSWORD).await;
    assert_eq!(
        response.status(),
        429,
        "a stolen device cookie buys no endless guesses"
    );
    let response = other.try_login("demo", "team@demo.test", demo::PASSWORD).await;
    assert_eq!(response.status(), 303, "each known browser counts for itself");
}

#[tokio::test]
async fn administrators_see_in_the_audit_log_when_an_account_is_slowed_down() {
    let app = TestApp::spawn().await;
    let attacker = app.other_client();
    for _ in 0..8 {
        attacker.try_login("demo", "team@demo.test", "geraden").await;
    }
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let (status, page) = admin.page("/demo/admin/audit?kind=login_throttled").await;
    assert_eq!(status, 200);
    let rows: Vec<&str> = page
        .split("<tr>")
        .filter(|row| row.contains("<td>inloggen vertraagd</td>"))
        .collect();
    assert_eq!(rows.len(), 1, "once, when the slowing down starts: {page}");
    assert!(rows[0].contains("Tom Teamlid"), "{}", rows[0]);
    assert!(rows[0].contains("team@demo.test"), "{}", rows[0]);
    assert!(rows[0].contains("127.0.0.1"), "{}", rows[0]);
}

fn base64_decode(token: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap()
}

#[tokio::test]
async fn counters_are_forgotten_after_a_quiet_while_and_unused_browsers_after_half_a_year() {
    let app = TestApp::spawn().await;
    known_browser(&app, "team@demo.test").await;
    for _ in 0..3 {
        app.try_login("demo", "beheer@demo.test", "geraden").await;
    }
    let mut db = app.owner_connection().await;
    let count = |table: &str| format!("SELECT count(*) FROM {table}");
    let counters = || sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count("login_throttles")));
    let devices = || sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count("known_devices")));
    assert_eq!(
        counters().fetch_one(&mut db).await.unwrap(),
        2,
        "the account and the address"
    );

    // An address is forgotten an hour after its last failure, an account after a day.
    sqlx::query("UPDATE login_throttles SET last_failure_at = now() - interval '2 hours'")
        .execute(&mut db)
        .await
        .unwrap();
    schakel::auth::session::purge_expired(&app.pool).await.unwrap();
    assert_eq!(counters().fetch_one(&mut db).await.unwrap(), 1);
    sqlx::query("UPDATE login_throttles SET last_failure_at = now() - interval '25 hours'")
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("UPDATE known_devices SET last_used_at = now() - interval '181 days'")
        .execute(&mut db)
        .await
        .unwrap();
    schakel::auth::session::purge_expired(&app.pool).await.unwrap();
    assert_eq!(counters().fetch_one(&mut db).await.unwrap(), 0);
    assert_eq!(devices().fetch_one(&mut db).await.unwrap(), 0);
}
