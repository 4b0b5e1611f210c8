//! Web plumbing shared by every area: request context, CSRF, cookies, security headers,
//! error pages, static assets and the message catalogues.

pub mod assets;
pub mod context;
pub mod csv;
pub mod error_pages;
pub mod forms;
pub mod headers;
pub mod i18n;
pub mod ids;
pub mod layout;
pub mod metrics;
pub mod pagination;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cookie::{Cookie, SameSite};

use crate::error::AppResult;

pub const SESSION_COOKIE: &str = "schakel_session";
pub const CSRF_COOKIE: &str = "schakel_csrf";
pub const FLASH_COOKIE: &str = "schakel_flash";

/// Renders a page with status 200.
pub fn render(page: &impl Template) -> AppResult<Response> {
    render_with_status(StatusCode::OK, page)
}

/// Renders a page with another status, e.g. 422 for a form with errors.
pub fn render_with_status(status: StatusCode, page: &impl Template) -> AppResult<Response> {
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page.render()?),
    )
        .into_response())
}

/// The value of cookie `name`, if the request carries it.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// A `Set-Cookie` value: whole-site, HttpOnly, SameSite=Lax, ending with the browser session.
pub fn set_cookie(name: &str, value: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are printable ASCII")
}

pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are printable ASCII")
}

/// Percent-encodes a value for a query string.
pub fn query_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A stored file as the answer: shown in the browser (`inline`) or saved (`attachment`),
/// under its own name, never kept by a cache.
pub fn stored_file(disposition: &str, filename: &str, content_type: String, content: Vec<u8>) -> Response {
    let disposition = format!(
        "{disposition}; filename=\"{}\"; filename*=UTF-8''{}",
        filename.replace(|c: char| !c.is_ascii() || c == '\\' || c == '"', "_"),
        query_encode(filename)
    );
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        content,
    )
        .into_response()
}

/// A 303 to `location` that shows the flash message `key` on the next page.
pub fn redirect_with_flash(location: &str, key: &'static str) -> Response {
    let mut response = axum::response::Redirect::to(location).into_response();
    // Flash cookies carry a catalogue key only; `Secure` is not needed for that.
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(FLASH_COOKIE, key, false));
    response
}

/// A file's size as people read it: "240 kB", "3,1 MB".
pub fn file_size(bytes: i64) -> String {
    let bytes = bytes as f64;
    if bytes < 1024.0 * 1024.0 {
        format!("{} kB", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} MB", bytes / 1024.0 / 1024.0).replace('.', ",")
    }
}

/// An id from the path; anything that is not one is simply not found.
pub fn parse_id(raw: &str) -> AppResult<uuid::Uuid> {
    raw.parse().map_err(|_| crate::error::AppError::NotFound)
}
