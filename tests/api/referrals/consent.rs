//! Consent: nothing is sent without it, a process manager's audited override, and withdrawing
//! it closes the organisation out.

use uuid::Uuid;

use crate::common::pages::field_error;

use super::{REPORT, RESIDENT, World, section, tab_count};

#[tokio::test]
async fn without_valid_consent_nothing_is_sent() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let to_a = w.target(w.own, Some(w.org_a));
    let no_consent = "Er is geen geldige toestemming van de inwoner om met deze organisatie of dienst te delen. \
                      Leg eerst de toestemming vast.";

    let answer = w.try_refer(&lead, &to_a, "Zonder toestemming", &[]).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "referral-target").as_deref(),
        Some(no_consent)
    );
    assert!(
        answer.body.contains("value=\"Zonder toestemming\""),
        "what was typed stays"
    );
    assert!(
        answer
            .body
            .contains(&format!("<option value=\"{to_a}\" selected>"))
    );
    let nothing = [
        "SELECT count(*) FROM referrals WHERE case_id = $1",
        "SELECT count(*) FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE r.case_id = $1",
        "SELECT count(*) FROM notifications n JOIN referrals r ON r.id = n.referral_id WHERE r.case_id = $1",
        "SELECT count(*) FROM audit_events WHERE case_id = $1 AND kind = 'referral_sent'",
    ];
    for sql in nothing {
        assert_eq!(w.count(sql, w.case).await, 0, "{sql}");
    }

    // Consent for one organisation does not cover an open offer.
    let for_a = w
        .consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let answer = w
        .try_refer(&lead, &w.target(w.shared, None), "Open aanbod", &[])
        .await;
    assert_eq!(
        answer.status, 422,
        "an organisation's consent is not for everyone"
    );
    // An expired consent does not count, nor does a withdrawn one.
    w.consent(&lead, &format!("org:{}", w.org_b), "01-01-2025", "31-01-2025")
        .await;
    let answer = w
        .try_refer(&lead, &w.target(w.shared, Some(w.org_b)), "Verlopen", &[])
        .await;
    assert_eq!(answer.status, 422, "expired consent");
    let (_, page) = lead.page(&format!("{}/tab/referrals", w.case_path())).await;
    assert!(section(&page, "consents").contains("Verlopen"));
    let withdrawn = w
        .consent(&lead, &format!("org:{}", w.org_b), "01-01-2026", "")
        .await;
    let answer = lead
        .submit(
            &format!("{}/consents/{withdrawn}/withdraw", w.case_path()),
            &[("note", "Wil het toch niet")],
        )
        .await;
    assert_eq!(answer.status, 303);
    let answer = w
        .try_refer(&lead, &w.target(w.shared, Some(w.org_b)), "Ingetrokken", &[])
        .await;
    assert_eq!(answer.status, 422, "withdrawn consent");
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );

    // With consent it goes out, under that consent.
    let sent = w.refer(&lead, &to_a, "Met toestemming").await;
    let per_service = w
        .consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open aanbod").await;
    let to_b = w
        .refer(&lead, &w.target(w.shared, Some(w.org_b)), "Voor Hulp Dichtbij")
        .await;
    for (referral, consent) in [(sent, for_a), (open, per_service), (to_b, per_service)] {
        let used: Option<Uuid> = {
            let mut db = w.app.owner_connection().await;
            sqlx::query_scalar("SELECT consent_id FROM referrals WHERE id = $1")
                .bind(referral)
                .fetch_one(&mut db)
                .await
                .unwrap()
        };
        assert_eq!(used, Some(consent));
    }
}

#[tokio::test]
async fn a_process_manager_may_send_without_consent_with_a_reason_that_is_audited() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let pm = w.login("procesmanager@demo.test").await;
    let target = w.target(w.own, Some(w.org_a));

    let (status, form) = pm.page(&format!("{}/referrals", w.case_path())).await;
    assert_eq!(status, 200);
    assert!(form.contains("id=\"referral-override_reason\""));
    let answer = w.try_refer(&pm, &target, "Spoed", &[]).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "referral-override_reason").as_deref(),
        Some(
            "Er is geen geldige toestemming. Leg die vast, of vul de reden in om zonder toestemming te versturen."
        )
    );
    // The lead cannot override.
    let answer = w
        .try_refer(&lead, &target, "Spoed", &[("override_reason", "Ik wil het")])
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );

    let reason = "Acuut risico op verwaarlozing, inwoner niet bereikbaar voor toestemming";
    let answer = w
        .try_refer(&pm, &target, "Spoed", &[("override_reason", reason)])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let referral = w.referral("Spoed").await;
    let (override_reason, consent, sent_by): (Option<String>, Option<Uuid>, Uuid) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT override_reason, consent_id, sent_by FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(override_reason.as_deref(), Some(reason));
    assert_eq!(consent, None);
    assert_eq!(sent_by, pm.id);
    let audited: Vec<(Option<Uuid>, Option<String>, Option<String>)> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT actor_id, details->>'override_reason', details->>'referral' FROM audit_events
             WHERE kind = 'referral_sent' AND case_id = $1",
        )
        .bind(w.case)
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(
        audited,
        vec![(Some(pm.id), Some(reason.to_owned()), Some(referral.to_string()))]
    );
    let (_, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert!(
        page.contains(reason),
        "the lead sees why it went out without consent"
    );
}

#[tokio::test]
async fn an_override_reason_given_while_consent_exists_is_not_audited_as_an_override() {
    let w = World::new().await;
    let pm = w.login("procesmanager@demo.test").await;
    let consent = w
        .consent(&pm, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let answer = w
        .try_refer(
            &pm,
            &w.target(w.own, Some(w.org_a)),
            "Met toestemming",
            &[("override_reason", "Voor de zekerheid")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let referral = w.referral("Met toestemming").await;
    let (override_reason, consent_id): (Option<String>, Option<Uuid>) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT override_reason, consent_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(
        (override_reason, consent_id),
        (None, Some(consent)),
        "sent under the consent"
    );
    let audited: Option<String> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar(
            "SELECT details->>'override_reason' FROM audit_events WHERE kind = 'referral_sent'",
        )
        .fetch_one(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(
        audited, None,
        "the audit trail must not record an override for a referral that was sent with consent"
    );
}

#[tokio::test]
async fn withdrawing_consent_closes_the_organisation_out_at_once_and_stops_running_referrals() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let consent = w
        .consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let finished = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Afgerond maatje")
        .await;
    for (action, fields) in [("accept", &[][..]), ("start", &[][..]), ("finish", REPORT)] {
        assert_eq!(lid.step(finished, action, fields).await.status, 303);
    }
    let running = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Lopende boodschappen")
        .await;
    assert_eq!(lid.step(running, "accept", &[]).await.status, 303);
    let waiting = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Wachtend maatje")
        .await;
    for referral in [finished, running, waiting] {
        assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 200);
    }

    let answer = lead
        .submit(
            &format!("{}/consents/{consent}/withdraw", w.case_path()),
            &[("note", "Inwoner wil niet meer dat Zorgcirkel meekijkt")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    assert_eq!(
        w.status_of(finished).await,
        "afgerond",
        "what is finished stays finished"
    );
    assert_eq!(w.status_of(running).await, "ingetrokken");
    assert_eq!(w.status_of(waiting).await, "ingetrokken");
    for referral in [finished, running, waiting] {
        let page = format!("/demo/referrals/{referral}");
        assert_eq!(lid.status(&page).await, 404, "access ends at once");
        assert_eq!(
            w.count(
                "SELECT count(*) FROM referrals WHERE id = $1 AND access_revoked_at IS NOT NULL",
                referral
            )
            .await,
            1
        );
    }
    assert_eq!(lid.step(running, "start", &[]).await.status, 404);
    assert_eq!(lid.step(waiting, "accept", &[]).await.status, 404);
    let (_, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    assert_eq!(tab_count(&inbox, "Mijn geaccepteerde, nog te starten"), 0);
    assert!(!inbox.contains(RESIDENT));

    let stopped = "SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'ingetrokken'";
    assert_eq!(w.count(stopped, running).await, 1);
    assert_eq!(w.count(stopped, waiting).await, 1);
    assert_eq!(w.count(stopped, finished).await, 0);
    let audited: Vec<serde_json::Value> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar(
            "SELECT details->'referrals_stopped' FROM audit_events WHERE kind = 'consent_withdrawn' AND case_id = $1",
        )
        .bind(w.case)
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(audited.len(), 1);
    let mut stopped_ids: Vec<String> = audited[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    stopped_ids.sort();
    let mut expected = vec![running.to_string(), waiting.to_string()];
    expected.sort();
    assert_eq!(stopped_ids, expected);

    let (_, page) = lead.page(&format!("{}/tab/referrals", w.case_path())).await;
    let listed = section(&page, "referrals");
    assert!(listed.contains("Ingetrokken") && listed.contains("(toegang ingetrokken)"));
    assert!(section(&page, "consents").contains("Inwoner wil niet meer dat Zorgcirkel meekijkt"));
    let answer = w
        .try_refer(&lead, &w.target(w.own, Some(w.org_a)), "Opnieuw", &[])
        .await;
    assert_eq!(answer.status, 422, "no consent any more");
}

#[tokio::test]
async fn the_referral_form_asks_for_consent_first_groups_organisations_by_service_and_proposes_the_goal() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let form = format!("{}/referrals", w.case_path());

    let (status, page) = lead.page(&form).await;
    assert_eq!(status, 200);
    let notice = section_of(&page, "consent-first");
    assert!(notice.contains("Leg eerst de toestemming vast"), "{notice}");
    assert!(
        notice.contains(&format!("href=\"{}/consents\"", w.case_path())),
        "{notice}"
    );
    // Each service a group, each organisation by its full name beneath it.
    let shared = &page[page
        .find("<optgroup label=\"Boodschappenhulp\">")
        .expect("a group per service")..];
    let shared = &shared[..shared.find("</optgroup>").unwrap()];
    assert!(
        shared.contains("Zorgcirkel Testdorp (nog geen toestemming)"),
        "{shared}"
    );
    assert!(
        shared.contains("Hulp Dichtbij Testdorp (nog geen toestemming)"),
        "{shared}"
    );
    assert!(page.contains("<optgroup label=\"Maatjescontact\">"));

    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let goal: Uuid = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar(
            "WITH p AS (INSERT INTO support_plans (tenant_id, case_id) VALUES ($1, $2) RETURNING tenant_id, id)
             INSERT INTO plan_goals (tenant_id, plan_id, position, description)
             SELECT tenant_id, id, 1, 'Rust in de financiën.' FROM p RETURNING id",
        )
        .bind(w.tenant)
        .bind(w.case)
        .fetch_one(&mut db)
        .await
        .unwrap()
    };
    let (_, page) = lead.page(&form).await;
    assert!(
        !page.contains("id=\"consent-first\""),
        "consent covers Zorgcirkel now"
    );
    let to_a = w.target(w.own, Some(w.org_a));
    assert!(
        page.contains(&format!("<option value=\"{to_a}\">Zorgcirkel Testdorp</option>")),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<option value=\"{goal}\" selected>Rust in de financiën.</option>"
        )),
        "the plan's goal is proposed: {page}"
    );
}

/// The element with `id` up to its closing `</div>`.
fn section_of<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id} on the page"));
    let rest = &html[start..];
    &rest[..rest.find("</div>").unwrap_or(rest.len())]
}
