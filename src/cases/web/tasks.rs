//! The case's tasks: who does what by when.

use axum::response::Response;
use serde_json::json;

use super::page::case_form_failed;
use super::{Submitted, done, named_colleague};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::CasePart;
use crate::cases::access::{audit_case, case_to_write};
use crate::error::{AppError, AppResult};
use crate::shared::format::format_date;
use crate::todos;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date};
use crate::web::ids::{PathId, PathIds};

pub async fn add_task(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let mut submitted = Submitted::new("task", fields);
    let title = submitted.fields.get("title").trim().to_owned();
    if title.is_empty() {
        submitted.errors.field("title", "task.error.title");
    }
    let assignee = named_colleague(&mut tx, submitted.fields.get("assignee")).await?;
    if assignee.is_none() {
        submitted.errors.field("assignee", "task.error.assignee");
    }
    let due_on = parse_date(submitted.fields.get("due_on"));
    match due_on {
        None => submitted.errors.field("due_on", "task.error.due_on"),
        Some(due) if case.before_request(due) => {
            submitted.errors.field("due_on", "case.error.before_request")
        }
        Some(_) => {}
    }
    let (Some(assignee), Some(due_on), true) = (assignee, due_on, submitted.errors.is_empty()) else {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    todos::add_to_case(&mut tx, case.id, &title, assignee.id, due_on, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::TaskChanged,
        &case,
        json!({ "added": title, "assignee": assignee.name, "due_on": format_date(due_on) }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, CasePart::Overview, "flash.task_added"))
}

pub async fn finish_task(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, task): PathIds,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    if !todos::finish(&mut tx, case.id, task, user.id).await? {
        return Err(AppError::NotFound);
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::TaskChanged,
        &case,
        json!({ "done": task }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, CasePart::Overview, "flash.task_done"))
}
