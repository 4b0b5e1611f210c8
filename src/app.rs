//! The application: its state, its routes and the layers around them.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::secrets::SecretBox;
use crate::cases::document::CaseDocuments;
use crate::cases::queue::KeptQueues;
use crate::config::WebConfig;
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use crate::referrals::inbox::KeptInboxes;
use crate::web::context::Site;
use crate::web::i18n::Lang;
use crate::web::layout::{Layout, NavEntry};
use crate::{
    account, admin, assembly, audit, auth, cases, db, finance, home, intake, members, portal, referrals,
    reports, web,
};

/// Shared by every request; each domain takes the parts it needs through `FromRef`.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// What every request context is made from: the pool, the configuration, the navigation.
    pub site: Site,
    pub mailer: Arc<Mailer>,
    /// Case pages' lists kept between views (see `cases::document`).
    pub case_documents: Arc<CaseDocuments>,
    /// Member organisations' inboxes kept between views (see `referrals::inbox`).
    pub inboxes: Arc<KeptInboxes>,
    /// The team's queue pages kept between views (see `cases::queue`).
    pub queues: Arc<KeptQueues>,
}

impl AppState {
    pub fn new(pool: PgPool, config: WebConfig, mailer: Mailer, secrets: SecretBox) -> AppState {
        web::metrics::recorder();
        let inboxes = Arc::new(KeptInboxes::default());
        AppState {
            site: Site {
                pool,
                config: Arc::new(config),
                navigation: NAVIGATION,
                waiting: inboxes.clone(),
                secrets: Arc::new(secrets),
            },
            mailer: Arc::new(mailer),
            case_documents: Arc::default(),
            inboxes,
            queues: Arc::default(),
        }
    }
}

/// The navigation, in the order it is shown; each area says who sees its entries.
const NAVIGATION: &[NavEntry] = &[
    home::NAV,
    intake::DESK_NAV,
    intake::RESIDENTS_NAV,
    cases::TEAM_NAV,
    cases::MONITOR_NAV,
    members::MEMBERS_NAV,
    members::SERVICES_NAV,
    members::GROUPS_NAV,
    referrals::INBOX_NAV,
    assembly::NAV,
    finance::NAV,
    referrals::OVERVIEW_NAV,
    reports::NAV,
    referrals::NOTIFICATIONS_NAV,
    admin::USERS_NAV,
    admin::PRIVACY_NAV,
    admin::SETTINGS_NAV,
    audit::NAV,
    account::NAV,
];

/// The largest request body accepted, except where files are uploaded (journal attachments,
/// meeting documents: their routes have their own limits).
const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    // Every route below starts with /{tenant}; the middleware resolves it for all of them.
    // The body limit sits outside it, so an oversized body is refused before it is read.
    let resolve = axum::middleware::from_fn_with_state(state.site.clone(), web::context::resolve);
    let tenant_routes = Router::new()
        .merge(home::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(intake::router())
        .merge(cases::router())
        .merge(members::router())
        .merge(assembly::router())
        .merge(finance::router())
        .merge(referrals::router())
        .merge(reports::router())
        .merge(portal::router())
        .route_layer(resolve.clone())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT));
    let journal_uploads = cases::upload_router()
        .route_layer(resolve.clone())
        .layer(RequestBodyLimitLayer::new(cases::UPLOAD_BODY_LIMIT));
    let document_uploads = assembly::upload_router()
        .route_layer(resolve.clone())
        .layer(RequestBodyLimitLayer::new(assembly::UPLOAD_BODY_LIMIT));
    let receipt_uploads = finance::upload_router()
        .route_layer(resolve)
        .layer(RequestBodyLimitLayer::new(finance::UPLOAD_BODY_LIMIT));

    let request_id = HeaderName::from_static("x-request-id");
    let app = Router::new()
        .route("/", get(landing))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_page))
        .route("/static/{*path}", get(web::assets::serve))
        .merge(tenant_routes)
        .merge(journal_uploads)
        .merge(document_uploads)
        .merge(receipt_uploads)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(web::metrics::record))
        .layer(axum::middleware::from_fn(web::error_pages::render))
        // A bug in one handler answers that request with the error page, nothing more.
        .layer(CatchPanicLayer::custom(|_| AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request| {
                            // The path only: query strings may hold what someone searched for.
                            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CompressionLayer::new()),
        )
        .with_state(state);
    web::headers::apply(app).layer(axum::middleware::from_fn(run_to_completion))
}

/// Runs each request on a task of its own. When a client goes away in the middle of a request
/// (a closed tab, a proxy's timeout), the server drops the request's future; on its own task
/// the request still finishes what it began in the database, and only its answer is lost.
async fn run_to_completion(request: Request, next: axum::middleware::Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only a runtime that is shutting down cancels a task.
        Err(_) => AppError::Unavailable("shutting down".into()).into_response(),
    }
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn not_found() -> AppError {
    AppError::NotFound
}

async fn metrics_page(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    web::metrics::render(&state.site.config, &state.site.pool, peer, request.headers())
}

/// 200 while the process serves: alive (for a supervisor deciding whether to restart it).
async fn healthz() -> Response {
    (StatusCode::OK, "alive\n").into_response()
}

/// 200 when the database answers and has every migration of this build, 503 otherwise (for a
/// load balancer deciding whether to send requests here).
async fn readyz(State(state): State<AppState>) -> Response {
    if !db::server_answers(&state.site.pool).await {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
    }
    if !db::schema_current(&state.site.pool).await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database not migrated to this build\n",
        )
            .into_response();
    }
    (StatusCode::OK, "ready\n").into_response()
}

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    l: Layout,
}

/// The bare address: Schakel lives at each cooperative's own address.
async fn landing(headers: axum::http::HeaderMap) -> AppResult<Response> {
    web::render(&LandingPage {
        l: Layout {
            lang: Lang::negotiate(&headers),
            tenant: None,
            user: None,
            csrf_token: String::new(),
            nav: Vec::new(),
            flash: None,
        },
    })
}
