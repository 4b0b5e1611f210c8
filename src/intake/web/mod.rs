//! The desk's pages, by page group. What the groups share lives here.

pub(super) mod desk;
pub(super) mod online;
pub(super) mod requests;
pub(super) mod residents;

use axum::http::StatusCode;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::CurrentUser;
use crate::cases::TEAM_ROLES;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::intake::DESK_ROLES;
use crate::intake::requests::RequestView;
use crate::intake::residents::Resident;
use crate::shared::format::format_date;
use crate::web::context::RequestContext;
use crate::web::layout::FormErrors;

fn desk_user(user: CurrentUser) -> AppResult<CurrentUser> {
    user.require_any_hiding(DESK_ROLES)?;
    Ok(user)
}

fn actor(ctx: &RequestContext, user: &CurrentUser) -> Actor {
    Actor::user(user, ctx.client_ip)
}

/// 422 when the form has mistakes, else 200.
fn form_status(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Whether the user works in the social team, which opens cases.
fn may_open_case(user: &CurrentUser) -> bool {
    user.roles.iter().any(|r| TEAM_ROLES.contains(r))
}

/// A row of a list of requests, with its deadline as the desk needs to see it.
struct RequestRow {
    request: RequestView,
    deadline: Option<String>,
    days_left: Option<i64>,
}

impl RequestRow {
    fn new(request: RequestView) -> RequestRow {
        let deadline = request.deadline();
        RequestRow {
            deadline: deadline.map(format_date),
            days_left: deadline.and(request.days_to_deadline).map(i64::from),
            request,
        }
    }

    fn overdue(&self) -> bool {
        self.days_left.is_some_and(|d| d < 0)
    }

    fn days_left_abs(&self) -> i64 {
        self.days_left.unwrap_or_default().abs()
    }
}

fn rows(requests: Vec<RequestView>) -> Vec<RequestRow> {
    requests.into_iter().map(RequestRow::new).collect()
}

async fn load_resident(tx: &mut TenantTx, id: Uuid) -> AppResult<Resident> {
    crate::intake::residents::find(tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Opens a resident's file: loads it and records who looked, and why.
async fn open_file(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    id: Uuid,
    kind: AuditKind,
    details: serde_json::Value,
) -> AppResult<Resident> {
    let resident = load_resident(tx, id).await?;
    audit::record_for_resident(tx, &actor(ctx, user), kind, resident.id, details).await?;
    Ok(resident)
}
