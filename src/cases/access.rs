//! Who may see and steer a case, and loading a case for someone who may.

use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::cases::record::{self, CaseView};
use crate::cases::{Confidentiality, TEAM_ROLES};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web::context::RequestContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The lead, the professionals involved, the coordinator and process managers.
    Full,
    /// Another professional of the team: after stating a reason ("inzage met reden"),
    /// unless the case has no lead yet.
    NeedsReason,
    /// Everyone else, and anyone not involved in a "zeer vertrouwelijk" case.
    Denied,
}

pub fn is_involved(case: &CaseView, user: &CurrentUser) -> bool {
    case.lead_id == Some(user.id) || case.coordinator_id == Some(user.id) || case.is_member
}

pub fn decide(case: &CaseView, user: &CurrentUser) -> Access {
    if user.has(Role::ProcessManager) || (user.has(Role::Professional) && is_involved(case, user)) {
        return Access::Full;
    }
    if !user.has(Role::Professional) || case.confidentiality() == Confidentiality::HighlyConfidential {
        return Access::Denied;
    }
    // A case nobody leads yet is the whole team's intake: any professional may read it to
    // decide whether to take it (still audited).
    if case.has_grant || case.lead_id.is_none() {
        Access::Full
    } else {
        Access::NeedsReason
    }
}

/// Who moves the case along, escalates it, hands it over or changes its confidentiality:
/// the lead, the coordinator and process managers.
pub fn may_steer(case: &CaseView, user: &CurrentUser) -> bool {
    user.has(Role::ProcessManager)
        || (user.has(Role::Professional)
            && (case.lead_id == Some(user.id) || case.coordinator_id == Some(user.id)))
}

/// Who writes in a case (journal, plan, conversation, network, tasks, clocks): those involved
/// and process managers. Reading after stating a reason, or an unassigned case, is not enough.
pub fn may_write(case: &CaseView, user: &CurrentUser) -> bool {
    user.has(Role::ProcessManager) || (user.has(Role::Professional) && is_involved(case, user))
}

/// Loads a case of this tenant; an unknown or foreign id is not found.
pub(super) async fn load_case(tx: &mut TenantTx, id: Uuid, user: &CurrentUser) -> AppResult<CaseView> {
    record::find(tx, id, user.id).await?.ok_or(AppError::NotFound)
}

/// Loads a case the user may see in full; anyone else is refused.
pub(crate) async fn open_case(tx: &mut TenantTx, id: Uuid, user: &CurrentUser) -> AppResult<CaseView> {
    user.require_any_hiding(TEAM_ROLES)?;
    let case = load_case(tx, id, user).await?;
    match decide(&case, user) {
        Access::Full => Ok(case),
        Access::NeedsReason | Access::Denied => Err(AppError::Forbidden),
    }
}

/// Loads a case the user may write in: the professionals involved and process managers.
pub(crate) async fn case_to_write(tx: &mut TenantTx, id: Uuid, user: &CurrentUser) -> AppResult<CaseView> {
    let case = open_case(tx, id, user).await?;
    if may_write(&case, user) {
        Ok(case)
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn require_steer(case: &CaseView, user: &CurrentUser) -> AppResult<()> {
    if may_steer(case, user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Audits what `user` saw or did in the case, under the case and its resident.
pub(crate) async fn audit_case(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    case: &CaseView,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    let actor = Actor::user(user, ctx.client_ip);
    audit::record_for_case(tx, &actor, kind, case.id, case.resident_id, details).await
}
