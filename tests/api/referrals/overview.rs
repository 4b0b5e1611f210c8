//! The overview's figures per organisation.

use super::{REPORT, World, row_cells, section};

#[tokio::test]
async fn the_overview_gives_each_organisations_figures() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let decline = [("reason", "geen_capaciteit"), ("note", "")];

    // Zorgcirkel: five received, three accepted (one finished), one declined, one waiting.
    let a1 = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "a1").await;
    let a2 = w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "a2").await;
    let a3 = w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "a3").await;
    let a4 = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "a4").await;
    let o1 = w.refer(&lead, &w.target(w.shared, None), "o1").await;
    // Hulp Dichtbij: two received, one accepted, one declined.
    let b1 = w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "b1").await;
    let b2 = w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "b2").await;
    // Still open to everyone: nobody's yet.
    w.refer(&lead, &w.target(w.shared, None), "o2").await;

    for referral in [a1, a2, o1] {
        assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    }
    assert_eq!(lid.step(a2, "start", &[]).await.status, 303);
    assert_eq!(lid.step(a2, "finish", REPORT).await.status, 303);
    assert_eq!(lid.step(a3, "decline", &decline).await.status, 303);
    assert_eq!(hulp.step(b1, "decline", &decline).await.status, 303);
    assert_eq!(hulp.step(b2, "accept", &[]).await.status, 303);

    // Known times: accepted after 2, 4 and 9 hours (median 4), finished after 3 days; Hulp
    // Dichtbij accepted after 1.5 hours.
    {
        let mut db = w.app.owner_connection().await;
        for (referral, accepted_after) in [
            (a1, "2 hours"),
            (a2, "4 hours"),
            (o1, "9 hours"),
            (b2, "90 minutes"),
        ] {
            sqlx::query(
                "UPDATE referrals SET
                     sent_at = make_timestamptz(extract(year FROM now() AT TIME ZONE 'Europe/Amsterdam')::int, 3, 2, 9, 0, 0,
                                                'Europe/Amsterdam'),
                     answered_at = make_timestamptz(extract(year FROM now() AT TIME ZONE 'Europe/Amsterdam')::int, 3, 2, 9, 0, 0,
                                                    'Europe/Amsterdam') + $2::interval
                 WHERE id = $1",
            )
            .bind(referral)
            .bind(accepted_after)
            .execute(&mut db)
            .await
            .unwrap();
        }
        sqlx::query("UPDATE referrals SET started_at = answered_at, finished_at = sent_at + interval '3 days' WHERE id = $1")
            .bind(a2)
            .execute(&mut db)
            .await
            .unwrap();
    }
    w.answer_due_in(a4, -2).await;

    let admin = w.login("beheer@demo.test").await;
    let (status, page) = admin.page("/demo/referrals/overview").await;
    assert_eq!(status, 200, "{page}");
    // Organisation, received, accepted, declined, median hours to accept, median days to
    // finish, overdue now.
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Zorgcirkel Testdorp"),
        ["Zorgcirkel Testdorp", "5", "3", "1", "4,0", "3,0", "1"]
    );
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Hulp Dichtbij Testdorp"),
        ["Hulp Dichtbij Testdorp", "2", "1", "1", "1,5", "—", "0"]
    );
    // Another year: nothing sent then, but what is overdue now stays overdue.
    let (status, page) = admin.page("/demo/referrals/overview?year=2020").await;
    assert_eq!(status, 200);
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Zorgcirkel Testdorp"),
        ["Zorgcirkel Testdorp", "0", "0", "0", "—", "—", "1"]
    );

    let pm = w.login("procesmanager@demo.test").await;
    assert_eq!(pm.status("/demo/referrals/overview").await, 200);
    assert_eq!(lead.status("/demo/referrals/overview").await, 403);
    assert_eq!(lid.status("/demo/referrals/overview").await, 403);
}
