use anyhow::ensure;
use fantoccini::{Client, Locator};
use schakel::demo;

use crate::common::TestApp;
use crate::common::browser::{ENTER, expect_heading, wait_for_text, with_browser};

/// Types into the field with this id (WebDriver focuses it first, as Tab would).
async fn type_into(browser: &Client, id: &str, text: &str) -> anyhow::Result<()> {
    browser.find(Locator::Id(id)).await?.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_registers_a_new_resident_and_request_and_hands_it_to_the_team_by_keyboard() {
    let app = TestApp::spawn().await;
    with_browser("desk_flow", |browser| async move {
        browser.goto(&app.url("/demo/login")).await?;
        type_into(&browser, "email", "balie@demo.test").await?;
        type_into(&browser, "password", &format!("{}{ENTER}", demo::PASSWORD)).await?;
        expect_heading(&browser, "Welkom, Bente Balie").await?;

        // The desk page puts the cursor in the search box.
        browser.goto(&app.url("/demo/desk")).await?;
        let focused = browser.active_element().await?.attr("id").await?;
        ensure!(
            focused.as_deref() == Some("q"),
            "the search box has focus: {focused:?}"
        );
        browser
            .active_element()
            .await?
            .send_keys(&format!("Öztürk{ENTER}"))
            .await?;
        expect_heading(&browser, "Inwoner zoeken").await?;
        ensure!(browser.source().await?.contains("Geen inwoners gevonden."));

        // Not found: register. The name searched for is filled in already.
        browser
            .find(Locator::LinkText("Nieuwe inwoner registreren"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Nieuwe inwoner").await?;
        let surname = browser.find(Locator::Id("surname")).await?.prop("value").await?;
        ensure!(surname.as_deref() == Some("Öztürk"), "{surname:?}");
        type_into(&browser, "first_names", "Ayşe").await?;
        type_into(&browser, "date_of_birth", "12-03-1957").await?;
        type_into(&browser, "postcode", "3931 AB").await?;
        type_into(&browser, "house_number", &format!("12{ENTER}")).await?;
        expect_heading(&browser, "Ayşe Öztürk").await?;

        // A new request for her.
        browser
            .find(Locator::LinkText("Nieuwe melding"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Nieuwe melding").await?;
        browser
            .find(Locator::Id("domain-wmo"))
            .await?
            .send_keys(" ")
            .await?;
        type_into(&browser, "question", "Ik kan niet meer zelf douchen.").await?;
        type_into(&browser, "referrer", &format!("huisarts Bos{ENTER}")).await?;
        wait_for_text(&browser, "De melding is geregistreerd.").await?;
        ensure!(
            browser.source().await?.contains("nog 42 dagen"),
            "the Wmo term is shown"
        );

        // Triage: nobody unsafe, to the social team.
        browser
            .find(Locator::Id("unsafe-no"))
            .await?
            .send_keys(" ")
            .await?;
        browser
            .find(Locator::Id("triage-to_team"))
            .await?
            .send_keys(" ")
            .await?;
        browser
            .find(Locator::Css("form[action$='/triage'] button[type=submit]"))
            .await?
            .send_keys(ENTER)
            .await?;
        wait_for_text(&browser, "Er is een casus aangemaakt voor het sociaal team.").await?;
        Ok(())
    })
    .await;
}
