use fantoccini::Locator;
use time::OffsetDateTime;

use crate::common::TestApp;
use crate::common::browser::{expect_heading, log_in, submit, wait_for_text, with_browser};

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_changes_period_and_leads_to_the_list_behind_a_number() {
    let app = TestApp::spawn().await;
    // Three questions at the desk a month ago: in the last whole month, which the page opens on.
    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO requests (tenant_id, channel, domains, question, form_token, received_at)
         SELECT id, 'phone', '{wmo}', 'Hulp bij het huishouden', gen_random_uuid(), now() - interval '1 month'
         FROM tenants, generate_series(1, 3) WHERE slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let app = &app;
    // The dashboard opens on the last whole month; the quarter around it is chosen below.
    let shown = OffsetDateTime::now_utc()
        .date()
        .replace_day(1)
        .unwrap()
        .previous_day()
        .unwrap();
    let quarter = (u8::from(shown.month()) - 1) / 3 + 1;
    with_browser("reports_flow", |browser| async move {
        log_in(&browser, app, "beheer@demo.test", "Welkom, Bram Beheer").await?;
        browser.find(Locator::LinkText("Cijfers")).await?.click().await?;
        let month = [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ][usize::from(u8::from(shown.month())) - 1];
        expect_heading(&browser, &format!("Cijfers: {month} {}", shown.year())).await?;
        // Charts come with their table of numbers.
        browser
            .find(Locator::Css("#table-requests-domain svg[role=img]"))
            .await?;
        browser.find(Locator::Css("#table-requests-domain table")).await?;

        browser
            .find(Locator::Id("period"))
            .await?
            .select_by_value("quarter")
            .await?;
        submit(&browser, "/demo/reports").await?;
        expect_heading(
            &browser,
            &format!("Cijfers: {quarter}e kwartaal {}", shown.year()),
        )
        .await?;

        // All requests of this quarter: the total of the outcome table.
        let link = browser
            .find(Locator::Css("#table-requests-triage tbody tr:last-child a"))
            .await?;
        let count = link.text().await?;
        link.click().await?;
        wait_for_text(&browser, "Meldingen: Totaal").await?;
        let url = browser.current_url().await?;
        anyhow::ensure!(url.path() == "/demo/reports/requests", "on {url}");
        let rows = browser.find_all(Locator::Css("main table tbody tr")).await?;
        let shown: usize = count.replace('.', "").parse()?;
        anyhow::ensure!(shown >= 3, "the three requests are counted: {count}");
        anyhow::ensure!(rows.len() == shown.min(50), "{} rows for {count}", rows.len());
        Ok(())
    })
    .await;
}
