use anyhow::ensure;
use fantoccini::{Client, Locator};

use crate::api::assembly::Assembly;
use crate::api::finance::subsidy_with_projects_line;
use crate::common::browser::{log_in, submit_and_wait_for, type_into, with_browser};
use crate::common::pages::element_text;
use crate::common::users::User;

async fn shown(browser: &Client, id: &str) -> anyhow::Result<String> {
    Ok(browser.find(Locator::Id(id)).await?.text().await?)
}

/// A member records an expense with its receipt through the form.
async fn spend(browser: &Client, amount: &str, what: &str, receipt: &str) -> anyhow::Result<()> {
    type_into(browser, "expense-amount", amount).await?;
    type_into(browser, "expense-description", what).await?;
    browser
        .find(Locator::Id("expense-receipt"))
        .await?
        .send_keys(receipt)
        .await?;
    submit_and_wait_for(browser, "/expenses", "De uitgave is vastgelegd.").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pot_adopted_by_the_assembly_is_applied_for_granted_and_spent_with_receipts() {
    let a = Assembly::new(2).await;
    a.adopt_pot("Ouderen langer thuis", "455.000").await;
    let receipt = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bon-kookgroep.pdf");
    std::fs::write(
        &receipt,
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    )
    .unwrap();
    let receipt = receipt.display().to_string();
    // This year's subsidy with a line for the joint projects.
    let treasurer = User::login(&a.app, "demo", "penningmeester@demo.test").await;
    subsidy_with_projects_line(&treasurer, time::OffsetDateTime::now_utc().year()).await;
    let (a, receipt) = (&a, receipt.as_str());
    with_browser("finance_flow", |browser| async move {
        // The member finds the pot and applies for its project.
        log_in(&browser, &a.app, "rep0@demo.test", "Welkom, rep0@demo.test").await?;
        browser.goto(&a.app.url("/demo/finance")).await?;
        browser
            .find(Locator::LinkText("Ouderen langer thuis"))
            .await?
            .click()
            .await?;
        ensure!(shown(&browser, "pot-available").await? == "€ 455.000,00");
        type_into(&browser, "project", "Maaltijden aan huis").await?;
        type_into(&browser, "amount", "20.000").await?;
        type_into(&browser, "purpose", "Koks en vervoer voor twee jaar.").await?;
        submit_and_wait_for(&browser, "/grants", "De aanvraag is ingediend.").await?;
        let grant = browser.current_url().await?.path().to_owned();

        // The treasurer grants it.
        log_in(
            &browser,
            &a.app,
            "penningmeester@demo.test",
            "Welkom, Pim Penningmeester",
        )
        .await?;
        browser.goto(&a.app.url(&grant)).await?;
        browser
            .find(Locator::Id("outcome-toegekend"))
            .await?
            .click()
            .await?;
        type_into(&browser, "decision-note", "Past in het werkplan.").await?;
        submit_and_wait_for(
            &browser,
            "/decision",
            "Het besluit over de aanvraag is vastgelegd.",
        )
        .await?;

        // The member records two expenses with their receipts.
        log_in(&browser, &a.app, "rep0@demo.test", "Welkom, rep0@demo.test").await?;
        browser.goto(&a.app.url(&grant)).await?;
        spend(&browser, "1.234,56", "Boodschappen kookgroep", receipt).await?;
        spend(&browser, "765.44", "Vervoer naar de huiskamer", receipt).await?;
        ensure!(shown(&browser, "grant-spent").await? == "€ 2.000,00");
        ensure!(shown(&browser, "grant-left").await? == "€ 18.000,00");
        let receipts = browser.find_all(Locator::LinkText("bon-kookgroep.pdf")).await?;
        ensure!(receipts.len() == 2, "both receipts are listed");

        // The pot's balance shows the same amounts to the treasurer.
        log_in(
            &browser,
            &a.app,
            "penningmeester@demo.test",
            "Welkom, Pim Penningmeester",
        )
        .await?;
        browser.goto(&a.app.url("/demo/finance")).await?;
        browser
            .find(Locator::LinkText("Ouderen langer thuis"))
            .await?
            .click()
            .await?;
        let page = browser.source().await?;
        for (id, amount) in [
            ("pot-allocated", "€ 455.000,00"),
            ("pot-granted", "€ 20.000,00"),
            ("pot-available", "€ 435.000,00"),
            ("pot-spent", "€ 2.000,00"),
        ] {
            ensure!(element_text(&page, id).as_deref() == Some(amount), "{id}");
        }

        // The pot counts towards the contract's projects line; the quarterly account agrees.
        browser
            .find(Locator::Id("budget_line"))
            .await?
            .select_by_label("Subsidie coöperatie – Gezamenlijke projecten")
            .await?;
        submit_and_wait_for(&browser, "/line", "De pot hoort nu bij het gekozen budget.").await?;
        browser.goto(&a.app.url("/demo/finance")).await?;
        browser
            .find(Locator::LinkText("Subsidie coöperatie"))
            .await?
            .click()
            .await?;
        browser.find(Locator::Id("account-link")).await?.click().await?;
        ensure!(shown(&browser, "account-spent-quarter").await? == "€ 2.000,00");
        ensure!(shown(&browser, "account-spent-to-date").await? == "€ 2.000,00");
        let pot_row = browser
            .find(Locator::Css("#account-pots tbody tr"))
            .await?
            .text()
            .await?;
        ensure!(
            pot_row.contains("€ 455.000,00")
                && pot_row.contains("€ 20.000,00")
                && pot_row.contains("€ 435.000,00"),
            "{pot_row}"
        );
        Ok(())
    })
    .await;
}
