//! Who reaches the desk: only desk roles, and nothing of another cooperative.

use crate::common::TestApp;

use super::{desk, oz, register, request};

#[tokio::test]
async fn only_desk_roles_open_the_desk_and_residents_files() {
    let app = TestApp::spawn().await;
    for email in ["lid@demo.test", "voorzitter@demo.test", "beheer@demo.test"] {
        let client = app.other_client();
        client.login("demo", email).await;
        // A member organisation's staff are not even told the desk's files exist.
        let refused = if email == "lid@demo.test" { 404 } else { 403 };
        for path in ["/demo/desk", "/demo/residents?q=jan", "/demo/residents/new"] {
            assert_eq!(client.get(path).await.status(), refused, "{email} {path}");
        }
    }
    let team = app.other_client();
    team.login("demo", "team@demo.test").await;
    assert_eq!(team.get("/demo/desk").await.status(), 200);
}

#[tokio::test]
async fn another_cooperatives_residents_and_requests_are_not_found() {
    let app = TestApp::spawn().await;
    desk(&app).await;
    let page = register(&app, &oz()).await;
    let request_page = request(&app, &page, &[("domains", "wmo")]).await;
    let other = app.other_client();
    other.login("demo2", "balie@demo.test").await;
    let resident_id = page.rsplit('/').next().unwrap();
    let request_id = request_page.rsplit('/').next().unwrap();
    for path in [
        format!("/demo2/residents/{resident_id}"),
        format!("/demo2/residents/{resident_id}/edit"),
        format!("/demo2/residents/{resident_id}/requests"),
        format!("/demo2/requests/{request_id}"),
    ] {
        assert_eq!(other.get(&path).await.status(), 404, "{path}");
    }
    let triage = other
        .post_form(
            "/demo2/desk",
            &format!("/demo2/requests/{request_id}/triage"),
            &[("unsafe_at_home", "no"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(triage.status(), 404);
    let search = other.get("/demo2/residents?q=ozturk").await.text().await.unwrap();
    assert!(search.contains("Geen inwoners gevonden."));
    for path in ["/demo/desk", &page, &request_page] {
        assert_eq!(other.get(path).await.status(), 404, "{path}");
    }
}
