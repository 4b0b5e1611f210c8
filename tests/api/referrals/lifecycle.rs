//! A referral's lifecycle from sent to finished as the case shows it, the answer period, and
//! who may send to whom.

use schakel::calendar::{LiberationDay, WorkingCalendar};
use time::Date;
use uuid::Uuid;

use crate::common::hidden_value;
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
    let (status, case_page) = lead.page(&format!("{}/tab/referrals", w.case_path())).await;
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
    assert_eq!(
        page.matches("Wim wandelt nu elke dinsdag met een vrijwilliger.")
            .count(),
        1,
        "the report shows once, with the outcome, not again in the history"
    );
    // The member's page shows the report in the history, its only place there.
    let (_, page) = lid.page(&format!("/demo/referrals/{referral}")).await;
    assert_eq!(
        page.matches("Wim wandelt nu elke dinsdag met een vrijwilliger.")
            .count(),
        1
    );
    let (_, case_page) = lead.page(&format!("{}/tab/referrals", w.case_path())).await;
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

#[tokio::test]
async fn closing_a_case_withdraws_its_running_referrals_once_confirmed_and_tells_the_organisation() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let sent = w
        .refer(
            &lead,
            &w.target(w.own, Some(w.org_a)),
            "Maatje voor een wandeling",
        )
        .await;
    let accepted = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Boodschappen doen")
        .await;
    assert_eq!(lid.step(accepted, "accept", &[]).await.status, 303);

    // The closing form lists the running referrals and asks what becomes of them.
    let (_, page) = lead.page(&w.case_path()).await;
    let form = section(&page, "status-title");
    for shown in [
        "Maatjescontact",
        "Boodschappenhulp",
        "Zorgcirkel Testdorp",
        "Trek deze doorverwijzingen in",
    ] {
        assert!(form.contains(shown), "{shown}: {form}");
    }
    let lock = hidden_value(form, "lock_version").unwrap();
    let (sent_id, accepted_id) = (sent.to_string(), accepted.to_string());
    let close = |confirmed: bool| {
        let mut fields = vec![
            ("lock_version", lock.as_str()),
            ("to", "afgesloten"),
            ("closing_result", "doel_bereikt"),
            ("open_referral", sent_id.as_str()),
            ("open_referral", accepted_id.as_str()),
        ];
        if confirmed {
            fields.push(("withdraw_referrals", "yes"));
        }
        fields
    };
    let status_path = format!("{}/status", w.case_path());

    // Closing without an answer: refused beside the question, what was chosen stays.
    let answer = lead.submit(&status_path, &close(false)).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "status-withdraw_referrals").as_deref(),
        Some("Bevestig dat de lopende doorverwijzingen worden ingetrokken.")
    );
    assert!(answer.body.contains("value=\"doel_bereikt\" selected"));
    // Confirmed, but not for what runs now (one more was sent since): refused as well.
    let mut fields = close(true);
    fields.retain(|&(name, value)| !(name == "open_referral" && value == accepted_id));
    let answer = lead.submit(&status_path, &fields).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(field_error(&answer.body, "status-withdraw_referrals").is_some());
    assert_eq!(
        w.status_of(sent).await,
        "verstuurd",
        "a refused closing changes nothing"
    );
    assert_eq!(w.status_of(accepted).await, "geaccepteerd");
    assert!(w.notified(sent, "referral_withdrawn").await.is_empty());

    let answer = lead.submit(&status_path, &close(true)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    for referral in [sent, accepted] {
        assert_eq!(w.status_of(referral).await, "ingetrokken");
        assert_eq!(
            w.notified(referral, "referral_withdrawn").await.len(),
            2,
            "both staff of the organisation are told"
        );
    }
    let (_, notices) = lid.page("/demo/notifications").await;
    assert!(notices.contains("Doorverwijzing ingetrokken"), "{notices}");
    let (_, seen) = lid.page(&format!("/demo/referrals/{accepted}")).await;
    assert!(seen.contains("Ingetrokken"), "{seen}");

    // The case's history says so.
    let (_, history) = lead.page(&format!("{}/history", w.case_path())).await;
    assert!(
        history.contains("Doorverwijzing: Verstuurd → Ingetrokken")
            && history.contains("Doorverwijzing: Geaccepteerd → Ingetrokken")
            && history.contains("Maatjescontact · Zorgcirkel Testdorp"),
        "{history}"
    );
}

#[tokio::test]
async fn the_demo_history_is_due_on_working_days() {
    let app = crate::common::TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let due = |sql: &'static str| {
        let owner = owner.clone();
        async move {
            sqlx::query_scalar::<_, Date>(sql)
                .fetch_all(&owner)
                .await
                .unwrap()
        }
    };
    // The demo cooperative's own working days: answers and to-do items.
    let cooperative = WorkingCalendar::dutch_default();
    let answers = due("SELECT answer_due_on FROM referrals").await;
    let tasks = due("SELECT due_on FROM tasks WHERE case_id IS NOT NULL").await;
    assert!(answers.len() > 100 && !tasks.is_empty());
    for day in answers.iter().chain(&tasks) {
        assert!(
            cooperative.is_working_day(*day),
            "due on {day} ({})",
            day.weekday()
        );
    }
    // A referral is answered five working days after it was sent.
    let sent: Vec<(Date, Date)> = sqlx::query_as(
        "SELECT (sent_at AT TIME ZONE 'Europe/Amsterdam')::date, answer_due_on FROM referrals",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    for (sent_on, due_on) in sent {
        assert_eq!(cooperative.add_working_days(sent_on, 5), due_on, "sent {sent_on}");
    }
    // Statutory terms run on past weekends and every public holiday (Algemene termijnenwet).
    let statutory = WorkingCalendar::new(LiberationDay::EveryYear, []);
    for day in due("SELECT due_on FROM case_clocks").await {
        assert!(
            statutory.is_working_day(day),
            "a term due on {day} ({})",
            day.weekday()
        );
    }
}

#[tokio::test]
async fn a_referral_is_not_expected_to_start_before_the_request_came_in() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let today = today(&w.app).await;
    // The case's request came in three days ago.
    let before = nl(today - time::Duration::days(10));
    let path = format!("{}/referrals", w.case_path());
    let target = w.target(w.own, Some(w.org_a));
    let send = async |expected_start: String| {
        lead.submit(
            &path,
            &[
                ("target", target.as_str()),
                ("purpose", "Maatje"),
                ("summary", "Wim zoekt gezelschap."),
                ("expected_start", expected_start.as_str()),
            ],
        )
        .await
    };
    let answer = send(before).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "referral-expected_start").as_deref(),
        Some("Deze datum ligt vóór de melding van deze casus.")
    );
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );
    let answer = send(nl(today)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    // The database refuses it too.
    let mut db = w.app.owner_connection().await;
    let refused = sqlx::query("UPDATE referrals SET expected_start = current_date - 10 WHERE case_id = $1")
        .bind(w.case)
        .execute(&mut db)
        .await
        .unwrap_err();
    assert_eq!(
        refused.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("23514")
    );
}
