use anyhow::ensure;
use fantoccini::{Client, Locator};

use crate::api::assembly::{Assembly, date_in};
use crate::common::browser::{
    ENTER, expect_heading, log_in, submit, submit_and_wait_for, type_into, wait_for_text, with_browser,
};

/// A representative marks a choice for their member and casts it.
async fn vote(browser: &Client, a: &Assembly, member: usize, choice: &str) -> anyhow::Result<()> {
    let organisation = a.members[member];
    browser
        .find(Locator::Id(&format!("choice-{organisation}-{choice}")))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Css(&format!(
            "#ballot-{organisation} button[type=submit]"
        )))
        .await?
        .send_keys(ENTER)
        .await?;
    wait_for_text(browser, "Je stem is uitgebracht.").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_meeting_is_prepared_convened_held_and_its_vote_becomes_a_decision() {
    let a = Assembly::new(2).await;
    let date = date_in(21);
    let a = &a;
    with_browser("assembly_flow", |browser| async move {
        // The administrator prepares the meeting and convenes it.
        log_in(&browser, &a.app, "beheer@demo.test", "Welkom, Bram Beheer").await?;
        browser.goto(&a.app.url("/demo/assembly")).await?;
        browser
            .find(Locator::LinkText("Nieuwe vergadering"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Nieuwe vergadering").await?;
        type_into(&browser, "date", &date).await?;
        type_into(&browser, "place", "Het Cultuurhuis").await?;
        submit(&browser, "/demo/assembly").await?;
        wait_for_text(&browser, "De vergadering is aangemaakt").await?;
        browser
            .find(Locator::Id("item-kind"))
            .await?
            .select_by_value("besluit")
            .await?;
        type_into(&browser, "item-title", "Begroting 2027").await?;
        browser
            .find(Locator::Id("item-decision_kind"))
            .await?
            .select_by_value("gewoon")
            .await?;
        type_into(
            &browser,
            "item-proposal",
            "De vergadering stelt de begroting vast.",
        )
        .await?;
        submit(&browser, "/items").await?;
        wait_for_text(&browser, "Het agendapunt is toegevoegd.").await?;
        submit(&browser, "/status").await?;
        expect_heading(&browser, "Vergadering uitschrijven?").await?;
        submit(&browser, "/status").await?;
        wait_for_text(&browser, "De vergadering is uitgeschreven").await?;
        let meeting = browser.current_url().await?.path().to_owned();

        // On the day of the meeting the chair opens it, records who is there and opens the vote.
        a.its_day(meeting.rsplit('/').next().unwrap_or_default()).await;
        log_in(
            &browser,
            &a.app,
            "voorzitter@demo.test",
            "Welkom, Vera Voorzitter",
        )
        .await?;
        browser.goto(&a.app.url(&meeting)).await?;
        submit(&browser, "/status").await?;
        expect_heading(&browser, "Vergadering openen?").await?;
        submit(&browser, "/status").await?;
        wait_for_text(&browser, "De vergadering is geopend.").await?;
        // The whole attendance list in one form: a line per member.
        browser
            .find(Locator::Id("attendance-sheet-link"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Presentielijst bijhouden").await?;
        for member in &a.members {
            browser
                .find(Locator::Id(&format!("presence-{member}")))
                .await?
                .select_by_value("aanwezig")
                .await?;
        }
        submit_and_wait_for(&browser, "/attendance/list", "De aanwezigheid is vastgelegd.").await?;
        let quorum = browser.find(Locator::Id("quorum")).await?.text().await?;
        ensure!(quorum.contains("Quorum gehaald"), "{quorum}");
        submit(&browser, "/polls").await?;
        expect_heading(&browser, "Stemming: 4. Begroting 2027").await?;
        let poll = browser.current_url().await?.path().to_owned();

        // Two representatives vote, each in their own browser.
        log_in(&browser, &a.app, "rep0@demo.test", "Welkom, rep0@demo.test").await?;
        browser.goto(&a.app.url(&poll)).await?;
        let poll = poll.as_str();
        with_browser("assembly_second_voter", |second| async move {
            log_in(&second, &a.app, "rep1@demo.test", "Welkom, rep1@demo.test").await?;
            second.goto(&a.app.url(poll)).await?;
            vote(&second, a, 1, "voor").await?;
            Ok(())
        })
        .await;
        vote(&browser, a, 0, "voor").await?;
        let progress = browser.find(Locator::Id("poll-progress")).await?.text().await?;
        ensure!(progress.contains("2 van 2 leden hebben gestemd"), "{progress}");

        // The chair closes the vote and declares the result; it is in the decision list.
        log_in(
            &browser,
            &a.app,
            "voorzitter@demo.test",
            "Welkom, Vera Voorzitter",
        )
        .await?;
        browser.goto(&a.app.url(poll)).await?;
        submit(&browser, "/close").await?;
        expect_heading(&browser, "Stemming sluiten?").await?;
        submit(&browser, "/close").await?;
        wait_for_text(&browser, "De stemming is gesloten.").await?;
        let outcome = browser.find(Locator::Id("poll-outcome")).await?.text().await?;
        ensure!(outcome.contains("aangenomen"), "{outcome}");
        submit(&browser, "/declare").await?;
        wait_for_text(&browser, "De uitslag is vastgesteld").await?;
        browser.goto(&a.app.url("/demo/assembly/decisions")).await?;
        expect_heading(&browser, "Besluitenlijst").await?;
        let list = browser.find(Locator::Id("decisions")).await?.text().await?;
        ensure!(list.contains("Begroting 2027") && list.contains("-01"), "{list}");
        ensure!(list.contains("2 voor, 0 tegen"), "{list}");
        Ok(())
    })
    .await;
}
