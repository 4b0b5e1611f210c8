//! The member register, the service catalogue and the working groups: administrators keep
//! them, the team reads them, member staff see their own organisation's working groups, and an
//! organisation that has left takes its staff's access with it.

use schakel::demo;
use schakel::members::services;
use uuid::Uuid;

use crate::common::pages::last_segment;
use crate::common::records::audit_kinds;
use crate::common::users::User;
use crate::common::{TestApp, field_value, hidden_value, location};

// ---------------------------------------------------------------------------------------------
// Helpers

/// The steps of the register, the catalogue and the working groups.
impl User {
    /// Registers an organisation as a member since 01-01-2020; its id.
    async fn register(&self, name: &str, kind: &str, services: &[&str]) -> String {
        let mut fields = vec![
            ("name", name),
            ("kind", kind),
            ("contact_name", "Els Contact"),
            ("status", "lid"),
            ("effective_on", "01-01-2020"),
        ];
        fields.extend(services.iter().map(|id| ("services", *id)));
        let response = self.post("/demo/members", &fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        last_segment(location(&response))
    }

    /// Adds a service to the catalogue; its id.
    async fn add_service(&self, name: &str, domains: &[&str], areas: &str) -> String {
        let mut fields = vec![("name", name), ("areas", areas)];
        fields.extend(domains.iter().map(|d| ("domains", *d)));
        let response = self.post("/demo/services", &fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM services WHERE name = $1")
            .bind(name)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .to_string()
    }

    async fn set_status(&self, organisation: &str, status: &str, on: &str) -> (u16, String) {
        self.send(
            &format!("/demo/members/{organisation}/status"),
            &[("status", status), ("effective_on", on), ("note", "")],
        )
        .await
    }

    async fn link(&self, organisation: &str, user: &str) -> (u16, String) {
        self.send(&format!("/demo/members/{organisation}/users"), &[("user", user)])
            .await
    }

    /// Creates a working group with these organisations, coordinated by `coordinator`; its id.
    async fn create_group(&self, topic: &str, coordinator: &str, organisations: &[&str]) -> String {
        let mut fields = vec![
            ("topic", topic),
            ("description", ""),
            ("coordinator", coordinator),
        ];
        fields.extend(organisations.iter().map(|id| ("organisations", *id)));
        let response = self.post("/demo/groups", &fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        last_segment(location(&response))
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut db)
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The register

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

// ---------------------------------------------------------------------------------------------
// The service catalogue

#[tokio::test]
async fn the_catalogue_shows_who_offers_each_service() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let (status, body) = admin
        .send(
            "/demo/services",
            &[
                ("name", ""),
                ("description", "Voor wie het zelf niet meer lukt"),
                ("domains", "nope"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Vul de naam van de dienst in.") && body.contains("Kies minstens één domein."));
    assert!(body.contains("Voor wie het zelf niet meer lukt"));
    assert_eq!(count(&app, "SELECT count(*) FROM services").await, 0);

    let help = admin
        .add_service(
            "Huishoudelijke hulp",
            &["wmo"],
            "Woudenberg, Maarsbergen , woudenberg",
        )
        .await;
    let buddy = admin
        .add_service("Maatjesproject", &["wmo", "participatie"], "")
        .await;
    let (status, body) = admin
        .send(
            "/demo/services",
            &[("name", "maatjesproject"), ("domains", "wmo")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Er is al een dienst met deze naam."));
    let mut db = app.owner_connection().await;
    let areas: Vec<String> =
        sqlx::query_scalar("SELECT areas FROM services WHERE name = 'Huishoudelijke hulp'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(areas, ["Woudenberg", "Maarsbergen"]);

    let linde = admin.register("Thuishulp De Linde", "thuishulp", &[&help]).await;
    let _zorg = admin
        .register("Zorgcentrum Het Baken", "ouderenzorg", &[&help])
        .await;
    let gone = admin.register("Hulp Aan Huis", "thuishulp", &[&help]).await;
    assert_eq!(admin.set_status(&gone, "opgezegd", "01-01-2025").await.0, 303);
    let (status, body) = admin
        .send(
            "/demo/members",
            &[
                ("name", "Onbekend"),
                ("kind", "anders"),
                ("status", "lid"),
                ("effective_on", "01-01-2020"),
                ("services", &Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Kies diensten uit de catalogus."));

    let team = User::login(&app, "demo", "team@demo.test").await;
    let (status, catalogue) = team.page("/demo/services").await;
    assert_eq!(status, 200);
    let row = catalogue
        .split(&format!("id=\"service-{help}\""))
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("Thuishulp De Linde") && row.contains("Zorgcentrum Het Baken"));
    assert!(
        !row.contains("Hulp Aan Huis"),
        "an organisation that left offers nothing"
    );
    assert!(row.contains("Woudenberg, Maarsbergen"));
    assert!(
        catalogue.contains("nog niemand"),
        "nobody offers the buddy project"
    );
    assert!(!catalogue.contains("Nieuwe dienst"), "the team only reads");

    let (_, filtered) = team.page("/demo/services?domain=participatie").await;
    assert!(filtered.contains("Maatjesproject") && !filtered.contains("Huishoudelijke hulp"));
    let (_, by_area) = team.page("/demo/services?q=maarsbergen").await;
    assert!(by_area.contains("Huishoudelijke hulp") && !by_area.contains("Maatjesproject"));

    // What the referral form calls.
    let tenant = app.tenant_id("demo").await;
    let mut tx = schakel::db::tenant_tx(&app.pool, tenant).await.unwrap();
    let listed: Vec<String> = services::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(listed, ["Huishoudelijke hulp", "Maatjesproject"]);
    let providers = services::providers(&mut tx, help.parse().unwrap()).await.unwrap();
    let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Thuishulp De Linde", "Zorgcentrum Het Baken"]);
    assert_eq!(providers[0].id.to_string(), linde);
    assert!(
        services::providers(&mut tx, buddy.parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();

    let (status, edit) = admin.page(&format!("/demo/services/{help}")).await;
    assert_eq!(status, 200);
    assert!(
        edit.contains("Thuishulp De Linde"),
        "the edit page shows who offers it"
    );
    let response = admin
        .post(
            &format!("/demo/services/{help}"),
            &[
                ("name", "Hulp bij het huishouden"),
                ("domains", "wmo"),
                ("areas", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, catalogue) = team.page("/demo/services").await;
    assert!(catalogue.contains("Hulp bij het huishouden") && catalogue.contains("hele gemeente"));
    assert_eq!(
        audit_kinds(&app)
            .await
            .iter()
            .filter(|k| *k == "service_changed")
            .count(),
        3
    );
}

// ---------------------------------------------------------------------------------------------
// Staff of member organisations

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

// ---------------------------------------------------------------------------------------------
// Working groups

#[tokio::test]
async fn working_groups_are_kept_by_administrators_and_closed_with_an_outcome() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let linde = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let admin_id = app.user_id("demo", "beheer@demo.test").await;

    let (status, body) = admin
        .send(
            "/demo/groups",
            &[
                ("topic", ""),
                ("description", "Langer thuis wonen"),
                ("coordinator", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Vul het onderwerp in.") && body.contains("Kies een coördinator."));
    assert!(body.contains("Langer thuis wonen"), "what was typed stays");
    let foreign = Uuid::new_v4().to_string();
    let (status, body) = admin
        .send(
            "/demo/groups",
            &[
                ("topic", "Ouderen"),
                ("coordinator", &admin_id),
                ("organisations", &foreign),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Kies deelnemers uit de lidorganisaties."));
    assert_eq!(count(&app, "SELECT count(*) FROM working_groups").await, 0);

    let group = admin
        .create_group("Langer thuis wonen", &admin_id, &[&linde])
        .await;
    let page = format!("/demo/groups/{group}");
    let (status, body) = admin.page(&page).await;
    assert_eq!(status, 200);
    assert!(body.contains("Thuishulp De Linde") && body.contains("Bram Beheer") && body.contains("loopt"));

    let notes = format!("{page}/notes");
    let (status, body) = admin
        .send(&notes, &[("met_on", "01-01-2999"), ("body", "")])
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("De datum mag niet in de toekomst liggen.") && body.contains("Vul het verslag in.")
    );
    assert!(body.contains("id=\"note-met_on\" name=\"met_on\" value=\"01-01-2999\""));
    let response = admin
        .post(
            &notes,
            &[
                ("met_on", "12-3-2025"),
                ("body", "Eerste verkenning met de wijkverpleging."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = admin
        .post(
            &notes,
            &[("met_on", "9-4-2025"), ("body", "Afspraken over signalering.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, body) = admin.page(&page).await;
    let first = body.find("Bijeenkomst van 09-04-2025").unwrap();
    let second = body.find("Bijeenkomst van 12-03-2025").unwrap();
    assert!(first < second, "the latest meeting first");

    let edit = admin
        .post(
            &page,
            &[
                ("topic", "Langer thuis wonen in Woudenberg"),
                ("coordinator", &admin_id),
                ("organisations", &linde),
            ],
        )
        .await;
    assert_eq!(edit.status(), 303);

    let close = format!("{page}/close");
    let (status, body) = admin
        .send(&close, &[("closed_on", "01-05-2025"), ("outcome", "")])
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Beschrijf wat het werkatelier heeft opgeleverd."));
    let response = admin
        .post(
            &close,
            &[
                ("closed_on", "01-05-2025"),
                ("outcome", "Een signaleringskaart voor alle leden."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, body) = admin.page(&page).await;
    assert!(
        body.contains("afgesloten op 01-05-2025") && body.contains("Een signaleringskaart voor alle leden.")
    );
    assert!(
        !body.contains(&format!("action=\"{notes}\"")),
        "a closed group takes no more notes"
    );

    let (status, body) = admin
        .send(&notes, &[("met_on", "02-05-2025"), ("body", "Te laat")])
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Dit werkatelier is afgesloten"));
    let (status, _) = admin
        .send(&page, &[("topic", "Anders"), ("coordinator", &admin_id)])
        .await;
    assert_eq!(status, 422);
    let (status, _) = admin
        .send(&close, &[("closed_on", "02-05-2025"), ("outcome", "Nog eens")])
        .await;
    assert_eq!(status, 422);

    let mut db = app.owner_connection().await;
    let (topic, closed_on, outcome): (String, Option<time::Date>, String) =
        sqlx::query_as("SELECT topic, closed_on, outcome FROM working_groups WHERE id = $1::uuid")
            .bind(&group)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(topic, "Langer thuis wonen in Woudenberg");
    assert_eq!(closed_on.map(|d| d.to_string()).as_deref(), Some("2025-05-01"));
    assert_eq!(outcome, "Een signaleringskaart voor alle leden.");
    assert_eq!(count(&app, "SELECT count(*) FROM working_group_notes").await, 2);
    assert_eq!(
        audit_kinds(&app)
            .await
            .iter()
            .filter(|k| *k == "working_group_changed")
            .count(),
        5
    );
}

#[tokio::test]
async fn member_staff_see_only_their_organisations_working_groups() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let linde = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let baken = admin.register("Zorgcentrum Het Baken", "ouderenzorg", &[]).await;
    let admin_id = app.user_id("demo", "beheer@demo.test").await;
    let ours = admin
        .create_group("Langer thuis wonen", &admin_id, &[&linde, &baken])
        .await;
    let theirs = admin
        .create_group("Dementievriendelijk", &admin_id, &[&baken])
        .await;
    let note = admin
        .post(
            &format!("/demo/groups/{ours}/notes"),
            &[("met_on", "01-02-2025"), ("body", "Kennismaking.")],
        )
        .await;
    assert_eq!(note.status(), 303);

    // Not yet linked to an organisation: no working groups at all.
    let member = User::login(&app, "demo", "lid@demo.test").await;
    let (status, list) = member.page("/demo/groups").await;
    assert_eq!(status, 200);
    assert!(list.contains("Geen werkateliers."));
    assert_eq!(member.page(&format!("/demo/groups/{ours}")).await.0, 404);

    let member_id = app.user_id("demo", "lid@demo.test").await;
    assert_eq!(admin.link(&linde, &member_id).await.0, 303);
    let (_, list) = member.page("/demo/groups").await;
    assert!(list.contains("Langer thuis wonen") && !list.contains("Dementievriendelijk"));
    assert!(!list.contains("Nieuw werkatelier"));
    let (status, page) = member.page(&format!("/demo/groups/{ours}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Kennismaking.") && page.contains("Zorgcentrum Het Baken"));
    assert!(
        !page.contains("/notes\"") && !page.contains("/close\""),
        "read-only"
    );
    assert_eq!(member.page(&format!("/demo/groups/{theirs}")).await.0, 404);
    assert_eq!(
        member.page(&format!("/demo/groups/{}", Uuid::new_v4())).await.0,
        404
    );
    for (path, fields) in [
        (
            format!("/demo/groups/{ours}/notes"),
            vec![("met_on", "01-03-2025"), ("body", "Van een lid")],
        ),
        (
            format!("/demo/groups/{ours}/close"),
            vec![("closed_on", "01-03-2025"), ("outcome", "Klaar")],
        ),
        (
            format!("/demo/groups/{ours}"),
            vec![("topic", "Overgenomen"), ("coordinator", member_id.as_str())],
        ),
        (
            "/demo/groups".to_owned(),
            vec![("topic", "Eigen groep"), ("coordinator", member_id.as_str())],
        ),
    ] {
        assert_eq!(member.post(&path, &fields).await.status(), 403, "{path}");
    }
    assert_eq!(member.page("/demo/groups/new").await.0, 403);
    assert_eq!(
        member.page("/demo/members").await.0,
        403,
        "the register is not for members"
    );
    assert_eq!(member.page("/demo/services").await.0, 403);

    let team = User::login(&app, "demo", "team@demo.test").await;
    assert_eq!(team.page("/demo/groups").await.0, 403);
    assert_eq!(team.page(&format!("/demo/groups/{ours}")).await.0, 403);
}

// ---------------------------------------------------------------------------------------------
// Rights and tenants

#[tokio::test]
async fn only_administrators_change_the_register_the_catalogue_and_the_groups() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let id = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let service = admin.add_service("Huishoudelijke hulp", &["wmo"], "").await;
    let member_id = app.user_id("demo", "lid@demo.test").await;

    for email in [
        "team@demo.test",
        "procesmanager@demo.test",
        "voorzitter@demo.test",
    ] {
        let reader = User::login(&app, "demo", email).await;
        let (status, page) = reader.page(&format!("/demo/members/{id}")).await;
        assert_eq!(status, 200, "{email}");
        assert!(
            !page.contains("/status\"") && !page.contains("/edit\""),
            "{email}: no editing"
        );
        assert_eq!(reader.page("/demo/members").await.0, 200, "{email}");
        assert_eq!(reader.page("/demo/services").await.0, 200, "{email}");
        for path in [
            "/demo/members/new".to_owned(),
            format!("/demo/members/{id}/edit"),
            "/demo/services/new".to_owned(),
            format!("/demo/services/{service}"),
            "/demo/groups/new".to_owned(),
        ] {
            assert_eq!(reader.page(&path).await.0, 403, "{email} {path}");
        }
        for (path, fields) in [
            (
                "/demo/members".to_owned(),
                vec![
                    ("name", "X"),
                    ("kind", "welzijn"),
                    ("status", "lid"),
                    ("effective_on", "01-01-2020"),
                ],
            ),
            (
                format!("/demo/members/{id}"),
                vec![("name", "X"), ("kind", "welzijn"), ("lock_version", "1")],
            ),
            (
                format!("/demo/members/{id}/status"),
                vec![("status", "ontzet"), ("effective_on", "01-01-2025")],
            ),
            (
                format!("/demo/members/{id}/users"),
                vec![("user", member_id.as_str())],
            ),
            (
                "/demo/services".to_owned(),
                vec![("name", "X"), ("domains", "wmo")],
            ),
            (
                format!("/demo/services/{service}"),
                vec![("name", "X"), ("domains", "wmo")],
            ),
        ] {
            assert_eq!(reader.post(&path, &fields).await.status(), 403, "{email} {path}");
        }
    }
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    assert_eq!(desk.page("/demo/members").await.0, 403);
    assert_eq!(
        count(&app, "SELECT count(*) FROM organisations WHERE status = 'ontzet'").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM services WHERE name = 'X'").await,
        0
    );

    let (_, home) = desk.page("/demo/").await;
    assert!(
        !home.contains("/demo/members\""),
        "no link to what the user may not use"
    );
    let (_, home) = admin.page("/demo/").await;
    for link in ["/demo/members\"", "/demo/services\"", "/demo/groups\""] {
        assert!(home.contains(link), "{link}");
    }
}

#[tokio::test]
async fn another_cooperatives_organisations_services_and_groups_are_not_found() {
    let app = TestApp::spawn().await;
    let demo2 = app.tenant_id("demo2").await;
    let mut db = app.owner_connection().await;
    let organisation: Uuid = sqlx::query_scalar(
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since)
         VALUES ($1, 'Buurtzorg Elders', 'ouderenzorg', 'lid', '2020-01-01') RETURNING id",
    )
    .bind(demo2)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let service: Uuid = sqlx::query_scalar(
        "INSERT INTO services (tenant_id, name, domains) VALUES ($1, 'Dienst Elders', '{wmo}') RETURNING id",
    )
    .bind(demo2)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let group: Uuid = sqlx::query_scalar(
        "INSERT INTO working_groups (tenant_id, topic) VALUES ($1, 'Groep Elders') RETURNING id",
    )
    .bind(demo2)
    .fetch_one(&mut db)
    .await
    .unwrap();

    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    for path in [
        format!("/demo/members/{organisation}"),
        format!("/demo/members/{organisation}/edit"),
        format!("/demo/members/{}", Uuid::new_v4()),
        "/demo/members/geen-id".to_owned(),
        format!("/demo/services/{service}"),
        format!("/demo/groups/{group}"),
        format!("/demo/groups/{group}/edit"),
    ] {
        assert_eq!(admin.page(&path).await.0, 404, "{path}");
    }
    for (path, fields) in [
        (
            format!("/demo/members/{organisation}"),
            vec![
                ("name", "Overgenomen"),
                ("kind", "welzijn"),
                ("lock_version", "1"),
            ],
        ),
        (
            format!("/demo/members/{organisation}/status"),
            vec![("status", "ontzet"), ("effective_on", "01-01-2025")],
        ),
        (
            format!("/demo/services/{service}"),
            vec![("name", "Overgenomen"), ("domains", "wmo")],
        ),
        (
            format!("/demo/groups/{group}/notes"),
            vec![("met_on", "01-01-2025"), ("body", "Hallo")],
        ),
        (
            format!("/demo/groups/{group}/close"),
            vec![("closed_on", "01-01-2025"), ("outcome", "Klaar")],
        ),
    ] {
        assert_eq!(admin.post(&path, &fields).await.status(), 404, "{path}");
    }
    let (_, register) = admin.page("/demo/members").await;
    let (_, catalogue) = admin.page("/demo/services").await;
    let (_, groups) = admin.page("/demo/groups").await;
    assert!(!register.contains("Buurtzorg Elders") && !catalogue.contains("Dienst Elders"));
    assert!(!groups.contains("Groep Elders"));
    // A service of another cooperative cannot be offered, nor another's organisation join a group.
    let id = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let edit = admin
        .send(
            &format!("/demo/members/{id}"),
            &[
                ("name", "Thuishulp De Linde"),
                ("kind", "thuishulp"),
                ("lock_version", "1"),
                ("services", &service.to_string()),
            ],
        )
        .await;
    assert_eq!(edit.0, 422);
    let admin_id = app.user_id("demo", "beheer@demo.test").await;
    let (status, _) = admin
        .send(
            "/demo/groups",
            &[
                ("topic", "Samen"),
                ("coordinator", &admin_id),
                ("organisations", &organisation.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(organisation)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(name, "Buurtzorg Elders");
}

#[tokio::test]
async fn the_demo_cooperative_has_a_member_register_with_working_groups() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    for _ in 0..2 {
        demo::load_history(&owner).await.unwrap();
    }
    let mut db = app.owner_connection().await;
    let (organisations, kinds, current): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT kind), count(*) FILTER (WHERE status IN ('aspirant', 'lid'))
         FROM organisations o JOIN tenants t ON t.id = o.tenant_id WHERE t.slug = 'demo'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    // One member was expelled by the demo assembly.
    assert_eq!(
        (organisations, kinds, current),
        (23, 10, 22),
        "loaded once, every kind"
    );
    let unoffered = count(
        &app,
        "SELECT count(*) FROM services s WHERE NOT EXISTS
             (SELECT FROM organisation_services os WHERE os.service_id = s.id)",
    )
    .await;
    assert_eq!(unoffered, 0, "every service has a provider");
    let (groups, closed) = (
        count(&app, "SELECT count(*) FROM working_groups").await,
        count(
            &app,
            "SELECT count(*) FROM working_groups WHERE closed_on IS NOT NULL",
        )
        .await,
    );
    assert_eq!((groups, closed), (2, 1));

    let member = User::login(&app, "demo", "lid@demo.test").await;
    let (_, list) = member.page("/demo/groups").await;
    assert!(list.contains("Ouderen langer thuis") && !list.contains("Statushouders"));
    let team = User::login(&app, "demo", "team@demo.test").await;
    let (_, catalogue) = team.page("/demo/services?q=huishoudelijke").await;
    assert!(catalogue.contains("Thuishulp De Linde") && catalogue.contains("Hulp in Huis Woudenberg"));
}
