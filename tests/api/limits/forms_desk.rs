//! The desk's forms, the public question form, the administrator's forms and the login:
//! spoiled texts are refused beside their field and nothing is stored.

use super::{Form, date_in, refuses_spoiled_texts, snapshot};
use crate::common::users::User;
use crate::common::{TestApp, field_value, hidden_value, location};

/// A request registered for a resident at the desk; its path (`/demo/requests/{id}`).
async fn register_request(desk: &User, resident: &str) -> String {
    let form = format!("{resident}/requests");
    let (_, page) = desk.page(&form).await;
    let fields = request_fields(&page);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let response = desk.post(&form, &fields).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    location(&response).to_owned()
}

fn request_fields(page: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form_token", hidden_value(page, "form_token").unwrap()),
        ("received_date", field_value(page, "received_date").unwrap()),
        ("received_time", field_value(page, "received_time").unwrap()),
        ("channel", "desk".into()),
        ("domains", "wmo".into()),
        ("question", "Hulp bij het huishouden".into()),
        ("urgency", "normal".into()),
        ("referrer", String::new()),
    ]
}

#[tokio::test]
async fn the_desks_forms_refuse_control_characters_and_long_texts_beside_the_field() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let response = desk
        .post(
            "/demo/residents",
            &[("surname", "Aalberts"), ("confirm_new", "yes")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let resident = location(&response).to_owned();
    let request = register_request(&desk, &resident).await;
    let signposted = register_request(&desk, &resident).await;
    let mut db = app.owner_connection().await;
    let destination: String =
        sqlx::query_scalar("SELECT id::text FROM signpost_destinations WHERE active LIMIT 1")
            .fetch_one(&mut db)
            .await
            .unwrap();
    let response = desk
        .post(
            &format!("{signposted}/triage"),
            &[
                ("unsafe_at_home", "no"),
                ("triage", "signposted"),
                ("destination", &destination),
                ("note", "Naar de thuiszorg verwezen"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, request_form) = desk.page(&format!("{resident}/requests")).await;

    let resident_texts = [
        "first_names",
        "initials",
        "surname_prefix",
        "surname",
        "street",
        "house_number",
        "house_number_addition",
        "postcode",
        "place",
        "phone",
        "email",
        "remarks",
    ];
    let forms = [
        Form::new(
            "new resident",
            "/demo/residents",
            &[("surname", "Bakker"), ("confirm_new", "yes")],
        )
        .texts(&resident_texts),
        Form::new("resident", &resident, &[("surname", "Aalberts")]).texts(&resident_texts),
        Form {
            fields: request_fields(&request_form),
            ..Form::new("new request", format!("{resident}/requests"), &[])
        }
        .texts(&["question", "referrer"]),
        Form::new(
            "triage",
            format!("{request}/triage"),
            &[
                ("unsafe_at_home", "no"),
                ("triage", "handled_at_desk"),
                ("note", "Uitgelegd"),
            ],
        )
        .texts(&["note"]),
        Form::new(
            "follow-up",
            format!("{signposted}/follow-up"),
            &[
                ("follow_up_result", "gelukt"),
                ("follow_up_outcome", "Het is gelukt"),
            ],
        )
        .texts(&["follow_up_outcome"]),
    ];
    for form in &forms {
        refuses_spoiled_texts(&desk, form).await;
    }
}

#[tokio::test]
async fn the_public_question_form_refuses_control_characters_and_long_texts_beside_the_field() {
    let app = TestApp::spawn().await;
    let visitor = app.other_client();
    let (_, page) = {
        let response = visitor.get("/demo/hulpvraag").await;
        (response.status(), response.text().await.unwrap())
    };
    let resident = User {
        token: hidden_value(&page, "csrf_token").unwrap(),
        id: uuid::Uuid::nil(),
        app: visitor,
    };
    let form = Form::new(
        "question for help",
        "/demo/hulpvraag",
        &[
            ("form_token", &hidden_value(&page, "form_token").unwrap()),
            ("name", "Els de Vries"),
            ("phone", "06-12345678"),
            ("email", "els@example.test"),
            ("question", "Ik zoek hulp bij de administratie."),
            ("consent", "yes"),
        ],
    )
    .texts(&["name", "phone", "email", "question"]);
    refuses_spoiled_texts(&resident, &form).await;
}

#[tokio::test]
async fn the_administrators_forms_refuse_control_characters_and_long_texts_beside_the_field() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let (_, settings) = admin.page("/demo/admin/settings").await;
    let mut setting_fields: Vec<(&'static str, String)> =
        vec![("default_language", "nl".into()), ("second_factor", "off".into())];
    for name in [
        "name",
        "contact_email",
        "contact_phone",
        "contact_address",
        "wmo_investigation_weeks",
        "wmo_decision_weeks",
        "jeugd_decision_weeks",
        "max_extension_weeks",
        "signpost_follow_up_days",
        "referral_answer_days",
        "retention_request_years",
        "retention_case_years",
        "retention_youth_case_years",
        "retention_audit_years",
    ] {
        setting_fields.push((name, input_value(&settings, name)));
    }
    let forms = [
        Form::new(
            "invitation",
            "/demo/admin/users",
            &[
                ("name", "Nieuwe Collega"),
                ("email", "nieuw@demo.test"),
                ("roles", "desk"),
            ],
        )
        .texts(&["name", "email"]),
        Form {
            fields: setting_fields,
            ..Form::new("settings", "/demo/admin/settings", &[])
        }
        .texts(&["name", "contact_email", "contact_phone", "contact_address"]),
        Form::new(
            "closing day",
            "/demo/admin/settings/closing-days",
            &[("day", &date_in(&app, 40).await), ("description", "Heidag")],
        )
        .texts(&["description"]),
        Form::new(
            "signpost destination",
            "/demo/admin/settings/destinations",
            &[("name", "Voedselbank"), ("description", "Pakketten op dinsdag")],
        )
        .text_at("name", "destination_name")
        .text_at("description", "destination_description"),
    ];
    for form in &forms {
        refuses_spoiled_texts(&admin, form).await;
    }
}

/// The value of the input named `name` in a page, wherever its attributes stand.
fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let tag_end = at + html[at..].find('>').unwrap();
    let tag = &html[at..tag_end];
    let start = tag.find("value=\"").expect("a value") + "value=\"".len();
    tag[start..start + tag[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_login_or_password_with_a_control_character_or_a_long_text_is_refused_with_422() {
    let app = TestApp::spawn().await;
    let before = snapshot(&app).await;
    let long = "x".repeat(100_000);
    for email in ["balie\0@demo.test", long.as_str()] {
        let response = app.try_login("demo", email, "schakel-demo-2026").await;
        assert_eq!(response.status(), 422);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Dit kan zo niet worden verwerkt")
        );
    }
    assert_eq!(before, snapshot(&app).await, "nothing stored");
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let (status, body) = desk
        .send(
            "/demo/account/password",
            &[
                ("current", "schakel-demo-2026"),
                ("password", "nieuw\0wachtwoord-2026"),
                ("confirmation", "nieuw\0wachtwoord-2026"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    app.login("demo", "balie@demo.test").await;
}
