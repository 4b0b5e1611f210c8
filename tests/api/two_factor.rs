//! Two-factor login: enrolment, codes, recovery codes and the tenant's requirement.

use totp_rs::{Builder, Secret};

use crate::common::{TestApp, location};

/// The code an authenticator app shows `offset` steps from now.
pub fn code_for(secret: &str, offset: i64) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + offset * 30) as u64).to_string()
}

fn secret_on(page: &str) -> String {
    let start =
        page.find(r#"<code id="secret">"#).expect("the secret is shown") + r#"<code id="secret">"#.len();
    page[start..].split('<').next().unwrap().to_owned()
}

fn recovery_codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .map(|part| part.split('<').next().unwrap().to_owned())
        .collect()
}

async fn require_second_factor(app: &TestApp, rule: &str) {
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE tenant_settings SET second_factor = $1 FROM tenants t WHERE t.id = tenant_id AND t.slug = 'demo'")
        .bind(rule)
        .execute(&mut db)
        .await
        .unwrap();
}

/// Logs in with the password, enrols, and returns the secret, the recovery codes and the
/// code that confirmed the enrolment.
async fn enrol(app: &TestApp, email: &str) -> (String, Vec<String>, String) {
    let response = app.try_login("demo", email, schakel::demo::PASSWORD).await;
    assert_eq!(location(&response), "/demo/account/two-factor");
    let page = app.get("/demo/account/two-factor").await.text().await.unwrap();
    assert!(page.contains("<svg"), "a QR code is shown");
    let secret = secret_on(&page);
    let wrong = app
        .post_form(
            "/demo/account/two-factor",
            "/demo/account/two-factor",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        secret_on(&wrong.text().await.unwrap()),
        secret,
        "the same secret until confirmed"
    );
    let code = code_for(&secret, 0);
    let done = app
        .post_form(
            "/demo/account/two-factor",
            "/demo/account/two-factor",
            &[("code", &code)],
        )
        .await;
    assert_eq!(done.status(), 200);
    let codes = recovery_codes_on(&done.text().await.unwrap());
    assert_eq!(codes.len(), 10);
    (secret, codes, code)
}

#[tokio::test]
async fn a_required_second_factor_is_set_up_at_first_login_and_asked_for_afterwards() {
    let app = TestApp::spawn().await;
    require_second_factor(&app, "resident_roles").await;

    // Before enrolment nothing else is reachable.
    let response = app
        .try_login("demo", "balie@demo.test", schakel::demo::PASSWORD)
        .await;
    assert_eq!(location(&response), "/demo/account/two-factor");
    let blocked = app.get("/demo/").await;
    assert_eq!(location(&blocked), "/demo/account/two-factor");
    let app = app.other_client();
    let (secret, _, used) = enrol(&app, "balie@demo.test").await;
    assert_eq!(
        app.get("/demo/").await.status(),
        200,
        "enrolment completes the login"
    );

    // The next login asks for the code; a code is accepted once.
    let next = app.other_client();
    let response = next
        .try_login("demo", "balie@demo.test", schakel::demo::PASSWORD)
        .await;
    assert_eq!(location(&response), "/demo/login/code");
    assert_eq!(location(&next.get("/demo/").await), "/demo/login/code");
    let replay = next
        .post_form("/demo/login/code", "/demo/login/code", &[("code", &used)])
        .await;
    assert_eq!(
        replay.status(),
        422,
        "the code used at enrolment cannot be used again"
    );
    assert!(replay.text().await.unwrap().contains("Deze code klopt niet."));
    let ok = next
        .post_form(
            "/demo/login/code",
            "/demo/login/code",
            &[("code", &code_for(&secret, 1))],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(next.get("/demo/").await.status(), 200);

    let mut db = app.owner_connection().await;
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM audit_events WHERE kind IN ('second_factor_enrolled', 'login_succeeded')",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(kinds.iter().filter(|k| *k == "second_factor_enrolled").count(), 1);
    assert_eq!(
        kinds.iter().filter(|k| *k == "login_succeeded").count(),
        2,
        "a login counts once it is complete"
    );
}

#[tokio::test]
async fn a_dump_of_the_database_holds_no_usable_second_factor_secret() {
    let app = TestApp::spawn().await;
    require_second_factor(&app, "resident_roles").await;
    let client = app.other_client();
    let (secret, _, _) = enrol(&client, "balie@demo.test").await;
    let mut db = app.owner_connection().await;
    let stored: String = sqlx::query_scalar(
        "SELECT totp_secret FROM users WHERE email = 'balie@demo.test' AND totp_secret IS NOT NULL",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        stored.starts_with("v1.") && !stored.contains(&secret),
        "sealed: {stored}"
    );
    let ours = schakel::auth::secrets::SecretBox::from_key(crate::common::TEST_SECRET_KEY);
    assert_eq!(ours.open(&stored).as_deref(), Some(secret.as_str()));
    assert_eq!(
        schakel::auth::secrets::SecretBox::from_key([1; 32]).open(&stored),
        None,
        "without the key outside the database it does not open"
    );

    // A secret stored in plain text before sealing is sealed by the start-up step, and still
    // takes the same codes.
    sqlx::query(
        "UPDATE users SET totp_secret = $1 WHERE email = 'balie@demo.test' AND totp_secret IS NOT NULL",
    )
    .bind(&secret)
    .execute(&mut db)
    .await
    .unwrap();
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    let sealed = schakel::auth::secrets::seal_stored(&owner, &ours).await.unwrap();
    assert_eq!(sealed, 1);
    let next = app.other_client();
    let response = next
        .try_login("demo", "balie@demo.test", schakel::demo::PASSWORD)
        .await;
    assert_eq!(location(&response), "/demo/login/code");
    let ok = next
        .post_form(
            "/demo/login/code",
            "/demo/login/code",
            &[("code", &code_for(&secret, 1))],
        )
        .await;
    assert_eq!(ok.status(), 303);
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::spawn().await;
    require_second_factor(&app, "everyone").await;
    let (_, codes, _) = enrol(&app, "voorzitter@demo.test").await;

    let next = app.other_client();
    next.try_login("demo", "voorzitter@demo.test", schakel::demo::PASSWORD)
        .await;
    let used = next
        .post_form(
            "/demo/login/code",
            "/demo/login/code",
            &[("code", &codes[3].to_uppercase())],
        )
        .await;
    assert_eq!(used.status(), 303);

    let again = app.other_client();
    again
        .try_login("demo", "voorzitter@demo.test", schakel::demo::PASSWORD)
        .await;
    let reused = again
        .post_form("/demo/login/code", "/demo/login/code", &[("code", &codes[3])])
        .await;
    assert_eq!(reused.status(), 422);
    let mut db = app.owner_connection().await;
    let used: i64 = sqlx::query_scalar("SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(used, 1);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'recovery_code_used'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn wrong_codes_are_throttled() {
    let app = TestApp::spawn().await;
    require_second_factor(&app, "everyone").await;
    let (secret, _, _) = enrol(&app, "team@demo.test").await;
    let next = app.other_client();
    next.try_login("demo", "team@demo.test", schakel::demo::PASSWORD)
        .await;
    for _ in 0..5 {
        let wrong = next
            .post_form("/demo/login/code", "/demo/login/code", &[("code", "123456")])
            .await;
        assert_eq!(wrong.status(), 422);
    }
    let right = next
        .post_form(
            "/demo/login/code",
            "/demo/login/code",
            &[("code", &code_for(&secret, 1))],
        )
        .await;
    assert_eq!(right.status(), 429);
}

#[tokio::test]
async fn an_administrator_resets_a_second_factor_and_it_is_audited() {
    let app = TestApp::spawn().await;
    require_second_factor(&app, "resident_roles").await;
    let member = app.other_client();
    enrol(&member, "lid@demo.test").await;

    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE tenant_settings SET second_factor = 'off'")
        .execute(&mut db)
        .await
        .unwrap();
    app.login("demo", "beheer@demo.test").await;
    let id: String = sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'lid@demo.test' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let page = format!("/demo/admin/users/{id}");
    assert!(app.get(&page).await.text().await.unwrap().contains("ingesteld"));
    let response = app
        .post_form(&page, &format!("{page}/second-factor/reset"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let codes: i64 = sqlx::query_scalar("SELECT count(*) FROM recovery_codes")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(codes, 0);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'second_factor_reset'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    let after = app.other_client();
    let login = after
        .try_login("demo", "lid@demo.test", schakel::demo::PASSWORD)
        .await;
    assert_eq!(
        location(&login),
        "/demo/",
        "no code asked once the second factor is gone"
    );
}

#[tokio::test]
async fn the_demo_cooperatives_ask_for_no_second_factor() {
    let app = TestApp::spawn().await;
    let response = app
        .try_login("demo", "balie@demo.test", schakel::demo::PASSWORD)
        .await;
    assert_eq!(location(&response), "/demo/");
}
