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
    pub name: String,
    pub password_hash: String,
    pub has_second_factor: bool,
    pub roles: Vec<String>,
}

pub async fn find_for_login(tx: &mut TenantTx, email: &str) -> sqlx::Result<Option<LoginCandidate>> {
    sqlx::query_as!(
        LoginCandidate,
        r#"SELECT id, name, password_hash AS "password_hash!", totp_confirmed_at IS NOT NULL AS "has_second_factor!", roles
           FROM users u
           WHERE u.tenant_id = $1 AND u.email = $2 AND u.active AND u.password_hash IS NOT NULL
             -- Staff of a member organisation that has left can no longer log in.
             AND NOT EXISTS (SELECT FROM organisations o WHERE o.tenant_id = u.tenant_id
                               AND o.id = u.organisation_id AND o.status IN ('opgezegd', 'ontzet'))"#,
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

/// A user as the administrator's list shows them.
pub struct UserSummary {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
    pub last_login: Option<String>,
    pub active: bool,
    pub invited: bool,
}

impl UserSummary {
    pub fn role_label_keys(&self) -> Vec<&'static str> {
        self.roles
            .iter()
            .filter_map(|r| Role::parse(r))
            .map(Role::label_key)
            .collect()
    }

    pub fn status_key(&self) -> &'static str {
        match (self.active, self.invited) {
            (false, _) => "users.status.deactivated",
            (true, true) => "users.status.invited",
            (true, false) => "users.status.active",
        }
    }

    pub fn has_role(&self, role: &Role) -> bool {
        self.roles.iter().any(|r| r == role.as_str())
    }
}

pub const PAGE_SIZE: i64 = 25;

/// A page of the tenant's users whose name or email contains `search`, by name.
pub async fn list(tx: &mut TenantTx, search: &str, page: i64) -> sqlx::Result<Vec<UserSummary>> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as!(
        UserSummary,
        r#"SELECT id, name, email, roles,
                  to_char(local_time(last_login_at), 'DD-MM-YYYY HH24:MI') AS last_login,
                  active, password_hash IS NULL AS "invited!"
           FROM users
           WHERE tenant_id = $1 AND (lower(name) LIKE $2 OR email LIKE $2)
           ORDER BY lower(name), id
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        pattern,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many users [`list`] finds in all.
pub async fn count(tx: &mut TenantTx, search: &str) -> sqlx::Result<i64> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM users
           WHERE tenant_id = $1 AND (lower(name) LIKE $2 OR email LIKE $2)"#,
        tx.tenant_id(),
        pattern,
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<UserSummary>> {
    sqlx::query_as!(
        UserSummary,
        r#"SELECT id, name, email, roles,
                  to_char(local_time(last_login_at), 'DD-MM-YYYY HH24:MI') AS last_login,
                  active, password_hash IS NULL AS "invited!"
           FROM users
           WHERE tenant_id = $1 AND id = $2"#,
        tx.tenant_id(),
        id,
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn find_active_by_email(tx: &mut TenantTx, email: &Email) -> sqlx::Result<Option<UserSummary>> {
    sqlx::query_as!(
        UserSummary,
        r#"SELECT id, name, email, roles,
                  to_char(local_time(last_login_at), 'DD-MM-YYYY HH24:MI') AS last_login,
                  active, password_hash IS NULL AS "invited!"
           FROM users
           WHERE tenant_id = $1 AND email = $2 AND active"#,
        tx.tenant_id(),
        email.as_str(),
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn set_language(
    tx: &mut TenantTx,
    user_id: Uuid,
    lang: crate::web::i18n::Lang,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET language = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        user_id,
        lang.code()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every user's id and name, for filters.
pub async fn names(tx: &mut TenantTx) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        "SELECT id, name FROM users WHERE tenant_id = $1 ORDER BY lower(name)",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdminRuleError {
    #[error("the cooperative would have no administrator left")]
    LastAdmin,
    #[error("administrators cannot take away their own administrator role")]
    OwnAdminRole,
    #[error("administrators cannot deactivate themselves")]
    SelfDeactivation,
    #[error("a user needs at least one role")]
    NoRoles,
}

/// Whether `target` losing the admin role (or being deactivated) leaves another active admin.
/// Locks the admins' rows so that two administrators cannot remove each other at once.
async fn another_admin_remains(tx: &mut TenantTx, target: Uuid) -> sqlx::Result<bool> {
    let admins = sqlx::query_scalar!(
        "SELECT id FROM users WHERE tenant_id = $1 AND active AND 'admin' = ANY (roles) FOR UPDATE",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(admins.iter().any(|id| *id != target))
}

/// Gives `target` exactly `roles`. Takes effect on the target's next request.
pub async fn set_roles(
    tx: &mut TenantTx,
    actor: Uuid,
    target: &UserSummary,
    roles: &[Role],
) -> Result<Result<(), AdminRuleError>, sqlx::Error> {
    if roles.is_empty() {
        return Ok(Err(AdminRuleError::NoRoles));
    }
    let loses_admin = target.has_role(&Role::Admin) && !roles.contains(&Role::Admin);
    if loses_admin && actor == target.id {
        return Ok(Err(AdminRuleError::OwnAdminRole));
    }
    if loses_admin && target.active && !another_admin_remains(tx, target.id).await? {
        return Ok(Err(AdminRuleError::LastAdmin));
    }
    let names: Vec<String> = roles.iter().map(|r| r.as_str().to_owned()).collect();
    sqlx::query!(
        "UPDATE users SET roles = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        target.id,
        &names
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Deactivates or reactivates `target`. Deactivation ends their sessions at once.
pub async fn set_active(
    tx: &mut TenantTx,
    actor: Uuid,
    target: &UserSummary,
    active: bool,
) -> Result<Result<(), AdminRuleError>, sqlx::Error> {
    if !active {
        if actor == target.id {
            return Ok(Err(AdminRuleError::SelfDeactivation));
        }
        if target.has_role(&Role::Admin) && !another_admin_remains(tx, target.id).await? {
            return Ok(Err(AdminRuleError::LastAdmin));
        }
        sqlx::query!(
            "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2",
            tx.tenant_id(),
            target.id
        )
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query!(
        "UPDATE users SET active = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        target.id,
        active
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Adds an invited user: no password until they follow their invitation link. Staff of a
/// member organisation (role `member`) belong to `organisation_id`.
pub async fn create_invited(
    tx: &mut TenantTx,
    email: &Email,
    name: &str,
    roles: &[Role],
    organisation_id: Option<Uuid>,
) -> Result<Result<Uuid, CreateUserError>, sqlx::Error> {
    let names: Vec<String> = roles.iter().map(|r| r.as_str().to_owned()).collect();
    sqlx::query_scalar!(
        "INSERT INTO users (tenant_id, email, name, roles, organisation_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        tx.tenant_id(),
        email.as_str(),
        name.trim(),
        &names,
        organisation_id,
    )
    .fetch_one(&mut **tx)
    .await
    .on_constraint("users_tenant_id_email_key", || CreateUserError::EmailTaken)
}

/// Sets a new password; every session of the user ends, since the old password may be known.
pub async fn set_password(tx: &mut TenantTx, user_id: Uuid, password: NewPassword) -> anyhow::Result<()> {
    let hash = password::hash(password).await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        user_id,
        hash
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2",
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
