//! The money pages, one file per page group. What they share lives here: the audit record
//! and the paths.

pub(super) mod account;
pub(super) mod contracts;
pub(super) mod flexible;
pub(super) mod grants;
pub(super) mod overview;
pub(super) mod pots;

use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::web::context::RequestContext;
use crate::web::layout::FormErrors;

/// Every change of money is audited with what it was and what it became.
async fn audit_change(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    audit::record(
        tx,
        &Actor::user(user, ctx.client_ip),
        AuditKind::FinanceChanged,
        None,
        details,
    )
    .await
}

fn status_for(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn finance_path(ctx: &RequestContext, rest: &str) -> String {
    format!("/{}/finance{rest}", ctx.tenant.slug)
}

fn grant_path(ctx: &RequestContext, id: Uuid) -> String {
    finance_path(ctx, &format!("/grants/{id}"))
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    page: Option<i64>,
}

impl PageQuery {
    fn number(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
}
