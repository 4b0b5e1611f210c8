//! Metrics in Prometheus's text format at `/metrics`, for the hosting party's monitoring:
//! requests by route pattern, method and status with their latency, the database pool, kept
//! copies used or read afresh (`db::kept`), periodic job turns (`jobs`) and audit events
//! written. No personal data: routes are patterns (`/{tenant}/cases/{id}`), never addresses.
//! Only a request from this machine, or one with the configured bearer token, gets them.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use subtle::ConstantTimeEq;

use crate::config::WebConfig;

/// Latency buckets, in seconds: pages answer in milliseconds, the figures in tens of them.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed the first time it is asked for (once per process, however
/// many servers a test starts in it).
pub fn recorder() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".to_owned()), BUCKETS)
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed")
    })
}

/// Middleware: counts each request by its route pattern, method and status, and times it.
pub async fn record(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

/// Whether the request may read the metrics: it comes from this machine (the address the
/// proxy forwarded, behind one), or it carries the configured bearer token.
pub fn allowed(config: &WebConfig, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    if let Some(token) = &config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given.is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes()))) {
            return true;
        }
    }
    let forwarded = config
        .trust_proxy
        .then(|| headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    match forwarded {
        Some(ip) => ip.is_loopback(),
        None => peer.is_some_and(|peer| peer.ip().is_loopback()),
    }
}

/// The metrics page, with the pool's state read as it is now.
pub fn render(config: &WebConfig, pool: &PgPool, peer: Option<SocketAddr>, headers: &HeaderMap) -> Response {
    if !allowed(config, peer, headers) {
        return (
            StatusCode::FORBIDDEN,
            "metrics are for this machine or with the token\n",
        )
            .into_response();
    }
    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        recorder().render(),
    )
        .into_response()
}
