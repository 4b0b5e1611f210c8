//! Retention: `schakel retention` erases what has passed the cooperative's terms (settings
//! `retention_*_years`), and keeps what the figures count.
//!
//! Due are cases closed longer ago than the term for youth care (a Jeugd request; the
//! Jeugdwet asks 20 years) or for other cases, requests the desk closed without a case longer
//! ago than the request term, and audit events older than the audit term. Erasing a case or a
//! request keeps its row and every date, code and count on it and beneath it (clocks,
//! referrals and their steps, conversations' and plans' dates), and clears or deletes what
//! says something about the person: texts, names, contact details, the link to the resident.
//! A resident goes once nothing of theirs remains unerased, together with household members
//! who were only held for them. Each cooperative is done in one transaction.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::db::{self, TenantTx};
use crate::tenancy::{self, Tenant};

/// What replaces a text that may not be empty once it is erased.
pub const ERASED: &str = "[gewist]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// List what is due; change nothing.
    DryRun,
    /// Erase what is due.
    Apply,
}

/// What has passed its term in one cooperative.
#[derive(Debug, Default)]
pub struct Due {
    /// Closed cases past their term, oldest first; their requests go with them.
    pub cases: Vec<Uuid>,
    /// Requests closed at the desk without a case, past the request term.
    pub requests: Vec<Uuid>,
    /// Residents with nothing left once those are erased (and household members held only
    /// for them).
    pub residents: Vec<Uuid>,
    /// Audit events past the audit term.
    pub audit_events: i64,
}

impl Due {
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
            && self.requests.is_empty()
            && self.residents.is_empty()
            && self.audit_events == 0
    }
}

/// One cooperative's outcome.
pub struct TenantRetention {
    pub tenant: Tenant,
    pub due: Due,
}

/// Goes through every cooperative; with [`Mode::Apply`] erases what is due, each cooperative
/// in one transaction. Runs as the schema owner: the web role may not delete journal entries
/// or audit events.
pub async fn run(owner: &PgPool, mode: Mode) -> anyhow::Result<Vec<TenantRetention>> {
    let mut outcomes = Vec::new();
    for tenant in tenancy::list(owner).await? {
        let mut tx = db::tenant_tx(owner, tenant.id).await?;
        let due = find_due(&mut tx).await?;
        if mode == Mode::Apply && !due.is_empty() {
            erase(&mut tx, &due).await?;
            tx.commit().await?;
        }
        outcomes.push(TenantRetention { tenant, due });
    }
    Ok(outcomes)
}

/// What has passed its term in the transaction's cooperative.
async fn find_due(tx: &mut TenantTx) -> sqlx::Result<Due> {
    let cases = sqlx::query_scalar!(
        "SELECT c.id
         FROM cases c
         JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
         JOIN tenant_settings s ON s.tenant_id = c.tenant_id
         WHERE c.tenant_id = $1 AND c.status = 'afgesloten' AND c.anonymised_at IS NULL
           AND c.closed_at < now() - make_interval(years => CASE WHEN 'jeugd' = ANY (q.domains)
                                                                THEN s.retention_youth_case_years
                                                                ELSE s.retention_case_years END)
         ORDER BY c.closed_at, c.id",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let requests = sqlx::query_scalar!(
        "SELECT q.id
         FROM requests q JOIN tenant_settings s ON s.tenant_id = q.tenant_id
         WHERE q.tenant_id = $1 AND q.status = 'closed' AND q.anonymised_at IS NULL
           AND q.triaged_at < now() - make_interval(years => s.retention_request_years)
           AND NOT EXISTS (SELECT FROM cases c WHERE c.tenant_id = q.tenant_id AND c.request_id = q.id)
         ORDER BY q.triaged_at, q.id",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let residents = sqlx::query_scalar!(
        r#"WITH erased AS (SELECT unnest($2::uuid[]) AS id
                           UNION SELECT request_id FROM cases WHERE tenant_id = $1 AND id = ANY ($3)),
                candidates AS (SELECT resident_id AS id FROM requests
                               WHERE tenant_id = $1 AND id IN (SELECT id FROM erased) AND resident_id IS NOT NULL
                               UNION SELECT resident_id FROM cases
                               WHERE tenant_id = $1 AND id = ANY ($3) AND resident_id IS NOT NULL),
                gone AS (SELECT r.id FROM candidates r
                         WHERE NOT EXISTS (SELECT FROM requests q WHERE q.tenant_id = $1 AND q.resident_id = r.id
                                                                   AND q.id NOT IN (SELECT id FROM erased))
                           AND NOT EXISTS (SELECT FROM cases c WHERE c.tenant_id = $1 AND c.resident_id = r.id
                                                                AND NOT c.id = ANY ($3)))
           SELECT id AS "id!" FROM gone
           UNION
           SELECT h.member_id FROM household_members h
           WHERE h.tenant_id = $1 AND h.resident_id IN (SELECT id FROM gone)
             AND NOT EXISTS (SELECT FROM requests q WHERE q.tenant_id = $1 AND q.resident_id = h.member_id)
             AND NOT EXISTS (SELECT FROM cases c WHERE c.tenant_id = $1 AND c.resident_id = h.member_id)
             AND NOT EXISTS (SELECT FROM household_members o
                             WHERE o.tenant_id = $1 AND o.resident_id = h.member_id
                               AND o.member_id NOT IN (SELECT id FROM gone))"#,
        tx.tenant_id(),
        &requests,
        &cases
    )
    .fetch_all(&mut **tx)
    .await?;
    let audit_events = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM audit_events a JOIN tenant_settings s ON s.tenant_id = a.tenant_id
           WHERE a.tenant_id = $1 AND a.occurred_at < now() - make_interval(years => s.retention_audit_years)"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Due {
        cases,
        requests,
        residents,
        audit_events,
    })
}

/// Erases `due` in the transaction's cooperative and records that it did, with counts only.
async fn erase(tx: &mut TenantTx, due: &Due) -> sqlx::Result<()> {
    let tenant = tx.tenant_id();
    let cases = &due.cases;
    let residents = &due.residents;
    let requests: Vec<Uuid> = sqlx::query_scalar!(
        r#"SELECT unnest($2::uuid[]) AS "id!" UNION SELECT request_id FROM cases WHERE tenant_id = $1 AND id = ANY ($3)"#,
        tenant,
        &due.requests,
        cases
    )
    .fetch_all(&mut **tx)
    .await?;

    // Referrals keep their organisation, service, status, dates and outcome; what was written
    // about the resident goes. Consents stay as the ground each referral was sent on.
    sqlx::query!(
        "DELETE FROM notifications
         WHERE tenant_id = $1 AND referral_id IN (SELECT id FROM referrals WHERE tenant_id = $1 AND case_id = ANY ($2))",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE referral_events SET note = ''
         WHERE tenant_id = $1 AND note <> ''
           AND referral_id IN (SELECT id FROM referrals WHERE tenant_id = $1 AND case_id = ANY ($2))",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE referral_passes SET note = ''
         WHERE tenant_id = $1 AND note <> ''
           AND referral_id IN (SELECT id FROM referrals WHERE tenant_id = $1 AND case_id = ANY ($2))",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE referrals SET purpose = $3, summary = $3, decline_note = '', outcome_reason = '', report = '',
                return_reason = '', override_reason = CASE WHEN override_reason IS NULL THEN NULL ELSE $3 END
         WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE consents SET purpose = $3, withdrawal_note = '' WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;

    sqlx::query!(
        "DELETE FROM journal_attachments
         WHERE tenant_id = $1 AND entry_id IN (SELECT id FROM journal_entries WHERE tenant_id = $1 AND case_id = ANY ($2))",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM journal_entries WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM tasks WHERE tenant_id = $1 AND (case_id = ANY ($2) OR request_id = ANY ($3))",
        tenant,
        cases,
        &requests
    )
    .execute(&mut **tx)
    .await?;

    // The conversation and the plan keep their dates, versions, performers and results.
    sqlx::query!(
        "UPDATE conversations SET place = $3, participants = '', housing = '', finances = '', health = '',
                social_network = '', daytime = '', parenting = '', safety = '', wishes = ''
         WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE plan_goals SET description = $3, result_note = ''
         WHERE tenant_id = $1 AND plan_id IN (SELECT id FROM support_plans WHERE tenant_id = $1 AND case_id = ANY ($2))",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE plan_actions SET description = $3, performer_name = ''
         WHERE tenant_id = $1 AND goal_id IN (
             SELECT g.id FROM plan_goals g JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
             WHERE g.tenant_id = $1 AND p.case_id = ANY ($2))",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;
    // The agreed versions as the resident read them back: what was agreed goes, the versions,
    // their dates and the resident's agreement stay.
    sqlx::query!(
        "UPDATE support_plan_versions SET goals = '[]' WHERE tenant_id = $1 AND case_id = ANY ($2) AND goals <> '[]'",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;

    // Flexible support keeps its amount, date, budget line and provider for the accounts.
    sqlx::query!(
        "UPDATE flexible_support SET description = $3, decision_note = ''
         WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE case_leads SET handover_note = '' WHERE tenant_id = $1 AND case_id = ANY ($2) AND handover_note <> ''",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE case_events SET reason = '' WHERE tenant_id = $1 AND case_id = ANY ($2) AND reason <> ''",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE case_access_grants SET reason = $3 WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE case_clocks
         SET pause_reason = CASE WHEN pause_reason IS NULL THEN NULL ELSE $3 END,
             extension_reason = CASE WHEN extension_reason IS NULL THEN NULL ELSE $3 END
         WHERE tenant_id = $1 AND case_id = ANY ($2)",
        tenant,
        cases,
        ERASED
    )
    .execute(&mut **tx)
    .await?;

    // The year of birth stays on the case (every expression here reads the row as it was).
    sqlx::query!(
        "UPDATE cases c
         SET resident_id = NULL, anonymised_at = now(),
             resident_birth_year = (SELECT extract(year FROM r.date_of_birth)::smallint FROM residents r
                                    WHERE r.tenant_id = c.tenant_id AND r.id = c.resident_id)
         WHERE c.tenant_id = $1 AND c.id = ANY ($2)",
        tenant,
        cases
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE requests
         SET question = $3, referrer = '', contact_name = '', contact_phone = '', contact_email = '', triage_note = '',
             resident_id = NULL, anonymised_at = now()
         WHERE tenant_id = $1 AND id = ANY ($2)",
        tenant,
        &requests,
        ERASED
    )
    .execute(&mut **tx)
    .await?;

    // Who looked at or changed the file stays for the audit term; the details go, since they
    // may quote reasons, names and file names.
    sqlx::query!(
        "UPDATE audit_events SET details = '{}', details_erased = true
         WHERE tenant_id = $1 AND (case_id = ANY ($2) OR resident_id = ANY ($3)) AND details <> '{}'",
        tenant,
        cases,
        residents
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM network_contacts WHERE tenant_id = $1 AND resident_id = ANY ($2)",
        tenant,
        residents
    )
    .execute(&mut **tx)
    .await?;
    // Household links go with the resident (ON DELETE CASCADE).
    sqlx::query!(
        "DELETE FROM residents WHERE tenant_id = $1 AND id = ANY ($2)",
        tenant,
        residents
    )
    .execute(&mut **tx)
    .await?;
    // Old events go from the start of the chain: everything before the first event still
    // within the term (all of it sealed first), the chain noting where it now begins, so that
    // what remains still verifies (audit::chain).
    crate::audit::chain::seal(tx).await?;
    sqlx::query!(
        "WITH cut AS (
             SELECT coalesce((SELECT min(a.chain_seq) - 1 FROM audit_events a
                              WHERE a.tenant_id = $1 AND a.chain_seq IS NOT NULL
                                AND a.occurred_at >= now() - make_interval(years => s.retention_audit_years)),
                             c.head_seq) AS seq
             FROM tenant_settings s JOIN audit_chains c ON c.tenant_id = s.tenant_id
             WHERE s.tenant_id = $1)
         UPDATE audit_chains c
         SET pruned_seq = cut.seq,
             pruned_hash = (SELECT a.hash FROM audit_events a WHERE a.tenant_id = $1 AND a.chain_seq = cut.seq)
         FROM cut
         WHERE c.tenant_id = $1 AND cut.seq > c.pruned_seq",
        tenant
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM audit_events a USING audit_chains c
         WHERE a.tenant_id = $1 AND c.tenant_id = a.tenant_id AND a.chain_seq <= c.pruned_seq",
        tenant
    )
    .execute(&mut **tx)
    .await?;

    let actor = Actor::named(None, "schakel retention", None);
    audit::record(
        tx,
        &actor,
        AuditKind::RetentionApplied,
        None,
        json!({
            "cases": due.cases.len(),
            "requests": requests.len(),
            "residents": due.residents.len(),
            "audit_events": due.audit_events,
        }),
    )
    .await
}
