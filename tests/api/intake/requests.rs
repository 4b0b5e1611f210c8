//! Requests at the desk: the statutory terms they start, one request per form, mistakes, every
//! triage path, crises first, and the follow-up call.

use schakel::calendar::WorkingCalendar;
use sqlx::Row;

use crate::common::{TestApp, location};

use super::{desk, oz, register, request};

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
                consent_given, consent_recorded_by IS NOT NULL, registered_by IS NOT NULL,
                (received_at AT TIME ZONE 'Europe/Amsterdam')::date
         FROM requests",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    // Six and eight weeks, moved past a weekend or holiday they end on.
    let received: time::Date = row.get(5);
    let weeks = |n| (schakel::calendar::statutory_due(received, n) - received).whole_days() as i32;
    assert_eq!(row.get::<i32, _>(0), weeks(6), "six weeks");
    assert_eq!(row.get::<i32, _>(1), weeks(8), "eight weeks");
    assert!(row.get::<bool, _>(2) && row.get::<bool, _>(3) && row.get::<bool, _>(4));

    // A term that has passed stands out on the desk page.
    sqlx::query("UPDATE requests SET wmo_deadline = local_now()::date - 3")
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
    let due: time::Date = sqlx::query_scalar("SELECT due_on FROM tasks WHERE kind = 'follow_up'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let today = crate::common::records::today(&app).await;
    assert_eq!(
        WorkingCalendar::dutch_default().working_days_between(today, due),
        10,
        "ten working days by default: {due}"
    );
    sqlx::query("UPDATE tasks SET due_on = local_now()::date WHERE kind = 'follow_up'")
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
    // The call is on the desk page before it is due, marked as coming.
    let desk_page = app.get("/demo/desk").await.text().await.unwrap();
    assert!(
        desk_page.contains("(Huisarts)</a> <span class=\"muted\">Komt nog</span>"),
        "{desk_page}"
    );
    let unchosen = app
        .post_form(
            "/demo/desk",
            &format!("{signposted}/follow-up"),
            &[("follow_up_outcome", "Geen idee")],
        )
        .await;
    assert_eq!(unchosen.status(), 422);
    let body = unchosen.text().await.unwrap();
    assert!(
        body.contains("id=\"follow_up_result-error\""),
        "the message is beside the choice"
    );
    assert!(body.contains(">Geen idee</textarea>"), "the note is kept");
    let done = app
        .post_form(
            "/demo/desk",
            &format!("{signposted}/follow-up"),
            &[
                ("follow_up_result", "niet_bereikt"),
                ("follow_up_outcome", "Twee keer gebeld, geen gehoor."),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    let body = app.get(&signposted).await.text().await.unwrap();
    assert!(body.contains("Twee keer gebeld, geen gehoor.") && !body.contains("Nabellen vastleggen"));
    assert!(body.contains("<strong>Niet bereikt</strong>"));
    let result: Option<String> =
        sqlx::query_scalar("SELECT follow_up_result FROM tasks WHERE kind = 'follow_up'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(result.as_deref(), Some("niet_bereikt"));
    let again = app
        .post_form(
            "/demo/desk",
            &format!("{signposted}/follow-up"),
            &[("follow_up_result", "gelukt")],
        )
        .await;
    assert_eq!(again.status(), 404, "a call is recorded once");
    sqlx::query("UPDATE tasks SET due_on = local_now()::date WHERE kind = 'follow_up'")
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
async fn the_follow_up_call_after_signposting_counts_working_days() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let mut db = app.owner_connection().await;
    // Five working days always span a weekend: five calendar days would fall short of them.
    sqlx::query(
        "UPDATE tenant_settings SET signpost_follow_up_days = 5
         WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let page = register(&app, &oz()).await;
    let signposted = request(&app, &page, &[("domains", "wonen")]).await;
    let destination: String = sqlx::query_scalar(
        "SELECT id::text FROM signpost_destinations WHERE name = 'UWV'
           AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
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
    let due: time::Date = sqlx::query_scalar("SELECT due_on FROM tasks WHERE kind = 'follow_up'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let today = crate::common::records::today(&app).await;
    let calendar = WorkingCalendar::dutch_default();
    assert_eq!(
        calendar.add_working_days(today, 5),
        due,
        "five working days after {today}"
    );
    assert!(calendar.is_working_day(due));
    let shown = app.get(location(&done)).await.text().await.unwrap();
    assert!(
        shown.contains(&crate::common::pages::nl(due)),
        "the desk is told when: {shown}"
    );
}

#[tokio::test]
async fn the_desk_chooses_when_to_call_back_after_signposting() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let signposted = request(&app, &page, &[("domains", "wonen")]).await;
    let mut db = app.owner_connection().await;
    let destination: String = sqlx::query_scalar(
        "SELECT id::text FROM signpost_destinations WHERE name = 'UWV'
           AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let today = crate::common::records::today(&app).await;
    let form = app.get(&signposted).await.text().await.unwrap();
    let proposed = WorkingCalendar::dutch_default().add_working_days(today, 10);
    assert_eq!(
        crate::common::field_value(&form, "follow_up_on").as_deref(),
        Some(crate::common::pages::nl(proposed).as_str()),
        "the default is proposed"
    );
    let triage = |day: String| {
        let destination = destination.clone();
        let app = &app;
        let signposted = &signposted;
        async move {
            app.post_form(
                signposted,
                &format!("{signposted}/triage"),
                &[
                    ("unsafe_at_home", "no"),
                    ("triage", "signposted"),
                    ("destination", &destination),
                    ("note", "Zelf bellen met UWV."),
                    ("follow_up_on", &day),
                ],
            )
            .await
        }
    };
    let past = triage(crate::common::pages::nl(today - time::Duration::days(1))).await;
    assert_eq!(past.status(), 422);
    let body = past.text().await.unwrap();
    assert!(body.contains("Kies een datum vanaf vandaag en binnen een jaar."));
    let nonsense = triage("volgende week".to_owned()).await;
    assert_eq!(nonsense.status(), 422);
    assert!(
        nonsense.text().await.unwrap().contains("value=\"volgende week\""),
        "what was typed is kept"
    );
    let chosen = today + time::Duration::days(3);
    let done = triage(crate::common::pages::nl(chosen)).await;
    assert_eq!(done.status(), 303);
    let due: time::Date = sqlx::query_scalar("SELECT due_on FROM tasks WHERE kind = 'follow_up'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(due, chosen);
}
