//! A case itself: loading it, its lead and the lead's history, the status workflow,
//! escalation, confidentiality and the people involved. Every change names the version it
//! started from, so that two people saving at once cannot overwrite each other unseen.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::{ClosingResult, Confidentiality, Escalation, Status};
use crate::db::TenantTx;
use crate::intake::values::Urgency;
use crate::shared::choices::Domain;
use crate::shared::format::{format_date, format_timestamp};

/// A case as its page shows it, with what the current user's access depends on.
#[derive(Clone)]
pub struct CaseView {
    pub id: Uuid,
    pub request_id: Uuid,
    pub resident_id: Option<Uuid>,
    pub resident_name: Option<String>,
    pub domains: Vec<String>,
    pub question: String,
    pub urgency: String,
    pub status: String,
    pub lead_id: Option<Uuid>,
    pub lead_name: Option<String>,
    pub coordinator_id: Option<Uuid>,
    pub coordinator_name: Option<String>,
    pub escalation: String,
    pub confidentiality: String,
    pub closing_result: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub next_deadline: Option<Date>,
    pub lock_version: i32,
    pub updated_by_name: Option<String>,
    pub updated_at: PrimitiveDateTime,
    /// The current user is named as involved.
    pub is_member: bool,
    /// The current user stated a reason to see it, and that grant still holds.
    pub has_grant: bool,
    /// The time in the Netherlands, and the cooperative's longest extension of a term: read
    /// with the case to save the page two round trips.
    pub now: PrimitiveDateTime,
    pub max_extension_weeks: i32,
    /// The revision of what the page shows (this row among it) and of the cooperative's
    /// names and colleagues: what kept copies of the page are checked against.
    pub revision: i64,
    pub directory_revision: i64,
}

impl CaseView {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Registered)
    }

    pub fn escalation(&self) -> Escalation {
        Escalation::parse(&self.escalation).unwrap_or(Escalation::Normal)
    }

    pub fn confidentiality(&self) -> Confidentiality {
        Confidentiality::parse(&self.confidentiality).unwrap_or(Confidentiality::Normal)
    }

    pub fn is_open(&self) -> bool {
        self.status() != Status::Closed
    }

    pub fn is_crisis(&self) -> bool {
        self.urgency == Urgency::Crisis.code()
    }

    pub fn reference(&self) -> String {
        reference(self.id)
    }

    pub fn created(&self) -> String {
        format_date(self.created_at.date())
    }

    pub fn updated(&self) -> String {
        format_timestamp(self.updated_at)
    }

    pub fn deadline(&self) -> Option<String> {
        self.next_deadline.map(format_date)
    }

    pub fn domain_keys(&self) -> Vec<String> {
        Domain::label_keys(&self.domains)
    }

    pub fn closing_result_key(&self) -> Option<String> {
        self.closing_result
            .as_deref()
            .and_then(ClosingResult::parse)
            .map(ClosingResult::label_key)
    }
}

pub fn reference(id: Uuid) -> String {
    format!("C-{}", &id.simple().to_string()[..8].to_uppercase())
}

pub async fn find(tx: &mut TenantTx, id: Uuid, viewer: Uuid) -> sqlx::Result<Option<CaseView>> {
    sqlx::query_as!(
        CaseView,
        r#"-- kept: case page
           SELECT c.id, c.request_id, c.resident_id,
                  CASE WHEN r.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) END AS resident_name,
                  q.domains, q.question, c.urgency, c.status, c.lead_id, l.name AS "lead_name?",
                  c.coordinator_id, k.name AS "coordinator_name?", c.escalation, c.confidentiality, c.closing_result,
                  (c.created_at AT TIME ZONE 'Europe/Amsterdam') AS "created_at!", c.next_deadline, c.lock_version,
                  u.name AS "updated_by_name?", (c.updated_at AT TIME ZONE 'Europe/Amsterdam') AS "updated_at!",
                  EXISTS (SELECT FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $3) AS "is_member!",
                  EXISTS (SELECT FROM case_access_grants g WHERE g.tenant_id = c.tenant_id AND g.case_id = c.id AND g.user_id = $3 AND g.expires_at > now()) AS "has_grant!",
                  (now() AT TIME ZONE 'Europe/Amsterdam') AS "now!",
                  (SELECT s.max_extension_weeks FROM tenant_settings s WHERE s.tenant_id = c.tenant_id) AS "max_extension_weeks!",
                  coalesce((SELECT x.revision FROM case_revisions x WHERE x.tenant_id = c.tenant_id AND x.case_id = c.id), 0) AS "revision!",
                  coalesce((SELECT d.directory FROM list_revisions d WHERE d.tenant_id = c.tenant_id), 0) AS "directory_revision!"
           FROM cases c
           JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
           LEFT JOIN residents r ON r.tenant_id = c.tenant_id AND r.id = c.resident_id
           LEFT JOIN users l ON l.tenant_id = c.tenant_id AND l.id = c.lead_id
           LEFT JOIN users k ON k.tenant_id = c.tenant_id AND k.id = c.coordinator_id
           LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.updated_by
           WHERE c.tenant_id = $1 AND c.id = $2"#,
        tx.tenant_id(),
        id,
        viewer
    )
    .fetch_optional(&mut **tx)
    .await
}

/// What a view of a case reads besides the case itself: what depends on the viewer and the
/// moment, and the key of the kept copies of the page (see `cases::document`).
pub struct ViewKey {
    pub is_member: bool,
    pub has_grant: bool,
    pub now: PrimitiveDateTime,
    pub max_extension_weeks: i32,
    pub revision: i64,
    pub directory_revision: i64,
}

/// The key of a view of the case; none when the cooperative has no such case.
pub async fn view_key(tx: &mut TenantTx, id: Uuid, viewer: Uuid) -> sqlx::Result<Option<ViewKey>> {
    sqlx::query_as!(
        ViewKey,
        r#"SELECT EXISTS (SELECT FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $3) AS "is_member!",
                  EXISTS (SELECT FROM case_access_grants g WHERE g.tenant_id = c.tenant_id AND g.case_id = c.id AND g.user_id = $3 AND g.expires_at > now()) AS "has_grant!",
                  (now() AT TIME ZONE 'Europe/Amsterdam') AS "now!",
                  (SELECT s.max_extension_weeks FROM tenant_settings s WHERE s.tenant_id = c.tenant_id) AS "max_extension_weeks!",
                  coalesce((SELECT x.revision FROM case_revisions x WHERE x.tenant_id = c.tenant_id AND x.case_id = c.id), 0) AS "revision!",
                  coalesce((SELECT d.directory FROM list_revisions d WHERE d.tenant_id = c.tenant_id), 0) AS "directory_revision!"
           FROM cases c
           WHERE c.tenant_id = $1 AND c.id = $2"#,
        tx.tenant_id(),
        id,
        viewer
    )
    .fetch_optional(&mut **tx)
    .await
}

impl CaseView {
    /// The case as this view sees it: what depends on the viewer and the moment from `key`.
    pub fn seen_with(self, key: ViewKey) -> CaseView {
        CaseView {
            is_member: key.is_member,
            has_grant: key.has_grant,
            now: key.now,
            max_extension_weeks: key.max_extension_weeks,
            revision: key.revision,
            directory_revision: key.directory_revision,
            ..self
        }
    }
}

/// Someone else saved the case (or plan) since this form was shown.
#[derive(Debug)]
pub struct Conflict;

impl Conflict {
    /// A claim updates its one row only if the version was still the one the form started from.
    pub fn unless_claimed(rows_affected: u64) -> Result<(), Conflict> {
        if rows_affected == 1 { Ok(()) } else { Err(Conflict) }
    }
}

/// Bumps the case's version if it is still `version`; the change that follows is then safe.
async fn claim(
    tx: &mut TenantTx,
    case_id: Uuid,
    version: i32,
    by: Uuid,
) -> sqlx::Result<Result<(), Conflict>> {
    let claimed = sqlx::query!(
        "UPDATE cases SET lock_version = lock_version + 1, updated_by = $4
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3",
        tx.tenant_id(),
        case_id,
        version,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(Conflict::unless_claimed(claimed.rows_affected()))
}

/// A colleague who can lead a case or be involved in it: an active professional or process manager.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Colleague {
    pub id: Uuid,
    pub name: String,
    pub is_process_manager: bool,
}

pub async fn colleagues(tx: &mut TenantTx) -> sqlx::Result<Vec<Colleague>> {
    sqlx::query_as!(
        Colleague,
        r#"SELECT id, name, 'process_manager' = ANY (roles) AS "is_process_manager!"
           FROM users
           WHERE tenant_id = $1 AND active AND roles && ARRAY['professional', 'process_manager']
           ORDER BY name LIMIT 500"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn colleague(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Colleague>> {
    sqlx::query_as!(
        Colleague,
        r#"SELECT id, name, 'process_manager' = ANY (roles) AS "is_process_manager!"
           FROM users
           WHERE tenant_id = $1 AND id = $2 AND active AND roles && ARRAY['professional', 'process_manager']"#,
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Why a change of lead was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LeadError {
    /// Handing over to a colleague takes a note for them.
    NoteRequired,
    /// The case already has this lead.
    Unchanged,
    Conflict,
}

/// Makes `to` the lead. Handing over from a current lead takes a note; the history keeps who
/// led when, and the database allows only one current lead.
pub async fn set_lead(
    tx: &mut TenantTx,
    case: &CaseView,
    version: i32,
    to: Uuid,
    note: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), LeadError>> {
    if version != case.lock_version {
        return Ok(Err(LeadError::Conflict));
    }
    if case.lead_id == Some(to) {
        return Ok(Err(LeadError::Unchanged));
    }
    if case.lead_id.is_some() && note.trim().is_empty() {
        return Ok(Err(LeadError::NoteRequired));
    }
    if claim(tx, case.id, version, by).await?.is_err() {
        return Ok(Err(LeadError::Conflict));
    }
    sqlx::query!(
        "UPDATE case_leads SET ended_at = now() WHERE tenant_id = $1 AND case_id = $2 AND ended_at IS NULL",
        tx.tenant_id(),
        case.id
    )
    .execute(&mut **tx)
    .await?;
    // The former lead stays involved: colleagues will come back to them with questions.
    if let Some(former) = case.lead_id {
        add_member(tx, case.id, former, by).await?;
    }
    sqlx::query!(
        "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by, handover_note) VALUES ($1, $2, $3, $4, $5)",
        tx.tenant_id(),
        case.id,
        to,
        by,
        note.trim()
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE cases SET lead_id = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case.id,
        to
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// One lead in a case's history.
pub struct LeadPeriod {
    pub name: String,
    pub assigned_by: String,
    pub started_at: PrimitiveDateTime,
    pub ended_at: Option<PrimitiveDateTime>,
    pub handover_note: String,
}

impl LeadPeriod {
    pub fn period(&self) -> String {
        match self.ended_at {
            Some(end) => format!(
                "{} – {}",
                format_timestamp(self.started_at),
                format_timestamp(end)
            ),
            None => format!("{} –", format_timestamp(self.started_at)),
        }
    }
}

pub async fn lead_history(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<LeadPeriod>> {
    sqlx::query_as!(
        LeadPeriod,
        r#"SELECT u.name, coalesce(b.name, '') AS "assigned_by!",
                  (h.started_at AT TIME ZONE 'Europe/Amsterdam') AS "started_at!",
                  (h.ended_at AT TIME ZONE 'Europe/Amsterdam') AS ended_at, h.handover_note
           FROM case_leads h
           JOIN users u ON u.tenant_id = h.tenant_id AND u.id = h.user_id
           LEFT JOIN users b ON b.tenant_id = h.tenant_id AND b.id = h.assigned_by
           WHERE h.tenant_id = $1 AND h.case_id = $2
           ORDER BY h.started_at DESC LIMIT 50"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Why a status change was refused; each names the form field it concerns.
#[derive(Debug, PartialEq, Eq)]
pub enum StatusError {
    NotAllowed,
    NeedsLead,
    NeedsAgreedPlan,
    NeedsClosingResult,
    NeedsReason,
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
            StatusError::Conflict => ("to", "case.error.conflict"),
        }
    }
}

/// Moves a case along the workflow, recording who did it and when.
pub async fn change_status(
    tx: &mut TenantTx,
    case: &CaseView,
    version: i32,
    to: Status,
    closing_result: Option<ClosingResult>,
    reason: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), StatusError>> {
    if version != case.lock_version {
        return Ok(Err(StatusError::Conflict));
    }
    let from = case.status();
    if !from.allows(to) {
        return Ok(Err(StatusError::NotAllowed));
    }
    if from == Status::Registered && to != Status::Closed && case.lead_id.is_none() {
        return Ok(Err(StatusError::NeedsLead));
    }
    if to == Status::Closed && closing_result.is_none() {
        return Ok(Err(StatusError::NeedsClosingResult));
    }
    if from == Status::Closed && reason.trim().is_empty() {
        return Ok(Err(StatusError::NeedsReason));
    }
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
    Ok(Ok(()))
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
    if version != case.lock_version {
        return Ok(Err(EscalationError::Conflict));
    }
    let from = case.escalation();
    if from == to {
        return Ok(Err(EscalationError::Unchanged));
    }
    let coordinator = match to {
        Escalation::CareAndSafety => {
            if reason.trim().is_empty() {
                return Ok(Err(EscalationError::NeedsReason));
            }
            match coordinator.filter(|c| c.is_process_manager) {
                Some(c) => Some(c.id),
                None => return Ok(Err(EscalationError::NeedsCoordinator)),
            }
        }
        _ => None,
    };
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

/// One step in a case's history: a status change, an escalation or a change of confidentiality.
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
            _ => format!("confidentiality.{value}"),
        }
    }

    pub fn from_key(&self) -> String {
        self.key(&self.from_value)
    }

    pub fn to_key(&self) -> String {
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
                  (e.occurred_at AT TIME ZONE 'Europe/Amsterdam') AS "occurred_at!"
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

/// Names a professional as involved in the case.
pub async fn add_member(tx: &mut TenantTx, case_id: Uuid, user_id: Uuid, by: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO case_members (tenant_id, case_id, user_id, added_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        tx.tenant_id(),
        case_id,
        user_id,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How long a stated reason opens a case: one working day's session.
const GRANT_HOURS: i32 = 8;

/// "Inzage met reden": records why a professional not involved opens the case.
pub async fn grant_access(tx: &mut TenantTx, case_id: Uuid, user_id: Uuid, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO case_access_grants (tenant_id, case_id, user_id, reason, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))",
        tx.tenant_id(),
        case_id,
        user_id,
        reason,
        GRANT_HOURS
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the desk may know of a case: that it exists, where it stands and who leads it.
pub struct CaseSummary {
    pub id: Uuid,
    pub status: String,
    pub lead_name: Option<String>,
    pub created_at: PrimitiveDateTime,
}

impl CaseSummary {
    pub fn status_key(&self) -> String {
        Status::parse(&self.status)
            .map(Status::label_key)
            .unwrap_or_default()
    }

    pub fn created(&self) -> String {
        format_date(self.created_at.date())
    }

    pub fn reference(&self) -> String {
        reference(self.id)
    }
}

pub async fn summaries_for_resident(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<CaseSummary>> {
    sqlx::query_as!(
        CaseSummary,
        r#"SELECT c.id, c.status, u.name AS "lead_name?", (c.created_at AT TIME ZONE 'Europe/Amsterdam') AS "created_at!"
           FROM cases c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
           WHERE c.tenant_id = $1 AND c.resident_id = $2
           ORDER BY c.created_at DESC LIMIT 50"#,
        tx.tenant_id(),
        resident_id
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn summary_for_request(tx: &mut TenantTx, request_id: Uuid) -> sqlx::Result<Option<CaseSummary>> {
    sqlx::query_as!(
        CaseSummary,
        r#"SELECT c.id, c.status, u.name AS "lead_name?", (c.created_at AT TIME ZONE 'Europe/Amsterdam') AS "created_at!"
           FROM cases c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
           WHERE c.tenant_id = $1 AND c.request_id = $2"#,
        tx.tenant_id(),
        request_id
    )
    .fetch_optional(&mut **tx)
    .await
}
