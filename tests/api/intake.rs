//! The intake desk: residents, search, requests, triage and the online form.

use sqlx::Row;

use crate::common::{TestApp, generic_plan, location};

/// Registers a resident through the form and returns the resident page's path.
async fn register(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let mut form = fields.to_vec();
    form.push(("confirm_new", "yes"));
    let response = app
        .post_form("/demo/residents/new", "/demo/residents", &form)
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    location(&response).to_owned()
}

async fn desk(app: &TestApp) {
    app.login("demo", "balie@demo.test").await;
}

fn oz() -> Vec<(&'static str, &'static str)> {
    vec![
        ("first_names", "Ayşe"),
        ("surname", "Öztürk"),
        ("date_of_birth", "12-03-1957"),
        ("bsn", "111222333"),
        ("street", "Dorpsstraat"),
        ("house_number", "12"),
        ("postcode", "3931ab"),
        ("place", "Woudenberg"),
    ]
}

#[tokio::test]
async fn one_search_box_finds_residents_by_name_date_postcode_and_bsn() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    register(&app, &oz()).await;
    register(
        &app,
        &[
            ("first_names", "Jan"),
            ("surname_prefix", "de"),
            ("surname", "Vries"),
            ("date_of_birth", "01-01-1980"),
        ],
    )
    .await;

    for query in [
        "ozturk",
        "Özt",
        "OZTÜRK",
        "ayse",
        "12-03-1957",
        "3931AB",
        "3931 ab 12",
        "111222333",
        "ayşe öztürk",
    ] {
        let body = app
            .get(&format!(
                "/demo/residents?q={}",
                schakel::web::query_encode(query)
            ))
            .await
            .text()
            .await
            .unwrap();
        assert!(body.contains("Ayşe Öztürk"), "{query} finds Öztürk");
        assert!(!body.contains("Jan de Vries"), "{query} finds only Öztürk");
    }
    let body = app.get("/demo/residents?q=vries").await.text().await.unwrap();
    assert!(body.contains("Jan de Vries") && !body.contains("Öztürk"));
    let body = app
        .get("/demo/residents?q=3931AB%2013")
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("Geen inwoners gevonden."), "another house number");
    let results = app.get("/demo/residents?q=oz").await.text().await.unwrap();
    assert!(
        results.contains("12-03-1957") && results.contains("Dorpsstraat 12, 3931 AB Woudenberg"),
        "enough to tell people apart"
    );
}

#[tokio::test]
async fn search_results_are_paginated() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO residents (tenant_id, surname, first_names)
         SELECT t.id, 'Jansen', 'Piet ' || n FROM tenants t, generate_series(1, 30) n WHERE t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let first = app.get("/demo/residents?q=jansen").await.text().await.unwrap();
    assert_eq!(
        first.matches("/demo/residents/").count() - first.matches("/demo/residents/new").count(),
        25
    );
    assert!(first.contains("page=2"));
    let second = app
        .get("/demo/residents?q=jansen&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(second.contains("Vorige pagina"));
}

#[tokio::test]
async fn a_resident_who_resembles_another_is_shown_first_and_needs_confirmation() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    register(&app, &oz()).await;
    let similar = [
        ("first_names", "Ayse"),
        ("surname", "Ozturk"),
        ("date_of_birth", "12-03-1957"),
    ];
    let response = app
        .post_form("/demo/residents/new", "/demo/residents", &similar)
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains("Bestaat deze inwoner al?") && body.contains("Ayşe Öztürk"));
    assert!(body.contains(r#"value="Ozturk""#), "what was typed stays");
    let same_address = [
        ("surname", "Bakker"),
        ("house_number", "12"),
        ("postcode", "3931 AB"),
    ];
    let response = app
        .post_form("/demo/residents/new", "/demo/residents", &same_address)
        .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Bestaat deze inwoner al?")
    );

    let mut db = app.owner_connection().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM residents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 1, "nothing registered without confirmation");
    let mut confirmed = similar.to_vec();
    confirmed.push(("confirm_new", "yes"));
    let response = app
        .post_form("/demo/residents/new", "/demo/residents", &confirmed)
        .await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn bad_resident_input_is_explained_beside_each_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let response = app
        .post_form(
            "/demo/residents/new",
            "/demo/residents",
            &[
                ("surname", ""),
                ("bsn", "123456789"),
                ("postcode", "ABCD 12"),
                ("date_of_birth", "01-01-2999"),
                ("first_names", "Kees"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    for message in [
        "Vul de achternaam in.",
        "elfproef",
        "zoals 3931 AB",
        "niet in de toekomst",
    ] {
        assert!(body.contains(message), "{message}");
    }
    assert!(body.contains(r#"value="Kees""#) && body.contains(r#"value="123456789""#));
    let response = app
        .post_form(
            "/demo/residents/new",
            "/demo/residents",
            &[("surname", "Kees"), ("date_of_birth", "31-02-1980")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let mut db = app.owner_connection().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM residents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 0);

    register(&app, &oz()).await;
    let mut twice = oz();
    twice[1] = ("surname", "Anders");
    twice[4] = ("house_number", "99");
    twice.push(("confirm_new", "yes"));
    let response = app
        .post_form("/demo/residents/new", "/demo/residents", &twice)
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Er is al een inwoner met dit BSN.")
    );
}

#[tokio::test]
async fn the_bsn_is_masked_and_every_full_view_is_audited() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let body = app.get(&page).await.text().await.unwrap();
    assert!(body.contains("*****2333") && !body.contains("111222333"));
    let full = app
        .post_form("/demo/desk", &format!("{page}/bsn"), &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(full.contains("111222333"));
    let mut db = app.owner_connection().await;
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM audit_events WHERE resident_id IS NOT NULL ORDER BY occurred_at",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(kinds, ["resident_created", "resident_viewed", "bsn_viewed"]);
    let row = sqlx::query("SELECT actor_name FROM audit_events WHERE kind = 'bsn_viewed'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "Bente Balie");

    // The administrator reads the trail per resident.
    let resident_id = page.rsplit('/').next().unwrap();
    let admin = app.other_client();
    admin.login("demo", "beheer@demo.test").await;
    let trail = admin
        .get(&format!("/demo/admin/audit?resident={resident_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(trail.contains("volledig BSN bekeken") && trail.contains("inwonerdossier bekeken"));
    assert_eq!(
        admin.get(&page).await.status(),
        403,
        "administrators do not open residents' files"
    );
}

#[tokio::test]
async fn editing_a_resident_is_audited_with_the_fields_changed() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let edit = app.get(&format!("{page}/edit")).await.text().await.unwrap();
    assert!(edit.contains(r#"value="111222333""#));
    let mut changed = oz();
    changed[5] = ("house_number", "14");
    let response = app.post_form(&format!("{page}/edit"), &page, &changed).await;
    assert_eq!(response.status(), 303);
    let mut db = app.owner_connection().await;
    let details: serde_json::Value =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE kind = 'resident_updated'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(details["fields"], serde_json::json!(["house_number"]));
}

#[tokio::test]
async fn residents_at_one_address_are_linked_as_a_household_both_ways() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mother = register(&app, &oz()).await;
    let child = register(
        &app,
        &[
            ("first_names", "Elif"),
            ("surname", "Öztürk"),
            ("date_of_birth", "01-06-2012"),
            ("house_number", "12"),
            ("postcode", "3931 AB"),
        ],
    )
    .await;
    let child_id = child.rsplit('/').next().unwrap();
    let page = app.get(&mother).await.text().await.unwrap();
    assert!(page.contains("Op hetzelfde adres") && page.contains("Elif Öztürk"));
    let response = app
        .post_form(
            &mother,
            &format!("{mother}/household"),
            &[("member", child_id), ("relation", "child")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = app.get(&mother).await.text().await.unwrap();
    assert!(page.contains("Elif Öztürk</a> — kind"));
    let child_page = app.get(&child).await.text().await.unwrap();
    assert!(child_page.contains("Ayşe Öztürk</a> — ouder"));
}

/// Registers a request for the resident at `page`; returns the request page's path.
async fn request(app: &TestApp, page: &str, extra: &[(&str, &str)]) -> String {
    let form_page = format!("{page}/requests");
    let form = app.get(&form_page).await.text().await.unwrap();
    let form_token = crate::common::hidden_value(&form, "form_token").unwrap();
    let date = crate::common::field_value(&form, "received_date").unwrap();
    let time = crate::common::field_value(&form, "received_time").unwrap();
    // Extra fields come first: a form's first value for a name is the one that counts.
    let mut fields = extra.to_vec();
    fields.extend_from_slice(&[
        ("form_token", form_token.as_str()),
        ("received_date", date.as_str()),
        ("received_time", time.as_str()),
        ("channel", "desk"),
        ("question", "Mijn moeder kan niet meer zelf douchen."),
        ("urgency", "normal"),
    ]);

    let response = app.post_form(&form_page, &form_page, &fields).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    location(&response).to_owned()
}

#[tokio::test]
async fn a_wmo_request_starts_the_investigation_term_and_a_jeugd_request_the_decision_term() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    request(
        &app,
        &page,
        &[("domains", "wmo"), ("domains", "jeugd"), ("consent", "yes")],
    )
    .await;
    let mut db = app.owner_connection().await;
    let row = sqlx::query(
        "SELECT wmo_deadline - (received_at AT TIME ZONE 'Europe/Amsterdam')::date,
                jeugd_deadline - (received_at AT TIME ZONE 'Europe/Amsterdam')::date,
                consent_given, consent_recorded_by IS NOT NULL, registered_by IS NOT NULL
         FROM requests",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(row.get::<i32, _>(0), 42, "six weeks");
    assert_eq!(row.get::<i32, _>(1), 56, "eight weeks");
    assert!(row.get::<bool, _>(2) && row.get::<bool, _>(3) && row.get::<bool, _>(4));

    // A term that has passed stands out on the desk page.
    sqlx::query("UPDATE requests SET wmo_deadline = current_date - 3")
        .execute(&mut db)
        .await
        .unwrap();
    let desk_page = app.get("/demo/desk").await.text().await.unwrap();
    assert!(desk_page.contains("3 dagen over de termijn"), "{desk_page}");
}

#[tokio::test]
async fn submitting_the_same_request_form_twice_registers_one_request() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let form_page = format!("{page}/requests");
    let form = app.get(&form_page).await.text().await.unwrap();
    let token = crate::common::hidden_value(&form, "form_token").unwrap();
    let date = crate::common::field_value(&form, "received_date").unwrap();
    let time = crate::common::field_value(&form, "received_time").unwrap();
    let fields = [
        ("form_token", token.as_str()),
        ("received_date", date.as_str()),
        ("received_time", time.as_str()),
        ("channel", "phone"),
        ("domains", "schulden"),
        ("question", "Ik heb schulden."),
        ("urgency", "normal"),
    ];
    let first = app.post_form(&form_page, &form_page, &fields).await;
    let second = app.post_form(&form_page, &form_page, &fields).await;
    assert_eq!(
        location(&first),
        location(&second),
        "the second submit finds the first request"
    );
    let mut db = app.owner_connection().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM requests")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_request_with_mistakes_keeps_what_was_typed_and_stores_nothing() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let form_page = format!("{page}/requests");
    let token =
        crate::common::hidden_value(&app.get(&form_page).await.text().await.unwrap(), "form_token").unwrap();
    let response = app
        .post_form(
            &form_page,
            &form_page,
            &[
                ("form_token", &token),
                ("received_date", "32-13-2026"),
                ("received_time", "9"),
                ("channel", "desk"),
                ("question", ""),
                ("urgency", "normal"),
                ("referrer", "dokter Bos"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    for message in [
        "Vul een geldige datum in.",
        "Vul een tijd in",
        "Kies minstens één domein.",
        "Vul de vraag in.",
    ] {
        assert!(body.contains(message), "{message}");
    }
    assert!(body.contains(r#"value="dokter Bos""#));
    let mut db = app.owner_connection().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM requests")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn every_triage_path_does_what_it_says() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let mut db = app.owner_connection().await;

    // Handled at the desk: closed, with a record of the advice.
    let handled = request(&app, &page, &[("domains", "overig")]).await;
    let missing = app
        .post_form(
            &handled,
            &format!("{handled}/triage"),
            &[("triage", "handled_at_desk")],
        )
        .await;
    assert_eq!(missing.status(), 422);
    let body = missing.text().await.unwrap();
    assert!(body.contains("niet veilig") && body.contains("Schrijf kort op"));
    let done = app
        .post_form(
            &handled,
            &format!("{handled}/triage"),
            &[
                ("unsafe_at_home", "no"),
                ("triage", "handled_at_desk"),
                ("note", "Folder over mantelzorg meegegeven."),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    assert!(
        app.get(location(&done))
            .await
            .text()
            .await
            .unwrap()
            .contains("De melding is afgehandeld.")
    );

    // Signposted: closed, and a follow-up call for the desk after the configured days.
    let signposted = request(&app, &page, &[("domains", "wonen")]).await;
    let destination: String = sqlx::query_scalar("SELECT id::text FROM signpost_destinations WHERE name = 'UWV' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let no_destination = app
        .post_form(
            &signposted,
            &format!("{signposted}/triage"),
            &[
                ("unsafe_at_home", "no"),
                ("triage", "signposted"),
                ("note", "Bellen"),
            ],
        )
        .await;
    assert_eq!(no_destination.status(), 422);
    let done = app
        .post_form(
            &signposted,
            &format!("{signposted}/triage"),
            &[
                ("unsafe_at_home", "no"),
                ("triage", "signposted"),
                ("destination", &destination),
                ("note", "Zelf bellen met UWV."),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    let due: i32 = sqlx::query_scalar("SELECT due_on - current_date FROM tasks WHERE kind = 'follow_up'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!((13..=15).contains(&due), "14 days by default: {due}");
    sqlx::query("UPDATE tasks SET due_on = current_date WHERE kind = 'follow_up'")
        .execute(&mut db)
        .await
        .unwrap();
    assert!(
        app.get("/demo/desk")
            .await
            .text()
            .await
            .unwrap()
            .contains("(UWV)"),
        "the call-back is on the desk page"
    );

    // To the team: a case in the team's queue.
    let to_team = request(&app, &page, &[("domains", "wmo")]).await;
    let done = app
        .post_form(
            &to_team,
            &format!("{to_team}/triage"),
            &[("unsafe_at_home", "no"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(done.status(), 303);

    // Unsafe at home: to the team as a crisis, whatever was chosen.
    let unsafe_request = request(&app, &page, &[("domains", "jeugd")]).await;
    let done = app
        .post_form(
            &unsafe_request,
            &format!("{unsafe_request}/triage"),
            &[
                ("unsafe_at_home", "yes"),
                ("triage", "handled_at_desk"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    let body = app.get(location(&done)).await.text().await.unwrap();
    assert!(
        body.contains("Crisis: deze melding heeft voorrang"),
        "a visible warning"
    );

    let cases: Vec<(String, String)> =
        sqlx::query_as("SELECT urgency, status FROM cases ORDER BY created_at")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(
        cases,
        [
            ("normal".to_owned(), "aangemeld".to_owned()),
            ("crisis".to_owned(), "aangemeld".to_owned())
        ]
    );
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM requests ORDER BY received_at, id")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(statuses.iter().filter(|s| *s == "closed").count(), 2);

    // Triage happens once; a second submit changes nothing.
    let again = app
        .post_form(
            &handled,
            &format!("{handled}/triage"),
            &[("unsafe_at_home", "yes"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(again.status(), 303);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 2);
    let triaged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'request_triaged'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(triaged, 4);
}

#[tokio::test]
async fn the_desk_page_puts_crises_first_among_untriaged_requests() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    request(&app, &page, &[("domains", "wonen")]).await;
    request(&app, &page, &[("domains", "schulden"), ("urgency", "crisis")]).await;
    let body = app.get("/demo/desk").await.text().await.unwrap();
    let untriaged = &body[body.find("Nog te beoordelen").unwrap()..];
    let crisis = untriaged.find("Schulden").unwrap();
    let normal = untriaged.find("Wonen").unwrap();
    assert!(crisis < normal, "the crisis comes first");
    assert!(body.contains("Vandaag geregistreerd"));
}

#[tokio::test]
async fn a_resident_asks_for_help_online_without_logging_in() {
    let app = TestApp::spawn().await;
    let form = app.get("/demo/hulpvraag").await.text().await.unwrap();
    assert!(form.contains("Hulpvraag stellen"));
    let token = crate::common::hidden_value(&form, "form_token").unwrap();
    let missing = app
        .post_form(
            "/demo/hulpvraag",
            "/demo/hulpvraag",
            &[("form_token", &token), ("name", "Fatima")],
        )
        .await;
    assert_eq!(missing.status(), 422);
    let body = missing.text().await.unwrap();
    assert!(body.contains("telefoonnummer of e-mailadres") && body.contains(r#"value="Fatima""#));
    let sent = app
        .post_form(
            "/demo/hulpvraag",
            "/demo/hulpvraag",
            &[
                ("form_token", &token),
                ("name", "Fatima"),
                ("phone", "06 12345678"),
                ("question", "Ik zoek hulp bij de administratie."),
            ],
        )
        .await;
    assert_eq!(sent.status(), 200);
    let body = sent.text().await.unwrap();
    assert!(body.contains(r#"<strong id="reference">"#));
    assert!(!body.contains("06 12345678"), "nothing else is revealed");

    let mut db = app.owner_connection().await;
    let channel: String = sqlx::query_scalar("SELECT channel FROM requests")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(channel, "online");
    let staff = app.other_client();
    staff.login("demo", "balie@demo.test").await;
    assert!(
        staff
            .get("/demo/desk")
            .await
            .text()
            .await
            .unwrap()
            .contains("Fatima"),
        "it is in the desk queue"
    );
}

#[tokio::test]
async fn the_online_form_stops_bots_and_floods() {
    let app = TestApp::spawn().await;
    let token = crate::common::hidden_value(
        &app.get("/demo/hulpvraag").await.text().await.unwrap(),
        "form_token",
    )
    .unwrap();
    let bot = app
        .post_form(
            "/demo/hulpvraag",
            "/demo/hulpvraag",
            &[
                ("form_token", &token),
                ("name", "Bot"),
                ("phone", "1"),
                ("question", "spam"),
                ("website", "http://spam"),
            ],
        )
        .await;
    assert_eq!(bot.status(), 200, "a bot is not told");
    let mut db = app.owner_connection().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM requests")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 0, "and nothing is stored");

    for i in 0..5 {
        let token = uuid::Uuid::new_v4().to_string();
        let response = app
            .post_form(
                "/demo/hulpvraag",
                "/demo/hulpvraag",
                &[
                    ("form_token", &token),
                    ("name", "Fatima"),
                    ("phone", "06"),
                    ("question", &format!("vraag {i}")),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let token = uuid::Uuid::new_v4().to_string();
    let limited = app
        .post_form(
            "/demo/hulpvraag",
            "/demo/hulpvraag",
            &[
                ("form_token", &token),
                ("name", "Fatima"),
                ("phone", "06"),
                ("question", "nog een"),
            ],
        )
        .await;
    assert_eq!(limited.status(), 429);
}

#[tokio::test]
async fn only_desk_roles_open_the_desk_and_residents_files() {
    let app = TestApp::spawn().await;
    for email in ["lid@demo.test", "voorzitter@demo.test", "beheer@demo.test"] {
        let client = app.other_client();
        client.login("demo", email).await;
        // A member organisation's staff are not even told the desk's files exist.
        let refused = if email == "lid@demo.test" { 404 } else { 403 };
        for path in ["/demo/desk", "/demo/residents?q=jan", "/demo/residents/new"] {
            assert_eq!(client.get(path).await.status(), refused, "{email} {path}");
        }
    }
    let team = app.other_client();
    team.login("demo", "team@demo.test").await;
    assert_eq!(team.get("/demo/desk").await.status(), 200);
}

#[tokio::test]
async fn another_cooperatives_residents_and_requests_are_not_found() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let request_page = request(&app, &page, &[("domains", "wmo")]).await;
    let other = app.other_client();
    other.login("demo2", "balie@demo.test").await;
    let resident_id = page.rsplit('/').next().unwrap();
    let request_id = request_page.rsplit('/').next().unwrap();
    for path in [
        format!("/demo2/residents/{resident_id}"),
        format!("/demo2/residents/{resident_id}/edit"),
        format!("/demo2/residents/{resident_id}/requests"),
        format!("/demo2/requests/{request_id}"),
    ] {
        assert_eq!(other.get(&path).await.status(), 404, "{path}");
    }
    let triage = other
        .post_form(
            "/demo2/desk",
            &format!("/demo2/requests/{request_id}/triage"),
            &[("unsafe_at_home", "no"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(triage.status(), 404);
    let search = other.get("/demo2/residents?q=ozturk").await.text().await.unwrap();
    assert!(search.contains("Geen inwoners gevonden."));
    for path in ["/demo/desk", &page, &request_page] {
        assert_eq!(other.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn the_contact_card_lists_who_helps_and_prints_on_a6() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE tenant_settings SET contact_phone = '0318 123 456' FROM tenants t WHERE t.id = tenant_id AND t.slug = 'demo'")
        .execute(&mut db)
        .await
        .unwrap();
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let card = app.get(&format!("{page}/card")).await.text().await.unwrap();
    assert!(card.contains("Meterkastkaart") && card.contains("Ayşe Öztürk") && card.contains("0318 123 456"));
    assert!(card.contains(r#"class="contact-card""#));
    let css = app.get("/static/css/schakel.css").await.text().await.unwrap();
    assert!(css.contains("@page card { size: A6"), "printed on A6");
    let viewed: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE details ? 'contact_card'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(viewed, 1);
}

/// The plan PostgreSQL uses for `sql` with the given parameters when it plans once for all
/// values, as it may for statements sqlx prepares.
#[tokio::test]
async fn desk_queries_use_their_indexes_under_a_generic_plan() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let tenant = app.tenant_id("demo").await;
    {
        let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
        let mut tx = schakel::db::tenant_tx(&owner, tenant).await.unwrap();
        let today = time::OffsetDateTime::now_utc().date();
        schakel::demo::generate::intake(
            &mut tx,
            7,
            20_000,
            20_000,
            6_667,
            today,
            &schakel::demo::generate::Progress::hidden(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::raw_sql("ANALYZE").execute(&mut db).await.unwrap();

    let name = generic_plan(
        &app,
        tenant,
        "SELECT id FROM residents WHERE tenant_id = $1
           AND search_surname >= search_text($2) AND search_surname < search_text($2) || chr(1114111)
           AND search_full_name LIKE ALL (ARRAY(SELECT '%' || search_text(w) || '%' FROM unnest($3::text[]) w))
         ORDER BY search_surname, search_first_names, id LIMIT 26",
        &format!("'{tenant}', 'jan', ARRAY['jan']"),
    )
    .await;
    assert!(
        !name.contains("Seq Scan on residents") && !name.contains("Sort"),
        "{name}"
    );
    assert!(name.contains("residents_surname"), "{name}");

    let birth = generic_plan(
        &app,
        tenant,
        "SELECT id FROM residents WHERE tenant_id = $1 AND date_of_birth = $2 ORDER BY search_surname, id LIMIT 26",
        &format!("'{tenant}', '1957-03-12'"),
    )
    .await;
    assert!(birth.contains("residents_birth"), "{birth}");

    let untriaged = generic_plan(
        &app,
        tenant,
        "SELECT id FROM requests q WHERE q.tenant_id = $1 AND q.triage IS NULL
         ORDER BY q.urgency = 'crisis' DESC, q.received_at LIMIT 50",
        &format!("'{tenant}'"),
    )
    .await;
    assert!(untriaged.contains("requests_untriaged"), "{untriaged}");

    let deadlines = generic_plan(
        &app,
        tenant,
        "SELECT id FROM requests q WHERE q.tenant_id = $1 AND q.status = 'open'
           AND least(q.wmo_deadline, q.jeugd_deadline) <= (now() AT TIME ZONE 'Europe/Amsterdam')::date + $2::int
         ORDER BY least(q.wmo_deadline, q.jeugd_deadline) LIMIT 25",
        &format!("'{tenant}', 7"),
    )
    .await;
    assert!(deadlines.contains("requests_open_deadline"), "{deadlines}");
}

#[tokio::test]
async fn name_search_lists_surname_matches_first_and_pages_across_both_kinds() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO residents (tenant_id, surname, first_names)
         SELECT t.id, 'Janssen', 'Kees ' || lpad(n::text, 2, '0') FROM tenants t, generate_series(1, 20) n WHERE t.slug = 'demo'
         UNION ALL
         SELECT t.id, 'Bakker ' || lpad(n::text, 2, '0'), 'Jan' FROM tenants t, generate_series(1, 20) n WHERE t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let first = app.get("/demo/residents?q=jan").await.text().await.unwrap();
    let second = app
        .get("/demo/residents?q=jan&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(first.matches("Kees ").count(), 20, "surname matches first");
    assert_eq!(first.matches("Jan Bakker").count(), 5);
    assert_eq!(second.matches("Jan Bakker").count(), 15);
    assert!(first.find("Kees 20").unwrap() < first.find("Jan Bakker 01").unwrap());
    assert!(
        second.contains("Jan Bakker 06")
            && !second.contains("Jan Bakker 05")
            && second.contains("Jan Bakker 20")
    );
}

#[tokio::test]
async fn the_desk_records_how_the_follow_up_call_went() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let signposted = request(&app, &page, &[("domains", "wonen")]).await;
    let mut db = app.owner_connection().await;
    let destination: String = sqlx::query_scalar(
        "SELECT id::text FROM signpost_destinations WHERE name = 'Huisarts' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    app.post_form(
        &signposted,
        &format!("{signposted}/triage"),
        &[
            ("unsafe_at_home", "no"),
            ("triage", "signposted"),
            ("destination", &destination),
            ("note", "Naar de huisarts."),
        ],
    )
    .await;
    let body = app.get(&signposted).await.text().await.unwrap();
    assert!(body.contains("Nabellen: is het gelukt?"));
    let empty = app
        .post_form(
            "/demo/desk",
            &format!("{signposted}/follow-up"),
            &[("follow_up_outcome", " ")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    let done = app
        .post_form(
            "/demo/desk",
            &format!("{signposted}/follow-up"),
            &[("follow_up_outcome", "Afspraak gemaakt, gaat goed.")],
        )
        .await;
    assert_eq!(done.status(), 303);
    let body = app.get(&signposted).await.text().await.unwrap();
    assert!(body.contains("Afspraak gemaakt, gaat goed.") && !body.contains("Nabellen vastleggen"));
    let again = app
        .post_form(
            "/demo/desk",
            &format!("{signposted}/follow-up"),
            &[("follow_up_outcome", "nogmaals")],
        )
        .await;
    assert_eq!(again.status(), 404, "a call is recorded once");
    sqlx::query("UPDATE tasks SET due_on = current_date WHERE kind = 'follow_up'")
        .execute(&mut db)
        .await
        .unwrap();
    assert!(
        !app.get("/demo/desk")
            .await
            .text()
            .await
            .unwrap()
            .contains("(Huisarts)"),
        "done calls leave the desk list"
    );
}

#[tokio::test]
async fn an_online_request_is_linked_to_the_resident_it_is_about() {
    let app = TestApp::spawn().await;
    let token = crate::common::hidden_value(
        &app.get("/demo/hulpvraag").await.text().await.unwrap(),
        "form_token",
    )
    .unwrap();
    app.post_form(
        "/demo/hulpvraag",
        "/demo/hulpvraag",
        &[
            ("form_token", &token),
            ("name", "Ayşe Öztürk"),
            ("phone", "06 1"),
            ("question", "Hulp bij formulieren."),
        ],
    )
    .await;
    let staff = app.other_client();
    staff.login("demo", "balie@demo.test").await;
    let page = register(&staff, &oz()).await;
    let resident_id = page.rsplit('/').next().unwrap().to_owned();
    let mut db = app.owner_connection().await;
    let request_id: String = sqlx::query_scalar("SELECT id::text FROM requests")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let request_page = format!("/demo/requests/{request_id}");

    let found = staff
        .get(&format!("{request_page}?q=ozturk"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        found.contains("Bij welke inwoner hoort deze vraag?")
            && found.contains(&format!(r#"name="resident" value="{resident_id}""#))
    );
    let linked = staff
        .post_form(
            "/demo/desk",
            &format!("{request_page}/resident"),
            &[("resident", &resident_id)],
        )
        .await;
    assert_eq!(linked.status(), 303);
    let resident_page = staff.get(&page).await.text().await.unwrap();
    assert!(
        resident_page.contains("Overig"),
        "the request is in the resident's file"
    );
    let again = staff
        .post_form(
            "/demo/desk",
            &format!("{request_page}/resident"),
            &[("resident", &resident_id)],
        )
        .await;
    assert_eq!(again.status(), 404, "a request is linked once");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE kind = 'request_linked' AND resident_id::text = $1",
    )
    .bind(&resident_id)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}
