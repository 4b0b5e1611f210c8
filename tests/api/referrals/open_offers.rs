//! Open offers: the first organisation to accept wins, the others are told so, and passing on
//! leaves the offer to the others.

use uuid::Uuid;

use super::{World, tab_count};

const ALREADY_TAKEN: &str = "Deze doorverwijzing is al door een andere organisatie opgepakt.";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_organisations_accepting_an_open_offer_at_the_same_moment_give_it_to_exactly_one() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let a = w.login("lid@demo.test").await;
    let b = w.login("hulp@demo.test").await;
    let mut unclear = Vec::new();

    for round in 0..8 {
        let purpose = format!("Boodschappen, ronde {round}");
        let referral = w.refer(&lead, &w.target(w.shared, None), &purpose).await;
        let page = format!("/demo/referrals/{referral}");
        assert_eq!(a.status(&page).await, 200, "offered to Zorgcirkel");
        assert_eq!(b.status(&page).await, 200, "offered to Hulp Dichtbij");

        let accept = format!("{page}/accept");
        let (answer_a, answer_b) = tokio::join!(a.submit(&accept, &[]), b.submit(&accept, &[]));
        let won_a = answer_a.status == 303 && answer_a.location == page;
        let won_b = answer_b.status == 303 && answer_b.location == page;
        assert!(
            won_a != won_b,
            "round {round}: exactly one wins: {} {} / {} {}",
            answer_a.status,
            answer_a.location,
            answer_b.status,
            answer_b.location
        );
        let (winner, winner_org, loser, lost) = if won_a {
            (&a, w.org_a, &b, answer_b)
        } else {
            (&b, w.org_b, &a, answer_a)
        };
        // The other is told clearly that someone else was first.
        let told = match lost.status {
            303 if lost.location == "/demo/inbox" => {
                let (_, inbox) = loser.page("/demo/inbox").await;
                inbox.contains(ALREADY_TAKEN)
            }
            409 => lost.body.contains("Dit kan nu niet meer"),
            _ => false,
        };
        if !told {
            unclear.push(format!("round {round}: {} {}", lost.status, lost.location));
        }
        let (status, organisation, handled_by): (String, Option<Uuid>, Option<Uuid>) = {
            let mut db = w.app.owner_connection().await;
            sqlx::query_as("SELECT status, organisation_id, handled_by FROM referrals WHERE id = $1")
                .bind(referral)
                .fetch_one(&mut db)
                .await
                .unwrap()
        };
        assert_eq!(status, "geaccepteerd");
        assert_eq!(organisation, Some(winner_org), "round {round}");
        assert_eq!(handled_by, Some(winner.id));
        assert_eq!(
            w.count(
                "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
                referral
            )
            .await,
            1,
            "round {round}: exactly one plan action"
        );
        assert_eq!(
            w.count(
                "SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'geaccepteerd'",
                referral
            )
            .await,
            1
        );
        assert_eq!(w.notified(referral, "referral_accepted").await, vec![lead.id]);
        // For the other organisation it has disappeared.
        assert_eq!(loser.status(&page).await, 404);
        let (_, inbox) = loser.page("/demo/inbox").await;
        assert!(!inbox.contains(&purpose));
        assert_eq!(winner.status(&page).await, 200);
    }
    assert!(
        unclear.is_empty(),
        "the organisation that was second must be told the referral was taken, not get \
         'Pagina niet gevonden' (404): {unclear:?}"
    );
}

#[tokio::test]
async fn an_organisation_accepting_an_open_offer_just_taken_by_another_is_told_so() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let a = w.login("lid@demo.test").await;
    let b = w.login("hulp@demo.test").await;
    let referral = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    // Both have the referral open; Zorgcirkel accepts first.
    let page = format!("/demo/referrals/{referral}");
    assert_eq!(a.status(&page).await, 200);
    assert_eq!(b.status(&page).await, 200);
    assert_eq!(a.step(referral, "accept", &[]).await.status, 303);

    // A moment later Hulp Dichtbij presses "Accepteren" on the page it still has open.
    let late = b.step(referral, "accept", &[]).await;
    assert!(
        (late.status == 303 && late.location == "/demo/inbox") || late.status == 409,
        "the late organisation is told the referral was taken, not 'page not found': {} {}",
        late.status,
        late.body
    );
    if late.status == 303 {
        let (_, inbox) = b.page("/demo/inbox").await;
        assert!(inbox.contains(ALREADY_TAKEN));
    }
    let organisation: Option<Uuid> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT organisation_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(organisation, Some(w.org_a));
}

#[tokio::test]
async fn an_organisation_passing_on_an_open_offer_leaves_it_to_the_others() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let a = w.login("lid@demo.test").await;
    let b = w.login("hulp@demo.test").await;
    let referral = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;

    let answer = b
        .step(
            referral,
            "decline",
            &[("reason", "geen_capaciteit"), ("note", "")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location, "/demo/inbox");
    assert_eq!(b.status(&format!("/demo/referrals/{referral}")).await, 404);
    let (_, inbox) = b.page("/demo/inbox").await;
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    let (status, organisation): (String, Option<Uuid>) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT status, organisation_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!((status.as_str(), organisation), ("verstuurd", None), "still open");
    assert_eq!(
        w.count(
            "SELECT count(*) FROM referral_passes WHERE referral_id = $1",
            referral
        )
        .await,
        1
    );
    assert_eq!(a.status(&format!("/demo/referrals/{referral}")).await, 200);
    let (_, inbox) = a.page("/demo/inbox").await;
    assert!(inbox.contains("Boodschappen"));

    // The last organisation offering it says no too: now it is declined.
    let answer = a
        .step(referral, "decline", &[("reason", "past_niet"), ("note", "")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (status, organisation, reason): (String, Option<Uuid>, Option<String>) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT status, organisation_id, decline_reason FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(status, "afgewezen");
    assert_eq!(organisation, Some(w.org_a));
    assert_eq!(reason.as_deref(), Some("past_niet"));
    assert!(w.notified(referral, "referral_declined").await.contains(&lead.id));
}

#[tokio::test]
async fn one_organisation_passing_on_an_open_offer_does_not_tell_the_lead_it_was_declined() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let b = w.login("hulp@demo.test").await;
    let referral = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    let answer = b
        .step(
            referral,
            "decline",
            &[("reason", "geen_capaciteit"), ("note", "")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        w.status_of(referral).await,
        "verstuurd",
        "still open for Zorgcirkel"
    );
    assert!(
        w.notified(referral, "referral_declined").await.is_empty(),
        "the lead is told 'Doorverwijzing afgewezen' while the offer is still open for others"
    );
}
