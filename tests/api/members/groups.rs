//! Working groups: kept by administrators, closed with an outcome, and seen by member staff of
//! their own organisations only.

use uuid::Uuid;

use crate::common::TestApp;
use crate::common::records::audit_kinds;
use crate::common::users::User;

use super::count;

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
