//! Two web servers on one database, as behind a proxy: what a server keeps between requests
//! (kept case pages, team queues, member inboxes) never hides a change made through the other
//! one, and each periodic job runs on one server per turn.

use std::time::Duration;

use crate::api::cases::kept::queue_row;
use crate::api::referrals::World;
use crate::common::users::User;

/// The same user, through another server: the same cookies, so the same session.
fn through(user: &User, server: &crate::common::TestApp) -> User {
    User {
        app: user.app.at(server),
        token: user.token.clone(),
        id: user.id,
    }
}

#[tokio::test]
async fn a_change_through_one_server_shows_at_once_through_the_other() {
    let w = World::new().await;
    let b = w.app.second_server().await;
    let lead = w.login("team@demo.test").await;
    let lead_b = through(&lead, &b);
    let lid = w.login("lid@demo.test").await;
    let case = w.case_path();

    // The case page, seen twice through A (the second view is the kept one); a consent
    // recorded through B shows through A at once.
    let tab = format!("{case}/tab/referrals");
    for _ in 0..2 {
        let (status, page) = lead.page(&tab).await;
        assert_eq!(status, 200);
        assert!(!page.contains("Hulp thuis regelen"));
    }
    w.consent(&lead_b, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let (_, page) = lead.page(&tab).await;
    assert!(page.contains("Hulp thuis regelen"), "the case page through A");

    // A member's inbox: a referral sent through B.
    for _ in 0..2 {
        let (status, page) = lid.page("/demo/inbox?tab=new").await;
        assert_eq!(status, 200);
        assert!(!page.contains("Maatjescontact"));
    }
    w.refer(&lead_b, &w.target(w.own, Some(w.org_a)), "Een maatje")
        .await;
    let (_, page) = lid.page("/demo/inbox?tab=new").await;
    assert!(page.contains("Maatjescontact"), "the inbox through A");

    // The team queue: the lead handed over through B.
    let queue = "/demo/team?tab=open&sort=age";
    let case_id = w.case.to_string();
    for _ in 0..2 {
        let (status, page) = lead.page(queue).await;
        assert_eq!(status, 200);
        let row = queue_row(&page, &case_id).expect("the case in the queue");
        assert!(
            row.contains("Tom Teamlid") && !row.contains("Priya Procesmanager"),
            "{row}"
        );
    }
    let mut db = w.app.owner_connection().await;
    let lock: i32 = sqlx::query_scalar("SELECT lock_version FROM cases WHERE id = $1")
        .bind(w.case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let priya = w.app.user_id("demo", "procesmanager@demo.test").await;
    let answer = lead_b
        .submit(
            &format!("{case}/lead"),
            &[
                ("lock_version", &lock.to_string()),
                ("lead", &priya),
                ("note", "Priya neemt het over."),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lead.page(queue).await;
    let row = queue_row(&page, &case_id).expect("the case in the queue");
    assert!(row.contains("Priya Procesmanager"), "the queue through A: {row}");
}

#[tokio::test]
async fn a_periodic_job_runs_on_one_server_per_turn() {
    let app = crate::common::TestApp::spawn().await;
    let b = app.second_server().await;
    let period = Duration::from_secs(60);
    // Both servers ask at once: one gets the turn.
    let (first, second) = tokio::join!(
        schakel::jobs::claim(&app.pool, "test_job", period),
        schakel::jobs::claim(&b.pool, "test_job", period)
    );
    assert!(first.unwrap() ^ second.unwrap(), "exactly one server runs it");
    // Neither runs it again while the turn is running, nor after it ended within the period.
    assert!(!schakel::jobs::claim(&b.pool, "test_job", period).await.unwrap());
    schakel::jobs::finish(&app.pool, "test_job").await.unwrap();
    assert!(!schakel::jobs::claim(&app.pool, "test_job", period).await.unwrap());
    assert!(!schakel::jobs::claim(&b.pool, "test_job", period).await.unwrap());
    // Once the period has passed, the next turn goes to whoever asks first.
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE job_runs SET started_at = now() - interval '61 seconds' WHERE name = 'test_job'")
        .execute(&mut db)
        .await
        .unwrap();
    assert!(schakel::jobs::claim(&b.pool, "test_job", period).await.unwrap());
    assert!(!schakel::jobs::claim(&app.pool, "test_job", period).await.unwrap());
    let runs: i64 = sqlx::query_scalar("SELECT runs FROM job_runs WHERE name = 'test_job'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(runs, 2);
}
