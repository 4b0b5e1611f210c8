//! Notifications and closing the loop: new referrals and answers, overdue referrals, and the
//! stall monitor's twice-declined cases.

use time::Duration;
use uuid::Uuid;

use crate::common::pages::nl;
use crate::common::records::today;
use crate::common::users::User;

use super::{REPORT, RESIDENT, World, nav_count, new_case, row_cells, section};

/// Who was told that `referral` is overdue, and how often.
async fn overdue_recipients(w: &World, referral: Uuid) -> Vec<(Uuid, i64)> {
    let mut db = w.app.owner_connection().await;
    sqlx::query_as(
        "SELECT user_id, count(*) FROM notifications
         WHERE referral_id = $1 AND kind = 'referral_overdue' GROUP BY user_id ORDER BY user_id",
    )
    .bind(referral)
    .fetch_all(&mut db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_new_referral_notifies_the_organisations_staff_and_answers_notify_the_lead() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let pm = w.login("procesmanager@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let lid_id = w.user("lid@demo.test").await;
    let collega_id = w.user("collega@demo.test").await;
    let hulp_id = w.user("hulp@demo.test").await;
    let sorted = |mut ids: Vec<Uuid>| {
        ids.sort();
        ids
    };

    // A process manager sends on the case Tom leads.
    let direct = w.refer(&pm, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(
        w.notified(direct, "referral_new").await,
        sorted(vec![lid_id, collega_id]),
        "everyone at Zorgcirkel, nobody at Hulp Dichtbij"
    );
    let open = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    assert_eq!(
        w.notified(open, "referral_new").await,
        sorted(vec![lid_id, collega_id, hulp_id]),
        "an open offer reaches everyone offering the service"
    );

    let lid = w.login("lid@demo.test").await;
    let (_, page) = lid.page("/demo/notifications").await;
    assert!(page.contains("Nieuwe doorverwijzing voor je organisatie"));
    assert!(page.contains(&format!("href=\"/demo/referrals/{direct}\"")));
    assert!(
        !page.contains(RESIDENT),
        "an organisation's notice names no resident before it opens the referral"
    );
    let (reference, next): (String, String) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT a.reference, b.reference FROM referrals a, referrals b WHERE a.id = $1 AND b.id = $2",
        )
        .bind(direct)
        .bind(open)
        .fetch_one(&mut db)
        .await
        .unwrap()
    };
    let year = today(&w.app).await.year();
    assert_eq!(
        reference,
        format!("V-{year}-0001"),
        "numbered per cooperative and year"
    );
    assert_eq!(next, format!("V-{year}-0002"));
    assert!(
        page.contains(&format!("— {reference} —")),
        "it carries the referral's reference: {page}"
    );
    assert_eq!(nav_count(&page, "/demo/notifications"), Some(2));

    assert_eq!(lid.step(direct, "accept", &[]).await.status, 303);
    assert_eq!(
        w.notified(direct, "referral_accepted").await,
        vec![lead.id],
        "the case's lead is told, not the process manager who sent it"
    );
    assert_eq!(lid.step(direct, "start", &[]).await.status, 303);
    assert_eq!(lid.step(direct, "finish", REPORT).await.status, 303);
    assert_eq!(w.notified(direct, "referral_finished").await, vec![lead.id]);
    let hulp = w.login("hulp@demo.test").await;
    assert_eq!(
        hulp.step(open, "decline", &[("reason", "geen_capaciteit"), ("note", "")])
            .await
            .status,
        303
    );
    assert_eq!(
        lid.step(open, "decline", &[("reason", "wil_niet"), ("note", "")])
            .await
            .status,
        303
    );
    assert!(w.notified(open, "referral_declined").await.contains(&lead.id));

    let (_, page) = lead.page("/demo/notifications").await;
    for text in [
        "Doorverwijzing geaccepteerd",
        "Doorverwijzing afgerond, verslag ontvangen",
        "Doorverwijzing afgewezen",
    ] {
        assert!(page.contains(text), "{text}");
    }
    assert!(page.contains(&format!("href=\"{}/referrals/{direct}\"", w.case_path())));
    assert!(
        page.contains(&format!("— {RESIDENT} — ")),
        "the lead's notice names the resident: {page}"
    );
    assert!(nav_count(&page, "/demo/notifications").is_some());
    let answer = lead.submit("/demo/notifications", &[]).await;
    assert_eq!(answer.status, 303);
    let (_, page) = lead.page("/demo/notifications").await;
    assert!(page.contains("Alle berichten zijn als gelezen gemarkeerd."));
    assert_eq!(nav_count(&page, "/demo/notifications"), None);
    assert_eq!(
        w.count(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            lead.id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_unanswered_referral_past_its_date_is_overdue_everywhere_and_notified_once() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let late = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Te laat").await;
    let due_today = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Vandaag")
        .await;
    let answered = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Beantwoord")
        .await;
    assert_eq!(lid.step(answered, "accept", &[]).await.status, 303);
    w.answer_due_in(late, -1).await;
    w.answer_due_in(due_today, 0).await;
    w.answer_due_in(answered, -3).await;
    let yesterday = nl(today(&w.app).await - Duration::days(1));
    let overdue_text = format!("Antwoord was uiterlijk {yesterday}");

    // The lead sees it on the case and on the referral.
    let (_, page) = lead.page(&format!("{}/tab/referrals", w.case_path())).await;
    let listed = section(&page, "referrals");
    assert_eq!(listed.matches("class=\"overdue\"").count(), 1, "{listed}");
    assert!(listed.contains(&overdue_text));
    let (_, page) = lead.page(&format!("{}/referrals/{late}", w.case_path())).await;
    assert!(page.contains(&overdue_text));
    let (_, page) = lead
        .page(&format!("{}/referrals/{due_today}", w.case_path()))
        .await;
    assert!(!page.contains("class=\"overdue\""), "due today is not late yet");

    // The organisation sees it in its inbox and on the referral.
    let (_, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(inbox.matches("Te laat beantwoord").count(), 1);
    let late_row = &inbox[inbox.find(&format!("/demo/referrals/{late}")).unwrap()..];
    let late_row = &late_row[..late_row.find("</tr>").unwrap()];
    assert!(late_row.contains("Te laat beantwoord"));
    let (_, page) = lid.page(&format!("/demo/referrals/{late}")).await;
    assert!(page.contains("<strong class=\"badge badge--danger\">Te laat beantwoord</strong>"));

    // The administrator's overview lists it.
    let admin = w.login("beheer@demo.test").await;
    let (status, page) = admin.page("/demo/referrals/overview").await;
    assert_eq!(status, 200);
    let overdue = section(&page, "overdue-title");
    assert!(overdue.contains("Maatjescontact") && overdue.contains("Zorgcirkel Testdorp"));
    assert!(overdue.contains("Tom Teamlid"));
    assert!(
        !overdue.contains("Boodschappenhulp"),
        "neither due today nor answered"
    );
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Zorgcirkel Testdorp")
            .last()
            .map(String::as_str),
        Some("1"),
        "overdue now"
    );

    // One notice per referral and recipient, however often the notifier runs.
    let notified = schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    assert!(notified >= 1);
    let mut expected = vec![(lead.id, 1), (lid.id, 1), (w.user("collega@demo.test").await, 1)];
    expected.sort();
    assert_eq!(overdue_recipients(&w, late).await, expected);
    assert!(overdue_recipients(&w, due_today).await.is_empty());
    assert!(overdue_recipients(&w, answered).await.is_empty());
    let again = schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(again, 0, "nothing new on a second run");
    assert_eq!(overdue_recipients(&w, late).await, expected);

    // Tomorrow's overdue referral gets its own notice.
    w.answer_due_in(due_today, -1).await;
    let next = schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(next, 1);
    assert_eq!(overdue_recipients(&w, due_today).await, expected);
    assert_eq!(overdue_recipients(&w, late).await, expected);
}

#[tokio::test]
async fn an_organisation_that_passed_on_an_open_offer_gets_no_overdue_notice() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let hulp = w.login("hulp@demo.test").await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    assert_eq!(
        hulp.step(open, "decline", &[("reason", "geen_capaciteit"), ("note", "")])
            .await
            .status,
        303
    );
    w.answer_due_in(open, -1).await;
    schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    let notified = w.notified(open, "referral_overdue").await;
    assert!(notified.contains(&lead.id));
    assert!(notified.contains(&w.user("lid@demo.test").await));
    assert!(
        !notified.contains(&hulp.id),
        "Hulp Dichtbij passed on it and can no longer open it (404), yet is told it is overdue"
    );
}

/// The stall monitor's list of cases whose referrals were declined more than once.
async fn declined_section(pm: &User) -> String {
    let (status, page) = pm.page("/demo/team/monitor").await;
    assert_eq!(status, 200);
    section(&page, "monitor-declined").to_owned()
}

#[tokio::test]
async fn a_case_whose_referrals_were_declined_twice_shows_in_the_stall_monitor() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    let pm = w.login("procesmanager@demo.test").await;
    let decline = [("reason", "geen_capaciteit"), ("note", "")];
    let (case, resident) = {
        let mut db = w.app.owner_connection().await;
        new_case(&mut db, w.tenant, "Greetje", "Gansevoort", "team@demo.test").await
    };
    let greetje = World {
        app: w.app.other_client(),
        case,
        resident,
        ..w
    };
    for world in [&w, &greetje] {
        world
            .consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
            .await;
    }
    let first = w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "Eerste").await;
    let second = w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "Tweede").await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open").await;
    let greetjes = greetje
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Greetje")
        .await;

    assert_eq!(lid.step(first, "decline", &decline).await.status, 303);
    assert_eq!(lid.step(greetjes, "decline", &decline).await.status, 303);
    // One organisation passing on an open offer is no decline.
    assert_eq!(hulp.step(open, "decline", &decline).await.status, 303);
    let declined = declined_section(&pm).await;
    assert!(!declined.contains(RESIDENT), "declined once: {declined}");
    assert!(!declined.contains("Greetje Gansevoort"));

    assert_eq!(hulp.step(second, "decline", &decline).await.status, 303);
    let declined = declined_section(&pm).await;
    assert!(declined.contains(RESIDENT), "declined twice: {declined}");
    assert!(declined.contains(&format!("/demo/cases/{}/tab/referrals", w.case)));
    assert!(!declined.contains("Greetje Gansevoort"), "declined once");
}

#[tokio::test]
async fn opening_a_referral_marks_its_notifications_read_and_the_count_drops() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let first = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let second = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Boodschappen")
        .await;
    let new_badge = r#"<span class="badge badge--warning">Nieuw</span>"#;

    let lid = w.login("lid@demo.test").await;
    let (_, page) = lid.page("/demo/notifications").await;
    assert_eq!(page.matches(new_badge).count(), 2, "{page}");
    assert_eq!(nav_count(&page, "/demo/notifications"), Some(2));
    let (status, page) = lid.page(&format!("/demo/referrals/{first}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        nav_count(&page, "/demo/notifications"),
        Some(1),
        "the page that read it counts it read already"
    );
    let (_, page) = lid.page("/demo/notifications").await;
    assert_eq!(
        page.matches(new_badge).count(),
        1,
        "only the unopened one is new: {page}"
    );
    assert_eq!(nav_count(&page, "/demo/notifications"), Some(1));
    let link = page
        .find(&format!(r#"href="/demo/referrals/{second}""#))
        .expect("the unopened referral is listed");
    let item = &page[page[..link].rfind("<li>").unwrap()..link];
    assert!(item.contains(new_badge), "{item}");

    // The lead, told of an answer, reads it on the case's referral page.
    assert_eq!(lid.step(first, "accept", &[]).await.status, 303);
    let (_, page) = lead.page("/demo/notifications").await;
    assert_eq!(nav_count(&page, "/demo/notifications"), Some(1));
    let (status, page) = lead.page(&format!("{}/referrals/{first}", w.case_path())).await;
    assert_eq!(status, 200);
    assert_eq!(nav_count(&page, "/demo/notifications"), None, "{page}");
    let (_, page) = lead.page("/demo/notifications").await;
    assert!(!page.contains(new_badge), "{page}");
    assert_eq!(
        w.count(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            lead.id
        )
        .await,
        0
    );
}
