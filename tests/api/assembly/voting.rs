//! Voting: quorum, majorities, proxies, one vote per member, nothing after the close, many votes
//! at once, secret ballots, re-votes and votes by show of hands.

use uuid::Uuid;

use crate::common::location;
use crate::common::pages::last_segment;
use crate::common::users::User;

use super::{Assembly, add_member, futures_reps};

#[tokio::test]
async fn a_poll_opens_only_when_the_quorum_is_met() {
    let a = Assembly::new(4).await;
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "gewoon", None).await;
    a.in_session(&meeting).await;
    a.attend(&meeting, 0, "aanwezig", None).await;
    let (status, body) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 409);
    assert!(body.contains("1 van 4 stemgerechtigde leden"), "{body}");
    // Half of the voting members is the default quorum.
    a.attend(&meeting, 1, "volmacht", Some(0)).await;
    let (status, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303, "{poll}");
    let mut db = a.db().await;
    let (electorate, present): (i32, i32) =
        sqlx::query_as("SELECT electorate, present FROM polls WHERE id = $1::uuid")
            .bind(&poll)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((electorate, present), (4, 2));
}

#[tokio::test]
async fn each_kind_of_decision_needs_its_majority_and_abstentions_count_only_when_the_statutes_say_so() {
    let a = Assembly::new(6).await;
    // An admission needs two thirds: 4 of 6 is enough, 3 for and 2 against is not.
    let candidate = {
        let mut db = a.db().await;
        add_member(&mut db, a.tenant, "Aspirant", "aspirant").await
    };
    let (meeting, item) = a.ready("toelating", Some(candidate)).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps: Vec<User> = futures_reps(&a, 6).await;
    for (i, choice) in ["voor", "voor", "voor", "tegen", "tegen", "onthouding"]
        .iter()
        .enumerate()
    {
        assert_eq!(a.vote(&reps[i], &meeting, &poll, i, choice).await, 303);
    }
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(
        a.result(&poll).await,
        (3, 2, 1, false),
        "60% of the votes cast is less than two thirds"
    );

    // An ordinary decision: more than half of the votes cast, abstentions not counted.
    let item = a.decision_item_in_session(&meeting, "gewoon").await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    for (i, choice) in ["voor", "voor", "tegen", "onthouding", "onthouding", "onthouding"]
        .iter()
        .enumerate()
    {
        a.vote(&reps[i], &meeting, &poll, i, choice).await;
    }
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (2, 1, 3, true));

    // When the statutes count abstentions, the same votes reject the proposal.
    a.set_rules(&[("abstentions_count", "on")]).await;
    let item = a.decision_item_in_session(&meeting, "gewoon").await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    for (i, choice) in ["voor", "voor", "tegen", "onthouding", "onthouding", "onthouding"]
        .iter()
        .enumerate()
    {
        a.vote(&reps[i], &meeting, &poll, i, choice).await;
    }
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (2, 1, 3, false));

    // A statute amendment with exactly two thirds is adopted.
    let item = a.decision_item_in_session(&meeting, "statutenwijziging").await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    for (i, choice) in ["voor", "voor", "voor", "voor", "tegen", "tegen"]
        .iter()
        .enumerate()
    {
        a.vote(&reps[i], &meeting, &poll, i, choice).await;
    }
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (4, 2, 0, true));
}

#[tokio::test]
async fn proxies_are_limited_and_whoever_gave_one_votes_only_through_its_holder() {
    let a = Assembly::new(4).await;
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "gewoon", None).await;
    a.in_session(&meeting).await;
    assert_eq!(a.attend(&meeting, 1, "aanwezig", None).await.0, 303);
    assert_eq!(a.attend(&meeting, 0, "volmacht", Some(1)).await.0, 303);
    // One proxy per attendee by default.
    let (status, body) = a.attend(&meeting, 2, "volmacht", Some(1)).await;
    assert_eq!(status, 422);
    assert!(body.contains("al het maximum aantal volmachten"), "{body}");
    // A member that gave a proxy cannot hold one.
    let (status, _) = a.attend(&meeting, 2, "volmacht", Some(0)).await;
    assert_eq!(status, 422);
    // A proxy without a written note is refused.
    let (status, _) = a
        .admin
        .send(
            &format!("/demo/assembly/{meeting}/attendance"),
            &[
                ("organisation", &a.members[3].to_string()),
                ("presence", "volmacht"),
                ("proxy_holder", &a.members[2].to_string()),
                ("proxy_note", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    let mut db = a.db().await;
    let proxies: i64 = sqlx::query_scalar("SELECT count(*) FROM attendance WHERE presence = 'volmacht'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(proxies, 1, "nothing of the refused proxies is stored");

    let (status, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303, "{poll}");
    let giver = a.rep(0).await;
    let holder = a.rep(1).await;
    assert_eq!(
        a.vote(&giver, &meeting, &poll, 0, "tegen").await,
        403,
        "the giver cannot vote itself"
    );
    assert_eq!(
        a.vote(&holder, &meeting, &poll, 0, "voor").await,
        303,
        "the holder votes for it"
    );
    assert_eq!(a.vote(&holder, &meeting, &poll, 1, "voor").await, 303);
    assert_eq!(
        a.vote(&holder, &meeting, &poll, 2, "voor").await,
        403,
        "not for anyone else"
    );
    let (_, page) = holder
        .page(&format!("/demo/assembly/{meeting}/polls/{poll}"))
        .await;
    assert!(page.contains("met volmacht"), "the holder sees the vote it holds");
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (2, 0, 0, true));
}

#[tokio::test]
async fn one_vote_per_member_changeable_until_the_close_and_nothing_after_it() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let rep = a.rep(0).await;
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "voor").await, 303);
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "tegen").await, 303);
    // Results stay hidden while the poll is open.
    let (_, page) = rep.page(&format!("/demo/assembly/{meeting}/polls/{poll}")).await;
    assert!(page.contains("1 van 2 leden hebben gestemd"), "{page}");
    assert!(!page.contains("id=\"poll-counts\""));
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(
        a.vote(&rep, &meeting, &poll, 0, "voor").await,
        409,
        "no vote after the close"
    );
    let other = a.rep(1).await;
    assert_eq!(a.vote(&other, &meeting, &poll, 1, "voor").await, 409);
    assert_eq!(a.result(&poll).await, (0, 1, 0, false));
    let mut db = a.db().await;
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(votes, 1);
    // After the close the named result shows who voted what.
    let (_, page) = rep.page(&format!("/demo/assembly/{meeting}/polls/{poll}")).await;
    assert!(
        page.contains("id=\"named-votes\"") && page.contains("Lid 00"),
        "{page}"
    );
}

#[tokio::test]
async fn many_concurrent_votes_are_counted_exactly_once_per_member() {
    let a = Assembly::new(6).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 6).await;
    // Every representative votes five times at once, the last choice being "voor" for even
    // members; the others keep changing between "tegen" and "onthouding".
    let mut attempts = Vec::new();
    for (i, rep) in reps.iter().enumerate() {
        for round in 0..5 {
            let choice = if i % 2 == 0 {
                "voor"
            } else if round % 2 == 0 {
                "tegen"
            } else {
                "onthouding"
            };
            attempts.push(a.vote(rep, &meeting, &poll, i, choice));
        }
    }
    let statuses = futures::future::join_all(attempts).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    let (for_, against, abstentions, _) = a.result(&poll).await;
    assert_eq!(for_, 3);
    assert_eq!(
        against + abstentions,
        3,
        "one vote for each of the other three members"
    );
    let mut db = a.db().await;
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(votes, 6);
}

#[tokio::test]
async fn votes_racing_the_close_are_either_counted_or_refused_never_lost() {
    let a = Assembly::new(6).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, true).await;
    let reps = futures_reps(&a, 6).await;
    let votes = reps
        .iter()
        .enumerate()
        .map(|(i, rep)| a.vote(rep, &meeting, &poll, i, "voor"));
    let (statuses, (closed, _)) = tokio::join!(
        futures::future::join_all(votes),
        a.chair_step(&meeting, &poll, "close", &[])
    );
    assert_eq!(closed, 303);
    let accepted = statuses.iter().filter(|s| **s == 303).count() as i32;
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "{statuses:?}");
    let (for_, _, _, _) = a.result(&poll).await;
    assert_eq!(for_, accepted, "exactly the accepted votes are counted");
    let mut db = a.db().await;
    let ballots: i64 = sqlx::query_scalar("SELECT count(*) FROM ballots WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(ballots, i64::from(accepted), "no ballot landed after the close");
}

#[tokio::test]
async fn a_secret_ballot_cannot_be_linked_to_the_member_and_cannot_be_cast_twice() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, true).await;
    let rep = a.rep(0).await;
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "voor").await, 303);
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "tegen").await, 409);
    let mut db = a.db().await;
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'ballots' ORDER BY ordinal_position",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(columns, ["tenant_id", "id", "poll_id", "choice"]);
    let (ballots, participants, named): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ballots WHERE poll_id = $1::uuid),
                (SELECT count(*) FROM poll_participation WHERE poll_id = $1::uuid),
                (SELECT count(*) FROM votes WHERE poll_id = $1::uuid)",
    )
    .bind(&poll)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((ballots, participants, named), (1, 1, 0));
    a.chair_step(&meeting, &poll, "close", &[]).await;
    let (_, page) = a
        .chair
        .page(&format!("/demo/assembly/{meeting}/polls/{poll}"))
        .await;
    assert!(!page.contains("id=\"named-votes\""), "no one's choice is shown");
}

#[tokio::test]
async fn a_challenged_result_is_replaced_by_a_revote_under_the_same_decision_number() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, first) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 2).await;
    a.vote(&reps[0], &meeting, &first, 0, "tegen").await;
    a.chair_step(&meeting, &first, "close", &[]).await;
    assert_eq!(a.chair_step(&meeting, &first, "declare", &[]).await.0, 303);
    let (status, _) = a.chair_step(&meeting, &first, "challenge", &[("note", "")]).await;
    assert_eq!(status, 422, "a challenge needs a note");
    let response = a
        .chair
        .post(
            &format!("/demo/assembly/{meeting}/polls/{first}/challenge"),
            &[("note", "Lid 01 was niet op tijd binnen.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let second = last_segment(location(&response));
    assert_ne!(second, first);
    a.vote(&reps[0], &meeting, &second, 0, "voor").await;
    a.vote(&reps[1], &meeting, &second, 1, "voor").await;
    a.chair_step(&meeting, &second, "close", &[]).await;
    a.chair_step(&meeting, &second, "declare", &[]).await;
    let mut db = a.db().await;
    let decisions: Vec<(i32, bool, Uuid)> =
        sqlx::query_as("SELECT seq, adopted, poll_id FROM decisions WHERE agenda_item_id = $1::uuid")
            .bind(&item)
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(decisions.len(), 1, "one decision per item");
    assert_eq!((decisions[0].0, decisions[0].1), (1, true));
    assert_eq!(
        decisions[0].2.to_string(),
        second,
        "the re-vote is what the decision rests on"
    );
    let rounds: Vec<(i32, bool)> = sqlx::query_as(
        "SELECT round, challenged_at IS NOT NULL FROM polls WHERE agenda_item_id = $1::uuid ORDER BY round",
    )
    .bind(&item)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(rounds, [(1, true), (2, false)], "both polls stay in the record");
}

#[tokio::test]
async fn the_secretary_records_a_vote_given_by_show_of_hands() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(a.vote(&a.admin, &meeting, &poll, 1, "voor").await, 303);
    // The chair leads; it does not vote for members.
    assert_eq!(a.vote(&a.chair, &meeting, &poll, 0, "voor").await, 403);
    let mut db = a.db().await;
    let by_secretary: bool = sqlx::query_scalar("SELECT by_secretary FROM votes WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(by_secretary);
}
