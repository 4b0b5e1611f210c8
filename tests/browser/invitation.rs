use anyhow::{Context, ensure};
use fantoccini::{Client, Locator};
use schakel::demo;

use crate::api::two_factor::code_for;
use crate::common::TestApp;
use crate::common::browser::{expect_heading, with_browser};

async fn fill(browser: &Client, id: &str, text: &str) -> anyhow::Result<()> {
    browser.find(Locator::Id(id)).await?.send_keys(text).await?;
    Ok(())
}

async fn submit(browser: &Client, form_action_ends_with: &str) -> anyhow::Result<()> {
    let selector = format!("form[action$='{form_action_ends_with}'] button[type=submit]");
    browser.find(Locator::Css(&selector)).await?.click().await?;
    Ok(())
}

async fn log_in(browser: &Client, app: &TestApp, email: &str, password: &str) -> anyhow::Result<()> {
    browser.goto(&app.url("/demo/login")).await?;
    fill(browser, "email", email).await?;
    fill(browser, "password", password).await?;
    submit(browser, "/demo/login").await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invited_user_sets_a_password_enrols_a_second_factor_and_logs_in() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    with_browser("invitation", |browser| async move {
        log_in(&browser, &app, "beheer@demo.test", demo::PASSWORD).await?;
        expect_heading(&browser, "Welkom, Bram Beheer").await?;

        browser.goto(&app.url("/demo/admin/users/new")).await?;
        fill(&browser, "name", "Nina Nieuw").await?;
        fill(&browser, "email", "nina@demo.test").await?;
        browser.find(Locator::Id("role-desk")).await?.click().await?;
        submit(&browser, "/demo/admin/users").await?;
        expect_heading(&browser, "Uitnodiging gemaakt").await?;
        let link = browser
            .find(Locator::Id("link"))
            .await?
            .prop("value")
            .await?
            .context("the link")?;

        // From now on everyone who can see residents needs a second factor.
        sqlx::query("UPDATE tenant_settings SET second_factor = 'resident_roles'")
            .execute(&mut db)
            .await?;
        browser.delete_all_cookies().await?;
        browser.goto(&link).await?;
        expect_heading(&browser, "Welkom bij Schakel").await?;
        fill(&browser, "password", "mijn-eigen-wachtwoord").await?;
        fill(&browser, "confirmation", "mijn-eigen-wachtwoord").await?;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        let flash = browser
            .wait()
            .for_element(Locator::Css(".flash"))
            .await?
            .text()
            .await?;
        ensure!(flash.contains("Je wachtwoord is ingesteld"), "{flash}");

        log_in(&browser, &app, "nina@demo.test", "mijn-eigen-wachtwoord").await?;
        expect_heading(&browser, "Tweestapsverificatie instellen").await?;
        let secret = browser.find(Locator::Id("secret")).await?.text().await?;
        let first_code = code_for(&secret, 0);
        fill(&browser, "code", &first_code).await?;
        submit(&browser, "/demo/account/two-factor").await?;
        expect_heading(&browser, "Je herstelcodes").await?;
        let codes = browser.find_all(Locator::Css(".recovery-codes code")).await?;
        ensure!(codes.len() == 10, "ten recovery codes, got {}", codes.len());
        browser
            .find(Locator::LinkText("Verder naar de startpagina"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Welkom, Nina Nieuw").await?;

        browser
            .find(Locator::Css("form[action$='/logout'] button"))
            .await?
            .click()
            .await?;
        log_in(&browser, &app, "nina@demo.test", "mijn-eigen-wachtwoord").await?;
        expect_heading(&browser, "Code uit je app").await?;
        fill(&browser, "code", &code_for(&secret, 1)).await?;
        submit(&browser, "/demo/login/code").await?;
        expect_heading(&browser, "Welkom, Nina Nieuw").await?;
        let desk = browser
            .find(Locator::Id("start-desk-title"))
            .await?
            .text()
            .await?;
        ensure!(desk == "Loket");
        Ok(())
    })
    .await;
}
