//! The general assembly's forms: spoiled texts are refused beside their field and nothing is
//! stored.

use super::{Form, app_with_history, date_in, refuses_spoiled_texts};
use crate::common::location;
use crate::common::users::User;

#[tokio::test]
async fn the_assembly_forms_refuse_control_characters_and_long_texts_beside_the_field() {
    let app = app_with_history().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let date = date_in(&app, 30).await;
    let meeting_fields = [
        ("title", "Algemene ledenvergadering"),
        ("date", date.as_str()),
        ("time", "19:30"),
        ("place", "Het Cultuurhuis"),
        ("video_url", ""),
    ];
    let response = admin.post("/demo/assembly", &meeting_fields).await;
    assert_eq!(response.status(), 303);
    let meeting = location(&response).to_owned();
    let item_fields = [
        ("parent", ""),
        ("kind", "bespreking"),
        ("title", "Jaarplan"),
        ("description", "Bespreking van het jaarplan"),
        ("proposal", ""),
        ("decision_kind", ""),
        ("organisation", ""),
        ("reasons", ""),
    ];
    let response = admin.post(&format!("{meeting}/items"), &item_fields).await;
    assert_eq!(response.status(), 303);
    let mut db = app.owner_connection().await;
    let meeting_id = meeting.rsplit('/').next().unwrap().to_owned();
    let (item, version): (String, String) = sqlx::query_as(
        "SELECT i.id::text, m.lock_version::text FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
         WHERE m.id = $1::uuid AND i.title = 'Jaarplan'",
    )
    .bind(&meeting_id)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let decision: String = sqlx::query_scalar(
        "SELECT d.id::text FROM decisions d JOIN tenants t ON t.id = d.tenant_id WHERE t.slug = 'demo' LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let mut meeting_update = meeting_fields.to_vec();
    meeting_update.push(("lock_version", &version));
    let forms = [
        Form::new("new meeting", "/demo/assembly", &meeting_fields).texts(&["title", "place", "video_url"]),
        Form::new("meeting", &meeting, &meeting_update).texts(&["title", "place", "video_url"]),
        Form::new("new agenda item", format!("{meeting}/items"), &item_fields).texts(&[
            "title",
            "description",
            "proposal",
            "reasons",
        ]),
        Form::new("agenda item", format!("{meeting}/items/{item}"), &item_fields).texts(&[
            "title",
            "description",
            "proposal",
            "reasons",
        ]),
        Form::new(
            "decision action",
            format!("/demo/assembly/decisions/{decision}/actions"),
            &[
                ("description", "Brief sturen"),
                ("owner", "Secretaris"),
                ("due_on", ""),
            ],
        )
        .texts(&["description", "owner"]),
    ];
    for form in &forms {
        refuses_spoiled_texts(&admin, form).await;
    }

    // The secretary's notes per item, once the meeting is in session.
    sqlx::query("UPDATE meetings SET status = 'geopend', convened_at = now() WHERE id = $1::uuid")
        .bind(&meeting_id)
        .execute(&mut db)
        .await
        .unwrap();
    let notes = Form::new(
        "item notes",
        format!("{meeting}/items/{item}/notes"),
        &[("notes", "Het jaarplan is besproken.")],
    )
    .text_at("notes", format!("notes-{item}"));
    refuses_spoiled_texts(&admin, &notes).await;
}
