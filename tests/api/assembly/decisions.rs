//! Decisions: numbering per year, the list and its export, the member register following
//! admissions and expulsions, suspended members, appeals, and working groups' proposals.

use time::Duration;
use uuid::Uuid;

use super::{Assembly, add_member, date_in, futures_reps};

#[tokio::test]
async fn decisions_are_numbered_per_year_and_listed_and_exported() {
    let a = Assembly::new(2).await;
    let (meeting, first) = a.ready("gewoon", None).await;
    let second = a.decision_item_in_session(&meeting, "gewoon").await;
    let rep = a.rep(0).await;
    for item in [&first, &second] {
        let (_, poll) = a.open_poll(&meeting, item, false).await;
        a.vote(&rep, &meeting, &poll, 0, "voor").await;
        a.chair_step(&meeting, &poll, "close", &[]).await;
        assert_eq!(a.chair_step(&meeting, &poll, "declare", &[]).await.0, 303);
    }
    // Decided today, the day the meeting was held.
    let today = a.today().await;
    let year = &today[6..];
    let (status, list) = rep.page("/demo/assembly/decisions").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("ALV-{year}-01")) && list.contains(&format!("ALV-{year}-02")),
        "{list}"
    );
    let response = rep.app.get("/demo/assembly/decisions.csv").await;
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}besluitnummer;datum;"), "{csv}");
    assert!(csv.contains(&format!("ALV-{year}-02;{today};")), "{csv}");
}

#[tokio::test]
async fn admission_and_expulsion_change_the_member_register_when_the_meeting_closes() {
    let a = Assembly::new(3).await;
    let candidate = {
        let mut db = a.db().await;
        add_member(&mut db, a.tenant, "Nieuw Lid", "aspirant").await
    };
    let expelled = a.members[2];
    let meeting = a.meeting(21).await;
    let admission = a.decision_item(&meeting, "toelating", Some(candidate)).await;
    let expulsion = a.decision_item(&meeting, "ontzetting", Some(expelled)).await;
    a.in_session(&meeting).await;
    for i in 0..3 {
        a.attend(&meeting, i, "aanwezig", None).await;
    }
    let reps = futures_reps(&a, 2).await;
    for item in [&admission, &expulsion] {
        let (status, poll) = a.open_poll(&meeting, item, true).await;
        assert_eq!(status, 303, "{poll}");
        a.vote(&reps[0], &meeting, &poll, 0, "voor").await;
        a.vote(&reps[1], &meeting, &poll, 1, "voor").await;
        a.chair_step(&meeting, &poll, "close", &[]).await;
        a.chair_step(&meeting, &poll, "declare", &[]).await;
    }
    let mut db = a.db().await;
    let status =
        |id: Uuid| sqlx::query_scalar::<_, String>("SELECT status FROM organisations WHERE id = $1").bind(id);
    assert_eq!(
        status(candidate).fetch_one(&mut db).await.unwrap(),
        "aspirant",
        "not before the close"
    );
    assert_eq!(a.set_status(&a.chair, &meeting, "gesloten").await.0, 303);
    assert_eq!(status(candidate).fetch_one(&mut db).await.unwrap(), "lid");
    assert_eq!(
        status(expelled).fetch_one(&mut db).await.unwrap(),
        "geschorst",
        "suspended during the appeal"
    );
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM organisation_statuses s JOIN decisions d ON d.id = s.decision_id
         WHERE s.organisation_id IN ($1, $2)",
    )
    .bind(candidate)
    .bind(expelled)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(linked, 2, "each change links to its decision");
    let (appeal_until, reasons): (time::Date, String) =
        sqlx::query_as("SELECT appeal_until, reasons FROM expulsions WHERE organisation_id = $1")
            .bind(expelled)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(reasons, "Contributie niet betaald.");

    // After the month of appeal the expulsion takes effect.
    let mut tx = schakel::db::tenant_tx(&a.app.pool, a.tenant).await.unwrap();
    let done = schakel::assembly::decisions::complete_expulsions(&mut tx, appeal_until)
        .await
        .unwrap();
    assert_eq!(done, 0, "not on the last day of the term");
    let done = schakel::assembly::decisions::complete_expulsions(&mut tx, appeal_until + Duration::days(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done, 1);
    assert_eq!(status(expelled).fetch_one(&mut db).await.unwrap(), "ontzet");
}

#[tokio::test]
async fn a_suspended_member_votes_only_on_the_item_about_itself() {
    let a = Assembly::new(3).await;
    let mut db = a.db().await;
    sqlx::query("UPDATE organisations SET status = 'geschorst' WHERE id = $1")
        .bind(a.members[2])
        .execute(&mut db)
        .await
        .unwrap();
    let meeting = a.meeting(21).await;
    let other = a.decision_item(&meeting, "gewoon", None).await;
    let own = a.decision_item(&meeting, "opzegging", Some(a.members[2])).await;
    a.in_session(&meeting).await;
    for i in 0..3 {
        a.attend(&meeting, i, "aanwezig", None).await;
    }
    let suspended = a.rep(2).await;
    let (_, poll) = a.open_poll(&meeting, &other, false).await;
    assert_eq!(
        a.vote(&suspended, &meeting, &poll, 2, "tegen").await,
        422,
        "not in the electorate"
    );
    let electorate: i32 = sqlx::query_scalar("SELECT electorate FROM polls WHERE id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(electorate, 2);
    a.chair_step(&meeting, &poll, "close", &[]).await;
    let (_, poll) = a.open_poll(&meeting, &own, false).await;
    assert_eq!(
        a.vote(&suspended, &meeting, &poll, 2, "tegen").await,
        303,
        "on its own case it votes"
    );
}

#[tokio::test]
async fn an_appeal_within_the_term_holds_the_expulsion_until_the_assembly_rules() {
    let a = Assembly::new(3).await;
    let expelled = a.members[2];
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "ontzetting", Some(expelled)).await;
    a.in_session(&meeting).await;
    for i in 0..3 {
        a.attend(&meeting, i, "aanwezig", None).await;
    }
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 2).await;
    a.vote(&reps[0], &meeting, &poll, 0, "voor").await;
    a.vote(&reps[1], &meeting, &poll, 1, "voor").await;
    a.chair_step(&meeting, &poll, "close", &[]).await;
    a.chair_step(&meeting, &poll, "declare", &[]).await;
    a.set_status(&a.chair, &meeting, "gesloten").await;
    let mut db = a.db().await;
    let decision: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE agenda_item_id = $1::uuid")
        .bind(&item)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let path = format!("/demo/assembly/decisions/{decision}/appeal");
    let (status, body) = a.admin.send(&path, &[("appealed_on", &date_in(200))]).await;
    assert_eq!(status, 422, "outside the term");
    assert!(body.contains("id=\"appealed_on-error\""), "{body}");
    let (status, _) = a.admin.send(&path, &[("appealed_on", &date_in(25))]).await;
    assert_eq!(status, 303);
    let appeal_until: time::Date =
        sqlx::query_scalar("SELECT appeal_until FROM expulsions WHERE decision_id = $1")
            .bind(decision)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let mut tx = schakel::db::tenant_tx(&a.app.pool, a.tenant).await.unwrap();
    let done = schakel::assembly::decisions::complete_expulsions(&mut tx, appeal_until + Duration::days(10))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done, 0);
    let status: String = sqlx::query_scalar("SELECT status FROM organisations WHERE id = $1")
        .bind(expelled)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(status, "geschorst");
}

#[tokio::test]
async fn a_working_groups_proposal_is_put_on_the_agenda_and_leads_to_a_decision() {
    let a = Assembly::new(1).await;
    let mut db = a.db().await;
    let group: Uuid = sqlx::query_scalar(
        "INSERT INTO working_groups (tenant_id, topic) VALUES ($1, 'Ouderen langer thuis') RETURNING id",
    )
    .bind(a.tenant)
    .fetch_one(&mut db)
    .await
    .unwrap();
    sqlx::query("INSERT INTO working_group_members (tenant_id, working_group_id, organisation_id) VALUES ($1, $2, $3)")
        .bind(a.tenant)
        .bind(group)
        .bind(a.members[0])
        .execute(&mut db)
        .await
        .unwrap();
    // Staff of a member taking part submit it; an empty proposal is refused next to the field.
    let rep = a.rep(0).await;
    let path = format!("/demo/groups/{group}/proposals");
    let (status, body) = rep
        .send(&path, &[("title", "Meterkastkaart"), ("proposal", "")])
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("id=\"proposal-proposal-error\"") && body.contains("value=\"Meterkastkaart\""),
        "{body}"
    );
    let (status, _) = rep
        .send(
            &path,
            &[
                ("title", "Meterkastkaart"),
                ("proposal", "Alle leden geven de meterkastkaart uit."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let proposal: Uuid =
        sqlx::query_scalar("SELECT id FROM working_group_proposals WHERE working_group_id = $1")
            .bind(group)
            .fetch_one(&mut db)
            .await
            .unwrap();
    // Only an administrator promotes it, to a meeting in preparation.
    let meeting = a.meeting(21).await;
    let promote = format!("/demo/assembly/proposals/{proposal}/promote");
    assert_eq!(rep.send(&promote, &[("meeting", &meeting)]).await.0, 403);
    assert_eq!(a.admin.send(&promote, &[("meeting", &meeting)]).await.0, 303);
    assert_eq!(
        a.admin.send(&promote, &[("meeting", &meeting)]).await.0,
        404,
        "once"
    );
    let item: Uuid = sqlx::query_scalar("SELECT id FROM agenda_items WHERE proposal_id = $1")
        .bind(proposal)
        .fetch_one(&mut db)
        .await
        .unwrap();
    a.in_session(&meeting).await;
    a.attend(&meeting, 0, "aanwezig", None).await;
    let (_, poll) = a.open_poll(&meeting, &item.to_string(), false).await;
    a.vote(&rep, &meeting, &poll, 0, "voor").await;
    a.chair_step(&meeting, &poll, "close", &[]).await;
    a.chair_step(&meeting, &poll, "declare", &[]).await;
    // The group's page shows the decision; the secretary tracks how it is carried out.
    let (_, page) = rep.page(&format!("/demo/groups/{group}")).await;
    assert!(page.contains("ALV-") && page.contains("aangenomen"), "{page}");
    let decision: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE agenda_item_id = $1")
        .bind(item)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, _) = a
        .admin
        .send(
            &format!("/demo/assembly/decisions/{decision}/actions"),
            &[
                ("description", "Kaart drukken"),
                ("owner", "Welzijn Woudenberg"),
                ("due_on", "01-03-2027"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = rep.page(&format!("/demo/assembly/decisions/{decision}")).await;
    assert!(
        page.contains("Kaart drukken") && page.contains("01-03-2027"),
        "{page}"
    );
}
