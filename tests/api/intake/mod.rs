//! The intake desk: residents, search, requests, triage and the online form.
//!
//! This module holds the fixtures the intake tests share.

mod access;
mod household;
mod online;
mod requests;
mod residents;

use crate::common::{TestApp, location};

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
