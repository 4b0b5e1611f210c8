//! The service catalogue and who offers each service.

use schakel::members::services;
use uuid::Uuid;

use crate::common::TestApp;
use crate::common::records::audit_kinds;
use crate::common::users::User;

use super::count;

#[tokio::test]
async fn the_catalogue_shows_who_offers_each_service() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let (status, body) = admin
        .send(
            "/demo/services",
            &[
                ("name", ""),
                ("description", "Voor wie het zelf niet meer lukt"),
                ("domains", "nope"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Vul de naam van de dienst in.") && body.contains("Kies minstens één domein."));
    assert!(body.contains("Voor wie het zelf niet meer lukt"));
    assert_eq!(count(&app, "SELECT count(*) FROM services").await, 0);

    let help = admin
        .add_service(
            "Huishoudelijke hulp",
            &["wmo"],
            "Woudenberg, Maarsbergen , woudenberg",
        )
        .await;
    let buddy = admin
        .add_service("Maatjesproject", &["wmo", "participatie"], "")
        .await;
    let (status, body) = admin
        .send(
            "/demo/services",
            &[("name", "maatjesproject"), ("domains", "wmo")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Er is al een dienst met deze naam."));
    let mut db = app.owner_connection().await;
    let areas: Vec<String> =
        sqlx::query_scalar("SELECT areas FROM services WHERE name = 'Huishoudelijke hulp'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(areas, ["Woudenberg", "Maarsbergen"]);

    let linde = admin.register("Thuishulp De Linde", "thuishulp", &[&help]).await;
    let _zorg = admin
        .register("Zorgcentrum Het Baken", "ouderenzorg", &[&help])
        .await;
    let gone = admin.register("Hulp Aan Huis", "thuishulp", &[&help]).await;
    assert_eq!(admin.set_status(&gone, "opgezegd", "01-01-2025").await.0, 303);
    let (status, body) = admin
        .send(
            "/demo/members",
            &[
                ("name", "Onbekend"),
                ("kind", "anders"),
                ("status", "lid"),
                ("effective_on", "01-01-2020"),
                ("services", &Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("Kies diensten uit de catalogus."));

    let team = User::login(&app, "demo", "team@demo.test").await;
    let (status, catalogue) = team.page("/demo/services").await;
    assert_eq!(status, 200);
    let row = catalogue
        .split(&format!("id=\"service-{help}\""))
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("Thuishulp De Linde") && row.contains("Zorgcentrum Het Baken"));
    assert!(
        !row.contains("Hulp Aan Huis"),
        "an organisation that left offers nothing"
    );
    assert!(row.contains("Woudenberg, Maarsbergen"));
    assert!(
        catalogue.contains("nog niemand"),
        "nobody offers the buddy project"
    );
    assert!(!catalogue.contains("Nieuwe dienst"), "the team only reads");

    let (_, filtered) = team.page("/demo/services?domain=participatie").await;
    assert!(filtered.contains("Maatjesproject") && !filtered.contains("Huishoudelijke hulp"));
    let (_, by_area) = team.page("/demo/services?q=maarsbergen").await;
    assert!(by_area.contains("Huishoudelijke hulp") && !by_area.contains("Maatjesproject"));

    // What the referral form calls.
    let tenant = app.tenant_id("demo").await;
    let mut tx = schakel::db::tenant_tx(&app.pool, tenant).await.unwrap();
    let listed: Vec<String> = services::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(listed, ["Huishoudelijke hulp", "Maatjesproject"]);
    let providers = services::providers(&mut tx, help.parse().unwrap()).await.unwrap();
    let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Thuishulp De Linde", "Zorgcentrum Het Baken"]);
    assert_eq!(providers[0].id.to_string(), linde);
    assert!(
        services::providers(&mut tx, buddy.parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();

    let (status, edit) = admin.page(&format!("/demo/services/{help}")).await;
    assert_eq!(status, 200);
    assert!(
        edit.contains("Thuishulp De Linde"),
        "the edit page shows who offers it"
    );
    let response = admin
        .post(
            &format!("/demo/services/{help}"),
            &[
                ("name", "Hulp bij het huishouden"),
                ("domains", "wmo"),
                ("areas", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, catalogue) = team.page("/demo/services").await;
    assert!(catalogue.contains("Hulp bij het huishouden") && catalogue.contains("hele gemeente"));
    assert_eq!(
        audit_kinds(&app)
            .await
            .iter()
            .filter(|k| *k == "service_changed")
            .count(),
        3
    );
}
