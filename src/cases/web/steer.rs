//! Steering a case: its lead, the colleagues involved, its status, escalation and
//! confidentiality.

use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::page::case_form_failed;
use super::{Submitted, done, lock_version, named_colleague};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::cases::CasePart;
use crate::cases::access::{self, Access, audit_case, load_case, open_case, require_steer};
use crate::cases::lead::{self, LeadError};
use crate::cases::record;
use crate::cases::workflow::{self, EscalationError, StatusChange, StatusError};
use crate::cases::{ClosingResult, Confidentiality, Escalation, Status};
use crate::error::{AppError, AppResult};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;

/// Takes a case, assigns it, or hands it over with a note.
pub async fn change_lead(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Professional, Role::ProcessManager, Role::Admin])?;
    let mut tx = ctx.tx().await?;
    let case = load_case(&mut tx, id, &user).await?;
    let to = lead::chosen(fields.get("lead"), &user);
    if !lead::may_name_lead(&case, &user, to) {
        return Err(AppError::Forbidden);
    }
    let from_monitor = fields.get("from") == "monitor";
    let mut submitted = Submitted::new("lead", fields);
    let target = match to {
        Some(to) => record::colleague(&mut tx, to).await?,
        None => None,
    };
    let result = match &target {
        None => Err(LeadError::Unchanged),
        // The note was refused on the way in; its message is there already.
        Some(_) if submitted.refused() => Err(LeadError::Unchanged),
        Some(target) => {
            let note = submitted.fields.get("note").to_owned();
            lead::set_lead(
                &mut tx,
                &case,
                lock_version(&submitted.fields),
                target.id,
                &note,
                user.id,
            )
            .await?
        }
    };
    match (result, target) {
        (Ok(()), Some(target)) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::CaseLeadChanged,
                &case,
                json!({ "lead": target.name, "previous": case.lead_name }),
            )
            .await?;
            tx.commit().await?;
            if from_monitor {
                Ok(web::redirect_with_flash(
                    &format!("/{}/team/monitor", ctx.tenant.slug),
                    "flash.lead_changed",
                ))
            } else {
                Ok(done(&ctx, case.id, CasePart::Overview, "flash.lead_changed"))
            }
        }
        (error, _) => {
            if !matches!(access::decide(&case, &user), Access::Full) {
                // Assigning from the monitor without access to the case: back there.
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("/{}/team/monitor", ctx.tenant.slug),
                    "flash.lead_not_changed",
                ));
            }
            match error {
                _ if submitted.refused() => {}
                Err(LeadError::NoteRequired) => submitted.errors.field("note", "lead.error.note"),
                Err(LeadError::Conflict) => {
                    submitted.conflict = true;
                    submitted.errors.form("case.error.conflict");
                }
                _ => submitted.errors.field("lead", "lead.error.choice"),
            }
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

/// Names a colleague as involved in the case.
pub async fn add_member(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    require_steer(&case, &user)?;
    let Some(colleague) = named_colleague(&mut tx, fields.get("member")).await? else {
        let mut submitted = Submitted::new("member", fields);
        submitted.errors.field("member", "lead.error.choice");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    record::add_member(&mut tx, case.id, colleague.id, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseMemberAdded,
        &case,
        json!({ "member": colleague.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, CasePart::Overview, "flash.member_added"))
}

pub async fn change_status(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    require_steer(&case, &user)?;
    let mut submitted = Submitted::new("status", fields);
    if submitted.refused() {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    let Some(to) = Status::parse(submitted.fields.get("to")) else {
        submitted.errors.field("to", "case.error.transition");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    let closing = ClosingResult::parse(submitted.fields.get("closing_result"));
    let reason = submitted.fields.get("reason").to_owned();
    let listed: Vec<Uuid> = submitted
        .fields
        .get_all("open_referral")
        .filter_map(|id| id.parse().ok())
        .collect();
    let confirmed = submitted.fields.get("withdraw_referrals") == "yes";
    let change = StatusChange {
        to,
        closing_result: closing,
        reason: &reason,
        withdraw: confirmed.then_some(listed.as_slice()),
    };
    let from = case.status();
    match workflow::change_status(&mut tx, &case, lock_version(&submitted.fields), &change, user.id).await? {
        Ok(withdrawn) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::CaseStatusChanged,
                &case,
                json!({
                    "from": from.code(),
                    "to": to.code(),
                    "closing_result": closing.map(ClosingResult::code),
                    "withdrawn_referrals": withdrawn,
                }),
            )
            .await?;
            tx.commit().await?;
            Ok(done(&ctx, case.id, CasePart::Overview, "flash.status_changed"))
        }
        Err(error) => {
            let (field, message) = error.field_and_message();
            submitted.conflict = error == StatusError::Conflict;
            submitted.errors.field(field, message);
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

pub async fn change_escalation(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    require_steer(&case, &user)?;
    let mut submitted = Submitted::new("escalation", fields);
    if submitted.refused() {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    let Some(to) = Escalation::parse(submitted.fields.get("level")) else {
        submitted.errors.field("level", "escalation.error.level");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    let coordinator = named_colleague(&mut tx, submitted.fields.get("coordinator")).await?;
    let reason = submitted.fields.get("reason").to_owned();
    let from = case.escalation();
    match workflow::change_escalation(
        &mut tx,
        &case,
        lock_version(&submitted.fields),
        to,
        coordinator.as_ref(),
        &reason,
        user.id,
    )
    .await?
    {
        Ok(()) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::CaseEscalationChanged,
                &case,
                json!({ "from": from.code(), "to": to.code(), "coordinator": coordinator.map(|c| c.name) }),
            )
            .await?;
            tx.commit().await?;
            Ok(done(
                &ctx,
                case.id,
                CasePart::Overview,
                "flash.escalation_changed",
            ))
        }
        Err(error) => {
            match error {
                EscalationError::Unchanged => submitted.errors.field("level", "escalation.error.unchanged"),
                EscalationError::NeedsReason => submitted.errors.field("reason", "escalation.error.reason"),
                EscalationError::NeedsCoordinator => submitted
                    .errors
                    .field("coordinator", "escalation.error.coordinator"),
                EscalationError::Conflict => {
                    submitted.conflict = true;
                    submitted.errors.form("case.error.conflict");
                }
            }
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

pub async fn change_confidentiality(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    require_steer(&case, &user)?;
    let mut submitted = Submitted::new("confidentiality", fields);
    let Some(to) = Confidentiality::parse(submitted.fields.get("level")) else {
        submitted
            .errors
            .field("confidentiality_level", "confidentiality.error.level");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    if !workflow::change_confidentiality(&mut tx, &case, lock_version(&submitted.fields), to, user.id).await?
    {
        submitted.conflict = true;
        submitted.errors.form("case.error.conflict");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseConfidentialityChanged,
        &case,
        json!({ "from": case.confidentiality().code(), "to": to.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &ctx,
        case.id,
        CasePart::Overview,
        "flash.confidentiality_changed",
    ))
}
