//! Tenants: one cooperative each, addressed by the first path segment (`/{slug}/…`).
//! No tenant ever sees another's data: every tenant-owned row carries `tenant_id`, and
//! row-level security checks it against the transaction's tenant (see `db::tenant_tx`).

use sqlx::PgPool;
use uuid::Uuid;

use crate::error::ResultExt;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// Path segments that are not tenants.
pub const RESERVED_SLUGS: &[&str] = &["static", "healthz", "login", "logout", "admin", "api"];

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
    sqlx::query_as!(Tenant, "SELECT id, slug, name FROM tenants WHERE slug = $1", slug)
        .fetch_optional(pool)
        .await
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
    let tenant = sqlx::query_as!(
        Tenant,
        "INSERT INTO tenants (slug, name) VALUES ($1, $2) RETURNING id, slug, name",
        slug,
        name
    )
    .fetch_one(owner)
    .await
    .on_constraint("tenants_slug_key", || {
        CreateTenantError::SlugTaken(slug.to_owned())
    })??;
    Ok(tenant)
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
