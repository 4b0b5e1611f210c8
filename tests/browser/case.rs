use anyhow::ensure;
use fantoccini::Locator;
use schakel::demo;

use crate::common::browser::{
    ENTER, expect_heading, submit, submit_and_wait_for, type_into, wait_for_text, with_browser,
};
use crate::common::{TestApp, hidden_value, location};

/// The desk registers a resident with a Wmo request and hands it to the team.
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
                ("urgency", "normal"),
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

#[tokio::test(flavor = "multi_thread")]
async fn a_professional_takes_a_case_records_the_conversation_writes_a_plan_and_starts_it() {
    let app = TestApp::spawn().await;
    case_from_the_desk(&app).await;
    with_browser("case_flow", |browser| async move {
        browser.goto(&app.url("/demo/login")).await?;
        type_into(&browser, "email", "team@demo.test").await?;
        type_into(&browser, "password", &format!("{}{ENTER}", demo::PASSWORD)).await?;
        expect_heading(&browser, "Welkom, Tom Teamlid").await?;

        // The new case waits in the team's queue without a lead.
        browser.goto(&app.url("/demo/team?tab=unassigned")).await?;
        expect_heading(&browser, "Casussen van het sociaal team").await?;
        browser
            .find(Locator::XPath(
                "//a[starts-with(normalize-space(.), 'Gerrit Hoogland')]",
            ))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Gerrit Hoogland").await?;
        submit(&browser, "/lead").await?;
        wait_for_text(&browser, "De regie is vastgelegd.").await?;
        let lead = browser.find(Locator::Id("case-lead")).await?.text().await?;
        ensure!(lead == "Tom Teamlid", "the lead is shown: {lead:?}");

        // Into investigation: the status form offers the next step first.
        submit(&browser, "/status").await?;
        wait_for_text(&browser, "De status is gewijzigd.").await?;

        // Schedule the kitchen-table conversation, then record its report.
        type_into(&browser, "conversation-date", "20-11-2026").await?;
        type_into(&browser, "conversation-time", "10:00").await?;
        type_into(&browser, "conversation-place", "Bij meneer thuis").await?;
        type_into(
            &browser,
            "conversation-participants",
            &format!("Dochter Anja{ENTER}"),
        )
        .await?;
        wait_for_text(&browser, "Het gesprek is gepland.").await?;
        browser
            .find(Locator::LinkText("Verslag vastleggen"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Keukentafelgesprek — Gerrit Hoogland").await?;
        type_into(&browser, "report_on", "20-11-2026").await?;
        type_into(&browser, "housing", "Woont alleen, trap naar de slaapkamer.").await?;
        type_into(&browser, "wishes", "Zo lang mogelijk thuis blijven wonen.").await?;
        browser
            .find(Locator::Css("main form button[type=submit]"))
            .await?
            .send_keys(ENTER)
            .await?;
        wait_for_text(&browser, "Het verslag is opgeslagen.").await?;
        ensure!(
            browser.source().await?.contains("Op tijd afgerond"),
            "the report stopped the Wmo investigation clock"
        );

        // A plan with two goals in the resident's words, agreed with him.
        browser
            .find(Locator::LinkText("Plan openen"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Ondersteuningsplan — Gerrit Hoogland").await?;
        for goal in [
            "Ik wil weer zelf boodschappen doen.",
            "Ik wil veilig de trap op kunnen.",
        ] {
            type_into(&browser, "goal-description", goal).await?;
            submit_and_wait_for(&browser, "/plan/goals", "Het plan is opgeslagen.").await?;
            wait_for_text(&browser, goal).await?;
        }
        submit(&browser, "/plan/agree").await?;
        wait_for_text(&browser, "Versie 1, vastgesteld op").await?;

        // Back on the case: plan agreed, then into execution.
        browser
            .find(Locator::LinkText("Terug naar de casus"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Gerrit Hoogland").await?;
        submit_and_wait_for(&browser, "/status", "De status is gewijzigd.").await?;
        submit_and_wait_for(&browser, "/status", "De status is gewijzigd.").await?;
        let status = browser.find(Locator::Id("case-status")).await?.text().await?;
        ensure!(status == "In uitvoering", "the case is in progress: {status:?}");
        Ok(())
    })
    .await;
}
