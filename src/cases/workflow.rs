//! The course of a case: the status workflow, escalation and confidentiality, and the history
//! of steps they leave. Every change names the version of the case it started from.

use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::cases::clocks;
use crate::cases::record::{CaseView, Colleague, claim};
use crate::cases::{ClosingResult, Confidentiality, Escalation, Status};
use crate::db::TenantTx;
use crate::referrals::ReferralStatus;
use crate::referrals::referral::{self, OpenReferral};
use crate::shared::format::format_timestamp;

/// Why a status change was refused; each names the form field it concerns.
#[derive(Debug, PartialEq, Eq)]
pub enum StatusError {
    NotAllowed,
    NeedsLead,
    NeedsAgreedPlan,
    NeedsClosingResult,
    NeedsReason,
    /// Closing with referrals still running: the professional confirms their withdrawal.
    NeedsReferralDecision,
    /// The running referrals are no longer the ones the form listed.
    ReferralsChanged,
    Conflict,
}

impl StatusError {
    pub fn field_and_message(&self) -> (&'static str, &'static str) {
        match self {
            StatusError::NotAllowed => ("to", "case.error.transition"),
            StatusError::NeedsLead => ("to", "case.error.needs_lead"),
            StatusError::NeedsAgreedPlan => ("to", "case.error.needs_plan"),
            StatusError::NeedsClosingResult => ("closing_result", "case.error.closing_result"),
            StatusError::NeedsReason => ("reason", "case.error.reopen_reason"),
            StatusError::NeedsReferralDecision => ("withdraw_referrals", "case.error.open_referrals"),
            StatusError::ReferralsChanged => ("withdraw_referrals", "case.error.referrals_changed"),
            StatusError::Conflict => ("to", "case.error.conflict"),
        }
    }
}

/// Whether the case as the form `version` showed it may move to `to`. An agreed plan, which
/// moving to "plan vastgesteld" also needs, is checked against the database.
fn check_status_change(
    case: &CaseView,
    version: i32,
    to: Status,
    closing_result: Option<ClosingResult>,
    reason: &str,
) -> Result<(), StatusError> {
    if version != case.lock_version {
        return Err(StatusError::Conflict);
    }
    let from = case.status();
    if !from.allows(to) {
        return Err(StatusError::NotAllowed);
    }
    if from == Status::Registered && to != Status::Closed && case.lead_id.is_none() {
        return Err(StatusError::NeedsLead);
    }
    if to == Status::Closed && closing_result.is_none() {
        return Err(StatusError::NeedsClosingResult);
    }
    if from == Status::Closed && reason.trim().is_empty() {
        return Err(StatusError::NeedsReason);
    }
    Ok(())
}

/// What the status form asks for.
#[derive(Clone, Copy)]
pub struct StatusChange<'a> {
    pub to: Status,
    pub closing_result: Option<ClosingResult>,
    pub reason: &'a str,
    /// The running referrals the form listed, when the professional confirmed withdrawing them.
    pub withdraw: Option<&'a [Uuid]>,
}

/// Moves a case along the workflow, recording who did it and when. Closing stops the case's
/// clocks and withdraws its running referrals — only those the form listed (`withdraw`, when
/// the professional confirmed it), each noted in the history; reopening lets the clocks run
/// again. Returns the referrals withdrawn.
pub async fn change_status(
    tx: &mut TenantTx,
    case: &CaseView,
    version: i32,
    change: &StatusChange<'_>,
    by: Uuid,
) -> sqlx::Result<Result<Vec<Uuid>, StatusError>> {
    let StatusChange {
        to,
        closing_result,
        reason,
        withdraw,
    } = *change;
    if let Err(refused) = check_status_change(case, version, to, closing_result, reason) {
        return Ok(Err(refused));
    }
    let from = case.status();
    if to == Status::PlanAgreed {
        let agreed = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT FROM support_plans WHERE tenant_id = $1 AND case_id = $2 AND version > 0) AS "agreed!""#,
            tx.tenant_id(),
            case.id
        )
        .fetch_one(&mut **tx)
        .await?;
        if !agreed {
            return Ok(Err(StatusError::NeedsAgreedPlan));
        }
    }
    let running = if to == Status::Closed {
        referral::open_of_case(tx, case.id).await?
    } else {
        Vec::new()
    };
    if let Err(refused) = check_withdrawal(&running, withdraw) {
        return Ok(Err(refused));
    }
    if claim(tx, case.id, version, by).await?.is_err() {
        return Ok(Err(StatusError::Conflict));
    }
    let closing = closing_result
        .filter(|_| to == Status::Closed)
        .map(ClosingResult::code);
    sqlx::query!(
        "UPDATE cases SET status = $3, closing_result = $4, closed_at = CASE WHEN $4::text IS NULL THEN NULL ELSE now() END
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case.id,
        to.code(),
        closing
    )
    .execute(&mut **tx)
    .await?;
    let reason = match closing {
        Some(code) if reason.trim().is_empty() => code.to_owned(),
        _ => reason.trim().to_owned(),
    };
    add_event(tx, case.id, "status", from.code(), to.code(), &reason, by).await?;
    let mut withdrawn = Vec::new();
    for open in &running {
        if referral::withdraw(tx, case.id, open.id, "", by).await?.is_ok() {
            let what = match &open.organisation {
                Some(organisation) => format!("{} · {organisation}", open.service),
                None => open.service.clone(),
            };
            let to_value = ReferralStatus::Withdrawn.code();
            add_event(tx, case.id, "referral", &open.status, to_value, &what, by).await?;
            withdrawn.push(open.id);
        }
    }
    if to == Status::Closed {
        clocks::stop_all(tx, case.id, case.now.date()).await?;
    } else if from == Status::Closed {
        clocks::restart_stopped(tx, case.id).await?;
    }
    Ok(Ok(withdrawn))
}

/// Whether the referrals still running may be withdrawn as the case closes: none are, or the
/// professional confirmed withdrawing exactly those (`listed`: the ones the form showed).
fn check_withdrawal(running: &[OpenReferral], listed: Option<&[Uuid]>) -> Result<(), StatusError> {
    if running.is_empty() {
        return Ok(());
    }
    let Some(listed) = listed else {
        return Err(StatusError::NeedsReferralDecision);
    };
    let mut shown = listed.to_vec();
    shown.sort_unstable();
    shown.dedup();
    let mut open: Vec<Uuid> = running.iter().map(|r| r.id).collect();
    open.sort_unstable();
    if shown == open {
        Ok(())
    } else {
        Err(StatusError::ReferralsChanged)
    }
}

async fn add_event(
    tx: &mut TenantTx,
    case_id: Uuid,
    kind: &str,
    from: &str,
    to: &str,
    reason: &str,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO case_events (tenant_id, case_id, kind, from_value, to_value, reason, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        tx.tenant_id(),
        case_id,
        kind,
        from,
        to,
        reason,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum EscalationError {
    Unchanged,
    NeedsReason,
    NeedsCoordinator,
    Conflict,
}

/// Whether the case as the form `version` showed it may go to escalation level `to`; the
/// coordinator it then has.
fn check_escalation(
    case: &CaseView,
    version: i32,
    to: Escalation,
    coordinator: Option<&Colleague>,
    reason: &str,
) -> Result<Option<Uuid>, EscalationError> {
    if version != case.lock_version {
        return Err(EscalationError::Conflict);
    }
    if case.escalation() == to {
        return Err(EscalationError::Unchanged);
    }
    match to {
        Escalation::CareAndSafety => {
            if reason.trim().is_empty() {
                return Err(EscalationError::NeedsReason);
            }
            match coordinator.filter(|c| c.is_process_manager) {
                Some(c) => Ok(Some(c.id)),
                None => Err(EscalationError::NeedsCoordinator),
            }
        }
        _ => Ok(None),
    }
}

/// Scales a case up or down. "Zorg en veiligheid" takes a reason and hands coordination to a
/// process manager; scaling down takes coordination back to the team.
pub async fn change_escalation(
    tx: &mut TenantTx,
    case: &CaseView,
    version: i32,
    to: Escalation,
    coordinator: Option<&Colleague>,
    reason: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), EscalationError>> {
    let coordinator = match check_escalation(case, version, to, coordinator, reason) {
        Ok(coordinator) => coordinator,
        Err(refused) => return Ok(Err(refused)),
    };
    let from = case.escalation();
    if claim(tx, case.id, version, by).await?.is_err() {
        return Ok(Err(EscalationError::Conflict));
    }
    sqlx::query!(
        "UPDATE cases SET escalation = $3, coordinator_id = $4 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case.id,
        to.code(),
        coordinator
    )
    .execute(&mut **tx)
    .await?;
    add_event(
        tx,
        case.id,
        "escalation",
        from.code(),
        to.code(),
        reason.trim(),
        by,
    )
    .await?;
    Ok(Ok(()))
}

/// Sets who may see the case; false when someone else saved it in between.
pub async fn change_confidentiality(
    tx: &mut TenantTx,
    case: &CaseView,
    version: i32,
    to: Confidentiality,
    by: Uuid,
) -> sqlx::Result<bool> {
    if claim(tx, case.id, version, by).await?.is_err() {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE cases SET confidentiality = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case.id,
        to.code()
    )
    .execute(&mut **tx)
    .await?;
    add_event(
        tx,
        case.id,
        "confidentiality",
        case.confidentiality().code(),
        to.code(),
        "",
        by,
    )
    .await?;
    Ok(true)
}

/// One step in a case's history: a status change, an escalation, a change of confidentiality,
/// or a referral withdrawn as the case closed (its reason names service and organisation).
pub struct CaseEvent {
    pub kind: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub actor: String,
    pub occurred_at: PrimitiveDateTime,
}

impl CaseEvent {
    pub fn at(&self) -> String {
        format_timestamp(self.occurred_at)
    }

    fn key(&self, value: &str) -> String {
        match self.kind.as_str() {
            "status" => format!("status.{value}"),
            "escalation" => format!("escalation.{value}"),
            "referral" => format!("referralstatus.{value}"),
            _ => format!("confidentiality.{value}"),
        }
    }

    pub fn before_key(&self) -> String {
        self.key(&self.from_value)
    }

    pub fn after_key(&self) -> String {
        self.key(&self.to_value)
    }

    pub fn kind_key(&self) -> String {
        format!("case.event.{}", self.kind)
    }

    pub fn reason_key(&self) -> Option<String> {
        ClosingResult::parse(&self.reason).map(ClosingResult::label_key)
    }
}

pub async fn events(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<CaseEvent>> {
    sqlx::query_as!(
        CaseEvent,
        r#"SELECT e.kind, e.from_value, e.to_value, e.reason, coalesce(u.name, '') AS "actor!",
                  local_time(e.occurred_at) AS "occurred_at!"
           FROM case_events e
           LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.actor_id
           WHERE e.tenant_id = $1 AND e.case_id = $2
           ORDER BY e.occurred_at DESC LIMIT 50"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(status: Status) -> CaseView {
        CaseView {
            status: status.code().into(),
            lead_id: Some(Uuid::new_v4()),
            ..CaseView::example()
        }
    }

    fn colleague(is_process_manager: bool) -> Colleague {
        Colleague {
            id: Uuid::new_v4(),
            name: "Pim".into(),
            is_process_manager,
        }
    }

    #[test]
    fn investigating_needs_a_lead_but_closing_does_not() {
        let case = CaseView::example();
        let v = case.lock_version;
        let moved = Some(ClosingResult::Moved);
        assert_eq!(
            check_status_change(&case, v, Status::Investigating, None, ""),
            Err(StatusError::NeedsLead)
        );
        assert_eq!(check_status_change(&case, v, Status::Closed, moved, ""), Ok(()));
        let led = at(Status::Registered);
        assert_eq!(
            check_status_change(&led, v, Status::Investigating, None, ""),
            Ok(())
        );
        assert_eq!(
            check_status_change(&led, v, Status::InProgress, None, ""),
            Err(StatusError::NotAllowed)
        );
        assert_eq!(
            check_status_change(&led, v + 1, Status::Investigating, None, ""),
            Err(StatusError::Conflict)
        );
    }

    #[test]
    fn closing_takes_a_result_and_reopening_a_reason() {
        let open = at(Status::InProgress);
        let v = open.lock_version;
        assert_eq!(
            check_status_change(&open, v, Status::Closed, None, ""),
            Err(StatusError::NeedsClosingResult)
        );
        let closed = at(Status::Closed);
        assert_eq!(
            check_status_change(&closed, v, Status::Investigating, None, "  "),
            Err(StatusError::NeedsReason)
        );
        assert_eq!(
            check_status_change(&closed, v, Status::Investigating, None, "back again"),
            Ok(())
        );
    }

    #[test]
    fn closing_withdraws_running_referrals_only_as_confirmed_and_listed() {
        let open = |id| OpenReferral {
            id,
            status: "verstuurd".into(),
            service: "Maatje".into(),
            organisation: None,
        };
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(check_withdrawal(&[], None), Ok(()));
        assert_eq!(
            check_withdrawal(&[open(a)], None),
            Err(StatusError::NeedsReferralDecision)
        );
        assert_eq!(check_withdrawal(&[open(a), open(b)], Some(&[b, a, a])), Ok(()));
        assert_eq!(
            check_withdrawal(&[open(a), open(b)], Some(&[a])),
            Err(StatusError::ReferralsChanged)
        );
    }

    #[test]
    fn care_and_safety_takes_a_reason_and_a_process_manager_to_coordinate() {
        let case = CaseView::example();
        let v = case.lock_version;
        let manager = colleague(true);
        let professional = colleague(false);
        let care = Escalation::CareAndSafety;
        assert_eq!(
            check_escalation(&case, v, care, Some(&manager), ""),
            Err(EscalationError::NeedsReason)
        );
        assert_eq!(
            check_escalation(&case, v, care, Some(&professional), "threat"),
            Err(EscalationError::NeedsCoordinator)
        );
        assert_eq!(
            check_escalation(&case, v, care, Some(&manager), "threat"),
            Ok(Some(manager.id))
        );
    }

    #[test]
    fn raising_needs_no_coordinator_and_the_same_level_is_no_change() {
        let case = CaseView::example();
        let v = case.lock_version;
        let manager = colleague(true);
        assert_eq!(
            check_escalation(&case, v, Escalation::Raised, Some(&manager), ""),
            Ok(None)
        );
        assert_eq!(
            check_escalation(&case, v, Escalation::Normal, None, "why"),
            Err(EscalationError::Unchanged)
        );
        assert_eq!(
            check_escalation(&case, v + 1, Escalation::Raised, None, ""),
            Err(EscalationError::Conflict)
        );
    }
}
