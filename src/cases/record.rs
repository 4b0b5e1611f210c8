//! A case itself: loading it, the colleagues involved, "inzage met reden" and what the desk
//! may know of it. Its lead is in `cases::lead`, its status, escalation and confidentiality in
//! `cases::workflow`. Every change names the version it started from, so that two people
//! saving at once cannot overwrite each other unseen.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::{ClosingResult, Confidentiality, Escalation, Status};
use crate::db::TenantTx;
use crate::intake::values::Urgency;
use crate::shared::choices::Domain;
use crate::shared::format::{ReferenceKind, format_date, format_timestamp};

/// A case as its page shows it, with what the current user's access depends on.
#[derive(Clone)]
pub struct CaseView {
    pub id: Uuid,
    pub reference: String,
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
    /// When the request came in: nothing of the case is dated before it.
    pub received_at: PrimitiveDateTime,
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

    /// Marked "spoed" at the desk: shown in the header and sorted above normal cases.
    pub fn is_urgent(&self) -> bool {
        self.urgency == Urgency::Urgent.code()
    }

    pub fn created(&self) -> String {
        format_date(self.created_at.date())
    }

    pub fn updated(&self) -> String {
        format_timestamp(self.updated_at)
    }

    /// Whether `date` is before the day the case's request came in: no event of the case may
    /// be (migration 0021 backs this up).
    pub fn before_request(&self, date: Date) -> bool {
        date < self.received_at.date()
    }

    /// Whether the moment `at` (Dutch time) is before the case's request came in.
    pub fn moment_before_request(&self, at: PrimitiveDateTime) -> bool {
        at < self.received_at
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

pub async fn find(tx: &mut TenantTx, id: Uuid, viewer: Uuid) -> sqlx::Result<Option<CaseView>> {
    sqlx::query_as!(
        CaseView,
        r#"-- kept: case page
           SELECT c.id, c.reference, c.request_id, c.resident_id,
                  CASE WHEN r.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) END AS resident_name,
                  q.domains, q.question, c.urgency, c.status, c.lead_id, l.name AS "lead_name?",
                  c.coordinator_id, k.name AS "coordinator_name?", c.escalation, c.confidentiality, c.closing_result,
                  local_time(c.received_at) AS "received_at!", local_time(c.created_at) AS "created_at!", c.next_deadline, c.lock_version,
                  u.name AS "updated_by_name?", local_time(c.updated_at) AS "updated_at!",
                  EXISTS (SELECT FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $3) AS "is_member!",
                  EXISTS (SELECT FROM case_access_grants g WHERE g.tenant_id = c.tenant_id AND g.case_id = c.id AND g.user_id = $3 AND g.expires_at > now()) AS "has_grant!",
                  local_now() AS "now!",
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
                  local_now() AS "now!",
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
pub(super) async fn claim(
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
    pub reference: String,
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
}

pub async fn summaries_for_resident(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<CaseSummary>> {
    sqlx::query_as!(
        CaseSummary,
        r#"SELECT c.id, c.reference, c.status, u.name AS "lead_name?", local_time(c.created_at) AS "created_at!"
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
        r#"SELECT c.id, c.reference, c.status, u.name AS "lead_name?", local_time(c.created_at) AS "created_at!"
           FROM cases c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id
           WHERE c.tenant_id = $1 AND c.request_id = $2"#,
        tx.tenant_id(),
        request_id
    )
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
impl CaseView {
    /// A fresh case nobody leads, seen by someone not involved.
    pub(super) fn example() -> CaseView {
        let at = time::macros::datetime!(2026-03-02 10:00);
        CaseView {
            id: Uuid::new_v4(),
            reference: "C-2026-0001".into(),
            request_id: Uuid::new_v4(),
            resident_id: Some(Uuid::new_v4()),
            resident_name: Some("J. de Vries".into()),
            domains: vec![],
            question: String::new(),
            urgency: Urgency::Normal.code().into(),
            status: Status::Registered.code().into(),
            lead_id: None,
            lead_name: None,
            coordinator_id: None,
            coordinator_name: None,
            escalation: Escalation::Normal.code().into(),
            confidentiality: Confidentiality::Normal.code().into(),
            closing_result: None,
            received_at: at,
            created_at: at,
            next_deadline: None,
            lock_version: 3,
            updated_by_name: None,
            updated_at: at,
            is_member: false,
            has_grant: false,
            now: at,
            max_extension_weeks: 4,
            revision: 0,
            directory_revision: 0,
        }
    }
}

/// A case found by its reference, or by its request's: its id and its request's.
pub struct CaseByReference {
    pub id: Uuid,
    pub request_id: Uuid,
}

/// The case a typed reference names (see `shared::format::parse_reference`), read off the
/// unique index on the reference.
pub async fn by_reference(
    tx: &mut TenantTx,
    kind: ReferenceKind,
    reference: &str,
) -> sqlx::Result<Option<CaseByReference>> {
    match kind {
        ReferenceKind::Case => {
            sqlx::query_as!(
                CaseByReference,
                "SELECT id, request_id FROM cases WHERE tenant_id = $1 AND reference = $2",
                tx.tenant_id(),
                reference
            )
            .fetch_optional(&mut **tx)
            .await
        }
        ReferenceKind::Request => {
            sqlx::query_as!(
                CaseByReference,
                "SELECT c.id, c.request_id
                 FROM requests q JOIN cases c ON c.tenant_id = q.tenant_id AND c.request_id = q.id
                 WHERE q.tenant_id = $1 AND q.reference = $2",
                tx.tenant_id(),
                reference
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}
