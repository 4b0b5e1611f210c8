//! The assembly's pages, one file per page group. What the groups share lives here: who the
//! user is in the assembly, loading the meeting as they may see it, and the audit record.

pub(super) mod agenda;
pub(super) mod attendance;
pub(super) mod confirm;
pub(super) mod decisions;
pub(super) mod documents;
pub(super) mod meetings;
pub(super) mod minutes;
pub(super) mod page;
pub(super) mod polls;
pub(super) mod proposals;
pub(super) mod representatives;
pub(super) mod rules;

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::assembly::Offices;
use crate::assembly::agenda::AgendaItem;
use crate::assembly::meetings::Meeting;
use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::clock::local_now;
use crate::web::context::RequestContext;
use crate::web::layout::FormErrors;

fn offices(user: &CurrentUser) -> Offices {
    Offices::of(&user.roles)
}

async fn audit_change(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    audit::record(tx, &Actor::user(user, ctx.client_ip), kind, None, details).await
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

fn meeting_path(ctx: &RequestContext, id: Uuid) -> String {
    format!("/{}/assembly/{id}", ctx.tenant.slug)
}

fn status_for(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

async fn load_meeting(tx: &mut TenantTx, id: Uuid, user: &CurrentUser) -> AppResult<Meeting> {
    crate::assembly::meetings::find(tx, id, offices(user).sees_drafts())
        .await?
        .ok_or(AppError::NotFound)
}

/// The meeting locked for a change, as the user may see it.
async fn lock_meeting(tx: &mut TenantTx, id: Uuid, user: &CurrentUser) -> AppResult<Meeting> {
    let meeting = crate::assembly::meetings::lock(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if meeting.is_draft() && !offices(user).sees_drafts() {
        return Err(AppError::NotFound);
    }
    Ok(meeting)
}

async fn load_item(tx: &mut TenantTx, meeting: &Meeting, item: Uuid) -> AppResult<AgendaItem> {
    crate::assembly::agenda::find(tx, meeting.id, item)
        .await?
        .ok_or(AppError::NotFound)
}

/// The members the user represents today.
async fn represented(tx: &mut TenantTx, user: &CurrentUser) -> AppResult<Vec<Uuid>> {
    if !user.has(Role::Member) {
        return Ok(Vec::new());
    }
    let today = local_now(tx).await?.date();
    Ok(crate::assembly::representatives::represented_by(tx, user.id, today).await?)
}
