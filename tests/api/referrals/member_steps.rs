//! The organisation's steps and the case's withdrawal: steps out of order refused, confirmations
//! shown, declining with a note, giving back, and withdrawing with a reason.

use crate::common::pages::field_error;

use super::{REPORT, World};

/// The message of a step refused because the referral moved on.
fn not_now(status: &str) -> String {
    format!("Dit kan nu niet meer: de doorverwijzing staat op ‘{status}’.")
}

#[tokio::test]
async fn steps_out_of_order_are_refused_and_change_nothing() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let events = "SELECT count(*) FROM referral_events WHERE referral_id = $1";

    // Start, finish or give back before accepting.
    for (action, fields) in [
        ("start", &[][..]),
        ("finish", REPORT),
        ("return", &[("reason", "Past niet")][..]),
    ] {
        let answer = lid.step(referral, action, fields).await;
        assert_eq!(answer.status, 409, "{action} before accepting: {}", answer.body);
        assert!(
            answer.body.contains(&not_now("Verstuurd")),
            "{action}: {}",
            answer.body
        );
    }
    assert_eq!(w.status_of(referral).await, "verstuurd");
    assert_eq!(w.count(events, referral).await, 1);

    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    // Accepting twice, declining what was accepted, finishing before starting.
    for (action, fields) in [
        ("accept", &[][..]),
        ("decline", &[("reason", "geen_capaciteit"), ("note", "")][..]),
        ("finish", REPORT),
    ] {
        let answer = lid.step(referral, action, fields).await;
        assert_eq!(answer.status, 409, "{action} after accepting: {}", answer.body);
        assert!(
            answer.body.contains(&not_now("Geaccepteerd")),
            "{action}: {}",
            answer.body
        );
    }
    assert_eq!(w.status_of(referral).await, "geaccepteerd");
    assert_eq!(
        w.count(
            "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
            referral
        )
        .await,
        1,
        "accepting twice adds no second plan action"
    );

    assert_eq!(lid.step(referral, "start", &[]).await.status, 303);
    let answer = lid.step(referral, "start", &[]).await;
    assert_eq!(answer.status, 409, "starting twice");
    assert!(answer.body.contains(&not_now("Gestart")));

    // A report with mistakes keeps what was typed.
    let answer = lid
        .step(
            referral,
            "finish",
            &[
                ("outcome", "niet_geslaagd"),
                ("outcome_reason", " "),
                ("report", "Wim deed niet open."),
            ],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "finish-outcome_reason").as_deref(),
        Some("Vul in waarom het niet geslaagd is.")
    );
    assert_eq!(
        field_error(&answer.body, "finish-delivered").as_deref(),
        Some("Geef aan of de dienst geleverd is.")
    );
    assert!(answer.body.contains("Wim deed niet open.</textarea>"));
    assert!(answer.body.contains("value=\"niet_geslaagd\" checked"));
    assert_eq!(w.status_of(referral).await, "gestart");

    assert_eq!(lid.step(referral, "finish", REPORT).await.status, 303);
    for (action, fields) in [
        ("finish", REPORT),
        ("start", &[][..]),
        ("return", &[("reason", "Toch niet")][..]),
        ("accept", &[][..]),
    ] {
        let answer = lid.step(referral, action, fields).await;
        assert_eq!(answer.status, 409, "{action} after finishing: {}", answer.body);
        assert!(answer.body.contains(&not_now("Afgerond")), "{action}");
    }
    assert_eq!(w.status_of(referral).await, "afgerond");
    // verstuurd, geaccepteerd, gestart, afgerond: the refused steps left no trace.
    assert_eq!(w.count(events, referral).await, 4);
    // The case cannot withdraw what is finished.
    let answer = lead
        .submit(
            &format!("{}/referrals/{referral}/withdraw", w.case_path()),
            &[("reason", "Niet meer nodig")],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("Deze doorverwijzing loopt niet meer."));
    assert_eq!(w.status_of(referral).await, "afgerond");
}

/// A confirmation ("flash") set by a step must reach the next page even when the one before it
/// was never shown, e.g. when a second form is sent before the first redirect was followed.
#[tokio::test]
async fn a_steps_confirmation_is_not_lost_when_the_previous_one_was_never_shown() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    // The accept's redirect is not followed: its confirmation is still waiting in the cookie.
    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    let answer = lid.step(referral, "start", &[]).await;
    assert_eq!(answer.status, 303);
    let (_, page) = lid.page(&answer.location).await;
    assert!(
        page.contains("De ondersteuning is gestart."),
        "the start's confirmation is shown; the middleware's clearing of the old flash cookie \
         must not undo the flash the handler just set"
    );
}

#[tokio::test]
async fn declining_for_another_reason_needs_a_note_and_keeps_what_was_typed() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;

    let answer = lid
        .step(referral, "decline", &[("reason", "anders"), ("note", "  ")])
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "decline-note").as_deref(),
        Some("Licht toe waarom, als de reden ‘anders’ is.")
    );
    assert!(answer.body.contains("aria-describedby=\"decline-note-error\""));
    assert!(
        answer.body.contains("<option value=\"anders\" selected>"),
        "the chosen reason stays chosen"
    );
    assert!(
        answer.body.contains("<details open>"),
        "the decline form stays open"
    );
    let answer = lid
        .step(
            referral,
            "decline",
            &[("reason", "weet-niet"), ("note", "Geen idee")],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "decline-reason").as_deref(),
        Some("Kies een reden.")
    );
    assert!(answer.body.contains("Geen idee</textarea>"), "the note is kept");
    assert_eq!(w.status_of(referral).await, "verstuurd");
    assert!(w.notified(referral, "referral_declined").await.is_empty());

    let answer = lid
        .step(
            referral,
            "decline",
            &[
                ("reason", "anders"),
                ("note", "Wim heeft al een maatje via de kerk."),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location, "/demo/inbox");
    let (reason, note, status): (Option<String>, String, String) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT decline_reason, decline_note, status FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(
        (reason.as_deref(), note.as_str(), status.as_str()),
        (
            Some("anders"),
            "Wim heeft al een maatje via de kerk.",
            "afgewezen"
        )
    );
    assert_eq!(w.notified(referral, "referral_declined").await, vec![lead.id]);
    let (_, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert!(page.contains("Afgewezen") && page.contains("Anders — Wim heeft al een maatje via de kerk."));
}

#[tokio::test]
async fn the_organisation_gives_back_and_the_case_withdraws_with_a_reason() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;

    let returned = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(lid.step(returned, "accept", &[]).await.status, 303);
    let answer = lid.step(returned, "return", &[("reason", "")]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "return-reason").as_deref(),
        Some("Vul de reden van teruggeven in.")
    );
    let answer = lid
        .step(
            returned,
            "return",
            &[("reason", "Onze vrijwilliger is verhuisd.")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(w.status_of(returned).await, "teruggegeven");
    assert_eq!(w.notified(returned, "referral_returned").await, vec![lead.id]);
    let (_, page) = lead
        .page(&format!("{}/referrals/{returned}", w.case_path()))
        .await;
    assert!(page.contains("Teruggegeven") && page.contains("Onze vrijwilliger is verhuisd."));

    let withdrawn = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Boodschappen")
        .await;
    let path = format!("{}/referrals/{withdrawn}/withdraw", w.case_path());
    let answer = lead.submit(&path, &[("reason", " ")]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "withdraw-reason").as_deref(),
        Some("Vul de reden van intrekken in.")
    );
    let answer = lead
        .submit(&path, &[("reason", "Dochter doet de boodschappen.")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.location,
        format!("{}/referrals/{withdrawn}", w.case_path())
    );
    assert_eq!(w.status_of(withdrawn).await, "ingetrokken");
    let answer = lid.step(withdrawn, "accept", &[]).await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.body.contains(&not_now("Ingetrokken")));
    assert_eq!(
        w.count(
            "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
            withdrawn
        )
        .await,
        0
    );

    // Progress notes go both ways.
    let noted = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Tweede maatje")
        .await;
    assert_eq!(lid.step(noted, "accept", &[]).await.status, 303);
    let answer = lid.step(noted, "notes", &[("body", "")]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "note-body").as_deref(),
        Some("Schrijf de notitie.")
    );
    let answer = lid
        .step(noted, "notes", &[("body", "Kennismaking gepland op dinsdag.")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(w.notified(noted, "referral_note").await, vec![lead.id]);
    let (_, page) = lead.page(&format!("{}/referrals/{noted}", w.case_path())).await;
    assert!(page.contains("Kennismaking gepland op dinsdag."));
    let answer = lead
        .submit(
            &format!("{}/referrals/{noted}/notes", w.case_path()),
            &[("body", "Let op: Wim hoort slecht.")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lid.page(&format!("/demo/referrals/{noted}")).await;
    assert!(page.contains("Let op: Wim hoort slecht."));
}

#[tokio::test]
async fn the_member_sees_who_sent_it_and_how_to_reach_the_lead() {
    let w = World::new().await;
    {
        let mut db = w.app.owner_connection().await;
        sqlx::query("UPDATE tenant_settings SET contact_phone = '033 123 45 67' WHERE tenant_id = $1")
            .bind(w.tenant)
            .execute(&mut db)
            .await
            .unwrap();
    }
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let lid = w.login("lid@demo.test").await;
    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    let (_, page) = lid.page(&format!("/demo/referrals/{referral}")).await;

    // The lead sent it from the cooperative's social team, not from the organisation it went to.
    let history = super::section(&page, "history");
    assert!(history.contains("Tom Teamlid (sociaal team)"), "{history}");
    assert!(
        !history.contains("Tom Teamlid (Zorgcirkel Testdorp)"),
        "{history}"
    );
    assert!(
        history.contains("Lars Lidorganisatie (Zorgcirkel Testdorp)"),
        "{history}"
    );

    // Styled like the other pages: the summary and timeline of the house style.
    assert!(page.contains("<dl class=\"summary\">"), "{page}");
    assert!(history.contains("class=\"timeline__entry\""), "{history}");

    // How to reach the lead.
    let contact = super::section(&page, "lead-contact");
    assert!(contact.contains("Tom Teamlid"), "{contact}");
    assert!(contact.contains("mailto:team@demo.test"), "{contact}");
    assert!(contact.contains("tel:033 123 45 67"), "{contact}");
}
