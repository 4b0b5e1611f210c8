//! Rights and tenants: only administrators change the register, the catalogue and the groups,
//! another cooperative's are not found, and the demo cooperative's register.

use schakel::demo;
use uuid::Uuid;

use crate::common::TestApp;
use crate::common::users::User;

use super::count;

#[tokio::test]
async fn only_administrators_change_the_register_the_catalogue_and_the_groups() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let id = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let service = admin.add_service("Huishoudelijke hulp", &["wmo"], "").await;
    let member_id = app.user_id("demo", "lid@demo.test").await;

    for email in [
        "team@demo.test",
        "procesmanager@demo.test",
        "voorzitter@demo.test",
    ] {
        let reader = User::login(&app, "demo", email).await;
        let (status, page) = reader.page(&format!("/demo/members/{id}")).await;
        assert_eq!(status, 200, "{email}");
        assert!(
            !page.contains("/status\"") && !page.contains("/edit\""),
            "{email}: no editing"
        );
        assert_eq!(reader.page("/demo/members").await.0, 200, "{email}");
        assert_eq!(reader.page("/demo/services").await.0, 200, "{email}");
        for path in [
            "/demo/members/new".to_owned(),
            format!("/demo/members/{id}/edit"),
            "/demo/services/new".to_owned(),
            format!("/demo/services/{service}"),
            "/demo/groups/new".to_owned(),
        ] {
            assert_eq!(reader.page(&path).await.0, 403, "{email} {path}");
        }
        for (path, fields) in [
            (
                "/demo/members".to_owned(),
                vec![
                    ("name", "X"),
                    ("kind", "welzijn"),
                    ("status", "lid"),
                    ("effective_on", "01-01-2020"),
                ],
            ),
            (
                format!("/demo/members/{id}"),
                vec![("name", "X"), ("kind", "welzijn"), ("lock_version", "1")],
            ),
            (
                format!("/demo/members/{id}/status"),
                vec![("status", "ontzet"), ("effective_on", "01-01-2025")],
            ),
            (
                format!("/demo/members/{id}/users"),
                vec![("user", member_id.as_str())],
            ),
            (
                "/demo/services".to_owned(),
                vec![("name", "X"), ("domains", "wmo")],
            ),
            (
                format!("/demo/services/{service}"),
                vec![("name", "X"), ("domains", "wmo")],
            ),
        ] {
            assert_eq!(reader.post(&path, &fields).await.status(), 403, "{email} {path}");
        }
    }
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    assert_eq!(desk.page("/demo/members").await.0, 403);
    assert_eq!(
        count(&app, "SELECT count(*) FROM organisations WHERE status = 'ontzet'").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM services WHERE name = 'X'").await,
        0
    );

    let (_, home) = desk.page("/demo/").await;
    assert!(
        !home.contains("/demo/members\""),
        "no link to what the user may not use"
    );
    let (_, home) = admin.page("/demo/").await;
    for link in ["/demo/members\"", "/demo/services\"", "/demo/groups\""] {
        assert!(home.contains(link), "{link}");
    }
}

#[tokio::test]
async fn another_cooperatives_organisations_services_and_groups_are_not_found() {
    let app = TestApp::spawn().await;
    let demo2 = app.tenant_id("demo2").await;
    let mut db = app.owner_connection().await;
    let organisation: Uuid = sqlx::query_scalar(
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since)
         VALUES ($1, 'Buurtzorg Elders', 'ouderenzorg', 'lid', '2020-01-01') RETURNING id",
    )
    .bind(demo2)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let service: Uuid = sqlx::query_scalar(
        "INSERT INTO services (tenant_id, name, domains) VALUES ($1, 'Dienst Elders', '{wmo}') RETURNING id",
    )
    .bind(demo2)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let group: Uuid = sqlx::query_scalar(
        "INSERT INTO working_groups (tenant_id, topic) VALUES ($1, 'Groep Elders') RETURNING id",
    )
    .bind(demo2)
    .fetch_one(&mut db)
    .await
    .unwrap();

    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    for path in [
        format!("/demo/members/{organisation}"),
        format!("/demo/members/{organisation}/edit"),
        format!("/demo/members/{}", Uuid::new_v4()),
        "/demo/members/geen-id".to_owned(),
        format!("/demo/services/{service}"),
        format!("/demo/groups/{group}"),
        format!("/demo/groups/{group}/edit"),
    ] {
        assert_eq!(admin.page(&path).await.0, 404, "{path}");
    }
    for (path, fields) in [
        (
            format!("/demo/members/{organisation}"),
            vec![
                ("name", "Overgenomen"),
                ("kind", "welzijn"),
                ("lock_version", "1"),
            ],
        ),
        (
            format!("/demo/members/{organisation}/status"),
            vec![("status", "ontzet"), ("effective_on", "01-01-2025")],
        ),
        (
            format!("/demo/services/{service}"),
            vec![("name", "Overgenomen"), ("domains", "wmo")],
        ),
        (
            format!("/demo/groups/{group}/notes"),
            vec![("met_on", "01-01-2025"), ("body", "Hallo")],
        ),
        (
            format!("/demo/groups/{group}/close"),
            vec![("closed_on", "01-01-2025"), ("outcome", "Klaar")],
        ),
    ] {
        assert_eq!(admin.post(&path, &fields).await.status(), 404, "{path}");
    }
    let (_, register) = admin.page("/demo/members").await;
    let (_, catalogue) = admin.page("/demo/services").await;
    let (_, groups) = admin.page("/demo/groups").await;
    assert!(!register.contains("Buurtzorg Elders") && !catalogue.contains("Dienst Elders"));
    assert!(!groups.contains("Groep Elders"));
    // A service of another cooperative cannot be offered, nor another's organisation join a group.
    let id = admin.register("Thuishulp De Linde", "thuishulp", &[]).await;
    let edit = admin
        .send(
            &format!("/demo/members/{id}"),
            &[
                ("name", "Thuishulp De Linde"),
                ("kind", "thuishulp"),
                ("lock_version", "1"),
                ("services", &service.to_string()),
            ],
        )
        .await;
    assert_eq!(edit.0, 422);
    let admin_id = app.user_id("demo", "beheer@demo.test").await;
    let (status, _) = admin
        .send(
            "/demo/groups",
            &[
                ("topic", "Samen"),
                ("coordinator", &admin_id),
                ("organisations", &organisation.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(organisation)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(name, "Buurtzorg Elders");
}

#[tokio::test]
async fn the_demo_cooperative_has_a_member_register_with_working_groups() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    for _ in 0..2 {
        demo::load_history(&owner).await.unwrap();
    }
    let mut db = app.owner_connection().await;
    let (organisations, kinds, current): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT kind), count(*) FILTER (WHERE status IN ('aspirant', 'lid'))
         FROM organisations o JOIN tenants t ON t.id = o.tenant_id WHERE t.slug = 'demo'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    // One member was expelled by the demo assembly.
    assert_eq!(
        (organisations, kinds, current),
        (23, 10, 22),
        "loaded once, every kind"
    );
    let unoffered = count(
        &app,
        "SELECT count(*) FROM services s WHERE NOT EXISTS
             (SELECT FROM organisation_services os WHERE os.service_id = s.id)",
    )
    .await;
    assert_eq!(unoffered, 0, "every service has a provider");
    let (groups, closed) = (
        count(&app, "SELECT count(*) FROM working_groups").await,
        count(
            &app,
            "SELECT count(*) FROM working_groups WHERE closed_on IS NOT NULL",
        )
        .await,
    );
    assert_eq!((groups, closed), (2, 1));

    let member = User::login(&app, "demo", "lid@demo.test").await;
    let (_, list) = member.page("/demo/groups").await;
    assert!(list.contains("Ouderen langer thuis") && !list.contains("Statushouders"));
    let team = User::login(&app, "demo", "team@demo.test").await;
    let (_, catalogue) = team.page("/demo/services?q=huishoudelijke").await;
    assert!(catalogue.contains("Thuishulp De Linde") && catalogue.contains("Hulp in Huis Woudenberg"));
}
