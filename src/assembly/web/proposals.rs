//! A working group's proposal put on the agenda of a meeting in preparation.

use axum::response::Response;
use serde_json::json;

use super::{audit_change, lock_meeting, meeting_path};
use crate::assembly::{DecisionKind, ItemKind, SECRETARY_ROLES, agenda, proposals};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;
use crate::web::{self, parse_id};

pub async fn promote_proposal(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(proposal_id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let meeting_id = parse_id(fields.get("meeting"))?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, meeting_id, &user).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let (title, proposal, topic) = proposals::unpromoted(&mut tx, proposal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = agenda::ItemDetails {
        parent_id: None,
        kind: ItemKind::Decision,
        title,
        description: format!("Voorstel van werkatelier {topic}"),
        proposal,
        decision_kind: Some(DecisionKind::Ordinary),
        organisation_id: None,
        reasons: String::new(),
        pot: None,
    };
    let item_id = agenda::add(&mut tx, meeting.id, &details, Some(proposal_id)).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AgendaChanged,
        json!({ "meeting_id": meeting.id, "added": item_id, "proposal_id": proposal_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("{}#item-{item_id}", meeting_path(&ctx, meeting.id)),
        "flash.proposal_promoted",
    ))
}
