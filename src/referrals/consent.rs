//! The consent ledger of a case: per organisation, or per service (whoever offers it), or
//! carried from the request (everyone the team refers to), what the resident agreed may be
//! shared and for what, from when, until when. Nothing is deleted: a
//! withdrawal is recorded on the entry, and at once ends the access of the organisations that
//! received referrals under it.

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;
use crate::shared::format::{json_date, json_timestamp};

/// Whom a consent lets the case share with.
#[derive(Debug, Clone, Copy)]
pub enum Recipient {
    Organisation(Uuid),
    /// Every organisation offering this service, for an open offer.
    Service(Uuid),
}

pub struct NewConsent {
    pub recipient: Recipient,
    pub purpose: String,
    pub given_on: Date,
    pub expires_on: Option<Date>,
}

/// One entry of the ledger as the case page shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct Consent {
    pub id: Uuid,
    pub organisation: Option<String>,
    pub service: Option<String>,
    pub purpose: String,
    #[serde(with = "json_date")]
    pub given_on: Date,
    #[serde(with = "json_date::option")]
    pub expires_on: Option<Date>,
    pub recorded_by: String,
    #[serde(with = "json_timestamp::option")]
    pub withdrawn_at: Option<PrimitiveDateTime>,
    pub withdrawn_by: Option<String>,
    /// Withdrawn by the resident on their own pages.
    #[serde(default)]
    pub withdrawn_by_resident: bool,
    pub withdrawal_note: String,
    /// Neither withdrawn nor expired today.
    pub valid: bool,
}

impl Consent {
    pub fn recipient(&self) -> &str {
        self.organisation
            .as_deref()
            .or(self.service.as_deref())
            .unwrap_or_default()
    }

    pub fn given(&self) -> String {
        format_date(self.given_on)
    }

    pub fn expires(&self) -> Option<String> {
        self.expires_on.map(format_date)
    }

    pub fn withdrawn(&self) -> Option<String> {
        self.withdrawn_at.map(format_timestamp)
    }
}

pub async fn record(tx: &mut TenantTx, case_id: Uuid, consent: &NewConsent, by: Uuid) -> sqlx::Result<Uuid> {
    let (organisation_id, service_id) = match consent.recipient {
        Recipient::Organisation(id) => (Some(id), None),
        Recipient::Service(id) => (None, Some(id)),
    };
    sqlx::query_scalar!(
        "INSERT INTO consents (tenant_id, case_id, organisation_id, service_id, purpose, given_on, expires_on, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        tx.tenant_id(),
        case_id,
        organisation_id,
        service_id,
        consent.purpose,
        consent.given_on,
        consent.expires_on,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// The valid consent under which this case may share with `organisation` (or, for an open
/// offer, with whoever offers `service`) today. The consent given with the request covers
/// every organisation the team refers to.
pub async fn covering(
    tx: &mut TenantTx,
    case_id: Uuid,
    organisation_id: Option<Uuid>,
    service_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"SELECT id FROM consents
           WHERE tenant_id = $1 AND case_id = $2 AND withdrawn_at IS NULL
             AND (expires_on IS NULL OR expires_on >= local_now()::date)
             AND (service_id = $4 OR ($3::uuid IS NOT NULL AND organisation_id = $3) OR request_id IS NOT NULL)
           ORDER BY recorded_at DESC LIMIT 1"#,
        tx.tenant_id(),
        case_id,
        organisation_id,
        service_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// What a withdrawal ended.
pub struct Withdrawal {
    /// Referrals still running that were stopped.
    pub stopped: Vec<Uuid>,
}

/// Who withdraws a consent: a member of staff, or the resident on their own pages.
#[derive(Debug, Clone, Copy)]
pub enum WithdrawnBy {
    Staff(Uuid),
    Resident,
}

/// Withdraws a consent; every referral sent under it is closed to its organisation at once,
/// and those still running are withdrawn — the same whoever withdraws it. `None` when there
/// is no such valid entry.
pub async fn withdraw(
    tx: &mut TenantTx,
    case_id: Uuid,
    consent_id: Uuid,
    note: &str,
    by: WithdrawnBy,
) -> sqlx::Result<Option<Withdrawal>> {
    let (by, by_resident) = match by {
        WithdrawnBy::Staff(user_id) => (Some(user_id), false),
        WithdrawnBy::Resident => (None, true),
    };
    let withdrawn = sqlx::query!(
        "UPDATE consents SET withdrawn_at = now(), withdrawn_by = $4, withdrawal_note = $5, withdrawn_by_resident = $6
         WHERE tenant_id = $1 AND case_id = $2 AND id = $3 AND withdrawn_at IS NULL",
        tx.tenant_id(),
        case_id,
        consent_id,
        by,
        note,
        by_resident
    )
    .execute(&mut **tx)
    .await?;
    if withdrawn.rows_affected() == 0 {
        return Ok(None);
    }
    let stopped = sqlx::query_scalar!(
        "WITH targets AS (
             SELECT id, status FROM referrals
             WHERE tenant_id = $1 AND case_id = $2 AND consent_id = $3 AND access_revoked_at IS NULL
             FOR UPDATE
         ), revoked AS (
             UPDATE referrals r SET access_revoked_at = now(), lock_version = r.lock_version + 1,
                    status = CASE WHEN t.status IN ('verstuurd', 'geaccepteerd', 'gestart') THEN 'ingetrokken'
                                  ELSE t.status END
             FROM targets t WHERE r.tenant_id = $1 AND r.id = t.id
             RETURNING r.id, r.organisation_id, t.status AS before
         )
         INSERT INTO referral_events (tenant_id, referral_id, kind, organisation_id, actor_id, note)
         SELECT $1, id, 'ingetrokken', organisation_id, $4, $5 FROM revoked
         WHERE before IN ('verstuurd', 'geaccepteerd', 'gestart')
         RETURNING referral_id",
        tx.tenant_id(),
        case_id,
        consent_id,
        by,
        note
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(Withdrawal { stopped }))
}
