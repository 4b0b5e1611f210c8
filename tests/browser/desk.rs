use anyhow::ensure;
use fantoccini::{Client, Locator};
use schakel::demo;

use crate::common::TestApp;
use crate::common::browser::{
    ENTER, expect_heading, log_in, submit_and_wait_for, type_into as replace_text, wait_for_text,
    with_browser,
};

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
        // Six weeks, moved past a weekend or holiday it ends on (so not always 42 days).
        let today = crate::common::records::today(&app).await;
        let days = (schakel::calendar::statutory_due(today, 6) - today).whole_days();
        ensure!(
            browser.source().await?.contains(&format!("nog {days} dagen")),
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

/// The desk's acceptance journey (issue 21): search, register a resident, add a household
/// member in one step, register a request about that member, and triage it, the first time
/// with every answer missing.
#[tokio::test(flavor = "multi_thread")]
async fn desk_registration_with_a_household_member_and_a_triage() {
    let app = TestApp::spawn().await;
    with_browser("desk_household_journey", |browser| async move {
        log_in(&browser, &app, "balie@demo.test", "Welkom, Bente Balie").await?;

        // Search as people type: a surname with its prefix. Nobody yet: register.
        browser.goto(&app.url("/demo/desk")).await?;
        browser
            .active_element()
            .await?
            .send_keys(&format!("de vries{ENTER}"))
            .await?;
        expect_heading(&browser, "Inwoner zoeken").await?;
        wait_for_text(&browser, "Geen inwoners gevonden.").await?;
        browser
            .find(Locator::LinkText("Nieuwe inwoner registreren"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Nieuwe inwoner").await?;
        replace_text(&browser, "first_names", "Annie").await?;
        replace_text(&browser, "surname_prefix", "de").await?;
        replace_text(&browser, "surname", "Vries").await?;
        replace_text(&browser, "date_of_birth", "04-05-1984").await?;
        replace_text(&browser, "street", "Kerkstraat").await?;
        replace_text(&browser, "house_number", "7").await?;
        replace_text(&browser, "postcode", "3931 AB").await?;
        replace_text(&browser, "place", &format!("Woudenberg{ENTER}")).await?;
        expect_heading(&browser, "Annie de Vries").await?;

        // Found now by her surname with its prefix, and by the postcode's digits.
        for query in ["de vries", "3931"] {
            browser
                .goto(&app.url(&format!(
                    "/demo/residents?q={}",
                    schakel::web::query_encode(query)
                )))
                .await?;
            wait_for_text(&browser, "Annie de Vries").await?;
        }
        browser
            .find(Locator::LinkText("Annie de Vries"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Annie de Vries").await?;

        // Huisgenoot toevoegen: the address is filled in, the relation in words both ways.
        browser
            .find(Locator::LinkText("Huisgenoot toevoegen"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Huisgenoot toevoegen").await?;
        let postcode = browser.find(Locator::Id("postcode")).await?.prop("value").await?;
        ensure!(postcode.as_deref() == Some("3931 AB"), "{postcode:?}");
        wait_for_text(
            &browser,
            "De huisgenoot is kind van Annie de Vries; Annie de Vries is ouder van de huisgenoot",
        )
        .await?;
        browser
            .find(Locator::Id("relation-child"))
            .await?
            .send_keys(" ")
            .await?;
        replace_text(&browser, "first_names", "Sem").await?;
        replace_text(&browser, "surname_prefix", "de").await?;
        replace_text(&browser, "surname", "Vries").await?;
        replace_text(&browser, "date_of_birth", &format!("02-09-2015{ENTER}")).await?;
        expect_heading(&browser, "Annie de Vries").await?;
        wait_for_text(&browser, "is kind van Annie de Vries").await?;

        // A request about Sem; the form says what consent and urgency mean.
        browser
            .find(Locator::LinkText("Nieuwe melding"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Nieuwe melding").await?;
        wait_for_text(
            &browser,
            "gaat deze toestemming mee in de toestemmingen van de casus",
        )
        .await?;
        browser
            .find(Locator::Css("#about input[type=radio]:not(#about-resident)"))
            .await?
            .send_keys(" ")
            .await?;
        browser
            .find(Locator::Id("domain-jeugd"))
            .await?
            .send_keys(" ")
            .await?;
        browser.find(Locator::Id("consent")).await?.send_keys(" ").await?;
        replace_text(&browser, "question", "Sem gaat al weken niet naar school.").await?;
        replace_text(&browser, "referrer", &format!("school{ENTER}")).await?;
        wait_for_text(&browser, "De melding is geregistreerd.").await?;
        wait_for_text(&browser, r#"<dd id="request-about">Sem de Vries</dd>"#).await?;

        // Triage with every answer missing: each one is reported at once.
        submit_and_wait_for(&browser, "/triage", "Er is een probleem").await?;
        let summary = browser.find(Locator::Css(".error-summary")).await?.text().await?;
        for message in [
            "Beantwoord de vraag of iemand thuis niet veilig is.",
            "Kies wat er met de vraag gebeurt.",
        ] {
            ensure!(summary.contains(message), "{message} in {summary:?}");
        }
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
        submit_and_wait_for(
            &browser,
            "/triage",
            "Er is een casus aangemaakt voor het sociaal team.",
        )
        .await?;
        Ok(())
    })
    .await;
}
