//! The demo's working day: whoever logs in to the demo cooperative finds work waiting on the
//! start page, and loading the demo again changes nothing.

use crate::common::TestApp;

/// The demo accounts and the lines of work their start page shows (by element id).
const WAITING: &[(&str, &[&str])] = &[
    ("balie@demo.test", &["waiting-untriaged", "waiting-follow-ups"]),
    ("team@demo.test", &["waiting-unassigned", "waiting-overdue-terms"]),
    (
        "procesmanager@demo.test",
        &["waiting-unassigned", "waiting-overdue-terms"],
    ),
    ("lid@demo.test", &["waiting-new-referrals", "waiting-meeting"]),
    ("beheer@demo.test", &["waiting-meeting"]),
    ("voorzitter@demo.test", &["waiting-meeting"]),
    ("welzijn-woudenberg@demo.test", &["waiting-meeting"]),
];

/// What the working day consists of, counted in the database.
async fn census(db: &mut sqlx::PgConnection) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT x FROM (VALUES
             ((SELECT count(*) FROM requests WHERE triage IS NULL)),
             ((SELECT count(*) FROM tasks WHERE kind = 'follow_up' AND done_at IS NULL)),
             ((SELECT count(*) FROM tasks WHERE kind = 'follow_up' AND follow_up_result IS NOT NULL)),
             ((SELECT count(*) FROM requests)),
             ((SELECT count(*) FROM cases)),
             ((SELECT count(*) FROM referrals))) AS v(x)",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_demo_role_starts_the_day_with_work_waiting() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let loaded = census(&mut db).await;
    schakel::demo::load_history(&owner).await.unwrap();
    assert_eq!(census(&mut db).await, loaded, "loading again adds nothing");

    for (email, lines) in WAITING {
        let user = app.other_client();
        user.login("demo", email).await;
        let start = user.get("/demo/").await.text().await.unwrap();
        for id in *lines {
            assert!(
                start.contains(&format!("<li id=\"{id}\">")),
                "{email} sees {id}: {start}"
            );
        }
    }

    // The desk's follow-up calls: one late, one for today, two coming — on a day the desk is
    // closed (a weekend, a holiday) the call for today moves to the next working day.
    let today = crate::common::records::today(&app).await;
    let working_day = schakel::calendar::statutory_due(today, 0) == today;
    let (for_today, coming) = if working_day { (1, 2) } else { (0, 3) };
    let desk = app.other_client();
    desk.login("demo", "balie@demo.test").await;
    let page = desk.get("/demo/desk").await.text().await.unwrap();
    let calls = &page[page.find("id=\"follow-ups\"").unwrap()..];
    let calls = &calls[..calls.find("</ul>").unwrap()];
    assert_eq!(calls.matches(">Te laat<").count(), 1, "{calls}");
    assert_eq!(calls.matches(">Vandaag bellen<").count(), for_today, "{calls}");
    assert_eq!(calls.matches(">Komt nog<").count(), coming, "{calls}");

    // The cooperative can be reached.
    let phone: String = sqlx::query_scalar(
        "SELECT s.contact_phone FROM tenant_settings s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = 'demo'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(!phone.is_empty());
}
