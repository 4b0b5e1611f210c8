//! The one error type handlers return.
//!
//! - `NotFound`: an unknown route, an unknown tenant, or an id that does not exist *in this
//!   tenant*. Foreign-tenant ids are indistinguishable from unknown ones on purpose.
//! - `Forbidden`: the user is logged in but their roles do not allow this.
//! - `CsrfRejected`: a state-changing request without the right CSRF token; nothing changed.
//! - `LoginRequired`: not logged in; the user is sent to the login page and brought back.
//! - `TenantDisabled`: the platform operator disabled this cooperative; its pages say so.
//! - `InvalidInput`: a query string or a form outside the domains holds a control character
//!   or an over-long text (the shared checks in `web::forms`), or such a text slipped past
//!   them to a length constraint of the database; 422, nothing stored.
//! - `TooLarge`: a request body over the route's limit (413); nothing was read further.
//! - `Unavailable`: the database does not answer, or ended the connection (shut down, crashed,
//!   starting up); the page says to try again shortly.
//! - `Internal`: anything else. It is logged with the request id; the page shows only that id.
//!
//! Form validation is not an error: handlers re-render the form with status 422.
//!
//! An error becomes an empty response carrying an [`ErrorPage`] marker; the `error_pages`
//! middleware renders the page in the user's language and the normal layout.

use axum::extract::multipart::MultipartError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    CsrfRejected,
    #[error("login required")]
    LoginRequired { login_path: String },
    #[error("this cooperative is disabled")]
    TenantDisabled,
    #[error("invalid input: a control character or an over-long text")]
    InvalidInput,
    #[error("request body too large")]
    TooLarge,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Marks a response whose body the `error_pages` middleware renders.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage;

/// Marks the error page of a disabled tenant.
#[derive(Debug, Clone, Copy)]
pub struct TenantDisabledPage;

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                crate::db::suspect_connections();
                AppError::Unavailable(error.to_string())
            }
            sqlx::Error::Database(ref db) if db.code().is_some_and(|code| connection_lost(&code)) => {
                crate::db::suspect_connections();
                AppError::Unavailable(error.to_string())
            }
            // The length constraints (migration 0019) back up the form checks; a text that
            // reaches one was typed, not produced by a fault, so the answer is 422, not 500.
            sqlx::Error::Database(ref db) if db.constraint().is_some_and(|c| c.ends_with("_length")) => {
                tracing::warn!(
                    constraint = db.constraint(),
                    "a text longer than its column allows reached the database"
                );
                AppError::InvalidInput
            }
            other => AppError::Internal(other.into()),
        }
    }
}

/// The SQLSTATEs of a connection the server ended or refused: its shutdown or crash (also the
/// one a backend sends when its postmaster was killed), a server still starting up, and the
/// connection exceptions (class 08). Trying again shortly can succeed.
fn connection_lost(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03")
}

/// An upload that could not be read: too large, or not a form of ours at all (as if the
/// address were wrong).
impl From<MultipartError> for AppError {
    fn from(error: MultipartError) -> Self {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::NotFound
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::LoginRequired { login_path } => {
                return Redirect::to(login_path).into_response();
            }
            AppError::TenantDisabled => StatusCode::SERVICE_UNAVAILABLE,
            AppError::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(detail) => {
                tracing::error!(%detail, "database unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Internal(error) => {
                tracing::error!(error = ?error, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if matches!(self, AppError::CsrfRejected) {
            tracing::warn!("request rejected: missing or wrong CSRF token");
        }
        let disabled = matches!(self, AppError::TenantDisabled);
        let mut response = (status, [(header::CACHE_CONTROL, "no-store")]).into_response();
        response.extensions_mut().insert(ErrorPage);
        if disabled {
            response.extensions_mut().insert(TenantDisabledPage);
        }
        response
    }
}

/// Turns a unique-constraint violation into a domain outcome (usually a field error).
pub trait ResultExt<T> {
    fn on_constraint<E>(self, name: &str, map: impl FnOnce() -> E) -> Result<Result<T, E>, sqlx::Error>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_constraint<E>(self, name: &str, map: impl FnOnce() -> E) -> Result<Result<T, E>, sqlx::Error> {
        match self {
            Ok(value) => Ok(Ok(value)),
            Err(sqlx::Error::Database(db)) if db.constraint() == Some(name) => Ok(Err(map())),
            Err(other) => Err(other),
        }
    }
}
