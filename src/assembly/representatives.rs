//! Who may represent a member organisation in the assembly: a user with role `member` of that
//! organisation, with a mandate valid from a date and possibly until one.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::web::forms::{Fields, parse_date, parse_optional_date};
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 50;

pub struct Representative {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation: String,
    pub organisation_status: String,
    pub user_name: String,
    pub email: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub current: bool,
}

impl Representative {
    pub fn valid_from(&self) -> String {
        format_date(self.valid_from)
    }

    pub fn valid_until(&self) -> Option<String> {
        self.valid_until.map(format_date)
    }

    pub fn status_key(&self) -> String {
        format!("memberstatus.{}", self.organisation_status)
    }
}

/// A page of mandates, by organisation, current ones first.
pub async fn list(tx: &mut TenantTx, page: i64) -> sqlx::Result<Vec<Representative>> {
    sqlx::query_as!(
        Representative,
        r#"SELECT r.id, r.organisation_id, o.name AS organisation, o.status AS organisation_status,
                  u.name AS user_name, u.email, r.valid_from, r.valid_until,
                  (r.valid_until IS NULL OR r.valid_until >= local_now()::date) AS "current!"
           FROM representatives r
           JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
           WHERE r.tenant_id = $1
           ORDER BY lower(o.name), "current!" DESC, r.valid_from DESC, r.id
           LIMIT $2 OFFSET $3"#,
        tx.tenant_id(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many mandates the cooperative holds, current and past.
pub async fn count(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM representatives WHERE tenant_id = $1"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

/// A member user who could be given a mandate: staff of a member organisation.
pub struct Candidate {
    pub user_id: Uuid,
    pub label: String,
}

pub async fn candidates(tx: &mut TenantTx) -> sqlx::Result<Vec<Candidate>> {
    sqlx::query_as!(
        Candidate,
        r#"SELECT u.id AS user_id, u.name || ' — ' || o.name AS "label!"
           FROM users u JOIN organisations o ON o.tenant_id = u.tenant_id AND o.id = u.organisation_id
           WHERE u.tenant_id = $1 AND u.active AND 'member' = ANY (u.roles)
             AND o.status IN ('aspirant', 'lid', 'geschorst')
           ORDER BY lower(o.name), u.name LIMIT 2000"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct MandateInput {
    pub user: String,
    pub valid_from: String,
    pub valid_until: String,
}

pub struct Mandate {
    pub user_id: Uuid,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
}

impl MandateInput {
    pub fn from_fields(fields: &Fields) -> MandateInput {
        MandateInput {
            user: fields.get("user").to_owned(),
            valid_from: fields.get("valid_from").trim().to_owned(),
            valid_until: fields.get("valid_until").trim().to_owned(),
        }
    }

    pub fn starting(today: Date) -> MandateInput {
        MandateInput {
            valid_from: format_date(today),
            ..MandateInput::default()
        }
    }

    pub fn validate(&self, candidates: &[Candidate], errors: &mut FormErrors) -> Option<Mandate> {
        let user_id = self
            .user
            .parse::<Uuid>()
            .ok()
            .filter(|id| candidates.iter().any(|c| c.user_id == *id));
        if user_id.is_none() {
            errors.field("user", "representative.error.user");
        }
        let valid_from = parse_date(&self.valid_from);
        if valid_from.is_none() {
            errors.field("valid_from", "representative.error.valid_from");
        }
        let valid_until = match parse_optional_date(&self.valid_until) {
            Ok(until) if until.is_some() && valid_from.is_some() && until < valid_from => {
                errors.field("valid_until", "representative.error.valid_until");
                None
            }
            Ok(until) => until,
            Err(_) => {
                errors.field("valid_until", "representative.error.valid_until");
                None
            }
        };
        if !errors.is_empty() {
            return None;
        }
        Some(Mandate {
            user_id: user_id?,
            valid_from: valid_from?,
            valid_until,
        })
    }
}

/// Gives the user a mandate for their own organisation; returns that organisation.
pub async fn add(tx: &mut TenantTx, mandate: &Mandate, by: Uuid) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        r#"INSERT INTO representatives (tenant_id, organisation_id, user_id, valid_from, valid_until, recorded_by)
           SELECT $1, u.organisation_id, u.id, $3, $4, $5 FROM users u
           WHERE u.tenant_id = $1 AND u.id = $2 AND u.organisation_id IS NOT NULL
           RETURNING organisation_id"#,
        tx.tenant_id(),
        mandate.user_id,
        mandate.valid_from,
        mandate.valid_until,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// Ends a mandate on `on` (not before it began); false when there is no such mandate.
pub async fn end(tx: &mut TenantTx, id: Uuid, on: Date) -> sqlx::Result<bool> {
    let ended = sqlx::query!(
        "UPDATE representatives SET valid_until = greatest(valid_from, $3)
         WHERE tenant_id = $1 AND id = $2 AND (valid_until IS NULL OR valid_until > $3)",
        tx.tenant_id(),
        id,
        on
    )
    .execute(&mut **tx)
    .await?;
    Ok(ended.rows_affected() == 1)
}

/// The organisations `user_id` represents on `on`.
pub async fn represented_by(tx: &mut TenantTx, user_id: Uuid, on: Date) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT DISTINCT organisation_id FROM representatives
         WHERE tenant_id = $1 AND user_id = $2 AND valid_from <= $3 AND (valid_until IS NULL OR valid_until >= $3)",
        tx.tenant_id(),
        user_id,
        on
    )
    .fetch_all(&mut **tx)
    .await
}
