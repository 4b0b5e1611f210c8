//! The member register: registering an organisation, stale saves, status changes with their
//! history, and searching, filtering and paging.

use crate::common::pages::last_segment;
use crate::common::records::audit_kinds;
use crate::common::users::User;
use crate::common::{TestApp, field_value, hidden_value, location};

use super::count;

/// Saves the organisation's contact person from a form that started at `version`.
async fn save_contact(user: &User, id: &str, contact: &str, version: &str) -> (u16, String) {
    let fields = [
        ("name", "Welzijn Woudenberg"),
        ("kind", "welzijn"),
        ("contact_name", contact),
        ("lock_version", version),
    ];
    user.send(&format!("/demo/members/{id}"), &fields).await
}

#[tokio::test]
async fn an_administrator_registers_an_organisation_and_mistakes_keep_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let (status, form) = admin.page("/demo/members/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("novalidate") && form.contains("name=\"csrf_token\""));

    let (status, body) = admin
        .send(
            "/demo/members",
            &[
                ("name", "  "),
                ("kind", "bakkerij"),
                ("contact_name", "Jan de Vries"),
                ("contact_email", "geen-adres"),
                ("status", "lid"),
                ("effective_on", "morgen"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    for message in [
        "Vul de naam van de organisatie in.",
        "Kies de soort organisatie.",
        "Vul een geldig e-mailadres in",
        "Vul een datum in als dd-mm-jjjj.",
    ] {
        assert!(body.contains(message), "{message}");
    }
    assert!(body.contains("aria-describedby=\"contact_email-error\""));
    assert_eq!(
        field_value(&body, "contact_name").as_deref(),
        Some("Jan de Vries")
    );
    assert_eq!(field_value(&body, "contact_email").as_deref(), Some("geen-adres"));
    assert_eq!(
        count(&app, "SELECT count(*) FROM organisations").await,
        0,
        "nothing stored"
    );

    let (status, body) = admin
        .send(
            "/demo/members",
            &[
                ("name", "Thuishulp De Linde"),
                ("kind", "thuishulp"),
                ("contact_name", "Jan de Vries"),
                ("status", "opgezegd"),
                ("effective_on", "01-01-2999"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Een nieuwe organisatie begint als aspirant-lid of als lid."));
    assert!(body.contains("De datum mag niet in de toekomst liggen"));

    let response = admin
        .post(
            "/demo/members",
            &[
                ("name", "Thuishulp De Linde"),
                ("kind", "thuishulp"),
                ("description", "Hulp in de huishouding"),
                ("contact_name", "Jan de Vries"),
                ("contact_email", "Jan@DeLinde.nl"),
                ("contact_phone", "0318 123456"),
                ("status", "lid"),
                ("effective_on", "1-2-2020"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = location(&response).to_owned();
    let (status, body) = admin.page(&page).await;
    assert_eq!(status, 200);
    for shown in [
        "Thuishulp De Linde",
        "Thuishulp",
        "jan@delinde.nl",
        "Lid sinds",
        "01-02-2020",
        "Lidorganisatie toegevoegd.",
    ] {
        assert!(body.contains(shown), "{shown}");
    }
    assert!(audit_kinds(&app).await.contains(&"member_created".to_owned()));

    let (status, body) = admin
        .send(
            "/demo/members",
            &[
                ("name", "THUISHULP de linde"),
                ("kind", "thuishulp"),
                ("status", "aspirant"),
                ("effective_on", "01-01-2021"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Er staat al een organisatie met deze naam in het register."));
    assert_eq!(field_value(&body, "name").as_deref(), Some("THUISHULP de linde"));
    assert_eq!(count(&app, "SELECT count(*) FROM organisations").await, 1);
}

#[tokio::test]
async fn a_stale_save_of_an_organisation_is_refused_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let other_admin = User::login(&app, "demo", "beheer@demo.test").await;
    let id = admin.register("Welzijn Woudenberg", "welzijn", &[]).await;
    let edit = format!("/demo/members/{id}/edit");

    // Both open the form; the first saves.
    let (_, form) = admin.page(&edit).await;
    assert_eq!(field_value(&form, "contact_name").as_deref(), Some("Els Contact"));
    let version = hidden_value(&form, "lock_version").unwrap();
    let (_, other_form) = other_admin.page(&edit).await;
    let other_version = hidden_value(&other_form, "lock_version").unwrap();
    assert_eq!(save_contact(&admin, &id, "Piet Eerst", &version).await.0, 303);

    let (status, body) = save_contact(&other_admin, &id, "Klaas Later", &other_version).await;
    assert_eq!(status, 409);
    assert!(body.contains("Iemand anders heeft deze organisatie intussen gewijzigd"));
    assert_eq!(field_value(&body, "contact_name").as_deref(), Some("Klaas Later"));
    let (_, shown) = admin.page(&format!("/demo/members/{id}")).await;
    assert!(shown.contains("Piet Eerst") && !shown.contains("Klaas Later"));
    // Saving again from the conflict page is a deliberate overwrite with the current version.
    let current = hidden_value(&body, "lock_version").unwrap();
    assert_ne!(current, other_version);
    assert_eq!(
        save_contact(&other_admin, &id, "Klaas Later", &current).await.0,
        303
    );

    let (status, body) = admin
        .send(
            &format!("/demo/members/{id}"),
            &[("name", ""), ("kind", "welzijn"), ("lock_version", "3")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Vul de naam van de organisatie in."));
    let kinds = audit_kinds(&app).await;
    assert_eq!(kinds.iter().filter(|k| *k == "member_updated").count(), 2);
}

#[tokio::test]
async fn status_changes_keep_their_history_and_the_first_membership_date() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let response = admin
        .post(
            "/demo/members",
            &[
                ("name", "Stichting Jeugd & Gezin"),
                ("kind", "jeugdhulp"),
                ("status", "aspirant"),
                ("effective_on", "01-01-2024"),
            ],
        )
        .await;
    let id = last_segment(location(&response));
    let page = format!("/demo/members/{id}");
    let (_, body) = admin.page(&page).await;
    assert!(body.contains("nog geen lid"));

    assert_eq!(admin.set_status(&id, "lid", "01-03-2024").await.0, 303);
    let (status, body) = admin.set_status(&id, "lid", "01-04-2024").await;
    assert_eq!(status, 422);
    assert!(body.contains("De organisatie heeft deze status al."));
    assert!(body.contains("id=\"status-effective_on\" name=\"effective_on\" value=\"01-04-2024\""));
    let (status, body) = admin.set_status(&id, "opgezegd", "01-02-2024").await;
    assert_eq!(status, 422);
    assert!(body.contains("De datum ligt vóór de ingang van de huidige status."));
    let (status, body) = admin.set_status(&id, "opgezegd", "01-01-2999").await;
    assert_eq!(status, 422);
    assert!(body.contains("De datum mag niet in de toekomst liggen"));
    assert_eq!(admin.set_status(&id, "", "01-05-2024").await.0, 422);

    let response = admin
        .post(
            &format!("/demo/members/{id}/status"),
            &[
                ("status", "opgezegd"),
                ("effective_on", "31-12-2024"),
                ("note", "Fusie met een andere stichting"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(admin.set_status(&id, "lid", "01-06-2025").await.0, 303);

    let mut db = app.owner_connection().await;
    let (status, since, member_since): (String, time::Date, Option<time::Date>) =
        sqlx::query_as("SELECT status, status_since, member_since FROM organisations WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(status, "lid");
    assert_eq!(since.to_string(), "2025-06-01");
    assert_eq!(
        member_since.map(|d| d.to_string()).as_deref(),
        Some("2024-03-01"),
        "the first membership counts"
    );
    let history: Vec<String> = sqlx::query_scalar(
        "SELECT status || ' ' || effective_on FROM organisation_statuses
         WHERE organisation_id = $1::uuid ORDER BY effective_on",
    )
    .bind(&id)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        history,
        [
            "aspirant 2024-01-01",
            "lid 2024-03-01",
            "opgezegd 2024-12-31",
            "lid 2025-06-01"
        ]
    );
    let (_, body) = admin.page(&page).await;
    assert!(body.contains("Fusie met een andere stichting") && body.contains("Bram Beheer"));
    assert!(body.contains("01-03-2024"), "member since");
    assert_eq!(
        audit_kinds(&app)
            .await
            .iter()
            .filter(|k| *k == "member_status_changed")
            .count(),
        3
    );
}

#[tokio::test]
async fn the_register_is_searched_filtered_and_paged() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since, contact_name)
         SELECT t.id, 'Organisatie ' || lpad(n::text, 2, '0'), 'welzijn',
                CASE WHEN n % 10 = 0 THEN 'ontzet' ELSE 'lid' END, '2020-01-01',
                CASE WHEN n = 7 THEN 'Gerda Zoekbaar' ELSE '' END
         FROM tenants t, generate_series(1, 30) n WHERE t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let team = User::login(&app, "demo", "team@demo.test").await;
    let (status, first) = team.page("/demo/members").await;
    assert_eq!(status, 200);
    assert!(first.contains("Organisatie 01") && !first.contains("Organisatie 30"));
    assert!(first.contains("Volgende pagina"));
    let (_, second) = team.page("/demo/members?q=&status=&page=2").await;
    assert!(second.contains("Organisatie 30") && !second.contains("Volgende pagina"));
    let (_, found) = team.page("/demo/members?q=zoekbaar").await;
    assert!(found.contains("Organisatie 07") && !found.contains("Organisatie 08"));
    let (_, expelled) = team.page("/demo/members?status=ontzet").await;
    assert!(expelled.contains("Organisatie 10") && !expelled.contains("Organisatie 11"));
    assert!(
        !first.contains("Nieuwe lidorganisatie"),
        "no editing for the team"
    );
}
