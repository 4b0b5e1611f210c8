//! Tenants: one cooperative each, addressed by the first path segment (`/{slug}/…`).
//! No tenant ever sees another's data: every tenant-owned row carries `tenant_id`, and
//! row-level security checks it against the transaction's tenant (see `db::tenant_tx`).

use sqlx::PgPool;
use uuid::Uuid;

use crate::db;
use crate::error::ResultExt;
use crate::web::i18n::Lang;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub disabled: bool,
    /// The language for visitors whose browser asks for neither Dutch nor English.
    pub default_language: Lang,
}

/// Path segments that are not tenants.
pub const RESERVED_SLUGS: &[&str] = &[
    "static", "healthz", "readyz", "metrics", "login", "logout", "admin", "api",
];

/// A slug is 2–40 lower-case letters, digits and hyphens, starting with a letter or digit.
pub fn valid_slug(slug: &str) -> bool {
    let mut chars = slug.chars();
    (2..=40).contains(&slug.len())
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !RESERVED_SLUGS.contains(&slug)
}

pub async fn find_by_slug(pool: &PgPool, slug: &str) -> sqlx::Result<Option<Tenant>> {
    if !valid_slug(slug) {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"SELECT id, slug, name, disabled_at IS NOT NULL AS "disabled!", default_language
           FROM tenants WHERE slug = $1"#,
        slug
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Tenant {
        id: r.id,
        slug: r.slug,
        name: r.name,
        disabled: r.disabled,
        default_language: Lang::from_code(&r.default_language).unwrap_or_default(),
    }))
}

/// How residents and staff reach the cooperative, shown on its public pages.
#[derive(Debug, Default)]
pub struct Contact {
    pub email: String,
    pub phone: String,
    pub address: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.email.is_empty() && self.phone.is_empty() && self.address.is_empty()
    }
}

pub async fn contact(tx: &mut db::TenantTx) -> sqlx::Result<Contact> {
    let row = sqlx::query_as!(
        Contact,
        "SELECT contact_email AS email, contact_phone AS phone, contact_address AS address
         FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.unwrap_or_default())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateTenantError {
    #[error(
        "'{0}' is not a valid address: use 2–40 lower-case letters, digits and hyphens, not one of {RESERVED_SLUGS:?}"
    )]
    InvalidSlug(String),
    #[error("the name may not be empty")]
    EmptyName,
    #[error("a cooperative with address '{0}' already exists")]
    SlugTaken(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a tenant. Runs as the schema owner (the web role may only read tenants).
pub async fn create(owner: &PgPool, slug: &str, name: &str) -> Result<Tenant, CreateTenantError> {
    if !valid_slug(slug) {
        return Err(CreateTenantError::InvalidSlug(slug.to_owned()));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(CreateTenantError::EmptyName);
    }
    let mut tx = owner.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO tenants (slug, name) VALUES ($1, $2) RETURNING id",
        slug,
        name
    )
    .fetch_one(&mut *tx)
    .await
    .on_constraint("tenants_slug_key", || {
        CreateTenantError::SlugTaken(slug.to_owned())
    })??;
    tx.commit().await?;
    // The cooperative's own rows are written under its tenant, like every other write.
    let mut tx = db::tenant_tx(owner, id).await?;
    sqlx::query!("INSERT INTO tenant_settings (tenant_id) VALUES ($1)", id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("INSERT INTO statute_rules (tenant_id) VALUES ($1)", id)
        .execute(&mut *tx)
        .await?;
    for (position, (name, description)) in DEFAULT_DESTINATIONS.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO signpost_destinations (tenant_id, name, description, position) VALUES ($1, $2, $3, $4)",
            id,
            name,
            description,
            position as i32
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Tenant {
        id,
        slug: slug.to_owned(),
        name: name.to_owned(),
        disabled: false,
        default_language: Lang::Nl,
    })
}

/// Where residents are commonly pointed to outside the cooperative; each tenant edits its own.
const DEFAULT_DESTINATIONS: &[(&str, &str)] = &[
    ("CIZ (Wet langdurige zorg)", "Indicatie voor langdurige zorg"),
    ("Huisarts", "Medische vragen, verwijzing naar zorg"),
    (
        "Zorgverzekeraar",
        "Zorg uit de Zorgverzekeringswet, zoals wijkverpleging",
    ),
    ("UWV", "Werkloosheid, arbeidsongeschiktheid"),
    ("Schuldhulpverlening", "Problematische schulden"),
    ("Juridisch Loket", "Gratis juridisch advies"),
    ("Woningcorporatie", "Huurwoning, woningaanpassing door verhuurder"),
];

/// The tenants, for the platform operator.
pub async fn list(owner: &PgPool) -> sqlx::Result<Vec<Tenant>> {
    let rows = sqlx::query!(
        r#"SELECT id, slug, name, disabled_at IS NOT NULL AS "disabled!", default_language
           FROM tenants ORDER BY slug"#
    )
    .fetch_all(owner)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Tenant {
            id: r.id,
            slug: r.slug,
            name: r.name,
            disabled: r.disabled,
            default_language: Lang::from_code(&r.default_language).unwrap_or_default(),
        })
        .collect())
}

/// Disables or enables a tenant: a disabled tenant keeps its data, but nobody can log in.
pub async fn set_disabled(owner: &PgPool, slug: &str, disabled: bool) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "UPDATE tenants SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END WHERE slug = $1",
        slug,
        disabled
    )
    .execute(owner)
    .await?;
    Ok(result.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        for good in ["demo", "demo2", "woudenberg", "overbetuwe-samen", "k1"] {
            assert!(valid_slug(good), "{good}");
        }
        for bad in [
            "",
            "d",
            "Demo",
            "-demo",
            "static",
            "healthz",
            "de mo",
            "dém",
            &"x".repeat(41),
        ] {
            assert!(!valid_slug(bad), "{bad}");
        }
    }
}
