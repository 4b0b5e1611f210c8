//! The administrator's journey (issue 21): inviting a member organisation's staff member, who
//! uses the link; then finding a resident by name for a subject access request and reading the
//! export as the resident will.

use anyhow::{Context, ensure};
use fantoccini::{Client, Locator};

use crate::api::referrals::World;
use crate::common::browser::{ENTER, expect_heading, log_in, submit, type_into, wait_for_text, with_browser};

/// Chooses the option with `label` in the select with id `id`.
async fn choose(browser: &Client, id: &str, label: &str) -> anyhow::Result<()> {
    browser
        .find(Locator::Id(id))
        .await?
        .select_by_label(label)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_invites_member_staff_and_produces_a_privacy_export_found_by_name() {
    let w = World::new().await;
    w.with_dutch_resident_and_child().await;
    let app = &w.app;
    with_browser("administrator", |browser| async move {
        log_in(&browser, app, "beheer@demo.test", "Welkom, Bram Beheer").await?;

        // Inviting: the member organisation is asked for, the link shown in full to copy.
        browser.goto(&app.url("/demo/admin/users/new")).await?;
        type_into(&browser, "name", "Olga Organisatie").await?;
        type_into(&browser, "email", "olga@demo.test").await?;
        browser.find(Locator::Id("role-member")).await?.click().await?;
        submit(&browser, "/demo/admin/users").await?;
        wait_for_text(&browser, "Kies de organisatie waar deze medewerker").await?;
        choose(&browser, "organisation", "Zorgcirkel Testdorp").await?;
        submit(&browser, "/demo/admin/users").await?;
        expect_heading(&browser, "Uitnodiging gemaakt").await?;
        let field = browser.find(Locator::Id("link")).await?;
        let link = field.prop("value").await?.context("the link")?;
        ensure!(link.contains("/demo/invitation/"), "{link}");
        ensure!(
            field.attr("readonly").await?.is_some(),
            "the link cannot be changed by accident"
        );
        let copy = browser.find(Locator::Css("[data-copy='link']")).await?;
        ensure!(copy.is_displayed().await?, "the script shows the copy button");
        ensure!(copy.text().await? == "Link kopiëren");
        copy.click().await?;

        // The invitee uses the link and works for the organisation straight away.
        browser.delete_all_cookies().await?;
        browser.goto(&link).await?;
        expect_heading(&browser, "Welkom bij Schakel").await?;
        type_into(&browser, "password", "olga-haar-wachtwoord").await?;
        type_into(&browser, "confirmation", &format!("olga-haar-wachtwoord{ENTER}")).await?;
        wait_for_text(&browser, "Je wachtwoord is ingesteld").await?;
        type_into(&browser, "email", "olga@demo.test").await?;
        type_into(&browser, "password", &format!("olga-haar-wachtwoord{ENTER}")).await?;
        expect_heading(&browser, "Welkom, Olga Organisatie").await?;
        browser.goto(&app.url("/demo/inbox")).await?;
        expect_heading(&browser, "Doorverwijzingen").await?;

        // The subject access request: found by name, for that purpose, and in words.
        log_in(&browser, app, "beheer@demo.test", "Welkom, Bram Beheer").await?;
        browser
            .find(Locator::Css("nav a[href='/demo/admin/privacy']"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Inwoner zoeken voor een inzageverzoek").await?;
        type_into(&browser, "resident_name", "wim welkoop").await?;
        type_into(
            &browser,
            "purpose",
            &format!("Brief van de inwoner van 3 december{ENTER}"),
        )
        .await?;
        wait_for_text(&browser, "Gevonden inwoners").await?;
        browser
            .find(Locator::Css("a[href*='/admin/residents/']"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Inzageverzoek: Wim Welkoop").await?;
        let household = browser
            .find(Locator::Id("privacy-household"))
            .await?
            .text()
            .await?;
        ensure!(
            household.contains("kind") && household.contains("07-06-2015"),
            "{household}"
        );
        ensure!(
            !household.contains("child") && !household.contains("2015-06-07"),
            "{household}"
        );
        let resident = browser
            .find(Locator::Id("privacy-resident"))
            .await?
            .text()
            .await?;
        ensure!(
            resident.contains("Nederlands") && resident.contains("03-02-1950"),
            "{resident}"
        );
        let requests = browser
            .find(Locator::Id("privacy-requests"))
            .await?
            .text()
            .await?;
        ensure!(
            requests.contains("balie")
                && requests.contains("bij het sociaal team")
                && requests.contains("Naar het sociaal team"),
            "{requests}"
        );
        ensure!(
            !requests.contains("with_team") && !requests.contains("to_team"),
            "{requests}"
        );
        Ok(())
    })
    .await;
}
