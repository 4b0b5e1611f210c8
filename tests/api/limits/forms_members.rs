//! The member register, the service catalogue and the working groups: spoiled texts are
//! refused beside their field and nothing is stored; a name never reaches a redirect longer
//! than a search.

use super::{Form, app_with_history, date_in, refuses_spoiled_texts};
use crate::common::TestApp;
use crate::common::users::User;

#[tokio::test]
async fn the_register_catalogue_and_group_forms_refuse_control_characters_and_long_texts() {
    let app = app_with_history().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let mut db = app.owner_connection().await;
    let (organisation, lock_version): (String, i32) = sqlx::query_as(
        "SELECT o.id::text, o.lock_version FROM organisations o JOIN tenants t ON t.id = o.tenant_id
         WHERE t.slug = 'demo' AND o.status = 'lid' ORDER BY o.name LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let (service, service_name): (String, String) = sqlx::query_as(
        "SELECT s.id::text, s.name FROM services s JOIN tenants t ON t.id = s.tenant_id
         WHERE t.slug = 'demo' ORDER BY s.name LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let group: String = sqlx::query_scalar(
        "SELECT g.id::text FROM working_groups g JOIN tenants t ON t.id = g.tenant_id
         WHERE t.slug = 'demo' AND g.closed_on IS NULL LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let today = date_in(&app, 0).await;
    let organisation_fields = [
        ("name", "Proefvereniging"),
        ("kind", "welzijn"),
        ("description", "Een vereniging"),
        ("contact_name", "Ria Rademaker"),
        ("contact_email", "ria@example.test"),
        ("contact_phone", "0318-123456"),
    ];
    let mut new_organisation = organisation_fields.to_vec();
    new_organisation.extend_from_slice(&[("status", "aspirant"), ("effective_on", &today)]);
    let version = lock_version.to_string();
    let mut organisation_update = organisation_fields.to_vec();
    organisation_update.push(("lock_version", &version));
    let forms = [
        Form::new("new organisation", "/demo/members", &new_organisation).texts(&[
            "name",
            "description",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]),
        Form::new(
            "organisation",
            format!("/demo/members/{organisation}"),
            &organisation_update,
        )
        .texts(&[
            "name",
            "description",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]),
        Form::new(
            "member status",
            format!("/demo/members/{organisation}/status"),
            &[
                ("status", "opgezegd"),
                ("effective_on", &today),
                ("note", "Opgezegd per brief"),
            ],
        )
        .texts(&["note"]),
        Form::new(
            "new service",
            "/demo/services",
            &[
                ("name", "Proefdienst"),
                ("description", "Iets nieuws"),
                ("domains", "wmo"),
                ("areas", "Woudenberg"),
            ],
        )
        .texts(&["name", "description", "areas"]),
        Form::new(
            "service",
            format!("/demo/services/{service}"),
            &[
                ("name", &service_name),
                ("description", ""),
                ("domains", "wmo"),
                ("areas", ""),
            ],
        )
        .texts(&["name", "description", "areas"]),
        Form::new(
            "new working group",
            "/demo/groups",
            &[
                ("topic", "Eenzaamheid"),
                ("description", "Samen tegen eenzaamheid"),
                ("coordinator", &admin.id.to_string()),
            ],
        )
        .texts(&["topic", "description"]),
        Form::new(
            "group notes",
            format!("/demo/groups/{group}/notes"),
            &[("met_on", &today), ("body", "Besproken: de planning")],
        )
        .texts(&["body"]),
        Form::new(
            "group proposal",
            format!("/demo/groups/{group}/proposals"),
            &[
                ("title", "Een buurtkamer"),
                ("proposal", "Wij stellen voor een buurtkamer te openen."),
            ],
        )
        .texts(&["title", "proposal"]),
        Form::new(
            "closing a group",
            format!("/demo/groups/{group}/close"),
            &[("closed_on", &today), ("outcome", "Het plan is uitgevoerd.")],
        )
        .texts(&["outcome"]),
    ];
    for form in &forms {
        refuses_spoiled_texts(&admin, form).await;
    }
}

#[tokio::test]
async fn a_service_name_of_a_megabyte_is_refused_and_a_long_name_never_reaches_a_redirect() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let megabyte = "n".repeat(1_000_000);
    let answer = admin
        .submit(
            "/demo/services",
            &[
                ("name", &megabyte),
                ("description", ""),
                ("domains", "wmo"),
                ("areas", ""),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        super::message_beside(&answer.body, "name").as_deref(),
        Some("Gebruik hier hoogstens 200 tekens.")
    );
    // The longest name allowed goes back to the catalogue filtered on it: a search's length.
    let longest = "é".repeat(200);
    let answer = admin
        .submit(
            "/demo/services",
            &[
                ("name", &longest),
                ("description", ""),
                ("domains", "wmo"),
                ("areas", ""),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(answer.location.len() < 2_500, "{}", answer.location.len());
    let (status, catalogue) = admin.page(&answer.location).await;
    assert_eq!(status, 200);
    assert!(catalogue.contains(&longest));
}
