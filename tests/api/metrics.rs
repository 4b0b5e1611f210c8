//! `/metrics`: Prometheus text for this machine, or for whoever has the token; nobody else.

use schakel::config::WebConfig;
use schakel::mail::Mailer;

use crate::common::TestApp;
use crate::common::users::User;

/// Whether `text` is Prometheus's text format: comments, and `name{labels} value` lines.
fn parses_as_prometheus_text(text: &str) -> Result<usize, String> {
    let mut samples = 0;
    for line in text.lines().filter(|line| !line.is_empty()) {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').ok_or(format!("no value: {line}"))?;
        value
            .parse::<f64>()
            .map_err(|_| format!("not a number: {line}"))?;
        let name = series.split('{').next().unwrap_or_default();
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid_name || (series.contains('{') && !series.ends_with('}')) {
            return Err(format!("not a series: {line}"));
        }
        samples += 1;
    }
    Ok(samples)
}

#[tokio::test]
async fn metrics_are_prometheus_text_for_this_machine() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    for _ in 0..2 {
        assert_eq!(team.status("/demo/team").await, 200);
    }
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let samples = parses_as_prometheus_text(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(samples > 10, "{text}");
    for expected in [
        "http_requests_total{route=\"/{tenant}/team\",method=\"GET\",status=\"200\"}",
        "http_request_duration_seconds_bucket{route=\"/{tenant}/team\"",
        "kept_copies_total{kept=\"queue_pages\",outcome=\"hit\"}",
        "db_pool_connections{state=\"in_use\"}",
        "audit_events_written_total",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    assert!(!text.contains("Tom Teamlid") && !text.contains("team@demo.test"));
}

#[tokio::test]
async fn metrics_are_refused_from_elsewhere_without_the_token() {
    let (owner, web) = crate::common::fresh_database().await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(schakel::db::web_connection(web.clone()))
        .await
        .unwrap();
    let config = WebConfig {
        trust_proxy: true,
        metrics_token: Some("een-geheim-token".to_owned()),
        ..WebConfig::default()
    };
    let app = TestApp::serve_configured(owner, web, pool, Mailer::Disabled, config).await;
    let get = |forwarded: &'static str, token: Option<&'static str>| {
        let mut request = app
            .client
            .get(app.url("/metrics"))
            .header("x-forwarded-for", forwarded);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get("203.0.113.9", None).await, 403, "from elsewhere");
    assert_eq!(get("203.0.113.9", Some("fout")).await, 403, "a wrong token");
    assert_eq!(get("203.0.113.9", Some("een-geheim-token")).await, 200);
    assert_eq!(
        get("127.0.0.1", None).await,
        200,
        "this machine, through the proxy"
    );
}
