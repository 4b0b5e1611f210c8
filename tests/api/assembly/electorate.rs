//! Who votes: the members present or represented by proxy when the poll opens, members taking
//! part electronically where the statutes allow it, and the votes the secretary records by show
//! of hands.

use super::{Assembly, futures_reps};

impl Assembly {
    /// Casts a vote for member `member`; (status, page).
    async fn try_vote(
        &self,
        user: &crate::common::users::User,
        meeting: &str,
        poll: &str,
        member: usize,
        choice: &str,
    ) -> (u16, String) {
        user.send(
            &format!("/demo/assembly/{meeting}/polls/{poll}"),
            &[
                ("organisation", &self.members[member].to_string()),
                ("choice", choice),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn only_members_present_or_represented_at_the_opening_vote_and_the_poll_shows_that_electorate() {
    let a = Assembly::new(5).await;
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "gewoon", None).await;
    a.in_session(&meeting).await;
    // 0 and 1 present, 2 represented by 0, 3 excused, 4 never registered.
    for (member, presence, holder) in [
        (0, "aanwezig", None),
        (1, "aanwezig", None),
        (2, "volmacht", Some(0)),
        (3, "afwezig_met_bericht", None),
    ] {
        let (status, body) = a.attend(&meeting, member, presence, holder).await;
        assert_eq!(status, 303, "{body}");
    }
    let (status, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303, "{poll}");
    let reps = futures_reps(&a, 5).await;
    let path = format!("/demo/assembly/{meeting}/polls/{poll}");

    // Neither present nor represented: refused, saying why (the statutes allow no electronic
    // participation by default).
    for member in [4, 3] {
        let (status, body) = a.try_vote(&reps[member], &meeting, &poll, member, "tegen").await;
        assert_eq!(status, 409, "{body}");
        assert!(
            body.contains("niet aanwezig of met volmacht vertegenwoordigd") && body.contains("elektronisch"),
            "{body}"
        );
    }
    // Nor does the secretary record a show of hands for such a member.
    let (status, body) = a.try_vote(&a.admin, &meeting, &poll, 4, "tegen").await;
    assert_eq!(status, 409, "{body}");
    // Its representative sees why there is nothing to vote for.
    let (_, page) = reps[4].page(&path).await;
    assert!(
        !page.contains("id=\"vote\"") && page.contains("id=\"not-in-electorate\""),
        "{page}"
    );

    // Present: counted. Represented: the holder's vote counts for the member it represents.
    assert_eq!(a.vote(&reps[0], &meeting, &poll, 0, "voor").await, 303);
    assert_eq!(a.vote(&reps[0], &meeting, &poll, 2, "tegen").await, 303);
    assert_eq!(a.vote(&reps[1], &meeting, &poll, 1, "voor").await, 303);
    let (_, page) = reps[1].page(&path).await;
    assert!(page.contains("3 van 3 leden hebben gestemd"), "{page}");

    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(a.result(&poll).await, (2, 1, 0, true));
    let mut db = a.db().await;
    let cast_by: String = sqlx::query_scalar(
        "SELECT u.email FROM votes v JOIN users u ON u.id = v.cast_by
         WHERE v.poll_id = $1::uuid AND v.organisation_id = $2",
    )
    .bind(&poll)
    .bind(a.members[2])
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(cast_by, "rep0@demo.test", "the proxy holder cast it");
    // The electorate shown is who was present or represented: 3, not the 5 members.
    let (_, page) = a.chair.page(&path).await;
    assert!(
        page.contains("Stemgerechtigden bij opening / sluiting</th><td>3 / 3</td>"),
        "{page}"
    );
    assert!(
        page.contains("3 van 5 stemgerechtigde leden aanwezig of vertegenwoordigd"),
        "the quorum still counts every voting member: {page}"
    );
    let present: i32 = sqlx::query_scalar("SELECT present FROM polls WHERE id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(present, 3, "the electorate is who was present or represented");
}

#[tokio::test]
async fn where_the_statutes_allow_it_an_electronic_vote_counts_and_registers_attendance() {
    let a = Assembly::new(3).await;
    a.set_rules(&[("electronic_participation", "on")]).await;
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "gewoon", None).await;
    a.in_session(&meeting).await;
    a.attend(&meeting, 0, "aanwezig", None).await;
    a.attend(&meeting, 1, "aanwezig", None).await;
    let (status, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303, "{poll}");
    let reps = futures_reps(&a, 3).await;
    let path = format!("/demo/assembly/{meeting}/polls/{poll}");
    let (_, page) = reps[2].page(&path).await;
    assert!(page.contains("id=\"vote\""), "it may take part online: {page}");

    // The show of hands is in the room: the secretary records none for a member not there.
    let (status, _) = a.try_vote(&a.admin, &meeting, &poll, 2, "voor").await;
    assert_eq!(status, 409);
    // Its own representative votes electronically: counted, and the member is now present.
    assert_eq!(a.vote(&reps[2], &meeting, &poll, 2, "tegen").await, 303);
    let mut db = a.db().await;
    let (presence, electronic): (String, bool) = sqlx::query_as(
        "SELECT presence, electronic FROM attendance WHERE meeting_id = $1::uuid AND organisation_id = $2",
    )
    .bind(&meeting)
    .bind(a.members[2])
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((presence.as_str(), electronic), ("aanwezig", true));
    let (_, page) = reps[2].page(&path).await;
    assert!(page.contains("1 van 3 leden hebben gestemd"), "{page}");
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(page.contains("aanwezig (elektronisch)"), "{page}");

    assert_eq!(a.vote(&reps[0], &meeting, &poll, 0, "voor").await, 303);
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(a.result(&poll).await, (1, 1, 0, false));
    let (_, page) = a.chair.page(&path).await;
    assert!(
        page.contains("Stemgerechtigden bij opening / sluiting</th><td>2 / 3</td>"),
        "one member joined electronically: {page}"
    );
}

#[tokio::test]
async fn the_secretary_cannot_replace_a_vote_the_member_cast_itself() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let rep = a.rep(0).await;
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "voor").await, 303);
    let (status, body) = a.try_vote(&a.admin, &meeting, &poll, 0, "tegen").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("heeft zelf gestemd"), "{body}");
    // A show of hands the secretary recorded it may correct.
    assert_eq!(a.vote(&a.admin, &meeting, &poll, 1, "voor").await, 303);
    assert_eq!(a.vote(&a.admin, &meeting, &poll, 1, "tegen").await, 303);
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (1, 1, 0, false));
    let mut db = a.db().await;
    let (choice, by_secretary): (String, bool) = sqlx::query_as(
        "SELECT choice, by_secretary FROM votes WHERE poll_id = $1::uuid AND organisation_id = $2",
    )
    .bind(&poll)
    .bind(a.members[0])
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (choice.as_str(), by_secretary),
        ("voor", false),
        "the member's own vote stands"
    );
}
