//! What a resident reads of their own file: their requests and what became of each, their
//! cases with the lead and how to reach them, the referrals made for them and their consents.
//! Only what is theirs to read: never internal notes, a referral's summary or a decline's
//! reason.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::format::{format_date, format_timestamp};

/// The most of each list the pages show: a resident has a handful, not hundreds.
const LIST_LIMIT: i64 = 50;

pub struct OwnRequest {
    pub received_at: PrimitiveDateTime,
    pub question: String,
    pub triage: Option<String>,
    pub signpost: Option<String>,
}

impl OwnRequest {
    pub fn received(&self) -> String {
        format_timestamp(self.received_at)
    }

    /// What became of it, as a catalogue key.
    pub fn outcome_key(&self) -> String {
        match &self.triage {
            Some(triage) => format!("mijn.triage.{triage}"),
            None => "mijn.triage.open".to_owned(),
        }
    }
}

pub async fn requests(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<OwnRequest>> {
    sqlx::query_as!(
        OwnRequest,
        r#"SELECT local_time(q.received_at) AS "received_at!", q.question, q.triage, d.name AS "signpost?"
           FROM requests q
           LEFT JOIN signpost_destinations d ON d.tenant_id = q.tenant_id AND d.id = q.signpost_destination_id
           WHERE q.tenant_id = $1 AND q.resident_id = $2
           ORDER BY q.received_at DESC LIMIT $3"#,
        tx.tenant_id(),
        resident_id,
        LIST_LIMIT
    )
    .fetch_all(&mut **tx)
    .await
}

/// A case of the resident, with who holds the lead.
pub struct OwnCase {
    pub id: Uuid,
    pub reference: Option<String>,
    pub status: String,
    pub lead_name: Option<String>,
    pub lead_email: Option<String>,
}

impl OwnCase {
    pub fn status_key(&self) -> String {
        format!("status.{}", self.status)
    }

    pub fn is_open(&self) -> bool {
        self.status != "afgesloten"
    }
}

/// The resident's cases, open ones first.
pub async fn cases(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<OwnCase>> {
    sqlx::query_as!(
        OwnCase,
        r#"SELECT c.id, c.reference, c.status, u.name AS "lead_name?", u.email AS "lead_email?"
           FROM cases c
           LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.lead_id AND u.active
           WHERE c.tenant_id = $1 AND c.resident_id = $2
           ORDER BY c.status = 'afgesloten', c.created_at DESC LIMIT $3"#,
        tx.tenant_id(),
        resident_id,
        LIST_LIMIT
    )
    .fetch_all(&mut **tx)
    .await
}

/// The resident's case `case_id`; none when it is not theirs.
pub async fn own_case(tx: &mut TenantTx, resident_id: Uuid, case_id: Uuid) -> sqlx::Result<Option<OwnCase>> {
    Ok(cases(tx, resident_id)
        .await?
        .into_iter()
        .find(|c| c.id == case_id))
}

pub struct OwnReferral {
    pub service: String,
    pub organisation: Option<String>,
    pub status: String,
    pub sent_on: Date,
}

impl OwnReferral {
    pub fn status_key(&self) -> String {
        format!("referralstatus.{}", self.status)
    }

    pub fn sent(&self) -> String {
        format_date(self.sent_on)
    }
}

pub async fn referrals(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<OwnReferral>> {
    sqlx::query_as!(
        OwnReferral,
        r#"SELECT s.name AS service, o.name AS "organisation?", f.status, local_time(f.sent_at)::date AS "sent_on!"
           FROM cases c
           JOIN referrals f ON f.tenant_id = c.tenant_id AND f.case_id = c.id
           JOIN services s ON s.tenant_id = f.tenant_id AND s.id = f.service_id
           LEFT JOIN organisations o ON o.tenant_id = f.tenant_id AND o.id = f.organisation_id
           WHERE c.tenant_id = $1 AND c.resident_id = $2
           ORDER BY f.sent_at DESC LIMIT $3"#,
        tx.tenant_id(),
        resident_id,
        LIST_LIMIT
    )
    .fetch_all(&mut **tx)
    .await
}

pub struct OwnConsent {
    pub id: Uuid,
    pub recipient: String,
    pub purpose: String,
    pub given_on: Date,
    pub expires_on: Option<Date>,
    pub withdrawn_at: Option<PrimitiveDateTime>,
    pub valid: bool,
}

impl OwnConsent {
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

/// The consents recorded on the resident's cases, newest first. One for "the social team and
/// whoever it refers to" has no single recipient.
pub async fn consents(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<OwnConsent>> {
    sqlx::query_as!(
        OwnConsent,
        r#"SELECT k.id, coalesce(o.name, s.name, '') AS "recipient!", k.purpose, k.given_on, k.expires_on,
                  local_time(k.withdrawn_at) AS withdrawn_at,
                  k.withdrawn_at IS NULL AND (k.expires_on IS NULL OR k.expires_on >= local_now()::date) AS "valid!"
           FROM cases c
           JOIN consents k ON k.tenant_id = c.tenant_id AND k.case_id = c.id
           LEFT JOIN organisations o ON o.tenant_id = k.tenant_id AND o.id = k.organisation_id
           LEFT JOIN services s ON s.tenant_id = k.tenant_id AND s.id = k.service_id
           WHERE c.tenant_id = $1 AND c.resident_id = $2
           ORDER BY k.recorded_at DESC LIMIT $3"#,
        tx.tenant_id(),
        resident_id,
        LIST_LIMIT
    )
    .fetch_all(&mut **tx)
    .await
}

/// The case of consent `consent_id` when the consent is on one of the resident's cases.
pub async fn consent_case(
    tx: &mut TenantTx,
    resident_id: Uuid,
    consent_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT c.id FROM consents k JOIN cases c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
         WHERE k.tenant_id = $1 AND k.id = $2 AND c.resident_id = $3",
        tx.tenant_id(),
        consent_id,
        resident_id
    )
    .fetch_optional(&mut **tx)
    .await
}
