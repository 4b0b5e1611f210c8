//! The steps that cannot be undone (convening, opening and closing a meeting, closing a poll)
//! are taken only from a confirmation page, which is a plain form and needs no script.

use super::{Assembly, futures_reps};

async fn meeting_status(a: &Assembly, meeting: &str) -> String {
    let mut db = a.db().await;
    sqlx::query_scalar("SELECT status FROM meetings WHERE id = $1::uuid")
        .bind(meeting)
        .fetch_one(&mut db)
        .await
        .unwrap()
}

#[tokio::test]
async fn convening_opening_and_closing_a_meeting_ask_for_confirmation_first() {
    let a = Assembly::new(2).await;
    let meeting = a.meeting(21).await;
    let path = format!("/demo/assembly/{meeting}/status");

    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(
        page.contains(&format!("<form method=\"get\" action=\"{path}\"")),
        "the convene button leads to the confirmation page: {page}"
    );
    let (status, page) = a.admin.page(&format!("{path}?to=uitgeschreven")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Vergadering uitschrijven?</h1>"), "{page}");
    assert!(page.contains("Dit kan niet ongedaan worden gemaakt."), "{page}");
    assert!(
        page.contains("name=\"confirmed\" value=\"ja\"") && page.contains("value=\"uitgeschreven\""),
        "{page}"
    );
    assert_eq!(
        meeting_status(&a, &meeting).await,
        "concept",
        "looking changes nothing"
    );

    // A post without the confirmation answers with the confirmation page, not the step.
    let (status, page) = a.admin.send(&path, &[("to", "uitgeschreven")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Vergadering uitschrijven?</h1>"), "{page}");
    assert_eq!(meeting_status(&a, &meeting).await, "concept");
    assert_eq!(a.set_status(&a.admin, &meeting, "uitgeschreven").await.0, 303);
    assert_eq!(meeting_status(&a, &meeting).await, "uitgeschreven");

    a.its_day(&meeting).await;
    let (status, page) = a.chair.page(&format!("{path}?to=geopend")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Vergadering openen?</h1>"), "{page}");
    let (_, page) = a.chair.send(&path, &[("to", "geopend")]).await;
    assert!(page.contains("<h1>Vergadering openen?</h1>"), "{page}");
    assert_eq!(meeting_status(&a, &meeting).await, "uitgeschreven");
    assert_eq!(a.set_status(&a.chair, &meeting, "geopend").await.0, 303);

    let (status, page) = a.chair.page(&format!("{path}?to=gesloten")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Vergadering sluiten?</h1>"), "{page}");
    let rep = a.rep(0).await;
    assert_eq!(rep.page(&format!("{path}?to=gesloten")).await.0, 403);
    assert_eq!(a.chair.page(&format!("{path}?to=onzin")).await.0, 404);
    assert_eq!(meeting_status(&a, &meeting).await, "geopend");
}

#[tokio::test]
async fn closing_a_poll_says_how_many_members_have_not_voted_yet() {
    let a = Assembly::new(3).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 1).await;
    assert_eq!(a.vote(&reps[0], &meeting, &poll, 0, "voor").await, 303);
    let path = format!("/demo/assembly/{meeting}/polls/{poll}/close");

    let (status, page) = a.chair.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Stemming sluiten?</h1>"), "{page}");
    assert!(page.contains("1 van 3 leden hebben gestemd."), "{page}");
    assert!(
        page.contains("Nog 2 leden hebben niet gestemd; na het sluiten kunnen zij dat niet meer."),
        "{page}"
    );
    let (status, page) = a.chair.send(&path, &[]).await;
    assert_eq!(status, 200, "no step without the confirmation");
    assert!(page.contains("<h1>Stemming sluiten?</h1>"), "{page}");
    assert_eq!(
        a.vote(&reps[0], &meeting, &poll, 0, "tegen").await,
        303,
        "still open"
    );

    assert_eq!(reps[0].page(&path).await.0, 403);
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(a.result(&poll).await, (0, 1, 0, false));
}
