//! Searches and filters: a control character or an over-long value in the query string is
//! invalid input (422 with the layout's page), never a 500; the way back after login carries
//! no more than a search.

use crate::api::referrals::World;
use crate::common::location;
use crate::common::users::User;

/// Every page that reads its query string, by who may see it, with the parameters it reads.
const PAGES: &[(&str, &str, &[&str])] = &[
    ("balie@demo.test", "/demo/residents", &["q", "page"]),
    ("balie@demo.test", "/demo/residents/new", &["q"]),
    ("balie@demo.test", "/demo/requests/{request}", &["q"]),
    ("beheer@demo.test", "/demo/members", &["q", "status", "page"]),
    ("beheer@demo.test", "/demo/services", &["q", "domain", "page"]),
    ("beheer@demo.test", "/demo/groups", &["page"]),
    ("beheer@demo.test", "/demo/admin/users", &["q", "page"]),
    // The purpose of a privacy search may be a longer text over lines; the form says what is
    // missing beside its field (tests/api/administrators.rs).
    (
        "beheer@demo.test",
        "/demo/admin/privacy",
        &["resident_name", "page"],
    ),
    (
        "beheer@demo.test",
        "/demo/admin/audit",
        &["user", "kind", "resident", "from", "to", "page"],
    ),
    (
        "beheer@demo.test",
        "/demo/reports",
        &["period", "at", "from", "to"],
    ),
    ("beheer@demo.test", "/demo/reports/annual", &["year"]),
    (
        "beheer@demo.test",
        "/demo/reports/requests",
        &[
            "period", "at", "from", "to", "domain", "channel", "triage", "page",
        ],
    ),
    (
        "beheer@demo.test",
        "/demo/reports/cases?view=open",
        &["status", "escalation", "page"],
    ),
    (
        "beheer@demo.test",
        "/demo/reports/referrals",
        &["period", "at", "kind", "status", "page"],
    ),
    (
        "beheer@demo.test",
        "/demo/reports/export/assembly-meetings.csv",
        &["period", "at", "from", "to"],
    ),
    ("beheer@demo.test", "/demo/assembly", &["page"]),
    ("beheer@demo.test", "/demo/assembly/representatives", &["page"]),
    ("beheer@demo.test", "/demo/assembly/decisions", &["page"]),
    ("team@demo.test", "/demo/team", &["tab", "sort", "page"]),
    ("team@demo.test", "/demo/team/terms", &["year"]),
    ("team@demo.test", "/demo/cases/{case}/tab/journal", &["corrects"]),
    ("team@demo.test", "/demo/cases/{case}/journal", &["page"]),
    ("lid@demo.test", "/demo/inbox", &["tab", "page"]),
    ("lid@demo.test", "/demo/notifications", &["page"]),
    (
        "procesmanager@demo.test",
        "/demo/referrals/overview",
        &["tab", "page", "year"],
    ),
];

#[tokio::test]
async fn a_control_character_or_a_long_value_in_any_search_or_filter_is_refused_never_a_500() {
    let world = World::new().await;
    let app = &world.app;
    let mut db = app.owner_connection().await;
    let request: String = sqlx::query_scalar("SELECT request_id::text FROM cases WHERE id = $1")
        .bind(world.case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let long = "x".repeat(300);
    let mut users: Vec<(&str, User)> = Vec::new();
    for (email, path, parameters) in PAGES {
        if !users.iter().any(|(e, _)| e == email) {
            users.push((email, world.login(email).await));
        }
        let user = &users.iter().find(|(e, _)| e == email).unwrap().1;
        let path = path
            .replace("{request}", &request)
            .replace("{case}", &world.case.to_string());
        assert_eq!(user.status(&path).await, 200, "{path} without a query");
        for parameter in *parameters {
            for (what, value) in [
                ("%00", "%00"),
                ("%1B", "ab%1Bcd"),
                ("a line break", "a%0Ab"),
                ("300 characters", long.as_str()),
            ] {
                let separator = if path.contains('?') { '&' } else { '?' };
                let (status, body) = user.page(&format!("{path}{separator}{parameter}={value}")).await;
                assert_eq!(status, 422, "{path}?{parameter}= {what}");
                assert!(
                    body.contains("Dit kan zo niet worden verwerkt"),
                    "{path}: the layout's page"
                );
            }
        }
    }
    // An ordinary search still finds what it should.
    let desk = &users[0].1;
    let (status, body) = desk.page("/demo/residents?q=Welkoop").await;
    assert_eq!(status, 200);
    assert!(body.contains("Welkoop"));
}

#[tokio::test]
async fn the_way_back_after_login_carries_no_more_than_a_search() {
    let world = World::new().await;
    let stranger = world.app.other_client();
    let short = stranger.get("/demo/residents?q=jansen").await;
    assert_eq!(
        location(&short),
        "/demo/login?next=%2Fdemo%2Fresidents%3Fq%3Djansen"
    );
    let long = format!("/demo/residents?q={}", "x".repeat(5_000));
    let response = stranger.get(&long).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/login?next=%2Fdemo%2Fresidents");
}
