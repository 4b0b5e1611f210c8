use anyhow::{Context, ensure};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use schakel::demo;

use crate::common::TestApp;
use crate::common::browser::{expect_heading, with_browser};

#[tokio::test(flavor = "multi_thread")]
async fn desk_staff_log_in_through_the_form_and_land_on_the_desk_start_page() {
    let app = TestApp::spawn().await;
    with_browser("login_desk", |browser| async move {
        browser.goto(&app.url("/demo/login")).await?;
        browser
            .find(Locator::Id("email"))
            .await?
            .send_keys("balie@demo.test")
            .await?;
        browser
            .find(Locator::Id("password"))
            .await?
            .send_keys(demo::PASSWORD)
            .await?;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;

        expect_heading(&browser, "Welkom, Bente Balie").await?;
        ensure!(browser.current_url().await?.path() == "/demo/");
        let desk = browser
            .find(Locator::Id("start-desk-title"))
            .await
            .context("desk section")?;
        ensure!(desk.text().await? == "Loket");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_shows_the_error_and_keeps_the_email() {
    let app = TestApp::spawn().await;
    with_browser("login_wrong_password", |browser| async move {
        browser.goto(&app.url("/demo/login")).await?;
        browser
            .find(Locator::Id("email"))
            .await?
            .send_keys("balie@demo.test")
            .await?;
        browser
            .find(Locator::Id("password"))
            .await?
            .send_keys("helemaal-verkeerd")
            .await?;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;

        let summary = browser.wait().for_element(Locator::Css(".error-summary")).await?;
        ensure!(
            summary
                .text()
                .await?
                .contains("Het e-mailadres of het wachtwoord klopt niet.")
        );
        let email = browser.find(Locator::Id("email")).await?.prop("value").await?;
        ensure!(
            email.as_deref() == Some("balie@demo.test"),
            "email kept: {email:?}"
        );
        let password = browser.find(Locator::Id("password")).await?.prop("value").await?;
        ensure!(password.as_deref() == Some(""), "the password is never sent back");
        let focused = browser.active_element().await?.attr("class").await?;
        ensure!(
            focused.as_deref() == Some("error-summary"),
            "focus moves to the error summary: {focused:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_reaches_the_skip_link_first() {
    let app = TestApp::spawn().await;
    with_browser("skip_link", |browser| async move {
        browser.goto(&app.url("/demo/bestaat-niet")).await?;
        let tab = KeyActions::new("keyboard".into())
            .then(KeyAction::Down {
                value: Key::Tab.into(),
            })
            .then(KeyAction::Up {
                value: Key::Tab.into(),
            });
        browser.perform_actions(tab).await?;
        let focused = browser.active_element().await?;
        ensure!(focused.attr("class").await?.as_deref() == Some("skip-link"));
        ensure!(focused.text().await? == "Direct naar de inhoud");
        Ok(())
    })
    .await;
}
