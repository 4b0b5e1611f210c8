//! Inzageverzoek (AVG art. 15): everything the cooperative holds about one resident, as a
//! printable page and as a JSON download, each production audited.
//!
//! The export is read in one statement, one JSON list per kind of record, in the shape the
//! tables have: a resident's right of access is to the data as it is held. Each record keeps
//! its fields in the order the statement names them, so the page and the download list them
//! the same way.

use std::fmt;

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::format;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::i18n::Lang;
use crate::web::ids::PathId;
use crate::web::layout::Layout;

/// One stored row, its fields in the order the statement names them (a JSON object decoded
/// into a map would sort them).
#[derive(Debug)]
pub struct StoredRow(Vec<(String, Value)>);

impl StoredRow {
    /// The value of field `name`, if the row has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value)
    }

    /// The fields that hold something; the download lists the empty ones too.
    pub fn filled(&self) -> impl Iterator<Item = &(String, Value)> {
        self.0.iter().filter(|(_, value)| match value {
            Value::Null => false,
            Value::String(text) => !text.is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => true,
        })
    }
}

impl<'de> Deserialize<'de> for StoredRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoredRow, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = StoredRow;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a row as a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredRow, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(StoredRow(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

impl Serialize for StoredRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

/// The records of one kind, e.g. every journal entry of the resident's cases.
pub struct Section {
    pub name: &'static str,
    pub records: Vec<StoredRow>,
}

impl Section {
    pub fn heading_key(&self) -> String {
        format!("privacy.section.{}", self.name)
    }
}

/// Everything held about one resident.
pub struct Export {
    pub resident_id: Uuid,
    pub name: String,
    pub cooperative: String,
    pub produced_at: String,
    pub sections: Vec<Section>,
}

impl Serialize for Export {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.sections.len() + 3))?;
        map.serialize_entry("cooperative", &self.cooperative)?;
        map.serialize_entry("produced_at", &self.produced_at)?;
        map.serialize_entry("resident_id", &self.resident_id)?;
        for section in &self.sections {
            map.serialize_entry(section.name, &section.records)?;
        }
        map.end()
    }
}

/// Reads the export of resident `id`; `None` when this tenant has no such resident.
pub async fn read(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Export>> {
    let row = sqlx::query!(
        r#"WITH mine AS (SELECT id FROM cases WHERE tenant_id = $1 AND resident_id = $2),
                asked AS (SELECT id FROM requests WHERE tenant_id = $1 AND resident_id = $2),
                sent AS (SELECT id FROM referrals WHERE tenant_id = $1 AND case_id IN (SELECT id FROM mine))
           SELECT
             concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) AS "name!",
             (SELECT name FROM tenants WHERE id = $1) AS "cooperative!",
             to_char(local_now(), 'YYYY-MM-DD HH24:MI') AS "produced_at!",
             (SELECT json_agg(x) FROM (
                SELECT id, first_names, initials, surname_prefix, surname, date_of_birth, bsn, street, house_number,
                       house_number_addition, postcode, place, phone, email, preferred_language, remarks,
                       to_char(local_time(created_at), 'YYYY-MM-DD HH24:MI') AS created_at,
                       to_char(local_time(updated_at), 'YYYY-MM-DD HH24:MI') AS updated_at
                FROM residents WHERE tenant_id = $1 AND id = $2) x) AS "resident!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.name), '[]') FROM (
                SELECT concat_ws(' ', nullif(coalesce(nullif(o.first_names, ''), o.initials), ''), nullif(o.surname_prefix, ''), o.surname) AS name,
                       h.relation, o.date_of_birth
                FROM household_members h JOIN residents o ON o.tenant_id = h.tenant_id AND o.id = h.member_id
                WHERE h.tenant_id = $1 AND h.resident_id = $2) x) AS "household!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.received_at), '[]') FROM (
                SELECT q.reference,
                       to_char(local_time(q.received_at), 'YYYY-MM-DD HH24:MI') AS received_at,
                       q.channel, q.domains, q.question, q.urgency, q.referrer, q.consent_given,
                       to_char(local_time(q.consent_recorded_at), 'YYYY-MM-DD HH24:MI') AS consent_recorded_at,
                       q.contact_name, q.contact_phone, q.contact_email,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = q.registered_by) AS registered_by,
                       q.status, q.triage, q.triage_note,
                       (SELECT name FROM signpost_destinations WHERE tenant_id = $1 AND id = q.signpost_destination_id) AS signpost_destination,
                       q.unsafe_at_home,
                       to_char(local_time(q.triaged_at), 'YYYY-MM-DD HH24:MI') AS triaged_at,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = q.triaged_by) AS triaged_by,
                       q.wmo_deadline, q.jeugd_deadline
                FROM requests q WHERE q.tenant_id = $1 AND q.id IN (SELECT id FROM asked)) x) AS "requests!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
                SELECT c.reference, (SELECT reference FROM requests WHERE tenant_id = $1 AND id = c.request_id) AS request,
                       c.status, c.urgency, c.escalation, c.confidentiality,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = c.lead_id) AS lead,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = c.coordinator_id) AS coordinator,
                       c.closing_result,
                       to_char(local_time(c.created_at), 'YYYY-MM-DD HH24:MI') AS created_at,
                       to_char(local_time(c.closed_at), 'YYYY-MM-DD HH24:MI') AS closed_at,
                       c.next_deadline
                FROM cases c WHERE c.tenant_id = $1 AND c.id IN (SELECT id FROM mine)) x) AS "cases!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.started_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = l.case_id) AS case,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = l.user_id) AS lead,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = l.assigned_by) AS assigned_by,
                       to_char(local_time(l.started_at), 'YYYY-MM-DD HH24:MI') AS started_at,
                       to_char(local_time(l.ended_at), 'YYYY-MM-DD HH24:MI') AS ended_at,
                       l.handover_note
                FROM case_leads l WHERE l.tenant_id = $1 AND l.case_id IN (SELECT id FROM mine)) x) AS "case_leads!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.added_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = m.case_id) AS case,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = m.user_id) AS user,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = m.added_by) AS added_by,
                       to_char(local_time(m.added_at), 'YYYY-MM-DD HH24:MI') AS added_at
                FROM case_members m WHERE m.tenant_id = $1 AND m.case_id IN (SELECT id FROM mine)) x) AS "case_members!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.occurred_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = e.case_id) AS case, e.kind, e.from_value, e.to_value, e.reason,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = e.actor_id) AS actor,
                       to_char(local_time(e.occurred_at), 'YYYY-MM-DD HH24:MI') AS occurred_at
                FROM case_events e WHERE e.tenant_id = $1 AND e.case_id IN (SELECT id FROM mine)) x) AS "case_events!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.granted_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = g.case_id) AS case,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = g.user_id) AS user, g.reason,
                       to_char(local_time(g.granted_at), 'YYYY-MM-DD HH24:MI') AS granted_at,
                       to_char(local_time(g.expires_at), 'YYYY-MM-DD HH24:MI') AS expires_at
                FROM case_access_grants g WHERE g.tenant_id = $1 AND g.case_id IN (SELECT id FROM mine)) x) AS "case_access_grants!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.planned_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = v.case_id) AS case,
                       to_char(local_time(v.planned_at), 'YYYY-MM-DD HH24:MI') AS planned_at,
                       v.place, v.participants, v.report_on, v.housing, v.finances, v.health, v.social_network,
                       v.daytime, v.parenting, v.safety, v.wishes,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = v.recorded_by) AS recorded_by,
                       to_char(local_time(v.recorded_at), 'YYYY-MM-DD HH24:MI') AS recorded_at
                FROM conversations v WHERE v.tenant_id = $1 AND v.case_id IN (SELECT id FROM mine)) x) AS "conversations!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = p.case_id) AS case, p.version, p.agreed_on, p.evaluation_on
                FROM support_plans p WHERE p.tenant_id = $1 AND p.case_id IN (SELECT id FROM mine)) x) AS "support_plans!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.position), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = p.case_id) AS case, g.position + 1 AS position, g.description,
                       g.result, g.result_note
                FROM plan_goals g JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
                WHERE g.tenant_id = $1 AND p.case_id IN (SELECT id FROM mine)) x) AS "plan_goals!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.goal), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = p.case_id) AS case, g.position + 1 AS goal, a.description,
                       a.performer, a.performer_name, a.target_on
                FROM plan_actions a
                JOIN plan_goals g ON g.tenant_id = a.tenant_id AND g.id = a.goal_id
                JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
                WHERE a.tenant_id = $1 AND p.case_id IN (SELECT id FROM mine)) x) AS "plan_actions!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
                SELECT n.name, n.role, n.phone, n.email, n.relation,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = n.created_by) AS created_by,
                       to_char(local_time(n.created_at), 'YYYY-MM-DD HH24:MI') AS created_at,
                       to_char(local_time(n.removed_at), 'YYYY-MM-DD HH24:MI') AS removed_at
                FROM network_contacts n WHERE n.tenant_id = $1 AND n.resident_id = $2) x) AS "network_contacts!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.occurred_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = j.case_id) AS case, upper(left(j.id::text, 8)) AS reference,
                       to_char(local_time(j.occurred_at), 'YYYY-MM-DD HH24:MI') AS occurred_at,
                       j.kind, (SELECT name FROM users WHERE tenant_id = $1 AND id = j.author_id) AS author, j.body,
                       upper(left(j.corrects_id::text, 8)) AS corrects
                FROM journal_entries j WHERE j.tenant_id = $1 AND j.case_id IN (SELECT id FROM mine)) x) AS "journal_entries!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.entry), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = j.case_id) AS case, upper(left(a.entry_id::text, 8)) AS entry,
                       a.filename, a.content_type, a.size_bytes AS size
                FROM journal_attachments a JOIN journal_entries j ON j.tenant_id = a.tenant_id AND j.id = a.entry_id
                WHERE a.tenant_id = $1 AND j.case_id IN (SELECT id FROM mine)) x) AS "journal_attachments!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.due_on), '[]') FROM (
                SELECT t.kind, (SELECT reference FROM cases WHERE tenant_id = $1 AND id = t.case_id) AS case, (SELECT reference FROM requests WHERE tenant_id = $1 AND id = t.request_id) AS request,
                       t.title, (SELECT name FROM users WHERE tenant_id = $1 AND id = t.assignee_id) AS assignee, t.due_on,
                       to_char(local_time(t.done_at), 'YYYY-MM-DD HH24:MI') AS done_at,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = t.done_by) AS done_by, t.outcome
                FROM tasks t
                WHERE t.tenant_id = $1
                  AND (t.case_id IN (SELECT id FROM mine) OR t.request_id IN (SELECT id FROM asked))) x) AS "tasks!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.started_on), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = k.case_id) AS case, k.kind, k.started_on, k.statutory_due_on, k.due_on,
                       k.paused_on, k.pause_reason, k.resumed_on, k.extended_weeks, k.extension_reason, k.completed_on
                FROM case_clocks k WHERE k.tenant_id = $1 AND k.case_id IN (SELECT id FROM mine)) x) AS "case_clocks!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.recorded_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = k.case_id) AS case,
                       (SELECT name FROM organisations WHERE tenant_id = $1 AND id = k.organisation_id) AS organisation,
                       (SELECT name FROM services WHERE tenant_id = $1 AND id = k.service_id) AS service,
                       k.purpose, k.given_on, k.expires_on,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = k.recorded_by) AS recorded_by,
                       to_char(local_time(k.recorded_at), 'YYYY-MM-DD HH24:MI') AS recorded_at,
                       to_char(local_time(k.withdrawn_at), 'YYYY-MM-DD HH24:MI') AS withdrawn_at,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = k.withdrawn_by) AS withdrawn_by,
                       k.withdrawal_note
                FROM consents k WHERE k.tenant_id = $1 AND k.case_id IN (SELECT id FROM mine)) x) AS "consents!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.sent_at), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = f.case_id) AS case, upper(left(f.id::text, 8)) AS reference,
                       (SELECT name FROM services WHERE tenant_id = $1 AND id = f.service_id) AS service,
                       (SELECT name FROM organisations WHERE tenant_id = $1 AND id = f.organisation_id) AS organisation,
                       f.open_offer, f.status, f.purpose, f.summary, f.expected_start, f.override_reason, f.answer_due_on,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = f.sent_by) AS sent_by,
                       to_char(local_time(f.sent_at), 'YYYY-MM-DD HH24:MI') AS sent_at,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = f.handled_by) AS handled_by,
                       to_char(local_time(f.answered_at), 'YYYY-MM-DD HH24:MI') AS answered_at,
                       f.decline_reason, f.decline_note,
                       to_char(local_time(f.started_at), 'YYYY-MM-DD HH24:MI') AS started_at,
                       to_char(local_time(f.finished_at), 'YYYY-MM-DD HH24:MI') AS finished_at,
                       f.outcome, f.outcome_reason, f.delivered, f.report,
                       to_char(local_time(f.returned_at), 'YYYY-MM-DD HH24:MI') AS returned_at,
                       f.return_reason,
                       to_char(local_time(f.access_revoked_at), 'YYYY-MM-DD HH24:MI') AS access_revoked_at
                FROM referrals f WHERE f.tenant_id = $1 AND f.id IN (SELECT id FROM sent)) x) AS "referrals!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.referral, x.occurred_at), '[]') FROM (
                SELECT upper(left(e.referral_id::text, 8)) AS referral, e.kind,
                       (SELECT name FROM organisations WHERE tenant_id = $1 AND id = e.organisation_id) AS organisation,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = e.actor_id) AS actor, e.note,
                       to_char(local_time(e.occurred_at), 'YYYY-MM-DD HH24:MI') AS occurred_at
                FROM referral_events e WHERE e.tenant_id = $1 AND e.referral_id IN (SELECT id FROM sent)) x) AS "referral_events!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.referral, x.passed_at), '[]') FROM (
                SELECT upper(left(p.referral_id::text, 8)) AS referral,
                       (SELECT name FROM organisations WHERE tenant_id = $1 AND id = p.organisation_id) AS organisation,
                       p.reason, p.note,
                       to_char(local_time(p.passed_at), 'YYYY-MM-DD HH24:MI') AS passed_at
                FROM referral_passes p WHERE p.tenant_id = $1 AND p.referral_id IN (SELECT id FROM sent)) x) AS "referral_passes!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
                SELECT upper(left(n.referral_id::text, 8)) AS referral, n.kind,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = n.user_id) AS user,
                       to_char(local_time(n.created_at), 'YYYY-MM-DD HH24:MI') AS created_at,
                       to_char(local_time(n.read_at), 'YYYY-MM-DD HH24:MI') AS read_at
                FROM notifications n WHERE n.tenant_id = $1 AND n.referral_id IN (SELECT id FROM sent)) x) AS "notifications!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.spent_on), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = f.case_id) AS case, f.spent_on,
                       (f.amount_cents / 100)::text || ',' || lpad((f.amount_cents % 100)::text, 2, '0') AS amount,
                       (SELECT name FROM budget_lines WHERE tenant_id = $1 AND id = f.budget_line_id) AS budget_line,
                       coalesce((SELECT name FROM organisations WHERE tenant_id = $1 AND id = f.provider_organisation_id),
                                f.provider_name) AS provider,
                       (SELECT description FROM plan_goals WHERE tenant_id = $1 AND id = f.goal_id) AS goal,
                       f.description, f.status,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = f.requested_by) AS requested_by,
                       to_char(local_time(f.requested_at), 'YYYY-MM-DD HH24:MI') AS requested_at,
                       (SELECT name FROM users WHERE tenant_id = $1 AND id = f.decided_by) AS decided_by,
                       to_char(local_time(f.decided_at), 'YYYY-MM-DD HH24:MI') AS decided_at, f.decision_note
                FROM flexible_support f WHERE f.tenant_id = $1 AND f.case_id IN (SELECT id FROM mine)) x) AS "flexible_support!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.occurred_at), '[]') FROM (
                SELECT to_char(local_time(a.occurred_at), 'YYYY-MM-DD HH24:MI:SS') AS occurred_at,
                       a.actor_name AS actor, a.kind, (SELECT reference FROM cases WHERE tenant_id = $1 AND id = a.case_id) AS case,
                       audit_named_details($1, a.details) AS details,
                       host(a.client_ip) AS client_ip
                FROM audit_events a
                WHERE a.tenant_id = $1 AND (a.resident_id = $2 OR a.case_id IN (SELECT id FROM mine))) x) AS "audit_events!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.occurred_at), '[]') FROM (
                SELECT to_char(local_time(a.occurred_at), 'YYYY-MM-DD HH24:MI:SS') AS occurred_at,
                       coalesce(o.name, a.actor_name) AS who, a.actor_roles[1] AS role, a.kind,
                       a.details ->> 'reason' AS reason
                FROM audit_events a
                LEFT JOIN organisations o ON o.tenant_id = a.tenant_id AND o.id = a.actor_organisation_id
                                          AND 'member' = ANY (a.actor_roles)
                WHERE a.tenant_id = $1 AND a.resident_id = $2 AND a.actor_resident_id IS DISTINCT FROM $2) x) AS "file_views!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x), '[]') FROM (
                SELECT email, to_char(local_time(created_at), 'YYYY-MM-DD HH24:MI') AS created_at,
                       to_char(local_time(last_login_at), 'YYYY-MM-DD HH24:MI') AS last_login_at
                FROM resident_accounts WHERE tenant_id = $1 AND resident_id = $2) x) AS "resident_account!: Json<Vec<StoredRow>>",
             (SELECT coalesce(json_agg(x ORDER BY x.case, x.version), '[]') FROM (
                SELECT (SELECT reference FROM cases WHERE tenant_id = $1 AND id = v.case_id) AS case, v.version,
                       v.agreed_on, v.goals,
                       to_char(local_time(v.resident_agreed_at), 'YYYY-MM-DD HH24:MI') AS resident_agreed_at
                FROM support_plan_versions v WHERE v.tenant_id = $1 AND v.case_id IN (SELECT id FROM mine)) x) AS "plan_versions!: Json<Vec<StoredRow>>"
           FROM residents r WHERE r.tenant_id = $1 AND r.id = $2"#,
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|row| Export {
        resident_id: id,
        name: row.name,
        cooperative: row.cooperative,
        produced_at: row.produced_at,
        sections: [
            ("resident", row.resident),
            ("household", row.household),
            ("requests", row.requests),
            ("cases", row.cases),
            ("case_leads", row.case_leads),
            ("case_members", row.case_members),
            ("case_events", row.case_events),
            ("case_access_grants", row.case_access_grants),
            ("case_clocks", row.case_clocks),
            ("conversations", row.conversations),
            ("support_plans", row.support_plans),
            ("plan_goals", row.plan_goals),
            ("plan_actions", row.plan_actions),
            ("network_contacts", row.network_contacts),
            ("journal_entries", row.journal_entries),
            ("journal_attachments", row.journal_attachments),
            ("tasks", row.tasks),
            ("consents", row.consents),
            ("referrals", row.referrals),
            ("referral_events", row.referral_events),
            ("referral_passes", row.referral_passes),
            ("notifications", row.notifications),
            ("flexible_support", row.flexible_support),
            ("audit_events", row.audit_events),
            ("file_views", row.file_views),
            ("resident_account", row.resident_account),
            ("plan_versions", row.plan_versions),
        ]
        .into_iter()
        .map(|(name, Json(records))| Section { name, records })
        .collect(),
    }))
}

/// Reads resident `id`'s export for an administrator and records that it was produced, in
/// which form.
async fn produce(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    id: Uuid,
    format: &str,
) -> AppResult<Export> {
    user.require_any(&[Role::Admin])?;
    let export = read(tx, id).await?.ok_or(AppError::NotFound)?;
    audit::record_for_resident(
        tx,
        &Actor::user(user, ctx.client_ip),
        AuditKind::PrivacyExport,
        export.resident_id,
        json!({ "format": format }),
    )
    .await?;
    Ok(export)
}

#[derive(Template)]
#[template(path = "admin/privacy.html")]
struct PrivacyPage {
    l: Layout,
    export: Export,
}

impl PrivacyPage {
    fn field_key(&self, name: &str) -> String {
        format!("privacy.field.{name}")
    }

    /// A value as the resident reads it: stored codes in words, dates the Dutch way, what
    /// happened in the audit trail as the audit log names it.
    fn show(&self, section: &Section, record: &StoredRow, field: &str, value: &Value) -> String {
        let lang = self.l.lang;
        if matches!(section.name, "audit_events" | "file_views") {
            match field {
                "kind" => {
                    if let Some(kind) = value.as_str().and_then(AuditKind::parse) {
                        return lang.t(&kind.label_key()).to_owned();
                    }
                }
                "details" => return audit::describe(value, lang),
                _ => {}
            }
        }
        match code_prefix(section.name, record, field) {
            Some(prefix) => words(value, prefix, lang),
            None => text(value, lang),
        }
    }
}

/// Where the catalogue keeps the words of a field that stores a code (`phone`, `child`,
/// `with_team`, `nl`): the label of code `c` is `<prefix>.c`.
fn code_prefix(section: &str, record: &StoredRow, field: &str) -> Option<&'static str> {
    Some(match (section, field) {
        ("resident", "preferred_language") => "language",
        ("household", "relation") => "relation",
        (_, "channel") => "channel",
        (_, "domains") => "domain",
        (_, "urgency") => "urgency",
        ("requests", "status") => "privacy.request_status",
        ("requests", "triage") => "triage",
        ("cases", "status") => "status",
        ("cases", "escalation") => "escalation",
        ("cases", "confidentiality") => "confidentiality",
        ("cases", "closing_result") => "closingresult",
        ("case_events", "kind") => "case.event",
        // A change's values are codes of what changed: a status, a level, a referral step.
        ("case_events", "from_value" | "to_value") => match record.get("kind")?.as_str()? {
            "status" => "status",
            "escalation" => "escalation",
            "referral" => "referralstatus",
            _ => "confidentiality",
        },
        ("case_clocks", "kind") => "clockkind",
        ("plan_goals", "result") => "goalresult",
        ("plan_actions", "performer") => "performer",
        ("network_contacts", "relation") => "networkrelation",
        ("journal_entries", "kind") => "entrykind",
        ("tasks", "kind") => "privacy.task_kind",
        ("referrals", "status") => "referralstatus",
        ("referrals", "decline_reason") => "declinereason",
        ("referrals", "outcome") => "outcome",
        ("referral_events", "kind") => "referralevent",
        ("notifications", "kind") => "notification",
        ("flexible_support", "status") => "supportstatus",
        ("file_views", "role") => "role",
        _ => return None,
    })
}

/// A stored code (or a list of them) in words; a code without a label shows as it is stored.
fn words(value: &Value, prefix: &str, lang: Lang) -> String {
    match value {
        Value::String(code) => lang
            .find(&format!("{prefix}.{code}"))
            .map_or_else(|| code.clone(), str::to_owned),
        Value::Array(codes) => codes
            .iter()
            .map(|code| words(code, prefix, lang))
            .collect::<Vec<_>>()
            .join(", "),
        other => text(other, lang),
    }
}

/// A stored value as the page shows it: lists joined, yes and no in words, dates and times
/// as dd-mm-jjjj, anything nested as compact JSON.
fn text(value: &Value, lang: Lang) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => lang.t("privacy.yes").to_owned(),
        Value::Bool(false) => lang.t("privacy.no").to_owned(),
        Value::String(text) => format::dutch_date(text).unwrap_or_else(|| text.clone()),
        Value::Array(items) => items
            .iter()
            .map(|item| text(item, lang))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

pub async fn page(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let export = produce(&mut tx, &ctx, &user, id, "html").await?;
    tx.commit().await?;
    web::render(&PrivacyPage {
        export,
        l: ctx.layout(),
    })
}

pub async fn download(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let export = produce(&mut tx, &ctx, &user, id, "json").await?;
    tx.commit().await?;
    json_file(&export)
}

/// The export as a JSON file to download: for an administrator, and for the resident on their
/// own pages.
pub fn json_file(export: &Export) -> AppResult<Response> {
    let body = serde_json::to_vec_pretty(export).map_err(anyhow::Error::from)?;
    // The file name names the resident by the start of their id only, not by name.
    let disposition = format!(
        "attachment; filename=\"inzage-{}.json\"",
        &export.resident_id.simple().to_string()[..8]
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
