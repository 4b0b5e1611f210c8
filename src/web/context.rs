//! The request context of every page under `/{tenant}/…`: which tenant, who is logged in,
//! the CSRF token, the language, the client address. The `resolve` middleware builds it once
//! and checks the CSRF token of every state-changing request before a handler runs.

use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody, to_bytes};
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
use crate::auth::secrets::SecretBox;
use crate::auth::session::{self, SessionCookie, Stage};
use crate::config::WebConfig;
use crate::db::{self, Commit, TenantTx};
use crate::error::AppError;
use crate::tenancy::{self, Tenant};
use crate::web::i18n::Lang;
use crate::web::layout::{Flash, Layout, NavEntry, UserBadge, Waiting, navigation};
use crate::web::{self, CSRF_COOKIE, FLASH_COOKIE, SESSION_COOKIE};

/// The largest form body the CSRF check reads.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
/// The most of a multipart body (a file upload) the CSRF check reads: enough for its first
/// field, the token.
const MAX_TOKEN_PART_BYTES: usize = 4 * 1024;
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
    /// Seals what would let someone log in, with the key kept outside the database.
    pub secrets: Arc<SecretBox>,
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

    pub fn secrets(&self) -> &SecretBox {
        &self.site.secrets
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
    /// A query string longer than a search may be is left out of the way back, so that no
    /// redirect carries more of what someone typed than a search.
    pub fn login_path_returning_here(&self) -> String {
        let search = web::forms::Limit::Name.chars();
        let here = match &self.query {
            Some(query) if query.len() <= search => format!("{}?{query}", self.path),
            _ => self.path.clone(),
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
        // The cooperative's language, not the browser's: its residents and staff share one
        // language, and a login page in English for a Dutch desk only confuses.
        lang: language.unwrap_or(tenant.default_language),
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
        let (body, valid) = check_csrf(&parts.headers, body, &ctx.csrf_token).await?;
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

/// Reads the token from the `x-csrf-token` header or else from the form: the `csrf_token` field
/// of a urlencoded form, or the first field of a multipart one. The body is handed on as it
/// came. Never from the address, where it would end up in logs and `Referer` headers.
async fn check_csrf(headers: &HeaderMap, body: Body, expected: &str) -> Result<(Body, bool), AppError> {
    let matches = |given: &str| given.as_bytes().ct_eq(expected.as_bytes()).into();
    if let Some(given) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((body, matches(given)));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let (body, given) = multipart_token(body, content_type).await?;
        return Ok((body, given.is_some_and(|given| matches(&given))));
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

/// The token of a multipart form, which carries it as its first field: a form that takes files
/// puts the hidden field first, and browsers send fields in the form's order. Only that much of
/// the body is read (so a large upload is refused before it arrives); the body handed on still
/// holds all of it.
async fn multipart_token(mut body: Body, content_type: &str) -> Result<(Body, Option<String>), AppError> {
    let Some(boundary) = multipart_boundary(content_type) else {
        return Ok((body, None));
    };
    let mut read = Vec::new();
    let token = loop {
        match first_part(&read, boundary) {
            FirstPart::Token(token) => break Some(token),
            FirstPart::Other => break None,
            FirstPart::Incomplete if read.len() > MAX_TOKEN_PART_BYTES => break None,
            FirstPart::Incomplete => {}
        }
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    read.extend_from_slice(data);
                }
            }
            Some(Err(_)) => return Err(AppError::CsrfRejected),
            None => break None,
        }
    };
    let body = Body::new(Prefixed {
        prefix: Some(Bytes::from(read)),
        rest: body,
    });
    Ok((body, token))
}

fn multipart_boundary(content_type: &str) -> Option<&str> {
    content_type
        .split(';')
        .skip(1)
        .find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"'))
        })
        .filter(|boundary| !boundary.is_empty())
}

/// What the start of a multipart body says about its first field.
#[derive(Debug, PartialEq, Eq)]
enum FirstPart {
    Incomplete,
    /// The first field is the CSRF token, with this value.
    Token(String),
    /// The first field is something else: the form carries no token where it should.
    Other,
}

fn first_part(read: &[u8], boundary: &str) -> FirstPart {
    let opening = format!("--{boundary}\r\n");
    if read.len() < opening.len() {
        return if opening.as_bytes().starts_with(read) {
            FirstPart::Incomplete
        } else {
            FirstPart::Other
        };
    }
    let Some(rest) = read.strip_prefix(opening.as_bytes()) else {
        return FirstPart::Other;
    };
    let Some(headers_end) = find(rest, b"\r\n\r\n") else {
        return FirstPart::Incomplete;
    };
    let Ok(headers) = std::str::from_utf8(&rest[..headers_end]) else {
        return FirstPart::Other;
    };
    if !headers.split("\r\n").any(names_the_token) {
        return FirstPart::Other;
    }
    let value = &rest[headers_end + 4..];
    match find(value, format!("\r\n--{boundary}").as_bytes()) {
        Some(end) => match std::str::from_utf8(&value[..end]) {
            Ok(token) => FirstPart::Token(token.to_owned()),
            Err(_) => FirstPart::Other,
        },
        None => FirstPart::Incomplete,
    }
}

/// Whether a part's header line is `Content-Disposition: form-data; name="csrf_token"`.
fn names_the_token(line: &str) -> bool {
    let Some((name, params)) = line.split_once(':') else {
        return false;
    };
    let params: Vec<&str> = params.split(';').map(str::trim).collect();
    let token = format!("name=\"{CSRF_FIELD}\"");
    name.trim().eq_ignore_ascii_case("content-disposition")
        && params[0].eq_ignore_ascii_case("form-data")
        && params[1..].contains(&token.as_str())
        && !params.iter().any(|param| param.starts_with("filename"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// A request body of which the CSRF check already read `prefix`.
struct Prefixed {
    prefix: Option<Bytes>,
    rest: Body,
}

impl HttpBody for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Some(prefix) = self.prefix.take().filter(|prefix| !prefix.is_empty()) {
            return Poll::Ready(Some(Ok(http_body::Frame::data(prefix))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.as_ref().is_none_or(Bytes::is_empty) && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let read = self.prefix.as_ref().map_or(0, |prefix| prefix.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = http_body::SizeHint::new();
        hint.set_lower(rest.lower() + read);
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper + read);
        }
        hint
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"--xyz\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--xyz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhallo\r\n--xyz--\r\n";

    #[test]
    fn a_multipart_form_carries_its_token_as_its_first_field() {
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"xyz\""),
            Some("xyz")
        );
        assert_eq!(multipart_boundary("multipart/form-data"), None);
        assert_eq!(first_part(BODY, "xyz"), FirstPart::Token("abc123".into()));
        // Read a piece at a time: more is needed until the token's part has ended.
        assert_eq!(first_part(&BODY[..3], "xyz"), FirstPart::Incomplete);
        assert_eq!(first_part(&BODY[..70], "xyz"), FirstPart::Incomplete);
        let other = b"--xyz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhallo\r\n--xyz--\r\n";
        assert_eq!(first_part(other, "xyz"), FirstPart::Other);
        let file = b"--xyz\r\nContent-Disposition: form-data; name=\"csrf_token\"; filename=\"t\"\r\n\r\nabc\r\n--xyz--";
        assert_eq!(first_part(file, "xyz"), FirstPart::Other);
        assert_eq!(first_part(b"garbage", "xyz"), FirstPart::Other);
    }
}
