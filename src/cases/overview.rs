//! The case page's lists, read in one statement: each list comes back as a JSON array,
//! so eight lists cost one round trip instead of eight. Names are looked up per row by key
//! rather than joined: the few rows of a case never justify the hash of every organisation,
//! service and colleague of the cooperative that joins were planned as. Each list is built from
//! a subquery in its order (json_agg keeps the order of its input).

use sqlx::types::Json;
use uuid::Uuid;

use crate::cases::clocks::Clock;
use crate::cases::conversations::Conversation;
use crate::cases::network::Contact;
use crate::cases::record::Colleague;
use crate::db::TenantTx;
use crate::referrals::consent::Consent;
use crate::referrals::referral::CaseReferral;
use crate::todos::Task;

#[derive(Clone)]
pub struct CaseLists {
    pub clocks: Vec<Clock>,
    pub conversations: Vec<Conversation>,
    pub network: Vec<Contact>,
    pub tasks: Vec<Task>,
    pub members: Vec<String>,
    pub colleagues: Vec<Colleague>,
    pub consents: Vec<Consent>,
    pub referrals: Vec<CaseReferral>,
}

pub async fn lists(tx: &mut TenantTx, case_id: Uuid, resident_id: Option<Uuid>) -> sqlx::Result<CaseLists> {
    let row = sqlx::query!(
        r#"-- kept: case page
           SELECT
             (SELECT coalesce(json_agg(k), '[]')
              FROM (SELECT kind, started_on, statutory_due_on, due_on, paused_on, pause_reason, resumed_on,
                           extended_weeks, extension_reason, completed_on, stopped_on
                    FROM case_clocks WHERE tenant_id = $1 AND case_id = $2
                    ORDER BY started_on, kind) k) AS "clocks!: Json<Vec<Clock>>",
             (SELECT coalesce(json_agg(v), '[]')
              FROM (SELECT v.id, to_char(local_time(v.planned_at), 'YYYY-MM-DD"T"HH24:MI:SS') AS planned_at,
                           v.place, v.participants, v.report_on, v.housing, v.finances, v.health, v.social_network,
                           v.daytime, v.parenting, v.safety, v.wishes,
                           (SELECT u.name FROM users u WHERE u.tenant_id = v.tenant_id AND u.id = v.recorded_by) AS recorded_by
                    FROM conversations v
                    WHERE v.tenant_id = $1 AND v.case_id = $2 ORDER BY v.planned_at DESC LIMIT 20) v) AS "conversations!: Json<Vec<Conversation>>",
             (SELECT coalesce(json_agg(n), '[]')
              FROM (SELECT id, name, role, phone, email, relation,
                           relation IN ('huisarts', 'lidorganisatie', 'school', 'wijkverpleging') AS formal
                    FROM network_contacts
                    WHERE tenant_id = $1 AND resident_id = $3 AND removed_at IS NULL
                    ORDER BY 7, name LIMIT 200) n) AS "network!: Json<Vec<Contact>>",
             (SELECT coalesce(json_agg(t), '[]')
              FROM (SELECT t.id, t.kind, t.title, t.case_id, t.request_id,
                           (SELECT u.name FROM users u WHERE u.tenant_id = t.tenant_id AND u.id = t.assignee_id) AS assignee,
                           t.due_on, t.done_at IS NOT NULL AS done,
                           t.due_on - local_now()::date AS days_left
                    FROM tasks t
                    WHERE t.tenant_id = $1 AND t.case_id = $2
                    ORDER BY t.done_at IS NOT NULL, t.due_on LIMIT 100) t) AS "tasks!: Json<Vec<Task>>",
             (SELECT coalesce(json_agg(m.name), '[]')
              FROM (SELECT (SELECT u.name FROM users u WHERE u.tenant_id = m.tenant_id AND u.id = m.user_id) AS name
                    FROM case_members m
                    WHERE m.tenant_id = $1 AND m.case_id = $2 ORDER BY 1) m) AS "members!: Json<Vec<String>>",
             (SELECT coalesce(json_agg(c), '[]')
              FROM (SELECT id, name, 'process_manager' = ANY (roles) AS is_process_manager
                    FROM users
                    WHERE tenant_id = $1 AND active AND roles && ARRAY['professional', 'process_manager']
                    ORDER BY name LIMIT 500) c) AS "colleagues!: Json<Vec<Colleague>>",
             (SELECT coalesce(json_agg(k), '[]')
              FROM (SELECT k.id,
                           (SELECT o.name FROM organisations o WHERE o.tenant_id = k.tenant_id AND o.id = k.organisation_id) AS organisation,
                           (SELECT s.name FROM services s WHERE s.tenant_id = k.tenant_id AND s.id = k.service_id) AS service,
                           k.purpose, k.given_on, k.expires_on,
                           (SELECT u.name FROM users u WHERE u.tenant_id = k.tenant_id AND u.id = k.recorded_by) AS recorded_by,
                           k.recorded_at,
                           to_char(local_time(k.withdrawn_at), 'YYYY-MM-DD"T"HH24:MI:SS') AS withdrawn_at,
                           (SELECT u.name FROM users u WHERE u.tenant_id = k.tenant_id AND u.id = k.withdrawn_by) AS withdrawn_by,
                           k.withdrawn_by_resident, k.withdrawal_note,
                           k.withdrawn_at IS NULL
                             AND (k.expires_on IS NULL OR k.expires_on >= local_now()::date) AS valid
                    FROM consents k
                    WHERE k.tenant_id = $1 AND k.case_id = $2 ORDER BY k.recorded_at DESC LIMIT 100) k) AS "consents!: Json<Vec<Consent>>",
             (SELECT coalesce(json_agg(f), '[]')
              FROM (SELECT f.id, f.status,
                           (SELECT s.name FROM services s WHERE s.tenant_id = f.tenant_id AND s.id = f.service_id) AS service,
                           (SELECT o.name FROM organisations o WHERE o.tenant_id = f.tenant_id AND o.id = f.organisation_id) AS organisation,
                           f.open_offer, f.purpose,
                           to_char(local_time(f.sent_at), 'YYYY-MM-DD"T"HH24:MI:SS') AS sent_at,
                           f.answer_due_on,
                           f.status = 'verstuurd' AND f.answer_due_on < local_now()::date AS overdue,
                           f.access_revoked_at IS NOT NULL AS revoked
                    FROM referrals f
                    WHERE f.tenant_id = $1 AND f.case_id = $2 ORDER BY f.sent_at DESC LIMIT 100) f) AS "referrals!: Json<Vec<CaseReferral>>""#,
        tx.tenant_id(),
        case_id,
        resident_id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(CaseLists {
        clocks: row.clocks.0,
        conversations: row.conversations.0,
        network: row.network.0,
        tasks: row.tasks.0,
        members: row.members.0,
        colleagues: row.colleagues.0,
        consents: row.consents.0,
        referrals: row.referrals.0,
    })
}
