//! Residents: one search box, paging, look-alikes, mistakes explained beside each field, the
//! masked BSN and audited views, households, the contact card, and the desk's search queries.

use sqlx::Row;

use crate::common::{TestApp, generic_plan};

use super::{desk, oz, register};

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

/// What desk staff type: a surname with its prefix, each part of a double surname without its
/// accents, the postcode's digits, the street with or without house number.
#[tokio::test]
async fn search_finds_residents_by_any_word_people_type() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    register(&app, &oz()).await;
    register(
        &app,
        &[
            ("first_names", "Jan"),
            ("surname_prefix", "de"),
            ("surname", "Vries"),
            ("street", "Van Ostadelaan"),
            ("house_number", "3"),
            ("house_number_addition", "b"),
            ("postcode", "3941 CD"),
        ],
    )
    .await;
    register(
        &app,
        &[
            ("first_names", "Hanna"),
            ("surname", "Müller-Çelik"),
            ("street", "Kerkstraat"),
            ("house_number", "7"),
            ("postcode", "3931 XY"),
        ],
    )
    .await;
    let finds = |query: &'static str, expected: &'static [&'static str]| {
        let app = &app;
        async move {
            let body = app
                .get(&format!(
                    "/demo/residents?q={}",
                    schakel::web::query_encode(query)
                ))
                .await
                .text()
                .await
                .unwrap();
            for name in ["Ayşe Öztürk", "Jan de Vries", "Hanna Müller-Çelik"] {
                assert_eq!(
                    body.contains(name),
                    expected.contains(&name),
                    "{query:?} finds {expected:?}, {name} wrongly"
                );
            }
        }
    };
    finds("de vries", &["Jan de Vries"]).await;
    finds("Jan de Vries", &["Jan de Vries"]).await;
    finds("celik", &["Hanna Müller-Çelik"]).await;
    finds("Müller", &["Hanna Müller-Çelik"]).await;
    finds("hanna muller-celik", &["Hanna Müller-Çelik"]).await;
    finds("3931", &["Ayşe Öztürk", "Hanna Müller-Çelik"]).await;
    finds("3941", &["Jan de Vries"]).await;
    finds("3931 XY", &["Hanna Müller-Çelik"]).await;
    finds("dorpsstraat", &["Ayşe Öztürk"]).await;
    finds("Dorpsstraat 12", &["Ayşe Öztürk"]).await;
    finds("Dorpsstraat 13", &[]).await;
    finds("van ostadelaan 3b", &["Jan de Vries"]).await;
    finds("kerkstr", &["Hanna Müller-Çelik"]).await;
    finds("111222333", &["Ayşe Öztürk"]).await;
    finds("12-03-1957", &["Ayşe Öztürk"]).await;
    finds("de", &["Jan de Vries"]).await;
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
    assert!(page.contains("Elif Öztürk</a> is kind van Ayşe Öztürk"));
    let child_page = app.get(&child).await.text().await.unwrap();
    assert!(child_page.contains("Ayşe Öztürk</a> is ouder van Elif Öztürk"));
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

#[tokio::test]
async fn the_contact_card_names_adults_with_their_phone_and_prints_no_instructions() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mother = register(&app, &oz()).await;
    let household = [
        ("Elif", "01-06-2012", "06 11111111", "child"),
        ("Deniz", "02-02-1985", "06 22222222", "child"),
        ("Mehmet", "", "06 33333333", "partner"),
        ("Can", "", "06 44444444", "child"),
    ];
    for (first_names, born, phone, relation) in household {
        let member = register(
            &app,
            &[
                ("first_names", first_names),
                ("surname", "Öztürk"),
                ("date_of_birth", born),
                ("phone", phone),
                ("house_number", "12"),
                ("postcode", "3931 AB"),
            ],
        )
        .await;
        let response = app
            .post_form(
                &mother,
                &format!("{mother}/household"),
                &[
                    ("member", member.rsplit('/').next().unwrap()),
                    ("relation", relation),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
    }
    let card = app.get(&format!("{mother}/card")).await.text().await.unwrap();
    let helpers = &card[card.find(r#"class="contact-card""#).unwrap()..];
    assert!(
        helpers.contains("Deniz Öztürk") && helpers.contains("06 22222222"),
        "an adult child helps"
    );
    assert!(
        helpers.contains("Mehmet Öztürk") && helpers.contains("06 33333333"),
        "a partner helps"
    );
    assert!(
        !card.contains("Elif Öztürk") && !card.contains("06 11111111"),
        "a child does not"
    );
    assert!(
        !card.contains("Can Öztürk"),
        "nor a child whose birth date is unknown"
    );
    // The instructions sit outside the card, in what print leaves out.
    let hint = card.find("Druk deze pagina af").unwrap();
    let paragraph = card[..hint].rfind("<p").unwrap();
    assert!(card[paragraph..hint].starts_with(r#"<p class="no-print">"#));
    let css = app.get("/static/css/schakel.css").await.text().await.unwrap();
    assert!(css.contains(".no-print, .actions, form, .table-hint { display: none !important; }"));
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
        "SELECT r.id FROM resident_search_terms t
           JOIN residents r ON r.tenant_id = t.tenant_id AND r.id = t.resident_id
           WHERE t.tenant_id = $1 AND t.tier = $4
             AND t.term >= search_text($2) AND t.term < search_text($2) || chr(1114111)
             AND NOT EXISTS (SELECT FROM resident_search_terms e
                             WHERE e.tenant_id = t.tenant_id AND e.resident_id = t.resident_id
                               AND (e.tier < t.tier OR (e.tier = t.tier AND e.term < t.term))
                               AND e.term >= search_text($2) AND e.term < search_text($2) || chr(1114111))
             AND NOT EXISTS (SELECT FROM unnest($3::text[]) w
                             WHERE NOT EXISTS (SELECT FROM resident_search_terms e
                                               WHERE e.tenant_id = t.tenant_id AND e.resident_id = t.resident_id
                                                 AND e.term >= search_text(w) AND e.term < search_text(w) || chr(1114111)))
           ORDER BY t.term, t.surname, t.first_names, t.resident_id
           LIMIT 26",
        &format!("'{tenant}', 'jan', ARRAY['jan', 'de'], 1"),
    )
    .await;
    assert!(!name.contains("Seq Scan") && !name.contains("Sort"), "{name}");
    assert!(name.contains("resident_search_terms_order"), "{name}");
    assert!(name.contains("residents_pkey"), "{name}");

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
