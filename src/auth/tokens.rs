//! One-time links for invitations and password resets. The link carries a random token; the
//! database keeps only its SHA-256. A link works once, for 72 hours, and issuing a new one
//! for the same purpose voids the earlier ones.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::TenantTx;

pub const VALID_HOURS: i32 = 72;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
        }
    }

    /// The path segment of the link.
    pub fn path(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password-reset",
        }
    }
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Issues a link token for `user_id`.
pub async fn issue(tx: &mut TenantTx, user_id: Uuid, purpose: Purpose) -> sqlx::Result<String> {
    sqlx::query!(
        "UPDATE user_tokens SET used_at = now()
         WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND used_at IS NULL",
        tx.tenant_id(),
        user_id,
        purpose.as_str()
    )
    .execute(&mut **tx)
    .await?;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    sqlx::query!(
        "INSERT INTO user_tokens (tenant_id, token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))",
        tx.tenant_id(),
        hash(&token),
        user_id,
        purpose.as_str(),
        VALID_HOURS
    )
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Whether a link for this purpose was issued to the user in the last five minutes.
pub async fn recently_issued(tx: &mut TenantTx, user_id: Uuid, purpose: Purpose) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT FROM user_tokens
               WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND created_at > now() - interval '5 minutes'
           ) AS "recent!""#,
        tx.tenant_id(),
        user_id,
        purpose.as_str()
    )
    .fetch_one(&mut **tx)
    .await
}

/// Whom a link is for, while it is valid.
pub struct LinkHolder {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
}

/// The holder of a valid, unused token; locks it so that it is redeemed only once.
pub async fn holder(tx: &mut TenantTx, token: &str, purpose: Purpose) -> sqlx::Result<Option<LinkHolder>> {
    sqlx::query_as!(
        LinkHolder,
        "SELECT u.id AS user_id, u.name, u.email
         FROM user_tokens t
         JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
         WHERE t.tenant_id = $1 AND t.token_hash = $2 AND t.purpose = $3
           AND t.used_at IS NULL AND t.expires_at > now() AND u.active
         FOR UPDATE OF t",
        tx.tenant_id(),
        hash(token),
        purpose.as_str()
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn mark_used(tx: &mut TenantTx, token: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE user_tokens SET used_at = now() WHERE tenant_id = $1 AND token_hash = $2",
        tx.tenant_id(),
        hash(token)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
