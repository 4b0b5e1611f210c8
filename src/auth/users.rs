//! Users of one tenant.

use uuid::Uuid;

use crate::auth::Role;
use crate::auth::password::{self, NewPassword};
use crate::db::TenantTx;
use crate::error::ResultExt;

/// A normalised email address: trimmed and lower-cased, with something on both sides of `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Option<Email> {
        let email = raw.trim().to_lowercase();
        let (local, domain) = email.split_once('@')?;
        let plausible = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(char::is_whitespace)
            && email.len() <= 254;
        plausible.then_some(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub roles: Vec<Role>,
    pub password: NewPassword,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("a user with this email address already exists in this cooperative")]
    EmailTaken,
    #[error("a user needs a name and at least one role")]
    Incomplete,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Adds a user to the tenant of the transaction.
pub async fn create(tx: &mut TenantTx, user: NewUser) -> Result<Uuid, CreateUserError> {
    let name = user.name.trim();
    if name.is_empty() || user.roles.is_empty() {
        return Err(CreateUserError::Incomplete);
    }
    let roles: Vec<String> = user.roles.iter().map(|r| r.as_str().to_owned()).collect();
    let password_hash = password::hash(user.password).await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO users (tenant_id, email, name, roles, password_hash)
         VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
        tx.tenant_id(),
        user.email.as_str(),
        name,
        &roles,
        password_hash,
    )
    .fetch_one(&mut **tx)
    .await
    .on_constraint("users_tenant_id_email_key", || CreateUserError::EmailTaken)??;
    Ok(id)
}

pub async fn exists(tx: &mut TenantTx, email: &Email) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM users WHERE tenant_id = $1 AND email = $2) AS "exists!""#,
        tx.tenant_id(),
        email.as_str()
    )
    .fetch_one(&mut **tx)
    .await
}

/// What a login needs to know about the (active) user with this email address.
pub struct LoginCandidate {
    pub id: Uuid,
    pub password_hash: String,
}

pub async fn find_for_login(tx: &mut TenantTx, email: &str) -> sqlx::Result<Option<LoginCandidate>> {
    sqlx::query_as!(
        LoginCandidate,
        "SELECT id, password_hash FROM users WHERE tenant_id = $1 AND email = $2 AND active",
        tx.tenant_id(),
        email
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn record_login(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET last_login_at = now() WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        user_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Balie@Demo.TEST ").unwrap().as_str(),
            "balie@demo.test"
        );
        for bad in [
            "",
            "balie",
            "@demo.test",
            "balie@",
            "balie@demo",
            "ba lie@demo.test",
            "balie@.test",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad:?} accepted");
        }
    }
}
