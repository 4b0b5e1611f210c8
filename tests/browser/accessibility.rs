//! axe-core (WCAG 2.1 A and AA rules) on the pages a role reaches, in the real browser: some
//! rules (scrollable regions, contrast) only show once the page is laid out.

use serde_json::Value;

use crate::common::TestApp;
use crate::common::browser::{log_in, with_browser};

/// axe-core 4.10.3 (MPL-2.0), shipped with the tests: the machines reach no CDN.
const AXE: &str = include_str!("vendor/axe.min.js");

/// Runs axe-core on the page the browser shows and fails with the rules it reports.
pub(super) async fn expect_no_violations(browser: &fantoccini::Client, path: &str) -> anyhow::Result<()> {
    browser.execute(AXE, vec![]).await?;
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
    let violations: Vec<String> = match result {
        Value::Array(items) => items.iter().map(|item| item.to_string()).collect(),
        other => anyhow::bail!("axe returned {other}"),
    };
    anyhow::ensure!(violations.is_empty(), "axe on {path}: {violations:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn account_and_figures_pages_have_no_axe_violations() {
    let app = TestApp::spawn().await;
    let app = &app;
    with_browser("axe_account_reports", |browser| async move {
        log_in(&browser, app, "beheer@demo.test", "Welkom, Bram Beheer").await?;
        let year = time::OffsetDateTime::now_utc().year() - 1;
        for path in [
            "/demo/account".to_string(),
            "/demo/reports".to_string(),
            format!("/demo/reports/annual?year={year}"),
        ] {
            browser.goto(&app.url(&path)).await?;
            expect_no_violations(&browser, &path).await?;
        }
        Ok(())
    })
    .await;
}
