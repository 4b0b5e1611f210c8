use anyhow::ensure;
use fantoccini::Locator;
use schakel::demo;

use crate::common::browser::{
    ENTER, expect_confirmation_in_view, expect_heading, submit, type_into, wait_for_text, with_browser,
};
use crate::common::{TestApp, hidden_value, location};

/// The desk registers a resident with an urgent Wmo request and hands it to the team.
async fn case_from_the_desk(app: &TestApp) {
    app.login("demo", "balie@demo.test").await;
    let response = app
        .post_form(
            "/demo/residents/new",
            "/demo/residents",
            &[
                ("first_names", "Gerrit"),
                ("surname", "Hoogland"),
                ("date_of_birth", "02-02-1941"),
                ("confirm_new", "yes"),
            ],
        )
        .await;
    let resident = location(&response).to_owned();
    let form = app
        .get(&format!("{resident}/requests"))
        .await
        .text()
        .await
        .unwrap();
    let token = hidden_value(&form, "form_token").unwrap();
    let response = app
        .post_form(
            &format!("{resident}/requests"),
            &format!("{resident}/requests"),
            &[
                // Before the conversation and its report below, which nothing may precede.
                ("received_date", "01-11-2026"),
                ("channel", "desk"),
                ("domains", "wmo"),
                ("question", "Ik red het niet meer alleen thuis."),
                // Marked "spoed": the urgency travels with the case to the team.
                ("urgency", "urgent"),
                ("form_token", &token),
                ("received_time", "10:00"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let request = location(&response).to_owned();
    let response = app
        .post_form(
            &request,
            &format!("{request}/triage"),
            &[("unsafe_at_home", "no"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(response.status(), 303);
}

/// Follows the link with `text` on the page.
async fn follow(browser: &fantoccini::Client, text: &str) -> anyhow::Result<()> {
    browser
        .find(Locator::XPath(&format!(
            "//a[starts-with(normalize-space(.), '{text}')]"
        )))
        .await?
        .send_keys(ENTER)
        .await?;
    Ok(())
}

/// Case from queue to referral: a professional opens the team queue, takes the lead, records
/// the conversation, accepts the suggested status, agrees a plan, records consent and sends a
/// referral. After every save the confirmation is in view and focused.
#[tokio::test(flavor = "multi_thread")]
async fn a_professional_takes_a_case_from_the_queue_to_a_referral() {
    let app = TestApp::spawn().await;
    case_from_the_desk(&app).await;
    // A member organisation that offers home help.
    sqlx::query(
        "WITH t AS (SELECT id FROM tenants WHERE slug = 'demo'),
         o AS (INSERT INTO organisations (tenant_id, name, kind, status, status_since)
               SELECT id, 'Thuishulp De Vallei', 'thuishulp', 'lid', current_date FROM t RETURNING tenant_id, id),
         s AS (INSERT INTO services (tenant_id, name) SELECT id, 'Huishoudelijke hulp' FROM t RETURNING tenant_id, id)
         INSERT INTO organisation_services SELECT o.tenant_id, o.id, s.id FROM o, s",
    )
    .execute(&mut app.owner_connection().await)
    .await
    .unwrap();
    with_browser("case_flow", |browser| async move {
        browser.goto(&app.url("/demo/login")).await?;
        type_into(&browser, "email", "team@demo.test").await?;
        type_into(&browser, "password", &format!("{}{ENTER}", demo::PASSWORD)).await?;
        expect_heading(&browser, "Welkom, Tom Teamlid").await?;

        // The new case waits in the team's queue without a lead, marked "spoed".
        browser.goto(&app.url("/demo/team?tab=unassigned")).await?;
        expect_heading(&browser, "Casussen van het sociaal team").await?;
        let row = browser
            .find(Locator::XPath(
                "//tr[td/a[starts-with(normalize-space(.), 'Gerrit Hoogland')]]",
            ))
            .await?
            .text()
            .await?;
        ensure!(row.contains("spoed"), "the queue shows the urgency: {row:?}");
        follow(&browser, "Gerrit Hoogland").await?;
        expect_heading(&browser, "Gerrit Hoogland").await?;
        let urgency = browser.find(Locator::Id("case-urgency")).await?.text().await?;
        ensure!(urgency == "spoed", "the header shows the urgency: {urgency:?}");

        // The overview offers taking the lead as the next step.
        submit(&browser, "/lead").await?;
        expect_confirmation_in_view(&browser, "De regie is vastgelegd.").await?;
        let lead = browser.find(Locator::Id("case-lead")).await?.text().await?;
        ensure!(lead == "Tom Teamlid", "the lead is shown: {lead:?}");
        ensure!(
            browser.find(Locator::Id("suggested-status")).await.is_err(),
            "no status is suggested before the conversation"
        );

        // Next: the kitchen-table conversation, on its own tab.
        follow(&browser, "Keukentafelgesprek plannen en vastleggen").await?;
        wait_for_text(&browser, "Gesprek plannen").await?;
        ensure!(
            browser
                .current_url()
                .await?
                .path()
                .ends_with("/tab/conversations"),
            "the conversation has its own address"
        );
        type_into(&browser, "conversation-date", "20-11-2026").await?;
        type_into(&browser, "conversation-time", "10:00").await?;
        type_into(&browser, "conversation-place", "Bij meneer thuis").await?;
        type_into(
            &browser,
            "conversation-participants",
            &format!("Dochter Anja{ENTER}"),
        )
        .await?;
        expect_confirmation_in_view(&browser, "Het gesprek is gepland.").await?;
        follow(&browser, "Verslag vastleggen").await?;
        expect_heading(&browser, "Keukentafelgesprek — Gerrit Hoogland").await?;
        type_into(&browser, "report_on", "20-11-2026").await?;
        type_into(&browser, "housing", "Woont alleen, trap naar de slaapkamer.").await?;
        type_into(&browser, "wishes", "Zo lang mogelijk thuis blijven wonen.").await?;
        browser
            .find(Locator::Css("main form button[type=submit]"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_confirmation_in_view(&browser, "Het verslag is opgeslagen.").await?;

        // The report stopped the investigation clock; the application's date is asked for.
        follow(&browser, "Termijnen").await?;
        wait_for_text(&browser, "Op tijd afgerond").await?;
        let application = browser.find(Locator::Id("application-date")).await?;
        ensure!(
            application.prop("value").await?.as_deref() == Some("")
                && application.attr("required").await?.is_some(),
            "the application's date is typed deliberately"
        );

        // The overview suggests the next status; one click takes it.
        follow(&browser, "Overzicht").await?;
        submit(&browser, "/status").await?;
        expect_confirmation_in_view(&browser, "De status is gewijzigd.").await?;
        let status = browser.find(Locator::Id("case-status")).await?.text().await?;
        ensure!(status == "In onderzoek", "the case is investigated: {status:?}");

        // A plan with two goals in the resident's words, agreed with him.
        follow(&browser, "Ondersteuningsplan opstellen").await?;
        follow(&browser, "Plan openen").await?;
        expect_heading(&browser, "Ondersteuningsplan — Gerrit Hoogland").await?;
        for goal in [
            "Ik wil weer zelf boodschappen doen.",
            "Ik wil veilig de trap op kunnen.",
        ] {
            type_into(&browser, "goal-description", goal).await?;
            let old = browser.find(Locator::Css("html")).await?;
            submit(&browser, "/plan/goals").await?;
            while old.tag_name().await.is_ok() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            expect_confirmation_in_view(&browser, "Het plan is opgeslagen.").await?;
            wait_for_text(&browser, goal).await?;
        }
        submit(&browser, "/plan/agree").await?;
        wait_for_text(&browser, "Versie 1, vastgesteld op").await?;

        // Back on the case: the agreed plan brings the next suggestion.
        follow(&browser, "Terug naar de casus").await?;
        expect_heading(&browser, "Gerrit Hoogland").await?;
        follow(&browser, "Overzicht").await?;
        let suggestion = browser
            .find(Locator::Id("suggested-status"))
            .await?
            .text()
            .await?;
        ensure!(
            suggestion.contains("Status naar ‘Plan vastgesteld’"),
            "the agreed plan's status is suggested: {suggestion:?}"
        );
        submit(&browser, "/status").await?;
        expect_confirmation_in_view(&browser, "De status is gewijzigd.").await?;
        let status = browser.find(Locator::Id("case-status")).await?.text().await?;
        ensure!(status == "Plan vastgesteld", "the plan is agreed: {status:?}");

        // The resident agrees that an organisation offering help is told what it needs.
        follow(&browser, "Verwijzingen").await?;
        follow(&browser, "Nieuwe doorverwijzing").await?;
        let mut offered = Vec::new();
        for option in browser
            .find_all(Locator::Css("#referral-target optgroup option"))
            .await?
        {
            if let Some(organisation) = option.text().await?.strip_suffix(" (nog geen toestemming)") {
                offered.push(organisation.to_owned());
            }
        }
        browser.back().await?;
        follow(&browser, "Toestemming vastleggen").await?;
        let mut chosen = None;
        for option in browser
            .find_all(Locator::Css("#consent-recipient option"))
            .await?
        {
            if offered.contains(&option.text().await?) {
                chosen = Some(option);
                break;
            }
        }
        let Some(recipient) = chosen else {
            anyhow::bail!("no organisation offers a service to refer to: {offered:?}");
        };
        let organisation = recipient.text().await?;
        recipient.click().await?;
        type_into(&browser, "consent-purpose", "Hulp thuis regelen").await?;
        submit(&browser, "/consents").await?;
        expect_confirmation_in_view(&browser, "De toestemming is vastgelegd.").await?;

        // And the referral to that organisation goes out.
        follow(&browser, "Nieuwe doorverwijzing").await?;
        let mut chosen = None;
        for option in browser.find_all(Locator::Css("#referral-target option")).await? {
            if option.text().await? == organisation {
                chosen = Some(option);
                break;
            }
        }
        let Some(target) = chosen else {
            anyhow::bail!("{organisation} is offered");
        };
        target.click().await?;
        type_into(&browser, "referral-purpose", "Hulp bij het huishouden").await?;
        type_into(
            &browser,
            "referral-summary",
            "Meneer woont alleen en red het niet meer.",
        )
        .await?;
        submit(&browser, "/referrals").await?;
        expect_confirmation_in_view(&browser, "De doorverwijzing is verstuurd.").await?;
        let listed = browser.find(Locator::Id("referrals")).await?.text().await?;
        ensure!(
            listed.contains(&organisation),
            "the referral is on the case: {listed}"
        );

        // Into execution, as the status form on the overview offers first.
        follow(&browser, "Overzicht").await?;
        submit(&browser, "/status").await?;
        expect_confirmation_in_view(&browser, "De status is gewijzigd.").await?;
        let status = browser.find(Locator::Id("case-status")).await?.text().await?;
        ensure!(status == "In uitvoering", "the case is in progress: {status:?}");
        Ok(())
    })
    .await;
}
