//! A referral's lifecycle from sent to finished as the case shows it, the answer period, and
//! who may send to whom.

use time::Date;
use uuid::Uuid;

use crate::common::pages::{field_error, nl};
use crate::common::records::today;

use super::{PHONE, QUESTION, REPORT, RESIDENT, World, section};

#[tokio::test]
async fn a_referral_goes_from_sent_to_finished_and_every_step_shows_on_the_case() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let consent = w
        .consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;

    let (status, form) = lead.page(&format!("{}/referrals", w.case_path())).await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("De organisatie heeft 5 werkdagen om te antwoorden."));
    let target = w.target(w.own, Some(w.org_a));
    assert!(
        form.contains(&format!("value=\"{target}\"")),
        "the form offers the organisation"
    );
    assert!(
        form.contains(&format!("value=\"{}\"", w.target(w.shared, None))),
        "and the open offer"
    );
    assert!(
        !form.contains("referral-override_reason"),
        "only process managers may send without consent"
    );

    let referral = w
        .refer(&lead, &target, "Maatje voor een wekelijkse wandeling")
        .await;
    let (sent_by, consent_id, due, open_offer): (Uuid, Option<Uuid>, Date, bool) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT sent_by, consent_id, answer_due_on, open_offer FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(sent_by, lead.id);
    assert_eq!(
        consent_id,
        Some(consent),
        "sent under the consent for the organisation"
    );
    assert!(!open_offer);
    let today = today(&w.app).await;
    assert_eq!(
        due,
        schakel::calendar::WorkingCalendar::dutch_default().add_working_days(today, 5),
        "the organisation has five working days to answer"
    );
    let (status, case_page) = lead.page(&w.case_path()).await;
    assert_eq!(status, 200);
    let listed = section(&case_page, "referrals");
    assert!(listed.contains("Maatjescontact") && listed.contains("Zorgcirkel Testdorp"));
    assert!(listed.contains("Verstuurd"));

    // The organisation's staff see the resident, the contact data and the summary: nothing else.
    let (status, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(status, 200);
    assert!(inbox.contains(RESIDENT) && inbox.contains("Maatje voor een wekelijkse wandeling"));
    let (status, page) = lid.page(&format!("/demo/referrals/{referral}")).await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        RESIDENT,
        PHONE,
        "inwoner@example.test",
        "Dorpsstraat 12",
        "Wim (82) woont alleen",
    ] {
        assert!(page.contains(shown), "the member sees {shown}");
    }
    assert!(!page.contains(QUESTION), "the member does not see the request");

    let answer = lid.step(referral, "accept", &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location, format!("/demo/referrals/{referral}"));
    let (_, page) = lid.page(&answer.location).await;
    assert!(page.contains("Je hebt de doorverwijzing geaccepteerd."));
    assert!(page.contains("Geaccepteerd"));

    // The accepted referral is an action in the support plan.
    let action: Option<Uuid> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT plan_action_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    let actions = w
        .count(
            "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
            referral,
        )
        .await;
    assert_eq!(actions, 1, "one plan action for the referral");
    let action = action.expect("the referral knows its plan action");
    let (action_referral, description): (Option<Uuid>, String) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT referral_id, description FROM plan_actions WHERE id = $1")
            .bind(action)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(action_referral, Some(referral));
    assert!(description.contains("Maatjescontact"), "{description}");

    let answer = lid.step(referral, "start", &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lid.page(&answer.location).await;
    assert!(page.contains("De ondersteuning is gestart."));
    let answer = lid.step(referral, "finish", REPORT).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lid.page(&answer.location).await;
    assert!(page.contains("Het verslag is verstuurd en de doorverwijzing is afgerond."));

    let (status, outcome, delivered, report, handled_by, stamped): (
        String,
        Option<String>,
        Option<bool>,
        String,
        Option<Uuid>,
        bool,
    ) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT status, outcome, delivered, report, handled_by,
                    answered_at IS NOT NULL AND started_at IS NOT NULL AND finished_at IS NOT NULL
                    AND sent_at <= answered_at AND answered_at <= started_at AND started_at <= finished_at
             FROM referrals WHERE id = $1",
        )
        .bind(referral)
        .fetch_one(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(status, "afgerond");
    assert_eq!(outcome.as_deref(), Some("geslaagd"));
    assert_eq!(delivered, Some(true));
    assert_eq!(report, "Wim wandelt nu elke dinsdag met een vrijwilliger.");
    assert_eq!(handled_by, Some(lid.id));
    assert!(stamped, "every step is timestamped, in order");

    // Every step timestamped and attributed.
    let events: Vec<(String, Uuid)> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT kind, actor_id FROM referral_events WHERE referral_id = $1 ORDER BY occurred_at, kind",
        )
        .bind(referral)
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(
        events,
        vec![
            ("verstuurd".to_owned(), lead.id),
            ("geaccepteerd".to_owned(), lid.id),
            ("gestart".to_owned(), lid.id),
            ("afgerond".to_owned(), lid.id),
        ]
    );

    // The lead sees it all on the case.
    let (status, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "Afgerond",
        "Geslaagd",
        "Wim wandelt nu elke dinsdag met een vrijwilliger.",
        "Lars Lidorganisatie",
        "Tom Teamlid",
        "Gestart",
        "Geaccepteerd",
    ] {
        assert!(page.contains(shown), "the case's referral page shows {shown}");
    }
    let (_, case_page) = lead.page(&w.case_path()).await;
    assert!(section(&case_page, "referrals").contains("Afgerond"));
}

#[tokio::test]
async fn the_answer_period_is_the_cooperatives_setting_in_working_days() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    {
        let mut db = w.app.owner_connection().await;
        sqlx::query("UPDATE tenant_settings SET referral_answer_days = 2 WHERE tenant_id = $1")
            .bind(w.tenant)
            .execute(&mut db)
            .await
            .unwrap();
    }
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let (_, form) = lead.page(&format!("{}/referrals", w.case_path())).await;
    assert!(form.contains("De organisatie heeft 2 werkdagen om te antwoorden."));
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let due: Date = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT answer_due_on FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(
        due,
        schakel::calendar::WorkingCalendar::dutch_default().add_working_days(today(&w.app).await, 2)
    );
    let (_, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert!(page.contains(&nl(due)), "the answer date is shown");
}

#[tokio::test]
async fn only_the_lead_the_coordinator_or_a_process_manager_sends_and_only_to_who_offers_it() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_b), "01-01-2026", "")
        .await;
    let form = format!("{}/referrals", w.case_path());
    {
        let mut db = w.app.owner_connection().await;
        sqlx::query(
            "INSERT INTO users (tenant_id, email, name, roles, password_hash)
             SELECT tenant_id, 'anders@demo.test', 'Anna Anders', ARRAY['professional'], password_hash
             FROM users WHERE tenant_id = $1 AND email = 'balie@demo.test'",
        )
        .bind(w.tenant)
        .execute(&mut db)
        .await
        .unwrap();
    }
    for email in ["anders@demo.test", "balie@demo.test", "lid@demo.test"] {
        let user = w.login(email).await;
        // A member organisation's staff are not even told the case exists.
        let refused = if email == "lid@demo.test" { 404 } else { 403 };
        assert_eq!(user.status(&form).await, refused, "{email} opens the form");
        let answer = w
            .try_refer(&user, &w.target(w.shared, Some(w.org_b)), "Boodschappen", &[])
            .await;
        assert_eq!(answer.status, refused, "{email} sends");
    }
    // Hulp Dichtbij does not offer Maatjescontact.
    let answer = w
        .try_refer(&lead, &w.target(w.own, Some(w.org_b)), "Maatje", &[])
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "referral-target").as_deref(),
        Some("Deze organisatie biedt deze dienst niet (meer) aan.")
    );
    let answer = w.try_refer(&lead, "", " ", &[]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "referral-target").as_deref(),
        Some("Kies een dienst en organisatie.")
    );
    assert_eq!(
        field_error(&answer.body, "referral-purpose").as_deref(),
        Some("Vul het doel van de doorverwijzing in.")
    );
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );
    w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "Boodschappen")
        .await;
}
