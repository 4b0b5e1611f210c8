//! Two-factor login with TOTP (an authenticator app), plus ten single-use recovery codes.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

use crate::auth::Role;
use crate::auth::secrets::SecretBox;
use crate::db::TenantTx;

pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Schakel";

/// Who must use a second factor, per the tenant's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Off,
    ResidentRoles,
    Everyone,
}

impl Requirement {
    pub const ALL: [Requirement; 3] = [
        Requirement::Off,
        Requirement::ResidentRoles,
        Requirement::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Off => "off",
            Requirement::ResidentRoles => "resident_roles",
            Requirement::Everyone => "everyone",
        }
    }

    pub fn parse(value: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Whether a user with `roles` must have a second factor. Every role except the chair's
    /// can reach residents' data.
    pub fn applies_to(self, roles: &[Role]) -> bool {
        match self {
            Requirement::Off => false,
            Requirement::Everyone => true,
            Requirement::ResidentRoles => roles.iter().any(|r| *r != Role::Chair),
        }
    }
}

pub async fn requirement(tx: &mut TenantTx) -> sqlx::Result<Requirement> {
    let value = sqlx::query_scalar!(
        "SELECT second_factor FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(value
        .as_deref()
        .and_then(Requirement::parse)
        .unwrap_or(Requirement::ResidentRoles))
}

fn totp(secret: &str, account: &str) -> anyhow::Result<Totp> {
    let secret = Secret::try_from_base32(secret)
        .map_err(|e| anyhow::anyhow!("stored TOTP secret unreadable: {e:?}"))?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| anyhow::anyhow!("TOTP: {e:?}"))
}

pub async fn is_enrolled(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<bool> {
    let enrolled = sqlx::query_scalar!(
        r#"SELECT totp_confirmed_at IS NOT NULL AS "enrolled!" FROM users WHERE tenant_id = $1 AND id = $2"#,
        tx.tenant_id(),
        user_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(enrolled.unwrap_or(false))
}

/// What the enrolment page shows: the secret to type in and the QR code to scan.
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

/// The pending (unconfirmed) secret of `user_id`, created (and stored sealed) on first use.
pub async fn enrolment(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    user_id: Uuid,
    email: &str,
) -> anyhow::Result<Enrolment> {
    let existing = sqlx::query_scalar!(
        "SELECT totp_secret FROM users WHERE tenant_id = $1 AND id = $2 AND totp_confirmed_at IS NULL",
        tx.tenant_id(),
        user_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let secret = match existing.and_then(|sealed| secrets.open(&sealed)) {
        Some(secret) => secret,
        None => {
            let secret = Secret::generate().to_base32();
            sqlx::query!(
                "UPDATE users SET totp_secret = $3 WHERE tenant_id = $1 AND id = $2",
                tx.tenant_id(),
                user_id,
                secrets.seal(&secret)
            )
            .execute(&mut **tx)
            .await?;
            secret
        }
    };
    let url = totp(&secret, email)?
        .to_url()
        .map_err(|e| anyhow::anyhow!("TOTP url: {e:?}"))?;
    let qr = qrcode::QrCode::new(url.as_bytes())?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(Enrolment { secret, qr_svg })
}

/// Confirms the pending secret with a first code; returns the recovery codes to show once.
pub async fn confirm(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    user_id: Uuid,
    email: &str,
    code: &str,
) -> anyhow::Result<Option<Vec<String>>> {
    let secret = sqlx::query_scalar!(
        "SELECT totp_secret FROM users WHERE tenant_id = $1 AND id = $2 AND totp_confirmed_at IS NULL",
        tx.tenant_id(),
        user_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let Some(secret) = secret.and_then(|sealed| secrets.open(&sealed)) else {
        return Ok(None);
    };
    let Some(step) = totp(&secret, email)?.check_current(&normalise(code)) else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE users SET totp_confirmed_at = now(), totp_last_step = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        user_id,
        step as i64
    )
    .execute(&mut **tx)
    .await?;
    Ok(Some(new_recovery_codes(tx, user_id).await?))
}

/// How a second-factor code was accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    Code,
    RecoveryCode,
}

/// Checks a code from the app (each time step once) or an unused recovery code.
pub async fn verify(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    user_id: Uuid,
    email: &str,
    code: &str,
) -> anyhow::Result<Option<Accepted>> {
    let row = sqlx::query!(
        "SELECT totp_secret, totp_last_step FROM users
         WHERE tenant_id = $1 AND id = $2 AND totp_confirmed_at IS NOT NULL FOR UPDATE",
        tx.tenant_id(),
        user_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let code = normalise(code);
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        // A secret that does not open (altered, or another key) accepts no code.
        let Some(secret) = row.totp_secret.and_then(|sealed| secrets.open(&sealed)) else {
            return Ok(None);
        };
        if let Some(step) = totp(&secret, email)?.check_current(&code)
            && Some(step as i64) > row.totp_last_step
        {
            sqlx::query!(
                "UPDATE users SET totp_last_step = $3 WHERE tenant_id = $1 AND id = $2",
                tx.tenant_id(),
                user_id,
                step as i64
            )
            .execute(&mut **tx)
            .await?;
            return Ok(Some(Accepted::Code));
        }
        return Ok(None);
    }
    let used = sqlx::query!(
        "UPDATE recovery_codes SET used_at = now()
         WHERE tenant_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        tx.tenant_id(),
        user_id,
        Sha256::digest(code.as_bytes()).to_vec()
    )
    .execute(&mut **tx)
    .await?;
    Ok((used.rows_affected() == 1).then_some(Accepted::RecoveryCode))
}

/// Removes the second factor (an administrator's reset): the user enrols again.
pub async fn remove(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = NULL
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        user_id
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2",
        tx.tenant_id(),
        user_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Codes are typed with spaces or dashes now and then; they count for nothing.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

async fn new_recovery_codes(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query!(
        "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2",
        tx.tenant_id(),
        user_id
    )
    .execute(&mut **tx)
    .await?;
    // No 0/o/1/l: codes are read off paper.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 10];
        OsRng.fill_bytes(&mut bytes);
        let raw: String = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        sqlx::query!(
            "INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES ($1, $2, $3)",
            tx.tenant_id(),
            user_id,
            Sha256::digest(raw.as_bytes()).to_vec()
        )
        .execute(&mut **tx)
        .await?;
        codes.push(format!("{}-{}", &raw[..5], &raw[5..]));
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chair_alone_needs_no_second_factor_by_default() {
        assert!(Requirement::ResidentRoles.applies_to(&[Role::Desk]));
        assert!(Requirement::ResidentRoles.applies_to(&[Role::Chair, Role::Member]));
        assert!(!Requirement::ResidentRoles.applies_to(&[Role::Chair]));
        assert!(Requirement::Everyone.applies_to(&[Role::Chair]));
        assert!(!Requirement::Off.applies_to(&[Role::Admin]));
    }

    #[test]
    fn codes_ignore_spacing_and_case() {
        assert_eq!(normalise(" 123 456 "), "123456");
        assert_eq!(normalise("ABCDE-fghjk"), "abcdefghjk");
    }
}
