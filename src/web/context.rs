//! The request context of every page under `/{tenant}/…`: which tenant, who is logged in,
//! the CSRF token, the language, the client address. The `resolve` middleware builds it once
//! and checks the CSRF token of every state-changing request before a handler runs.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::LengthLimitError;
use sqlx::PgPool;
use subtle::ConstantTimeEq;
use time::Date;

use crate::auth::CurrentUser;
use crate::auth::session::{self, SessionCookie, Stage};
use crate::config::WebConfig;
use crate::db::{self, Commit, TenantTx};
use crate::error::AppError;
use crate::tenancy::{self, Tenant};
use crate::web::i18n::Lang;
use crate::web::layout::{Flash, Layout, NavEntry, UserBadge, Waiting, navigation};
use crate::web::{self, CSRF_COOKIE, FLASH_COOKIE, SESSION_COOKIE};

/// The largest form body the CSRF check reads; larger uploads carry the token in a header.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What every request context is made from; built once by `app`.
#[derive(Clone)]
pub struct Site {
    /// Connections as the web role, subject to row-level security.
    pub pool: PgPool,
    pub config: Arc<WebConfig>,
    /// The navigation, in order; each entry shows for the roles it names.
    pub navigation: &'static [NavEntry],
    /// What the areas count as waiting for the user, read with the session.
    pub waiting: Arc<dyn WaitingSource>,
}

/// What an area counts as waiting for a logged-in user. The counting is done by the database's
/// `waiting_counts` in the session check's own statement (no page spends a round trip on it);
/// the area says what the numbers mean, and may leave what it read for a page of its own (a
/// member's inbox state, say) in the request's `extensions`.
pub trait WaitingSource: Send + Sync {
    /// What the area already holds for this session (the revision of counts it kept), so that
    /// the database need not count again.
    fn known(&self, session_hash: &[u8]) -> Option<i64>;

    /// The navigation's counts from what `waiting_counts` returned on `today`.
    fn read(&self, counts: &[i64], today: Date, session_hash: &[u8], extensions: &mut Extensions) -> Waiting;
}

#[derive(Clone)]
pub struct RequestContext {
    pub tenant: Arc<Tenant>,
    /// The logged-in user, once every step of the login is done.
    pub user: Option<CurrentUser>,
    /// A login that still needs its second factor, with the step it is at.
    pub pending: Option<(CurrentUser, Stage)>,
    /// The `Host` the request was sent to, for links in messages.
    pub host: Option<String>,
    /// The hash of the session token, when the request carries a valid session.
    pub session_hash: Option<Vec<u8>>,
    pub csrf_token: String,
    pub lang: Lang,
    pub client_ip: Option<IpAddr>,
    /// The request path (without query), for navigation and returning after login.
    pub path: String,
    pub query: Option<String>,
    pub flash: Option<Flash>,
    /// Reading pages commit without waiting for the disk; see [`Commit::Relaxed`].
    commit: Commit,
    /// What waits for the user: new referrals, unread notifications.
    pub waiting: Waiting,
    /// The transaction the session was checked in, kept open for the handler: one BEGIN and
    /// one COMMIT per request instead of two of each.
    open_tx: Arc<Mutex<Option<TenantTx>>>,
    site: Site,
}

impl RequestContext {
    pub fn layout(&self) -> Layout {
        Layout {
            lang: self.lang,
            tenant: Some(self.tenant.clone()),
            // Someone halfway through logging in sees who they are and can log out.
            user: self
                .user
                .as_ref()
                .or(self.pending.as_ref().map(|(user, _)| user))
                .map(|user| UserBadge::new(user, self.lang)),
            csrf_token: self.csrf_token.clone(),
            nav: self
                .user
                .as_ref()
                .map(|user| {
                    navigation(
                        self.site.navigation,
                        &self.tenant,
                        user,
                        &self.path,
                        &self.waiting,
                    )
                })
                .unwrap_or_default(),
            flash: self.flash,
        }
    }

    pub fn config(&self) -> &WebConfig {
        &self.site.config
    }

    /// The start of absolute links: the configured public URL, else the address used now.
    pub fn public_base(&self) -> String {
        let config = &self.site.config;
        if let Some(url) = &config.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let scheme = if config.secure_cookies { "https" } else { "http" };
        format!("{scheme}://{}", self.host.as_deref().unwrap_or("localhost"))
    }

    /// The request's tenant-scoped transaction: the one the session was checked in when there
    /// is one (the first call takes it), else a new one.
    pub async fn tx(&self) -> Result<TenantTx, sqlx::Error> {
        let open = self
            .open_tx
            .lock()
            .expect("the transaction slot is never poisoned")
            .take();
        match open {
            Some(tx) => Ok(tx),
            None => db::tenant_tx_with(&self.site.pool, self.tenant.id, self.commit).await,
        }
    }

    pub fn home_path(&self) -> String {
        format!("/{}/", self.tenant.slug)
    }

    pub fn login_path(&self) -> String {
        format!("/{}/login", self.tenant.slug)
    }

    /// The login page, with a way back to the page that was asked for (GET requests only).
    pub fn login_path_returning_here(&self) -> String {
        let here = match &self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        };
        format!("{}?next={}", self.login_path(), web::query_encode(&here))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("RequestContext used outside a tenant route")))
    }
}

/// Middleware for the tenant routes: resolves the tenant and session, checks CSRF.
pub async fn resolve(State(site): State<Site>, request: Request, next: Next) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    let uri = parts.uri.clone();
    let slug = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let secure = site.config.secure_cookies;
    let mut set_cookies = Vec::new();
    let commit = if is_state_changing(&parts.method) {
        Commit::Durable
    } else {
        Commit::Relaxed
    };

    let mut session = None;
    let mut expired = false;
    let mut open_tx = None;
    let mut waiting = Waiting::default();
    let cookie = web::read_cookie(&parts.headers, SESSION_COOKIE).and_then(|v| SessionCookie::parse(&v));
    let tenant = match cookie {
        Some(cookie) => {
            // The session's own cooperative, whose transaction the handler goes on with.
            let mut tx = db::tenant_tx_with(&site.pool, cookie.tenant_id, commit).await?;
            let known = site.waiting.known(&cookie.token_hash);
            let (tenant, found) = session::load_at(&mut tx, slug, &cookie.token_hash, known)
                .await?
                .ok_or(AppError::NotFound)?;
            if tenant.id != cookie.tenant_id {
                // Logged in at another cooperative: nothing here exists for this user.
                if found.is_some() {
                    return Err(AppError::NotFound);
                }
            } else {
                if found.is_none() {
                    expired = session::delete(&mut tx, &cookie.token_hash).await?;
                    set_cookies.push(web::clear_cookie(SESSION_COOKIE, secure));
                }
                if let Some(found) = &found
                    && found.stage == Stage::Active
                {
                    waiting = site.waiting.read(
                        &found.waiting,
                        found.today,
                        &found.token_hash,
                        &mut parts.extensions,
                    );
                }
                session = found;
                open_tx = Some(tx);
            }
            tenant
        }
        None => tenancy::find_by_slug(&site.pool, slug)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    if tenant.disabled {
        return Err(AppError::TenantDisabled);
    }
    let tenant = Arc::new(tenant);

    let csrf_token = match &session {
        Some(session) => session.csrf_token.clone(),
        None => match web::read_cookie(&parts.headers, CSRF_COOKIE) {
            Some(token) if token.len() >= 32 => token,
            _ => {
                let token = session::random_token();
                set_cookies.push(web::set_cookie(CSRF_COOKIE, &token, secure));
                token
            }
        },
    };

    // A flash is shown once: on the page after the redirect that set it.
    let flash_cookie = web::read_cookie(&parts.headers, FLASH_COOKIE);
    let flash = flash_cookie.as_deref().and_then(Flash::from_cookie);
    if expired {
        set_cookies.push(web::set_cookie(FLASH_COOKIE, "flash.session_expired", secure));
    } else if flash_cookie.is_some() {
        set_cookies.push(web::clear_cookie(FLASH_COOKIE, secure));
    }

    let (user, pending) = match &session {
        Some(s) if s.stage == Stage::Active => (Some(s.user.clone()), None),
        Some(s) => (None, Some((s.user.clone(), s.stage))),
        None => (None, None),
    };
    let language = user
        .as_ref()
        .or(pending.as_ref().map(|(u, _)| u))
        .and_then(|u| u.language);
    let ctx = RequestContext {
        host: parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        pending,
        lang: language
            .or_else(|| Lang::from_accept_language(&parts.headers))
            .unwrap_or(tenant.default_language),
        client_ip: client_ip(&parts, site.config.trust_proxy),
        session_hash: session.map(|s| s.token_hash),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        flash,
        commit,
        waiting,
        tenant,
        user,
        csrf_token,
        open_tx: Arc::new(Mutex::new(open_tx)),
        site,
    };

    let body = if is_state_changing(&parts.method) {
        let (body, valid) = check_csrf(&parts.headers, parts.uri.query(), body, &ctx.csrf_token).await?;
        if !valid {
            return Err(AppError::CsrfRejected);
        }
        body
    } else {
        body
    };

    parts.extensions.insert(ctx.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    // The handler did not take the transaction: it only recorded the session's activity.
    let unused = ctx
        .open_tx
        .lock()
        .expect("the transaction slot is never poisoned")
        .take();
    if let Some(tx) = unused
        && let Err(error) = tx.commit().await
    {
        tracing::warn!(%error, "could not record session activity");
    }
    // The error page renderer further out shows errors in this user's language and layout.
    response.extensions_mut().insert(ctx);
    // A handler that set a new flash keeps it: clearing the old one after it would lose it.
    let flash_prefix = format!("{FLASH_COOKIE}=");
    let handler_set_flash = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|cookie| cookie.as_bytes().starts_with(flash_prefix.as_bytes()));
    for cookie in set_cookies {
        if handler_set_flash && cookie.as_bytes().starts_with(flash_prefix.as_bytes()) {
            continue;
        }
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Reads the token from the `x-csrf-token` header or, for a urlencoded form, its
/// `csrf_token` field; the body is handed on unchanged. A file upload (multipart) without
/// script cannot set a header and its body is not read here, so its form carries the token
/// in the action's query string.
async fn check_csrf(
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    expected: &str,
) -> Result<(Body, bool), AppError> {
    let matches = |given: &str| given.as_bytes().ct_eq(expected.as_bytes()).into();
    if let Some(given) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((body, matches(given)));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let valid = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(name, _)| name == CSRF_FIELD)
            .is_some_and(|(_, given)| matches(&given));
        return Ok((body, valid));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((body, false));
    }
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|error| {
        if too_large(&error) {
            AppError::TooLarge
        } else {
            AppError::CsrfRejected
        }
    })?;
    let valid = form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == CSRF_FIELD)
        .is_some_and(|(_, given)| matches(&given));
    Ok((Body::from(bytes), valid))
}

/// Whether reading a body failed at a length limit (this one's or the route's), rather than on
/// the way.
fn too_large(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.is::<LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

fn client_ip(parts: &Parts, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(ip) = forwarded.rsplit(',').next().and_then(|ip| ip.trim().parse().ok())
    {
        return Some(ip);
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}
