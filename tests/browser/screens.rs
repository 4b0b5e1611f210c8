//! Screen sizes: on a phone the menu folds behind one button and wide tables say they scroll;
//! at 1366 px and on a phone the figures' charts and tables show everything.

use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::common::TestApp;
use crate::common::browser::{log_in, with_browser};

/// Makes the page `width` CSS pixels wide and checks that it is.
async fn resize(browser: &Client, width: u32) -> anyhow::Result<()> {
    browser.set_window_size(width, 900).await?;
    let inner = browser.execute("return window.innerWidth", vec![]).await?;
    anyhow::ensure!(inner == width, "the page is {inner} px wide, not {width}");
    Ok(())
}

async fn displayed(browser: &Client, css: &str) -> anyhow::Result<bool> {
    Ok(browser.find(Locator::Css(css)).await?.is_displayed().await?)
}

/// A script's answer that must be `true`; `what` says what failed otherwise.
async fn holds(browser: &Client, script: &str, what: &str) -> anyhow::Result<()> {
    let answer = browser.execute(script, vec![]).await?;
    anyhow::ensure!(answer == Value::Bool(true), "{what}: {answer}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_menu_folds_away_and_wide_tables_say_they_scroll() {
    let app = TestApp::spawn().await;
    let app = &app;
    with_browser("phone_menu", |browser| async move {
        log_in(&browser, app, "beheer@demo.test", "Welkom, Bram Beheer").await?;
        resize(&browser, 375).await?;
        browser.goto(&app.url("/demo/admin/users")).await?;
        anyhow::ensure!(displayed(&browser, ".main-nav__toggle").await?, "the menu button shows");
        anyhow::ensure!(
            !displayed(&browser, ".main-nav ul a").await?,
            "the menu's links wait behind the button"
        );
        holds(
            &browser,
            "return document.querySelector('.main-nav').getBoundingClientRect().height < 0.1 * window.innerHeight",
            "the folded menu takes little of the screen",
        )
        .await?;
        browser.find(Locator::Css(".main-nav__toggle")).await?.click().await?;
        anyhow::ensure!(displayed(&browser, ".main-nav ul a").await?, "the button opens the menu");

        // The users table is wider than a phone: it says so and the keyboard can scroll it.
        anyhow::ensure!(displayed(&browser, ".table-hint").await?, "a visible hint");
        let region = browser
            .find(Locator::Css(".table-wrap[role=region][tabindex='0'][aria-label]"))
            .await?;
        let described = region.attr("aria-describedby").await?.unwrap_or_default();
        anyhow::ensure!(!described.is_empty(), "the region points to its hint");
        holds(
            &browser,
            "var wrap = document.querySelector('.table-wrap'); return wrap.scrollWidth > wrap.clientWidth",
            "the region scrolls",
        )
        .await?;

        // On a wide screen the menu is open without a button, and the table fits.
        resize(&browser, 1366).await?;
        anyhow::ensure!(!displayed(&browser, ".main-nav__toggle").await?, "no menu button");
        anyhow::ensure!(displayed(&browser, ".main-nav ul a").await?, "the links show");
        browser.refresh().await?;
        anyhow::ensure!(!displayed(&browser, ".main-nav__toggle").await?, "no menu button");
        anyhow::ensure!(displayed(&browser, ".main-nav ul a").await?, "the links show");
        Ok(())
    })
    .await;
}

/// True when every text of every chart lies inside its chart, and no table of numbers needs
/// scrolling: nothing is cut off.
const NOTHING_CLIPPED: &str = r#"
    var bad = [];
    document.querySelectorAll('svg.chart').forEach(function (svg) {
        var box = svg.getBoundingClientRect();
        svg.querySelectorAll('text').forEach(function (text) {
            var r = text.getBoundingClientRect();
            if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                bad.push(svg.id + ': ' + text.textContent);
        });
    });
    document.querySelectorAll('.report-table__numbers').forEach(function (wrap) {
        if (window.innerWidth >= 1366 && wrap.scrollWidth > wrap.clientWidth + 1)
            bad.push('table ' + wrap.parentNode.parentNode.id + ' scrolls');
    });
    return bad.length ? bad.join('; ') : true;
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_figures_cut_nothing_off_at_1366_pixels_or_on_a_phone() {
    let app = TestApp::spawn().await;
    let app = &app;
    with_browser("figures_sizes", |browser| async move {
        log_in(&browser, app, "beheer@demo.test", "Welkom, Bram Beheer").await?;
        resize(&browser, 1366).await?;
        browser.goto(&app.url("/demo/reports?period=year")).await?;
        holds(&browser, NOTHING_CLIPPED, "clipped at 1366 px").await?;
        // The button looks like one that works.
        holds(
            &browser,
            "var b = document.querySelector('.report-period button'); var s = getComputedStyle(b);
             return s.opacity === '1' && s.backgroundColor !== 'rgba(0, 0, 0, 0)'",
            "the submit button looks enabled",
        )
        .await?;
        // Only the chosen kind's fields: a day for a month, two dates for a custom period.
        anyhow::ensure!(displayed(&browser, "#at").await? && !displayed(&browser, "#from").await?);
        browser
            .find(Locator::Id("period"))
            .await?
            .select_by_value("custom")
            .await?;
        anyhow::ensure!(!displayed(&browser, "#at").await? && displayed(&browser, "#from").await?);

        resize(&browser, 375).await?;
        browser.goto(&app.url("/demo/reports?period=year")).await?;
        holds(&browser, NOTHING_CLIPPED, "clipped on a phone").await?;
        Ok(())
    })
    .await;
}
