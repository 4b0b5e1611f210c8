//! Meetings: the notice period, the meeting form, the agenda, documents, attendance, the
//! minutes, the demo cooperative's meetings, and who may reach the assembly at all.

use uuid::Uuid;

use crate::common::users::User;
use crate::common::{TestApp, is_error_page, raw_exchange};

use super::Assembly;

#[tokio::test]
async fn convening_later_than_the_notice_period_allows_is_refused_with_the_date_to_move_to() {
    let a = Assembly::new(1).await;
    let late = a.meeting(5).await;
    let (status, body) = a.set_status(&a.admin, &late, "uitgeschreven").await;
    assert_eq!(status, 422, "{body}");
    let earliest: String = {
        let mut db = a.db().await;
        sqlx::query_scalar("SELECT to_char((now() AT TIME ZONE 'Europe/Amsterdam')::date + 14, 'DD-MM-YYYY')")
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert!(
        body.contains(&earliest),
        "the first possible date is shown: {body}"
    );
    let (_, page) = a.admin.page(&format!("/demo/assembly/{late}")).await;
    assert!(page.contains("in voorbereiding"), "still a concept");
    // Members do not see a meeting in preparation.
    let member = a.rep(0).await;
    assert_eq!(member.page(&format!("/demo/assembly/{late}")).await.0, 404);

    let timely = a.meeting(14).await;
    let (status, body) = a.set_status(&a.admin, &timely, "uitgeschreven").await;
    assert_eq!(status, 303, "{body}");
    let (status, page) = member.page(&format!("/demo/assembly/{timely}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Notulen vorige vergadering"),
        "the standard items are published"
    );
    // Only the chair opens a meeting.
    assert_eq!(a.set_status(&a.admin, &timely, "geopend").await.0, 403);
}

#[tokio::test]
async fn a_meeting_form_with_mistakes_keeps_what_was_typed_and_stores_nothing() {
    let a = Assembly::new(0).await;
    let (status, body) = a
        .admin
        .send(
            "/demo/assembly",
            &[
                ("title", "Extra ALV"),
                ("date", "31-02-2027"),
                ("time", "19:30"),
                ("place", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("value=\"Extra ALV\""), "the title is kept");
    assert!(body.contains("id=\"date-error\""), "an error next to the date");
    assert!(body.contains("id=\"place-error\""), "an error next to the place");
    let mut db = a.db().await;
    let meetings: i64 = sqlx::query_scalar("SELECT count(*) FROM meetings")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(meetings, 0);
}

#[tokio::test]
async fn the_agenda_moves_items_without_script_and_numbers_sub_items() {
    let a = Assembly::new(0).await;
    let meeting = a.meeting(21).await;
    let mut db = a.db().await;
    let first: Uuid =
        sqlx::query_scalar("SELECT id FROM agenda_items WHERE meeting_id = $1::uuid AND position = 1")
            .bind(&meeting)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let response = a
        .admin
        .post(
            &format!("/demo/assembly/{meeting}/items"),
            &[
                ("parent", &first.to_string()),
                ("kind", "mededeling"),
                ("title", "Welkom nieuwe leden"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let second: Uuid = sqlx::query_scalar(
        "SELECT id FROM agenda_items WHERE meeting_id = $1::uuid AND position = 2 AND parent_id IS NULL",
    )
    .bind(&meeting)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let response = a
        .admin
        .post(
            &format!("/demo/assembly/{meeting}/items/{second}/move"),
            &[("direction", "up")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    let notulen = page.find("2.</span> Opening").expect("Opening is now item 2");
    let welcome = page
        .find("2a.</span> Welkom nieuwe leden")
        .expect("its sub-item moved along");
    assert!(notulen < welcome);
    assert!(page.contains("1.</span> Notulen vorige vergadering"), "{page}");
    // A decision item without a proposal is refused next to the field, keeping the title.
    let (status, body) = a
        .admin
        .send(
            &format!("/demo/assembly/{meeting}/items"),
            &[
                ("parent", ""),
                ("kind", "besluit"),
                ("title", "Begroting 2027"),
                ("decision_kind", "gewoon"),
                ("proposal", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("id=\"item-proposal-error\"") && body.contains("value=\"Begroting 2027\""),
        "{body}"
    );
}

#[tokio::test]
async fn meeting_documents_must_be_pdfs_and_members_read_them_once_convened() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    let upload = |name: &'static str, bytes: &'static [u8]| {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str("application/pdf")
            .unwrap();
        // The token first, where the form puts it.
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", a.admin.token.clone())
            .text("item", "")
            .part("document", part);
        a.admin
            .app
            .client
            .post(a.app.url(&format!("/demo/assembly/{meeting}/documents")))
            .multipart(form)
            .send()
    };
    let refused = upload("begroting.pdf", b"<html>not a pdf</html>").await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Alleen PDF-bestanden"));
    let accepted = upload("begroting.pdf", b"%PDF-1.7\n%%EOF\n").await.unwrap();
    assert_eq!(accepted.status(), 303);
    let mut db = a.db().await;
    let document: Uuid = sqlx::query_scalar("SELECT id FROM agenda_documents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let path = format!("/demo/assembly/{meeting}/documents/{document}");
    let rep = a.rep(0).await;
    assert_eq!(rep.page(&path).await.0, 404, "not before the meeting is convened");
    a.set_status(&a.admin, &meeting, "uitgeschreven").await;
    let response = rep.app.get(&path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
}

#[tokio::test]
async fn meeting_documents_up_to_20_mb_are_accepted_and_larger_ones_get_the_413_page() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    let action = format!("/demo/assembly/{meeting}/documents");
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(3 * 1024 * 1024, b' ');
    pdf.extend_from_slice(b"\n%%EOF\n");
    let part = reqwest::multipart::Part::bytes(pdf)
        .file_name("jaarstukken.pdf")
        .mime_str("application/pdf")
        .unwrap();
    // The CSRF check reads an upload's token from its first field, as the page sends it.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", a.admin.token.clone())
        .text("item", "")
        .part("document", part);
    let accepted = a
        .admin
        .app
        .client
        .post(a.app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303, "{}", accepted.text().await.unwrap());
    let mut db = a.db().await;
    let size: i32 = sqlx::query_scalar("SELECT length(content) FROM agenda_documents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(size, 3 * 1024 * 1024 + 7);

    let head = format!(
        "POST {action} HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
        a.app.address,
        21 * 1024 * 1024
    );
    let (status, page) = raw_exchange(a.app.address, &head, b"").await;
    assert_eq!(status, 413, "{page}");
    assert!(is_error_page(&page, "Te groot om te versturen"), "{page}");
}

#[tokio::test]
async fn a_representative_registers_its_own_attendance_or_proxy_before_the_meeting_only() {
    let a = Assembly::new(2).await;
    let meeting = a.meeting(21).await;
    a.set_status(&a.admin, &meeting, "uitgeschreven").await;
    let rep = a.rep(0).await;
    let path = format!("/demo/assembly/{meeting}/attendance");
    let proxy = [
        ("organisation", a.members[0].to_string()),
        ("presence", "volmacht".to_owned()),
        ("proxy_holder", a.members[1].to_string()),
        ("proxy_note", "Getekende volmacht, 1 december".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = proxy.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rep.send(&path, &fields).await.0, 303);
    // Not for another member.
    let other = [
        ("organisation", a.members[1].to_string()),
        ("presence", "aanwezig".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rep.send(&path, &fields).await.0, 403);
    // Once the meeting is open, the secretary keeps the list.
    a.its_day(&meeting).await;
    assert_eq!(a.set_status(&a.chair, &meeting, "geopend").await.0, 303);
    let fields: Vec<(&str, &str)> = proxy.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rep.send(&path, &fields).await.0, 403);
    let mut db = a.db().await;
    let holder: Uuid =
        sqlx::query_scalar("SELECT proxy_holder_id FROM attendance WHERE organisation_id = $1")
            .bind(a.members[0])
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(holder, a.members[1]);
}

#[tokio::test]
async fn the_secretary_keeps_the_whole_attendance_list_in_one_form() {
    let a = Assembly::new(3).await;
    let meeting = a.meeting(21).await;
    a.set_status(&a.admin, &meeting, "uitgeschreven").await;
    let path = format!("/demo/assembly/{meeting}/attendance/list");
    let (status, page) = a.admin.page(&path).await;
    assert_eq!(status, 200);
    for member in &a.members {
        assert!(page.contains(&format!("name=\"presence.{member}\"")), "{page}");
    }
    let (_, meeting_page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(
        meeting_page.contains("attendance/list"),
        "the meeting page leads to the list"
    );
    let rep = a.rep(0).await;
    assert_eq!(
        rep.page(&path).await.0,
        403,
        "a representative registers only its own member"
    );
    assert_eq!(
        a.admin
            .page(&format!("/demo/assembly/{}/attendance/list", Uuid::new_v4()))
            .await
            .0,
        404
    );

    let [m0, m1, m2] = [0, 1, 2].map(|i| a.members[i].to_string());
    let line = |m: &str, presence: &str, holder: &str, note: &str| {
        [
            (format!("presence.{m}"), presence.to_owned()),
            (format!("proxy_holder.{m}"), holder.to_owned()),
            (format!("proxy_note.{m}"), note.to_owned()),
        ]
    };
    let send = |lines: Vec<[(String, String); 3]>| {
        let admin = &a.admin;
        let path = path.clone();
        async move {
            let fields: Vec<(&str, &str)> = lines
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            admin.send(&path, &fields).await
        }
    };
    let stored = || async {
        let mut db = a.db().await;
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM attendance WHERE meeting_id = $1::uuid")
            .bind(&meeting)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };

    // Two proxies to one member where the statutes allow one: both lines say so, what was
    // typed stays, and nothing is stored.
    let (status, page) = send(vec![
        line(&m0, "aanwezig", "", ""),
        line(&m1, "volmacht", &m0, "Brief van 1 december"),
        line(&m2, "volmacht", &m0, "Brief van 2 december"),
    ])
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains(&format!("id=\"proxy_holder-{m1}-error\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("id=\"proxy_holder-{m2}-error\"")),
        "{page}"
    );
    assert!(
        page.contains("Dit lid heeft al het maximum aantal volmachten."),
        "{page}"
    );
    assert!(page.contains("Brief van 2 december"), "what was typed stays");
    assert!(
        page.contains(&format!("href=\"#proxy_holder-{m2}\"")),
        "the summary leads to the field"
    );
    assert_eq!(stored().await, 0);

    // An over-long note is refused beside its own line.
    let (status, page) = send(vec![line(&m1, "volmacht", &m0, &"x".repeat(1_001))]).await;
    assert_eq!(status, 422);
    assert!(page.contains(&format!("id=\"proxy_note-{m1}-error\"")), "{page}");
    assert_eq!(stored().await, 0);

    // The list as it should be: stored in one go, each member's line audited.
    let (status, _) = send(vec![
        line(&m0, "aanwezig", "", ""),
        line(&m1, "volmacht", &m0, "Brief van 1 december"),
        line(&m2, "afwezig_met_bericht", "", ""),
    ])
    .await;
    assert_eq!(status, 303);
    assert_eq!(stored().await, 3);
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(
        page.contains("vertegenwoordigd met volmacht") && page.contains("afwezig met bericht"),
        "{page}"
    );
    let mut db = a.db().await;
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE kind = 'attendance_recorded' AND details->>'meeting_id' = $1",
    )
    .bind(&meeting)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, 3);
}

#[tokio::test]
async fn minutes_are_drafted_approved_by_chair_and_secretary_and_adopted_by_the_next_meeting() {
    let a = Assembly::new(1).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    // The chair writes what was said on the item, as the secretary may.
    let (status, _) = a
        .chair
        .send(
            &format!("/demo/assembly/{meeting}/items/{item}/notes"),
            &[("notes", "Unaniem zonder discussie.")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let rep = a.rep(0).await;
    a.vote(&rep, &meeting, &poll, 0, "voor").await;
    a.chair_step(&meeting, &poll, "close", &[]).await;
    a.chair_step(&meeting, &poll, "declare", &[]).await;
    a.set_status(&a.chair, &meeting, "gesloten").await;
    let minutes = format!("/demo/assembly/{meeting}/minutes");
    assert_eq!(a.admin.send(&minutes, &[]).await.0, 303);
    let (_, chair_view) = a.chair.page(&minutes).await;
    assert!(
        chair_view.contains("action=\"/demo/assembly/"),
        "the chair is offered the draft"
    );
    assert_eq!(
        a.chair.send(&minutes, &[]).await.0,
        303,
        "the chair drafts the minutes too"
    );
    let (_, page) = a.admin.page(&minutes).await;
    assert!(
        page.contains("Unaniem zonder discussie.") && page.contains("1 voor, 0 tegen"),
        "{page}"
    );
    assert!(
        page.contains("Quorum: 50%"),
        "the minutes cite the statute rules: {page}"
    );
    // Members read minutes only once adopted.
    let (_, member_view) = rep.page(&minutes).await;
    assert!(!member_view.contains("Unaniem zonder discussie."));
    let approve = format!("{minutes}/approve");
    assert_eq!(
        a.admin
            .send(&approve, &[("version", "2"), ("as", "chair")])
            .await
            .0,
        403,
        "only the chair approves as chair"
    );
    assert_eq!(
        a.admin
            .send(&approve, &[("version", "2"), ("as", "secretary")])
            .await
            .0,
        303
    );
    // Not adopted before the chair approved too, and only in a later meeting in session.
    let next = a.meeting(42).await;
    a.in_session(&next).await;
    let adopt = format!("{minutes}/adopt");
    assert_eq!(a.chair.send(&adopt, &[("in_meeting", &next)]).await.0, 422);
    assert_eq!(
        a.chair
            .send(&approve, &[("version", "2"), ("as", "chair")])
            .await
            .0,
        303
    );
    assert_eq!(a.chair.send(&adopt, &[("in_meeting", &next)]).await.0, 303);
    let (_, member_view) = rep.page(&minutes).await;
    assert!(member_view.contains("Unaniem zonder discussie."), "{member_view}");
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(page.contains("notulen vastgesteld"));
    // Adopted minutes are read-only, even for the database's own users.
    let mut db = a.db().await;
    let changed = sqlx::query("UPDATE minutes SET version = version WHERE meeting_id = $1::uuid")
        .bind(&meeting)
        .execute(&mut db)
        .await;
    assert!(changed.is_err(), "the trigger refuses the change");
    assert_eq!(
        a.admin.send(&minutes, &[]).await.0,
        403,
        "no new version after adoption"
    );
}

#[tokio::test]
async fn the_demo_cooperative_has_held_meetings_and_one_ahead_with_a_representative_for_every_member() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    for _ in 0..2 {
        schakel::demo::load_history(&owner).await.unwrap();
    }
    let mut db = app.owner_connection().await;
    let meetings: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.status, (SELECT count(*) FROM minutes n WHERE n.meeting_id = m.id)
         FROM meetings m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'demo' ORDER BY m.starts_at",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        meetings,
        [
            ("notulen_vastgesteld".to_owned(), 1),
            ("gesloten".to_owned(), 1),
            ("uitgeschreven".to_owned(), 0)
        ],
        "loaded once"
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM decisions WHERE adopted ORDER BY year, seq")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(kinds, ["gewoon", "toelating", "gewoon", "gewoon", "ontzetting"]);
    // The autumn meeting opened the joint pot; the treasurer granted two projects from it.
    let (allocated, granted, expenses): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT sum(amount_cents)::bigint FROM pot_allocations),
                (SELECT sum(amount_cents)::bigint FROM grants WHERE status = 'toegekend'),
                (SELECT count(*) FROM grant_expenses)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (allocated, granted, expenses),
        (45_500_000, 5_500_000, 12),
        "loaded once"
    );
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM organisations WHERE name IN ('Mantelzorgcafé Woudenberg', 'Stichting Boodschappenbus Woudenberg')
         ORDER BY name",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(statuses, ["lid", "ontzet"], "the register followed the decisions");
    let unrepresented: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM organisations o JOIN tenants t ON t.id = o.tenant_id
         WHERE t.slug = 'demo' AND o.status IN ('aspirant', 'lid')
           AND NOT EXISTS (SELECT FROM representatives r WHERE r.organisation_id = o.id AND r.valid_until IS NULL)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(unrepresented, 0);
    let representative = User::login(&app, "demo", "welzijn-woudenberg@demo.test").await;
    let (status, page) = representative.page("/demo/assembly").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Je vertegenwoordigt: Welzijn Woudenberg."),
        "{page}"
    );
}

#[tokio::test]
async fn other_cooperatives_and_other_roles_cannot_reach_the_assembly() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    let path = format!("/demo/assembly/{meeting}");
    assert_eq!(a.admin.page(&path).await.0, 200);
    let desk = User::login(&a.app, "demo", "balie@demo.test").await;
    assert_eq!(desk.page("/demo/assembly").await.0, 403);
    // A member cannot prepare meetings or change the rules.
    let rep = a.rep(0).await;
    assert_eq!(rep.page("/demo/assembly/new").await.0, 403);
    assert_eq!(
        rep.send("/demo/assembly/rules", &[("notice_days", "1")]).await.0,
        403
    );
    // In another cooperative the meeting does not exist.
    let other = User::login(&a.app, "demo2", "balie@demo.test").await;
    {
        let mut db = a.db().await;
        sqlx::query(
            "UPDATE users SET roles = ARRAY['admin'] WHERE email = 'balie@demo.test' AND tenant_id <> $1",
        )
        .bind(a.tenant)
        .execute(&mut db)
        .await
        .unwrap();
    }
    assert_eq!(other.page(&format!("/demo2/assembly/{meeting}")).await.0, 404);
    assert_eq!(
        other
            .send(
                &format!("/demo2/assembly/{meeting}/status"),
                &[("to", "uitgeschreven")]
            )
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_meeting_opens_only_on_its_date_unless_the_chair_records_why_it_was_moved() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    assert_eq!(a.set_status(&a.admin, &meeting, "uitgeschreven").await.0, 303);
    let (status, body) = a.set_status(&a.chair, &meeting, "geopend").await;
    assert_eq!(status, 422, "not before its date");
    assert!(
        body.contains(&super::date_in(21)) && body.contains("alleen op die dag"),
        "{body}"
    );
    // Nor after it.
    let mut db = a.db().await;
    sqlx::query("UPDATE meetings SET starts_at = now() - interval '2 days' WHERE id = $1::uuid")
        .bind(&meeting)
        .execute(&mut db)
        .await
        .unwrap();
    let (_, page) = a.chair.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(
        page.contains("id=\"reschedule\""),
        "the chair is offered the override: {page}"
    );
    let (status, _) = a.set_status(&a.chair, &meeting, "geopend").await;
    assert_eq!(status, 422);
    assert_eq!(meeting_status(&mut db, &meeting).await, "uitgeschreven");

    // A rescheduled meeting opens today with a reason, which moves it to today and is audited.
    let path = format!("/demo/assembly/{meeting}/status");
    let (status, body) = a
        .chair
        .send(&path, &[("to", "geopend"), ("reschedule", "on"), ("reason", "")])
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"reason-error\""), "{body}");
    assert_eq!(meeting_status(&mut db, &meeting).await, "uitgeschreven");
    let reason = "Verplaatst wegens storm; leden per e-mail geïnformeerd.";
    let (status, body) = a
        .chair
        .send(
            &path,
            &[
                ("to", "geopend"),
                ("reschedule", "on"),
                ("reason", reason),
                ("confirmed", "ja"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (status, on_today): (String, bool) = sqlx::query_as(
        "SELECT status, local_time(starts_at)::date = local_now()::date FROM meetings WHERE id = $1::uuid",
    )
    .bind(&meeting)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((status.as_str(), on_today), ("geopend", true));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE kind = 'meeting_changed'
           AND details->>'meeting_id' = $1 AND details->'rescheduled'->>'reason' = $2",
    )
    .bind(&meeting)
    .bind(reason)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let (_, page) = a.rep(0).await.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(page.contains(reason), "members see why it was moved: {page}");
}

async fn meeting_status(db: &mut sqlx::PgConnection, meeting: &str) -> String {
    sqlx::query_scalar("SELECT status FROM meetings WHERE id = $1::uuid")
        .bind(meeting)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn new_agenda_items_come_before_the_closing_items() {
    let a = Assembly::new(0).await;
    let meeting = a.meeting(21).await;
    for title in ["Begroting 2027", "Werkplan 2027"] {
        let response = a
            .admin
            .post(
                &format!("/demo/assembly/{meeting}/items"),
                &[("parent", ""), ("kind", "bespreking"), ("title", title)],
            )
            .await;
        assert_eq!(response.status(), 303);
    }
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    let order: Vec<usize> = [
        "3.</span> Mededelingen",
        "4.</span> Begroting 2027",
        "5.</span> Werkplan 2027",
        "6.</span> Rondvraag",
        "7.</span> Sluiting",
    ]
    .iter()
    .map(|item| {
        page.find(item)
            .unwrap_or_else(|| panic!("{item} missing: {page}"))
    })
    .collect();
    assert!(order.is_sorted(), "{order:?}");
}

#[tokio::test]
async fn an_agenda_items_documents_are_listed_under_stukken_with_their_item() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    let mut db = a.db().await;
    let (item, title): (Uuid, String) = sqlx::query_as(
        "SELECT id, title FROM agenda_items WHERE meeting_id = $1::uuid ORDER BY position LIMIT 1",
    )
    .bind(meeting.to_string())
    .fetch_one(&mut db)
    .await
    .unwrap();
    let part = reqwest::multipart::Part::bytes(&b"%PDF-1.7\n%%EOF\n"[..])
        .file_name("jaarverslag.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", a.admin.token.clone())
        .text("item", item.to_string())
        .part("document", part);
    let response = a
        .admin
        .app
        .client
        .post(a.app.url(&format!("/demo/assembly/{meeting}/documents")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    let start = page.find("id=\"documents\"").expect("the Stukken section");
    let stukken = &page[start..start + page[start..].find("</section>").unwrap()];
    assert!(!stukken.contains("Er zijn geen stukken"), "{stukken}");
    assert!(
        stukken.contains(&format!("Bij agendapunt 1 ({title}): <a")) && stukken.contains("jaarverslag.pdf"),
        "{stukken}"
    );
}

#[tokio::test]
async fn the_chair_reads_who_represents_whom_and_only_the_secretary_changes_it() {
    let a = Assembly::new(2).await;
    let path = "/demo/assembly/representatives";
    let (status, page) = a.chair.page(path).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Vertegenwoordigers"), "{page}");
    assert!(
        !page.contains("/assembly/representatives/new"),
        "no form for the chair"
    );
    let (_, meetings) = a.chair.page("/demo/assembly").await;
    assert!(meetings.contains("href=\"/demo/assembly/representatives\""));
    let (status, _) = a
        .chair
        .send("/demo/assembly/representatives/new", &[("user", "")])
        .await;
    assert_eq!(status, 403);
    let (_, secretary) = a.admin.page(path).await;
    assert!(secretary.contains("/assembly/representatives/new"));
    assert_eq!(a.rep(0).await.page(path).await.0, 403);
}

#[tokio::test]
async fn a_representatives_start_page_shows_the_vote_that_is_open() {
    let a = Assembly::new(1).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let rep = a.rep(0).await;
    let (_, before) = rep.page("/demo/").await;
    assert!(!before.contains("waiting-open-vote"), "no vote open yet");
    let (status, _) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303);
    let (_, start) = rep.page("/demo/").await;
    let line = start
        .split("<li id=\"waiting-open-vote\">")
        .nth(1)
        .expect("the open vote on the start page");
    let line = &line[..line.find("</li>").unwrap()];
    assert!(
        line.contains(&format!("href=\"/demo/assembly/{meeting}\""))
            && line.contains("Er is een stemming geopend over"),
        "{line}"
    );
}
