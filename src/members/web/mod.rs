//! The register's pages, by page group. What the groups share lives here.

pub(super) mod groups;
pub(super) mod register;
pub(super) mod services;
pub(super) mod staff;

use axum::http::StatusCode;

use crate::audit::{self, Actor, AuditKind, Subject};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::context::RequestContext;
use crate::web::layout::FormErrors;

/// What a form that is not the one submitted shows: no errors.
static NO_ERRORS: FormErrors = FormErrors::new();

/// The errors of `form` on a page with several forms, of which `submitted` was sent.
fn errors_of<'a>(submitted: &str, errors: &'a FormErrors, form: &str) -> &'a FormErrors {
    if submitted == form { errors } else { &NO_ERRORS }
}

fn admin(user: &CurrentUser) -> AppResult<()> {
    user.require_any(&[Role::Admin])
}

async fn audit_change(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    subject: Option<Subject<'_>>,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    audit::record(tx, &Actor::user(user, ctx.client_ip), kind, subject, details).await
}

/// 409 when someone else saved first, 422 for mistakes in the form, else 200.
fn form_status(errors: &FormErrors, conflict: bool) -> StatusCode {
    if conflict {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn page_number(page: Option<i64>) -> i64 {
    page.unwrap_or(1).max(1)
}
