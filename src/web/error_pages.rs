//! Renders error responses (marked by [`ErrorPage`]) as friendly pages in the normal layout,
//! in the user's language, with the request id as a reference for support. Never internals.
//! A 413 is rendered so too, whoever answered it: the body limits answer before any handler.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::error::{ErrorPage, TenantDisabledPage};
use crate::web::context::RequestContext;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPageTemplate {
    l: Layout,
    code: u16,
    title_key: &'static str,
    message_key: &'static str,
    reference: Option<String>,
    home: String,
}

pub async fn render(request: Request, next: Next) -> Response {
    let lang = Lang::negotiate(request.headers());
    let reference = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let status = response.status();
    if response.extensions().get::<ErrorPage>().is_none() && status != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let ctx = response.extensions().get::<RequestContext>();
    let disabled = response.extensions().get::<TenantDisabledPage>().is_some();
    let (title_key, message_key) = match status {
        _ if disabled => ("error.disabled.title", "error.disabled.message"),
        StatusCode::FORBIDDEN => ("error.403.title", "error.403.message"),
        StatusCode::NOT_FOUND => ("error.404.title", "error.404.message"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error.413.title", "error.413.message"),
        StatusCode::UNPROCESSABLE_ENTITY => ("error.422.title", "error.422.message"),
        StatusCode::SERVICE_UNAVAILABLE => ("error.503.title", "error.503.message"),
        _ => ("error.500.title", "error.500.message"),
    };
    let page = ErrorPageTemplate {
        code: status.as_u16(),
        title_key,
        message_key,
        reference: reference.filter(|_| status.is_server_error()),
        home: ctx.map(|c| c.home_path()).unwrap_or_else(|| "/".to_owned()),
        l: match ctx {
            Some(ctx) => ctx.layout(),
            None => Layout {
                lang,
                tenant: None,
                user: None,
                csrf_token: String::new(),
                nav: Vec::new(),
                flash: None,
            },
        },
    };
    let body = match page.render() {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "error page failed to render");
            format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or_default()
            )
        }
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    (parts, Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    use crate::error::AppError;

    async fn page_for(error: fn() -> AppError, accept_language: &str) -> (u16, String) {
        let app = Router::new()
            .route("/", get(move || async move { error() }))
            .layer(axum::middleware::from_fn(super::render));
        let request = Request::get("/")
            .header("x-request-id", "4f1c-verwijzing")
            .header("accept-language", accept_language)
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn an_internal_error_shows_a_reference_and_no_internals() {
        let (status, body) = page_for(
            || AppError::Internal(anyhow::anyhow!("relation secret_table does not exist")),
            "nl",
        )
        .await;
        assert_eq!(status, 500);
        assert!(body.contains("Er ging iets mis"), "{body}");
        assert!(
            body.contains("4f1c-verwijzing"),
            "the request id is the reference"
        );
        assert!(!body.contains("secret_table"), "no internals");
    }

    #[tokio::test]
    async fn forbidden_and_unavailable_have_their_own_pages() {
        let (status, body) = page_for(|| AppError::Forbidden, "en").await;
        assert_eq!(status, 403);
        assert!(body.contains("No access") && !body.contains("4f1c-verwijzing"));
        let (status, body) = page_for(|| AppError::Unavailable("connection refused".into()), "nl").await;
        assert_eq!(status, 503);
        assert!(body.contains("Tijdelijk niet beschikbaar") && !body.contains("connection refused"));
    }
}
