use anyhow::ensure;
use fantoccini::Locator;

use super::accessibility::expect_no_violations;
use crate::api::referrals::{RESIDENT, World};
use crate::common::browser::{expect_heading, log_in, submit, type_into, wait_for_text, with_browser};

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_refers_a_member_accepts_and_reports_and_the_lead_sees_the_outcome() {
    let world = World::new().await;
    // The resident agreed that Zorgcirkel may be told what it needs to help.
    let lead = world.login("team@demo.test").await;
    world
        .consent(&lead, &format!("org:{}", world.org_a), "01-01-2026", "")
        .await;
    let target = world.target(world.own, Some(world.org_a));
    let case = world.case_path();
    let report = "Wim heeft een maatje, Joke; ze wandelen elke dinsdag.";

    with_browser("referral_flow", |browser| async move {
        // The lead refers from the case.
        log_in(&browser, &world.app, "team@demo.test", "Welkom, Tom Teamlid").await?;
        browser
            .goto(&world.app.url(&format!("{case}/tab/referrals")))
            .await?;
        expect_heading(&browser, RESIDENT).await?;
        browser
            .find(Locator::LinkText("Nieuwe doorverwijzing"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, &format!("Nieuwe doorverwijzing — {RESIDENT}")).await?;
        browser
            .find(Locator::Id("referral-target"))
            .await?
            .select_by_value(&target)
            .await?;
        type_into(&browser, "referral-purpose", "Een maatje om mee te wandelen").await?;
        type_into(
            &browser,
            "referral-summary",
            "Wim (82) woont alleen en komt weinig buiten.",
        )
        .await?;
        submit(&browser, &format!("{case}/referrals")).await?;
        wait_for_text(&browser, "De doorverwijzing is verstuurd.").await?;
        let listed = browser.find(Locator::Id("referrals")).await?.text().await?;
        ensure!(
            listed.contains("Maatjescontact") && listed.contains("Verstuurd"),
            "the referral is on the case: {listed}"
        );

        // Lars of Zorgcirkel finds it in his inbox and picks it up.
        log_in(
            &browser,
            &world.app,
            "lid@demo.test",
            "Welkom, Lars Lidorganisatie",
        )
        .await?;
        browser.goto(&world.app.url("/demo/inbox")).await?;
        expect_heading(&browser, "Doorverwijzingen").await?;
        expect_no_violations(&browser, "/demo/inbox").await?;
        browser.find(Locator::LinkText(RESIDENT)).await?.click().await?;
        expect_heading(&browser, "Doorverwijzing: Maatjescontact").await?;
        wait_for_text(&browser, "Wim (82) woont alleen en komt weinig buiten.").await?;
        expect_no_violations(&browser, "the new referral").await?;
        let contact = browser.find(Locator::Id("lead-contact")).await?.text().await?;
        ensure!(
            contact.contains("Tom Teamlid") && contact.contains("team@demo.test"),
            "how to reach the lead: {contact}"
        );
        submit(&browser, "/accept").await?;
        wait_for_text(&browser, "Je hebt de doorverwijzing geaccepteerd.").await?;
        expect_no_violations(&browser, "the accepted referral").await?;
        submit(&browser, "/start").await?;
        wait_for_text(&browser, "De ondersteuning is gestart.").await?;
        expect_no_violations(&browser, "the started referral").await?;
        browser
            .find(Locator::Id("outcome-geslaagd"))
            .await?
            .click()
            .await?;
        browser.find(Locator::Id("delivered-yes")).await?.click().await?;
        type_into(&browser, "finish-report", report).await?;
        submit(&browser, "/finish").await?;
        wait_for_text(
            &browser,
            "Het verslag is verstuurd en de doorverwijzing is afgerond.",
        )
        .await?;
        expect_no_violations(&browser, "the finished referral").await?;

        // He finds it again under "Afgerond".
        browser.goto(&world.app.url("/demo/inbox")).await?;
        browser
            .find(Locator::XPath("//a[contains(., 'Afgerond')]"))
            .await?
            .click()
            .await?;
        wait_for_text(&browser, "aria-current=\"page\">Afgerond").await?;
        expect_no_violations(&browser, "/demo/inbox?tab=done").await?;
        browser.find(Locator::LinkText(RESIDENT)).await?.click().await?;
        expect_heading(&browser, "Doorverwijzing: Maatjescontact").await?;
        wait_for_text(&browser, report).await?;

        // Tom sees the outcome on the case.
        log_in(&browser, &world.app, "team@demo.test", "Welkom, Tom Teamlid").await?;
        browser
            .goto(&world.app.url(&format!("{case}/tab/referrals")))
            .await?;
        expect_heading(&browser, RESIDENT).await?;
        let listed = browser.find(Locator::Id("referrals")).await?.text().await?;
        ensure!(
            listed.contains("Afgerond"),
            "the case lists it as finished: {listed}"
        );
        browser
            .find(Locator::Css("#referrals tbody a"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, &format!("Doorverwijzing: Maatjescontact — {RESIDENT}")).await?;
        let details = browser.find(Locator::Css("dl.summary")).await?.text().await?;
        for shown in ["Afgerond", "Geslaagd", report, "Lars Lidorganisatie"] {
            ensure!(details.contains(shown), "the lead sees {shown:?}: {details}");
        }
        let page = browser.find(Locator::Css("main")).await?.text().await?;
        ensure!(
            page.matches(report).count() == 1,
            "the lead sees the report once: {page}"
        );
        Ok(())
    })
    .await;
}
