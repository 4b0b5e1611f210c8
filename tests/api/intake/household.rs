//! A household in one step and a request about one of its members: "Huisgenoot toevoegen"
//! with the address filled in and the relation in words both ways, the look-alike warning with
//! its confirmation beside it, the request form that explains itself, the consent carried into
//! the case, and a triage that reports every missing answer at once.

use crate::common::{TestApp, field_value, location};

use super::{desk, oz, register, request};

/// Adds a household member to the resident at `page` through "Huisgenoot toevoegen".
async fn add_member(app: &TestApp, page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let id = page.rsplit('/').next().unwrap();
    let form_page = format!("/demo/residents/new?household_of={id}");
    let form = app.get(&form_page).await.text().await.unwrap();
    let mut typed = fields.to_vec();
    typed.push(("household_of", id));
    // The address as the form fills it in.
    let address: Vec<(&str, String)> = ["street", "house_number", "postcode", "place"]
        .into_iter()
        .map(|name| (name, field_value(&form, name).unwrap()))
        .collect();
    for (name, value) in &address {
        typed.push((*name, value.as_str()));
    }
    app.post_form(&form_page, "/demo/residents", &typed).await
}

#[tokio::test]
async fn a_household_member_is_added_in_one_step_with_the_relation_in_words_both_ways() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mother = register(&app, &oz()).await;
    let page = app.get(&mother).await.text().await.unwrap();
    let id = mother.rsplit('/').next().unwrap();
    assert!(page.contains(&format!(
        r#"href="/demo/residents/new?household_of={id}">Huisgenoot toevoegen</a>"#
    )));

    let form = app
        .get(&format!("/demo/residents/new?household_of={id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("<h1>Huisgenoot toevoegen</h1>"));
    assert_eq!(field_value(&form, "street").as_deref(), Some("Dorpsstraat"));
    assert_eq!(field_value(&form, "house_number").as_deref(), Some("12"));
    assert_eq!(field_value(&form, "postcode").as_deref(), Some("3931 AB"));
    assert_eq!(field_value(&form, "place").as_deref(), Some("Woudenberg"));
    assert!(form.contains("De huisgenoot is kind van Ayşe Öztürk; Ayşe Öztürk is ouder van de huisgenoot"));

    // Without the relation: said beside the field, what was typed stays, nothing stored.
    let missing = add_member(&app, &mother, &[("first_names", "Sem"), ("surname", "Öztürk")]).await;
    assert_eq!(missing.status(), 422);
    let body = missing.text().await.unwrap();
    assert!(body.contains(r#"id="relation-error""#) && body.contains(r#"value="Sem""#));
    let mut db = app.owner_connection().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM residents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 1);

    // The same address is no reason to ask whether Sem is Ayşe.
    let added = add_member(
        &app,
        &mother,
        &[
            ("first_names", "Sem"),
            ("surname", "Öztürk"),
            ("date_of_birth", "01-06-2012"),
            ("relation", "child"),
        ],
    )
    .await;
    assert_eq!(added.status(), 303, "{}", added.text().await.unwrap());
    assert_eq!(location(&added), mother);
    let page = app.get(&mother).await.text().await.unwrap();
    assert!(page.contains("De huisgenoot is geregistreerd"));
    assert!(page.contains("Sem Öztürk</a> is kind van Ayşe Öztürk (geboren 01-06-2012)"));
    let sem = sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM residents WHERE first_names = 'Sem'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let sem_page = app
        .get(&format!("/demo/residents/{sem}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(sem_page.contains("Ayşe Öztürk</a> is ouder van Sem Öztürk"));
    assert!(sem_page.contains("Dorpsstraat 12, 3931 AB Woudenberg"));
    let linked: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'household_linked'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(linked, 2, "recorded in both files");
}

#[tokio::test]
async fn registering_anyway_sits_beside_the_look_alike_warning() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    register(&app, &oz()).await;
    let response = app
        .post_form(
            "/demo/residents/new",
            "/demo/residents",
            &[
                ("first_names", "Ayse"),
                ("surname", "Ozturk"),
                ("date_of_birth", "12-03-1957"),
            ],
        )
        .await;
    let body = response.text().await.unwrap();
    let warning = body.find(r#"id="duplicates""#).expect("the warning");
    let button = body
        .find(r#"<button type="submit" name="confirm_new" value="yes""#)
        .expect("the confirmation");
    assert!(body.contains(r#"<input type="hidden" name="surname" value="Ozturk">"#));
    let form = body.find(r#"id="resident-form""#).unwrap();
    assert!(
        warning < button && button < form,
        "the confirmation is in the warning, above the form"
    );
}

#[tokio::test]
async fn the_request_form_explains_consent_and_urgency_and_asks_whom_it_is_about() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mother = register(&app, &oz()).await;
    let added = add_member(
        &app,
        &mother,
        &[
            ("first_names", "Sem"),
            ("surname", "Öztürk"),
            ("relation", "child"),
        ],
    )
    .await;
    assert_eq!(added.status(), 303);
    let form = app.get(&format!("{mother}/requests")).await.text().await.unwrap();
    for text in [
        "Over wie gaat de vraag?",
        "Sem Öztürk (is kind van Ayşe Öztürk)",
        "gaat deze toestemming mee in de toestemmingen van de casus",
        "bovenaan in de wachtrij",
        "de urgentie gaat mee naar de casus",
    ] {
        assert!(form.contains(text), "{text}");
    }

    // Someone from outside the household is refused beside the field.
    let stranger = register(&app, &[("first_names", "Piet"), ("surname", "Bakker")]).await;
    let stranger_id = stranger.rsplit('/').next().unwrap();
    let form_token = crate::common::hidden_value(&form, "form_token").unwrap();
    let refused = app
        .post_form(
            &format!("{mother}/requests"),
            &format!("{mother}/requests"),
            &[
                ("about", stranger_id),
                ("form_token", form_token.as_str()),
                ("received_date", "01-12-2026"),
                ("received_time", "09:00"),
                ("channel", "desk"),
                ("domains", "jeugd"),
                ("question", "Sem gaat niet naar school."),
                ("urgency", "normal"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains(r#"id="about-error""#));

    let mut db = app.owner_connection().await;
    let sem: uuid::Uuid = sqlx::query_scalar("SELECT id FROM residents WHERE first_names = 'Sem'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let sem_id = sem.to_string();
    let about_sem = request(
        &app,
        &mother,
        &[
            ("about", sem_id.as_str()),
            ("domains", "jeugd"),
            ("consent", "yes"),
        ],
    )
    .await;
    let page = app.get(&about_sem).await.text().await.unwrap();
    assert!(page.contains(r#"<dd id="request-about">Sem Öztürk</dd>"#));

    // Every missing answer at once.
    let missing = app
        .post_form(&about_sem, &format!("{about_sem}/triage"), &[])
        .await;
    assert_eq!(missing.status(), 422);
    let body = missing.text().await.unwrap();
    assert!(
        body.contains("Beantwoord de vraag of iemand thuis niet veilig is.")
            && body.contains("Kies wat er met de vraag gebeurt."),
        "both missing answers"
    );

    // To the team: the case is Sem's, and the consent is in its ledger.
    let done = app
        .post_form(
            &about_sem,
            &format!("{about_sem}/triage"),
            &[("unsafe_at_home", "no"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(done.status(), 303);
    let case: (uuid::Uuid, uuid::Uuid) = sqlx::query_as("SELECT id, resident_id FROM cases")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(case.1, sem, "the case is about the member");
    let consent: (Option<uuid::Uuid>, String) =
        sqlx::query_as("SELECT request_id, purpose FROM consents WHERE case_id = $1")
            .bind(case.0)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert!(consent.0.is_some() && consent.1.starts_with("Hulp bij melding"));

    let team = app.other_client();
    team.login("demo", "team@demo.test").await;
    let case_page = team
        .get(&format!("/demo/cases/{}/tab/referrals", case.0))
        .await
        .text()
        .await
        .unwrap();
    assert!(case_page.contains("Het sociaal team en de lidorganisaties waarnaar het verwijst"));
}
