//! Who may see and steer a case.

use crate::auth::{CurrentUser, Role};
use crate::cases::Confidentiality;
use crate::cases::record::CaseView;

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
