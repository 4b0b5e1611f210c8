//! User administration by the cooperative's administrators.

use schakel::auth::Role;
use schakel::auth::users::{self, AdminRuleError};

use crate::common::records::audit_kinds;
use crate::common::{TestApp, hidden_value, link_path, location};

#[tokio::test]
async fn only_administrators_reach_the_administration() {
    let app = TestApp::spawn().await;
    app.login("demo", "team@demo.test").await;
    for path in [
        "/demo/admin/users",
        "/demo/admin/users/new",
        "/demo/admin/settings",
        "/demo/admin/audit",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 403, "{path}");
        assert!(response.text().await.unwrap().contains("Geen toegang"));
    }
    let id = app.user_id("demo", "balie@demo.test").await;
    let response = app
        .post_form("/demo/", &format!("/demo/admin/users/{id}/deactivate"), &[])
        .await;
    assert_eq!(response.status(), 403);
    let body = app.get("/demo/").await.text().await.unwrap();
    assert!(
        !body.contains("/demo/admin/users\""),
        "no link to what the user may not use"
    );
}

#[tokio::test]
async fn the_user_list_shows_searches_and_pages() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let body = app.get("/demo/admin/users").await.text().await.unwrap();
    for name in ["Bente Balie", "Tom Teamlid", "Vera Voorzitter"] {
        assert!(body.contains(name), "{name}");
    }
    assert!(
        !body.contains("Dirk Demotwee"),
        "users of another cooperative never show"
    );
    assert!(body.contains("nog nooit"), "last login is shown");

    let found = app.get("/demo/admin/users?q=TEAM").await.text().await.unwrap();
    assert!(found.contains("Tom Teamlid") && !found.contains("Bente Balie"));

    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO users (tenant_id, email, name, roles)
         SELECT t.id, 'extra' || n || '@demo.test', 'Extra ' || lpad(n::text, 3, '0'), '{desk}'
         FROM tenants t, generate_series(1, 30) n WHERE t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let first = app.get("/demo/admin/users").await.text().await.unwrap();
    assert!(first.contains("page=2") && first.contains("Volgende pagina"));
    let second = app.get("/demo/admin/users?q=&page=2").await.text().await.unwrap();
    assert!(second.contains("Vorige pagina") && !second.contains("Volgende pagina"));
}

#[tokio::test]
async fn a_role_change_takes_effect_on_the_next_request_and_is_audited() {
    let app = TestApp::spawn().await;
    let team = app.other_client();
    team.login("demo", "team@demo.test").await;
    assert_eq!(team.get("/demo/admin/users").await.status(), 403);

    app.login("demo", "beheer@demo.test").await;
    let id = app.user_id("demo", "team@demo.test").await;
    let page = format!("/demo/admin/users/{id}");
    let response = app
        .post_form(
            &page,
            &format!("{page}/roles"),
            &[("roles", "professional"), ("roles", "admin")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        team.get("/demo/admin/users").await.status(),
        200,
        "the next request has the new role"
    );

    let mut db = app.owner_connection().await;
    let details: serde_json::Value =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE kind = 'roles_changed'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(details["old"], serde_json::json!(["professional"]));
    assert_eq!(details["new"], serde_json::json!(["professional", "admin"]));
}

#[tokio::test]
async fn a_user_needs_a_role() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let id = app.user_id("demo", "team@demo.test").await;
    let page = format!("/demo/admin/users/{id}");
    let response = app.post_form(&page, &format!("{page}/roles"), &[]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Kies minstens één rol."));
}

#[tokio::test]
async fn the_last_administrator_and_ones_own_admin_role_stay() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let own = app.user_id("demo", "beheer@demo.test").await;
    let page = format!("/demo/admin/users/{own}");
    let response = app
        .post_form(&page, &format!("{page}/roles"), &[("roles", "chair")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("eigen beheerdersrol"));
    let response = app.post_form(&page, &format!("{page}/deactivate"), &[]).await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn the_last_active_administrator_cannot_lose_the_role_or_be_deactivated() {
    let app = TestApp::spawn().await;
    let mut tx = schakel::db::tenant_tx(&app.pool, demo_tenant(&app).await)
        .await
        .unwrap();
    let admin_id = app.user_id("demo", "beheer@demo.test").await.parse().unwrap();
    let target = users::find(&mut tx, admin_id).await.unwrap().unwrap();
    let someone_else = uuid::Uuid::new_v4();
    let roles = users::set_roles(&mut tx, someone_else, &target, &[Role::Chair])
        .await
        .unwrap();
    assert_eq!(roles, Err(AdminRuleError::LastAdmin));
    let active = users::set_active(&mut tx, someone_else, &target, false)
        .await
        .unwrap();
    assert_eq!(active, Err(AdminRuleError::LastAdmin));
    drop(tx);
}

#[tokio::test]
async fn two_administrators_removing_each_other_at_once_leave_one() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET roles = '{admin,chair}' WHERE email = 'voorzitter@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    let first = app.other_client();
    first.login("demo", "beheer@demo.test").await;
    let second = app.other_client();
    second.login("demo", "voorzitter@demo.test").await;
    let beheer = app.user_id("demo", "beheer@demo.test").await;
    let voorzitter = app.user_id("demo", "voorzitter@demo.test").await;
    let first_page = format!("/demo/admin/users/{voorzitter}");
    let second_page = format!("/demo/admin/users/{beheer}");
    let first_token = first.csrf_token(&first_page).await;
    let second_token = second.csrf_token(&second_page).await;
    let first_roles = format!("{first_page}/roles");
    let second_roles = format!("{second_page}/roles");
    let first_form = [("csrf_token", first_token.as_str()), ("roles", "chair")];
    let second_form = [("csrf_token", second_token.as_str()), ("roles", "chair")];
    let (a, b) = tokio::join!(
        first.post_raw(&first_roles, &first_form),
        second.post_raw(&second_roles, &second_form),
    );
    let successes = [a.status(), b.status()]
        .iter()
        .filter(|s| s.as_u16() == 303)
        .count();
    assert_eq!(successes, 1, "{} {}", a.status(), b.status());
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'demo' AND active AND 'admin' = ANY (roles)")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

async fn demo_tenant(app: &TestApp) -> uuid::Uuid {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'demo'")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_reactivation_restores_login() {
    let app = TestApp::spawn().await;
    let desk = app.other_client();
    desk.login("demo", "balie@demo.test").await;
    app.login("demo", "beheer@demo.test").await;
    let id = app.user_id("demo", "balie@demo.test").await;
    let page = format!("/demo/admin/users/{id}");
    let response = app.post_form(&page, &format!("{page}/deactivate"), &[]).await;
    assert_eq!(location(&response), page);
    assert_eq!(
        desk.get("/demo/").await.status(),
        303,
        "the open session is refused"
    );
    assert_eq!(
        desk.try_login("demo", "balie@demo.test", schakel::demo::PASSWORD)
            .await
            .status(),
        422
    );
    let body = app.get(&page).await.text().await.unwrap();
    assert!(body.contains("gedeactiveerd"));

    app.post_form(&page, &format!("{page}/reactivate"), &[]).await;
    desk.login("demo", "balie@demo.test").await;
    let kinds = audit_kinds(&app).await;
    assert!(kinds.contains(&"user_deactivated".to_owned()) && kinds.contains(&"user_reactivated".to_owned()));
}

#[tokio::test]
async fn an_invitation_creates_a_user_who_sets_a_password_once() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let response = app
        .post_form(
            "/demo/admin/users/new",
            "/demo/admin/users",
            &[
                ("name", "Nina Nieuw"),
                ("email", "Nina@Demo.test"),
                ("roles", "desk"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let path = link_path(&body, "/demo/invitation/");
    let list = app.get("/demo/admin/users?q=nina").await.text().await.unwrap();
    assert!(list.contains("uitgenodigd"));

    let newcomer = app.other_client();
    let form = newcomer.get(&path).await.text().await.unwrap();
    assert!(form.contains("nina@demo.test"));
    let token = hidden_value(&form, "csrf_token").unwrap();
    let short = newcomer
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("password", "kort"),
                ("confirmation", "kort"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("minstens 12 tekens"));
    let mismatch = newcomer
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("password", "een-goed-wachtwoord"),
                ("confirmation", "een-ander-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    let set = newcomer
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("password", "een-goed-wachtwoord"),
                ("confirmation", "een-goed-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(set.status(), 303);
    assert_eq!(location(&set), "/demo/login");
    newcomer
        .login_with("demo", "nina@demo.test", "een-goed-wachtwoord")
        .await;

    let again = app.other_client();
    let reused = again.get(&path).await;
    assert_eq!(reused.status(), 404, "a link works once");
    assert!(reused.text().await.unwrap().contains("verlopen, al gebruikt"));
    let kinds = audit_kinds(&app).await;
    assert!(kinds.contains(&"user_invited".to_owned()) && kinds.contains(&"invitation_accepted".to_owned()));
}

#[tokio::test]
async fn an_invitation_form_with_mistakes_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let response = app
        .post_form(
            "/demo/admin/users/new",
            "/demo/admin/users",
            &[("name", "Piet"), ("email", "geen-adres")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains(r#"value="Piet""#) && body.contains(r#"value="geen-adres""#));
    assert!(body.contains("Vul een geldig e-mailadres in") && body.contains("Kies minstens één rol."));
    let taken = app
        .post_form(
            "/demo/admin/users/new",
            "/demo/admin/users",
            &[
                ("name", "Dubbel"),
                ("email", "balie@demo.test"),
                ("roles", "desk"),
            ],
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("Er is al een gebruiker met dit e-mailadres.")
    );
    let mut db = app.owner_connection().await;
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(users, 8, "nothing half-written");
}

#[tokio::test]
async fn reset_links_expire_and_wrong_tokens_find_nothing() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let id = app.user_id("demo", "team@demo.test").await;
    let page = format!("/demo/admin/users/{id}");
    let body = app
        .post_form(&page, &format!("{page}/password-reset"), &[])
        .await
        .text()
        .await
        .unwrap();
    let path = link_path(&body, "/demo/password-reset/");
    let visitor = app.other_client();
    assert_eq!(visitor.get(&path).await.status(), 200);
    assert_eq!(
        visitor
            .get("/demo/password-reset/niet-het-goede-token")
            .await
            .status(),
        404
    );

    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE user_tokens SET expires_at = now() - interval '1 second'")
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(
        visitor.get(&path).await.status(),
        404,
        "an expired link works no more"
    );
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM user_tokens")
        .fetch_all(&mut db)
        .await
        .unwrap();
    let token = path.rsplit('/').next().unwrap();
    assert!(
        stored
            .iter()
            .all(|hash| hash.len() == 32 && hash.as_slice() != token.as_bytes()),
        "only hashes"
    );
}

#[tokio::test]
async fn a_forgotten_password_request_never_reveals_whether_the_address_exists() {
    let app = TestApp::spawn().await;
    let known = app
        .post_form(
            "/demo/password-forgotten",
            "/demo/password-forgotten",
            &[("email", "team@demo.test")],
        )
        .await;
    let unknown = app
        .post_form(
            "/demo/password-forgotten",
            "/demo/password-forgotten",
            &[("email", "niemand@demo.test")],
        )
        .await;
    assert_eq!(known.status(), 200);
    assert_eq!(unknown.status(), 200);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(
        audit_kinds(&app).await,
        vec!["password_reset_requested".to_owned()],
        "the admin sees the request"
    );
}

#[tokio::test]
async fn the_audit_log_is_filtered_by_user_kind_and_date() {
    let app = TestApp::spawn().await;
    app.other_client().login("demo", "team@demo.test").await;
    app.other_client()
        .try_login("demo", "team@demo.test", "fout-wachtwoord")
        .await;
    app.login("demo", "beheer@demo.test").await;
    let team = app.user_id("demo", "team@demo.test").await;

    let all = app.get("/demo/admin/audit").await.text().await.unwrap();
    assert!(all.contains("ingelogd") && all.contains("inloggen mislukt"));
    let failed = app
        .get("/demo/admin/audit?kind=login_failed")
        .await
        .text()
        .await
        .unwrap();
    assert!(failed.contains("inloggen mislukt") && !failed.contains("<td>ingelogd</td>"));
    let by_user = app
        .get(&format!("/demo/admin/audit?user={team}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(by_user.contains("Tom Teamlid") && !by_user.contains("<td>Bram Beheer</td>"));
    let future = app
        .get("/demo/admin/audit?from=01-01-2099")
        .await
        .text()
        .await
        .unwrap();
    assert!(future.contains("Geen gebeurtenissen gevonden."));

    let mut web = sqlx::ConnectOptions::connect(&app.app).await.unwrap();
    let deleted = sqlx::query("DELETE FROM audit_events").execute(&mut web).await;
    assert!(deleted.is_err(), "the audit log cannot be erased by the web role");
}

/// The path of the link in a (quoted-printable or plain) message body.
pub(crate) fn link_in(message: &str, marker: &str) -> String {
    let unfolded = message.replace("=\n", "").replace("=3D", "=");
    let start = unfolded.find("http://").expect("a link");
    let link: String = unfolded[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(link.contains(marker), "{link}");
    let (_, path) = link
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .unwrap();
    format!("/{path}")
}

#[tokio::test]
async fn with_smtp_configured_invitations_and_reset_links_are_emailed() {
    let (app, inbox) = TestApp::spawn_with_mail().await;
    app.login("demo", "beheer@demo.test").await;
    let page = app
        .post_form(
            "/demo/admin/users/new",
            "/demo/admin/users",
            &[
                ("name", "Mila Mail"),
                ("email", "mila@demo.test"),
                ("roles", "desk"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("De link is ook per e-mail verstuurd."));
    let messages = inbox.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("mila@demo.test") && messages[0].contains("Uitnodiging voor Schakel"));
    let path = link_in(&messages[0], "/demo/invitation/");
    assert_eq!(
        app.other_client().get(&path).await.status(),
        200,
        "the emailed link works"
    );

    // "Wachtwoord vergeten" mails a link to known addresses only, and answers the same.
    let visitor = app.other_client();
    let known = visitor
        .post_form(
            "/demo/password-forgotten",
            "/demo/password-forgotten",
            &[("email", "team@demo.test")],
        )
        .await
        .text()
        .await
        .unwrap();
    let unknown = visitor
        .post_form(
            "/demo/password-forgotten",
            "/demo/password-forgotten",
            &[("email", "niemand@demo.test")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(known, unknown);
    let messages = inbox.messages();
    assert_eq!(messages.len(), 2);
    assert!(messages[1].contains("team@demo.test"));
    let path = link_in(&messages[1], "/demo/password-reset/");
    let token = visitor.csrf_token(&path).await;
    let set = visitor
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("password", "vergeten-en-nieuw"),
                ("confirmation", "vergeten-en-nieuw"),
            ],
        )
        .await;
    assert_eq!(set.status(), 303);
    visitor
        .login_with("demo", "team@demo.test", "vergeten-en-nieuw")
        .await;

    // A second request right away sends nothing more.
    app.other_client()
        .post_form(
            "/demo/password-forgotten",
            "/demo/password-forgotten",
            &[("email", "team@demo.test")],
        )
        .await;
    assert_eq!(inbox.messages().len(), 2);
}
