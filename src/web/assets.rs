//! The stylesheet and script, compiled into the binary so that it runs from any directory.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "css/schakel.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/css/schakel.css"),
    ),
    (
        "js/schakel.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/schakel.js"),
    ),
    (
        "js/copy.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/copy.js"),
    ),
];

pub async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    )
        .into_response())
}
