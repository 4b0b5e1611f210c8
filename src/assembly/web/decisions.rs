//! The decision list (also as CSV), and one decision's page with its follow-up actions and, for
//! an expulsion, the member's appeal.

use crate::web::forms::{Fields, Query, parse_date};
use askama::Template;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::{PageQuery, audit_change, offices, status_for};
use crate::assembly::decisions::{self, ACTION_STATUSES, Action, ActionInput, Decision, Expulsion};
use crate::assembly::{READ_ROLES, SECRETARY_ROLES};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "assembly/decisions.html")]
struct DecisionsPage {
    l: Layout,
    rows: Vec<Decision>,
    pagination: Pagination,
}

pub async fn decisions(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = query.number();
    let mut tx = ctx.tx().await?;
    let mut rows = decisions::list(&mut tx, None, page).await?;
    let total = decisions::count(&mut tx).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, decisions::PAGE_SIZE);
    web::render(&DecisionsPage {
        rows,
        pagination: Pagination::new(
            format!("/{}/assembly/decisions?", ctx.tenant.slug),
            page,
            decisions::PAGE_SIZE,
            has_next,
            total,
        ),
        l: ctx.layout(),
    })
}

pub async fn decisions_csv(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    // The whole list, a page at a time.
    let mut all = Vec::new();
    for page in 1.. {
        let mut rows = decisions::list(&mut tx, None, page).await?;
        let more = trim_page(&mut rows, decisions::PAGE_SIZE);
        all.extend(rows);
        if !more {
            break;
        }
    }
    tx.commit().await?;
    Ok(web::csv::download("besluitenlijst.csv", decisions::to_csv(&all)))
}

#[derive(Template)]
#[template(path = "assembly/decision.html")]
struct DecisionPage {
    l: Layout,
    decision: Decision,
    expulsion: Option<Expulsion>,
    actions: Vec<Action>,
    may_edit: bool,
    action: ActionInput,
    statuses: [&'static str; 3],
    errors: FormErrors,
}

async fn render_decision(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    decision: Decision,
    action: ActionInput,
    errors: FormErrors,
) -> AppResult<Response> {
    let expulsion = decisions::expulsion(&mut tx, decision.id).await?;
    let actions = decisions::actions(&mut tx, decision.id).await?;
    tx.commit().await?;
    web::render_with_status(
        status_for(&errors),
        &DecisionPage {
            decision,
            expulsion,
            actions,
            may_edit: offices(user).secretary,
            action,
            statuses: ACTION_STATUSES,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn load_decision(tx: &mut TenantTx, id: Uuid) -> AppResult<Decision> {
    decisions::find(tx, id).await?.ok_or(AppError::NotFound)
}

/// The decision's page at `anchor`, with a flash message.
fn to_decision(ctx: &RequestContext, decision: &Decision, anchor: &str, flash: &'static str) -> Response {
    web::redirect_with_flash(
        &format!("/{}/assembly/decisions/{}#{anchor}", ctx.tenant.slug, decision.id),
        flash,
    )
}

pub async fn decision(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, id).await?;
    render_decision(
        tx,
        &ctx,
        &user,
        decision,
        ActionInput::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn add_action(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, id).await?;
    let input = ActionInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some(action) = input.validate(&mut errors) {
        decisions::add_action(&mut tx, decision.id, &action, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::DecisionChanged,
            json!({ "decision_id": decision.id, "action": action.description }),
        )
        .await?;
        tx.commit().await?;
        return Ok(to_decision(&ctx, &decision, "actions", "flash.action_added"));
    }
    render_decision(tx, &ctx, &user, decision, input, errors).await
}

/// The expelled member appealed: recorded by an administrator, within the term of appeal.
pub async fn record_appeal(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, id).await?;
    let mut errors = FormErrors::default();
    match parse_date(fields.get("appealed_on")) {
        Some(on) if decisions::record_appeal(&mut tx, decision.id, on).await? => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::DecisionChanged,
                json!({ "decision_id": decision.id, "appealed_on": format_date(on) }),
            )
            .await?;
            tx.commit().await?;
            return Ok(to_decision(&ctx, &decision, "expulsion", "flash.appeal_recorded"));
        }
        _ => errors.field("appealed_on", "expulsion.error.appealed_on"),
    }
    render_decision(tx, &ctx, &user, decision, ActionInput::default(), errors).await
}

pub async fn update_action(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, action_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let status = fields.get("status");
    if !ACTION_STATUSES.contains(&status) {
        return Err(AppError::NotFound);
    }
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, id).await?;
    if !decisions::set_action_status(&mut tx, decision.id, action_id, status, user.id).await? {
        return Err(AppError::NotFound);
    }
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::DecisionChanged,
        json!({ "decision_id": decision.id, "action_id": action_id, "status": status }),
    )
    .await?;
    tx.commit().await?;
    Ok(to_decision(&ctx, &decision, "actions", "flash.action_updated"))
}
