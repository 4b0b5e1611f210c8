//! Browser tests: the real server, driven in headless Chromium through chromedriver.
//! A failing test leaves a screenshot in `target/browser-failures/`.

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process of our own, ended by its PID when the test is done.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    fn start() -> Driver {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(program).exists(),
                "{program} is missing: browser tests need the Debian packages chromium and chromium-driver \
                 (scripts/test installs them when it runs as root)"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("schakel-chromium-{}", uuid::Uuid::new_v4().simple()));
        Driver { child, port, profile }
    }

    async fn connect(&self) -> Client {
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "prefs": { "intl.accept_languages": "nl-NL,nl" },
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--lang=nl-NL",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", self.profile.display()),
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{}", self.port);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return client,
                Err(error) if Instant::now() > deadline => panic!("could not start Chromium: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs `test` with a fresh browser. On failure a screenshot is saved before the test fails.
pub async fn with_browser<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let driver = Driver::start();
    let client = driver.connect().await;
    let outcome = test(client.clone()).await;
    if let Err(error) = &outcome {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../browser-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        match client.screenshot().await {
            Ok(png) => {
                std::fs::write(&path, png).unwrap();
                eprintln!("screenshot of the failure: {}", path.display());
            }
            Err(shot_error) => eprintln!("no screenshot: {shot_error}"),
        }
        let _ = client.close().await;
        panic!("{name} failed: {error:#}");
    }
    client.close().await.expect("the browser session closes");
}

/// Waits until the page's heading reads `expected`: after a click the old page may still be
/// there for a moment.
pub async fn expect_heading(browser: &Client, expected: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = String::new();
    while std::time::Instant::now() < deadline {
        if let Ok(h1) = browser.find(Locator::Css("h1")).await
            && let Ok(text) = h1.text().await
        {
            if text == expected {
                return Ok(());
            }
            seen = text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!("expected the heading {expected:?}, saw {seen:?}")
}

/// Waits until the page shows `text` anywhere.
pub async fn wait_for_text(browser: &Client, text: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if browser.source().await.is_ok_and(|source| source.contains(text)) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!("the page never showed {text:?}")
}

/// The Enter key, to submit a form or press a button as a keyboard user does.
pub const ENTER: &str = "\u{e007}";

/// Replaces the text of the field with `id`.
pub async fn type_into(browser: &Client, id: &str, text: &str) -> anyhow::Result<()> {
    let field = browser.find(Locator::Id(id)).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

/// Presses the submit button of the (first) form whose action ends with `action`.
pub async fn submit(browser: &Client, action: &str) -> anyhow::Result<()> {
    browser
        .find(Locator::Css(&format!(
            "form[action$='{action}'] button[type=submit]"
        )))
        .await?
        .send_keys(ENTER)
        .await?;
    Ok(())
}

/// Presses the submit button like [`submit`], then waits until the page it was on has gone and
/// the next one shows `text`: a message that the old page showed already (the same action done
/// twice) would otherwise be found before the browser has left it.
pub async fn submit_and_wait_for(browser: &Client, action: &str, text: &str) -> anyhow::Result<()> {
    let old = browser.find(Locator::Css("html")).await?;
    submit(browser, action).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while old.tag_name().await.is_ok() {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the page did not change after submitting {action}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    wait_for_text(browser, text).await
}

/// Logs in to the demo cooperative afresh and waits for the start page's `welcome`.
pub async fn log_in(
    browser: &Client,
    app: &crate::common::TestApp,
    email: &str,
    welcome: &str,
) -> anyhow::Result<()> {
    browser.delete_all_cookies().await?;
    browser.goto(&app.url("/demo/login")).await?;
    type_into(browser, "email", email).await?;
    type_into(
        browser,
        "password",
        &format!("{}{ENTER}", schakel::demo::PASSWORD),
    )
    .await?;
    expect_heading(browser, welcome).await
}

/// Waits for the confirmation `text` after a save and checks that it is where the person who
/// saved looks: inside the window without scrolling, and holding the keyboard focus.
pub async fn expect_confirmation_in_view(browser: &Client, text: &str) -> anyhow::Result<()> {
    wait_for_text(browser, text).await?;
    let seen = browser
        .execute(
            "const flash = document.getElementById('flash');
             if (!flash) return 'no confirmation';
             const box = flash.getBoundingClientRect();
             if (box.top < 0 || box.bottom > window.innerHeight) return 'out of view at ' + box.top;
             if (document.activeElement !== flash) return 'not focused';
             return flash.textContent.trim();",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        seen.as_str() == Some(text),
        "the confirmation {text:?} in view and focused: {seen}"
    );
    Ok(())
}
