//! The online form: a resident asks for help without logging in, bots and floods are stopped,
//! and the request is linked to the resident it is about.

use crate::common::TestApp;

use super::{oz, register};

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
