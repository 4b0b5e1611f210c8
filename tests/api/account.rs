//! "Mijn account" and the cooperative's settings.

use crate::common::pages::field_error;
use crate::common::{TestApp, actions_ending_with, link_path, location};

#[tokio::test]
async fn a_user_changes_their_password_with_the_current_one() {
    let app = TestApp::spawn().await;
    app.login("demo", "team@demo.test").await;
    let wrong = app
        .post_form(
            "/demo/account",
            "/demo/account/password",
            &[
                ("current", "niet-mijn-wachtwoord"),
                ("password", "een-nieuw-wachtwoord"),
                ("confirmation", "een-nieuw-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Je huidige wachtwoord klopt niet.")
    );
    let changed = app
        .post_form(
            "/demo/account",
            "/demo/account/password",
            &[
                ("current", schakel::demo::PASSWORD),
                ("password", "een-nieuw-wachtwoord"),
                ("confirmation", "een-nieuw-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(location(&changed), "/demo/login");
    assert_eq!(
        app.get("/demo/").await.status(),
        303,
        "sessions with the old password end"
    );
    let old = app
        .other_client()
        .try_login("demo", "team@demo.test", schakel::demo::PASSWORD)
        .await;
    assert_eq!(old.status(), 422);
    app.login_with("demo", "team@demo.test", "een-nieuw-wachtwoord")
        .await;
}

#[tokio::test]
async fn a_user_chooses_their_language() {
    let app = TestApp::spawn().await;
    app.login("demo", "balie@demo.test").await;
    let response = app
        .post_form("/demo/account", "/demo/account/language", &[("language", "en")])
        .await;
    assert_eq!(response.status(), 303);
    let body = app.get("/demo/account").await.text().await.unwrap();
    assert!(body.contains("My account") && body.contains("Your language has been changed."));
    let bad = app
        .post_form("/demo/account", "/demo/account/language", &[("language", "fr")])
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_user_sees_their_sessions_and_ends_another_one() {
    let app = TestApp::spawn().await;
    let phone = app.other_client();
    phone.login("demo", "balie@demo.test").await;
    app.login("demo", "balie@demo.test").await;
    let body = app.get("/demo/account").await.text().await.unwrap();
    assert!(body.contains("deze sessie"));
    let end = actions_ending_with(&body, "/end").remove(0);
    let response = app.post_form("/demo/account", &end, &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        phone.get("/demo/").await.status(),
        303,
        "the other device is logged out"
    );
    assert_eq!(app.get("/demo/").await.status(), 200, "this one is not");

    // Someone else's session cannot be ended through one's own account.
    let other = app.other_client();
    other.login("demo", "team@demo.test").await;
    let again = other.post_form("/demo/account", &end, &[]).await;
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn settings_are_saved_validated_and_audited_with_old_and_new_values() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let page = app.get("/demo/admin/settings").await.text().await.unwrap();
    assert!(
        page.contains(r#"value="6""#),
        "the Wmo investigation term defaults to 6 weeks"
    );
    assert!(
        page.contains("CIZ (Wet langdurige zorg)"),
        "the default signposting list"
    );

    let mut form = vec![
        ("name", "Coöperatie Demo Nieuw"),
        ("contact_email", "loket@demo.test"),
        ("contact_phone", "0318 123456"),
        ("contact_address", "Dorpsstraat 1, Woudenberg"),
        ("default_language", "nl"),
        ("second_factor", "off"),
        ("wmo_investigation_weeks", "6"),
        ("wmo_decision_weeks", "2"),
        ("jeugd_decision_weeks", "8"),
        ("max_extension_weeks", "6"),
        ("referral_answer_days", "10"),
        ("signpost_follow_up_days", "14"),
        ("retention_request_years", "2"),
        ("retention_case_years", "15"),
        ("retention_youth_case_years", "20"),
        ("retention_audit_years", "7"),
    ];
    form.push(("liberation_day_every_year", "true"));
    let saved = app
        .post_form("/demo/admin/settings", "/demo/admin/settings", &form)
        .await;
    assert_eq!(saved.status(), 303);
    let page = app.get("/demo/admin/settings").await.text().await.unwrap();
    assert!(page.contains("De instellingen zijn opgeslagen."));
    assert!(page.contains("Coöperatie Demo Nieuw"));
    let public = app.other_client().get("/demo/login").await.text().await.unwrap();
    assert!(
        public.contains("loket@demo.test") && public.contains("Dorpsstraat 1, Woudenberg"),
        "contact details are public"
    );

    let mut db = app.owner_connection().await;
    let details: serde_json::Value =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE kind = 'settings_changed'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(details["referral_answer_days"]["old"], "5");
    assert_eq!(details["referral_answer_days"]["new"], "10");
    assert_eq!(details["name"]["old"], "Coöperatie Demo");
    assert!(
        details.get("wmo_investigation_weeks").is_none(),
        "unchanged settings are not listed"
    );

    let mut bad = form.clone();
    bad[6] = ("wmo_investigation_weeks", "zes");
    bad[0] = ("name", "");
    let refused = app
        .post_form("/demo/admin/settings", "/demo/admin/settings", &bad)
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains(r#"value="zes""#), "what was typed stays");
    assert!(
        body.contains("Vul bij Wmo: onderzoekstermijn een aantal weken in van 1 tot en met 52.")
            && body.contains("Vul de naam van de coöperatie in.")
    );
    let name: String = sqlx::query_scalar("SELECT name FROM tenants WHERE slug = 'demo'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(
        name, "Coöperatie Demo Nieuw",
        "nothing of the refused form is stored"
    );
}

#[tokio::test]
async fn closing_days_and_destinations_are_managed_and_count_in_the_calendar() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let added = app
        .post_form(
            "/demo/admin/settings",
            "/demo/admin/settings/closing-days",
            &[
                ("day", "28-12-2026"),
                ("description", "Tussen kerst en oud en nieuw"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let duplicate = app
        .post_form(
            "/demo/admin/settings",
            "/demo/admin/settings/closing-days",
            &[("day", "2026-12-28"), ("description", "Nog eens")],
        )
        .await;
    assert_eq!(duplicate.status(), 422);
    let wrong = app
        .post_form(
            "/demo/admin/settings",
            "/demo/admin/settings/closing-days",
            &[("day", "31-02-2026"), ("description", "x")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("Vul een geldige datum in"));

    let tenant: uuid::Uuid = {
        let mut db = app.owner_connection().await;
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'demo'")
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    let mut tx = schakel::db::tenant_tx(&app.pool, tenant).await.unwrap();
    let calendar = schakel::admin::working_calendar(&mut tx).await.unwrap();
    drop(tx);
    // Friday 18 December 2026 + 5 working days: 21, 22, 23, 24 and (25, 26 holidays, 28 closed) 29.
    let start = time::macros::date!(2026 - 12 - 18);
    assert_eq!(
        calendar.add_working_days(start, 5),
        time::macros::date!(2026 - 12 - 29)
    );

    let destination = app
        .post_form(
            "/demo/admin/settings",
            "/demo/admin/settings/destinations",
            &[("name", "Sociaal Raadslieden"), ("description", "")],
        )
        .await;
    assert_eq!(destination.status(), 303);
    let page = app.get("/demo/admin/settings").await.text().await.unwrap();
    assert!(page.contains("Sociaal Raadslieden") && page.contains("28-12-2026"));
    let remove = page
        .split("action=\"")
        .filter_map(|part| part.split('"').next())
        .find(|action| action.contains("/closing-days/") && action.ends_with("/delete"))
        .unwrap()
        .to_owned();
    assert_eq!(
        app.post_form("/demo/admin/settings", &remove, &[]).await.status(),
        303
    );
    let page = app.get("/demo/admin/settings").await.text().await.unwrap();
    assert!(!page.contains("28-12-2026"));
}

#[tokio::test]
async fn every_account_event_is_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let laptop = app.other_client();
    laptop.login("demo", "team@demo.test").await;
    app.login("demo", "team@demo.test").await;
    app.post_form("/demo/account", "/demo/account/language", &[("language", "en")])
        .await;
    let body = app.get("/demo/account").await.text().await.unwrap();
    let end = actions_ending_with(&body, "/end").remove(0);
    app.post_form("/demo/account", &end, &[]).await;
    app.post_form(
        "/demo/account",
        "/demo/account/password",
        &[
            ("current", schakel::demo::PASSWORD),
            ("password", "nog-een-wachtwoord"),
            ("confirmation", "nog-een-wachtwoord"),
        ],
    )
    .await;
    app.login_with("demo", "team@demo.test", "nog-een-wachtwoord")
        .await;
    app.post_form("/demo/", "/demo/logout", &[]).await;

    let admin = app.other_client();
    admin.login("demo", "beheer@demo.test").await;
    let mut db = app.owner_connection().await;
    let id: String = sqlx::query_scalar(
        "SELECT u.id::text FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'demo' AND email = 'team@demo.test'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let page = format!("/demo/admin/users/{id}");
    let body = admin
        .post_form(&page, &format!("{page}/password-reset"), &[])
        .await
        .text()
        .await
        .unwrap();
    let path = link_path(&body, "/demo/password-reset/");
    let visitor = app.other_client();
    let token = visitor.csrf_token(&path).await;
    visitor
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("password", "derde-wachtwoord"),
                ("confirmation", "derde-wachtwoord"),
            ],
        )
        .await;

    let kinds: Vec<String> = sqlx::query_scalar("SELECT DISTINCT kind FROM audit_events")
        .fetch_all(&mut db)
        .await
        .unwrap();
    for kind in [
        "login_succeeded",
        "language_changed",
        "session_ended",
        "password_changed",
        "logout",
        "password_reset_issued",
        "password_reset_completed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
    }
    let ips: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE client_ip = '127.0.0.1'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(ips > 0, "the address is recorded");
}

#[tokio::test]
async fn every_settings_error_names_its_field_stands_beside_it_and_is_linked_from_the_summary() {
    let app = TestApp::spawn().await;
    app.login("demo", "beheer@demo.test").await;
    let form = [
        ("name", "Coöperatie Demo"),
        ("contact_email", "geen-adres"),
        ("contact_phone", ""),
        ("contact_address", ""),
        ("default_language", "fr"),
        ("second_factor", "soms"),
        ("wmo_investigation_weeks", "zes"),
        ("wmo_decision_weeks", "0"),
        ("jeugd_decision_weeks", "8"),
        ("max_extension_weeks", "6"),
        ("referral_answer_days", "61"),
        ("signpost_follow_up_days", "14"),
        ("retention_request_years", "2"),
        ("retention_case_years", ""),
        ("retention_youth_case_years", "20"),
        ("retention_audit_years", "7"),
    ];
    let refused = app
        .post_form("/demo/admin/settings", "/demo/admin/settings", &form)
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    // Each field with the words in its message that say which field it is.
    let expected = [
        ("contact_email", "E-mailadres voor inwoners"),
        ("default_language", "Standaardtaal"),
        ("second_factor", "tweestapsverificatie"),
        ("wmo_investigation_weeks", "Wmo: onderzoekstermijn"),
        ("wmo_decision_weeks", "Wmo: beslistermijn"),
        ("referral_answer_days", "Antwoordtermijn voor doorverwijzingen"),
        ("retention_case_years", "afgesloten casussen"),
    ];
    for (field, names) in expected {
        let message =
            field_error(&body, field).unwrap_or_else(|| panic!("no message beside {field}: {body}"));
        assert!(message.contains(names), "{field}: {message}");
        assert!(
            body.contains(&format!(r##"<a href="#{field}">{message}</a>"##)),
            "the summary links {field} with the same words: {body}"
        );
        assert!(
            body.contains(&format!(r#"id="{field}""#)),
            "{field} is there to link to"
        );
    }
    let summary = &body[body.find("error-summary__list").unwrap()..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    assert_eq!(summary.matches("<li>").count(), expected.len(), "{summary}");
}
