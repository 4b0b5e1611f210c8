//! axe-core (WCAG 2.1 A and AA) on every page each demo role reaches from its start page, and
//! the demo's working day: each role's start page shows the work waiting for it.
//!
//! The crawl follows same-origin links breadth-first, one page per route pattern (ids and query
//! values left out), so that a list of a hundred cases costs one visit, not a hundred.

use std::collections::{BTreeSet, HashSet, VecDeque};

use fantoccini::Locator;
use serde_json::Value;

use crate::common::TestApp;
use crate::common::browser::{log_in, with_browser};

/// axe-core 4.10.3 (MPL-2.0), shipped with the tests: the machines reach no CDN.
const AXE: &str = include_str!("vendor/axe.min.js");

/// Pages visited per role at most.
const PAGES_PER_ROLE: usize = 60;

/// The demo accounts, with the work their start page must show (an element id there).
const ROLES: &[(&str, &[&str])] = &[
    ("balie@demo.test", &["waiting-untriaged", "waiting-follow-ups"]),
    ("team@demo.test", &["waiting-unassigned", "waiting-overdue-terms"]),
    (
        "procesmanager@demo.test",
        &["waiting-unassigned", "waiting-overdue-terms"],
    ),
    ("lid@demo.test", &["waiting-new-referrals", "waiting-meeting"]),
    ("beheer@demo.test", &["waiting-meeting"]),
    ("voorzitter@demo.test", &["waiting-meeting"]),
    ("welzijn-woudenberg@demo.test", &["waiting-meeting"]),
    ("penningmeester@demo.test", &["waiting-applications"]),
];

/// Links not to follow: leaving, downloads, and files.
fn skipped(path: &str) -> bool {
    path.ends_with("/logout")
        || path.ends_with("/login")
        || path.ends_with(".csv")
        || path.ends_with(".json")
        || path.contains("/export")
        || path.contains("/attachments/")
        || path.contains("/documents/")
        || path.ends_with("/receipt")
}

/// A path with its ids (uuids, numbers) and query values left out: `/demo/cases/{}?tab`.
fn route_pattern(path_and_query: &str) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let segments: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let id = uuid::Uuid::parse_str(segment).is_ok()
                || (!segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit() || c == '-'));
            if id { "{}" } else { segment }
        })
        .collect();
    let keys: BTreeSet<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .filter(|key| !key.is_empty())
        .collect();
    let keys: Vec<&str> = keys.into_iter().collect();
    format!("{}?{}", segments.join("/"), keys.join("&"))
}

/// The violations axe-core finds on the page the browser shows, as "rule: target" lines.
async fn axe_violations(browser: &fantoccini::Client) -> anyhow::Result<Vec<String>> {
    browser.execute(AXE, vec![]).await?;
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
    match result {
        Value::Array(items) => Ok(items
            .iter()
            .map(|item| item.as_str().unwrap_or_default().to_owned())
            .collect()),
        other => anyhow::bail!("axe returned {other}"),
    }
}

/// The same-origin links of the page the browser shows, as paths with their query.
async fn links(browser: &fantoccini::Client, origin: &str) -> anyhow::Result<Vec<String>> {
    let hrefs = browser
        .execute(
            "return Array.from(document.querySelectorAll('a[href]:not([download])')).map(a => a.href);",
            vec![],
        )
        .await?;
    let Value::Array(hrefs) = hrefs else {
        anyhow::bail!("no list of links");
    };
    Ok(hrefs
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|href| href.strip_prefix(origin))
        .map(|path| path.split('#').next().unwrap_or_default().to_owned())
        .filter(|path| path.starts_with("/demo/") && !skipped(path))
        .collect())
}

/// Visits the pages `email` reaches from its start page and returns what axe-core reports
/// there, page by page.
async fn crawl(browser: &fantoccini::Client, app: &TestApp) -> anyhow::Result<Vec<String>> {
    let origin = app.url("");
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from(["/demo/".to_owned()]);
    seen.insert(route_pattern("/demo/"));
    let mut found = Vec::new();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited == PAGES_PER_ROLE {
            break;
        }
        visited += 1;
        browser.goto(&app.url(&path)).await?;
        for violation in axe_violations(browser).await? {
            found.push(format!("{path}: {violation}"));
        }
        for link in links(browser, &origin).await? {
            if seen.insert(route_pattern(&link)) {
                queue.push_back(link);
            }
        }
    }
    Ok(found)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_each_demo_role_reaches_has_no_axe_violations_and_starts_with_work_waiting() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut names = Vec::new();
    for (email, _) in ROLES {
        let name: String = sqlx::query_scalar(
            "SELECT u.name FROM users u JOIN tenants t ON t.id = u.tenant_id
             WHERE t.slug = 'demo' AND u.email = $1",
        )
        .bind(*email)
        .fetch_one(&owner)
        .await
        .unwrap_or_else(|e| panic!("demo account {email}: {e}"));
        names.push(name);
    }
    let app = &app;
    let names = &names;
    with_browser("axe_every_page", |browser| async move {
        let mut violations = Vec::new();
        for ((email, waiting), name) in ROLES.iter().zip(names) {
            log_in(&browser, app, email, &format!("Welkom, {name}")).await?;
            for id in *waiting {
                let shown = browser.find(Locator::Id(id)).await;
                anyhow::ensure!(shown.is_ok(), "{email}'s start page shows #{id}");
            }
            violations.extend(
                crawl(&browser, app)
                    .await?
                    .into_iter()
                    .map(|v| format!("{email} {v}")),
            );
        }
        anyhow::ensure!(
            violations.is_empty(),
            "axe violations:\n{}",
            violations.join("\n")
        );
        Ok(())
    })
    .await;
}

#[test]
fn route_patterns_leave_out_ids_and_query_values() {
    assert_eq!(
        route_pattern("/demo/cases/0b5e7a4c-1f2d-4e8a-9c3b-2a1d0e9f8c7b?tab=plan&page=2"),
        "/demo/cases/{}?page&tab"
    );
    assert_eq!(
        route_pattern("/demo/assembly/decisions/2026-3"),
        "/demo/assembly/decisions/{}?"
    );
    assert_eq!(route_pattern("/demo/"), "/demo/?");
}
