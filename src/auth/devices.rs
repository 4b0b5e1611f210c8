//! Browsers a user has logged in with before ("device cookies", as OWASP proposes against
//! lock-outs): at every completed login the browser gets a random token for that user, kept
//! for half a year; the database keeps only its SHA-256. A browser holds the tokens of the
//! last few users who logged in with it (a shared desk computer), in one cookie. Throttling
//! counts attempts from such a browser on the browser alone ([`super::throttle`]).

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::session;
use crate::db::TenantTx;
use crate::web;

pub const DEVICE_COOKIE: &str = "schakel_device";
/// How long a browser stays known without a login.
const KEPT_DAYS: i32 = 180;
/// The most users a browser remembers; the one unused longest makes way.
const MAX_TOKENS: usize = 8;

/// The device tokens a request carries, most recently used first.
pub struct Presented(Vec<String>);

impl Presented {
    pub fn from_headers(headers: &HeaderMap) -> Presented {
        let tokens = web::read_cookie(headers, DEVICE_COOKIE)
            .map(|value| {
                value
                    .split('.')
                    .filter(|token| hash(token).is_some())
                    .take(MAX_TOKENS)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Presented(tokens)
    }

    fn hashes(&self) -> Vec<Vec<u8>> {
        self.0.iter().filter_map(|token| hash(token)).collect()
    }
}

/// The SHA-256 of a well-formed token (32 random bytes, base64url).
fn hash(token: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok().filter(|b| b.len() == 32)?;
    Some(Sha256::digest(bytes).to_vec())
}

/// The token hash by which this request's browser is known for the active user with
/// `email`, if it is.
pub async fn recognise(
    tx: &mut TenantTx,
    presented: &Presented,
    email: &str,
) -> sqlx::Result<Option<Vec<u8>>> {
    if presented.0.is_empty() {
        return Ok(None);
    }
    sqlx::query_scalar!(
        "SELECT d.token_hash FROM known_devices d
         JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.user_id
         WHERE d.tenant_id = $1 AND d.token_hash = ANY($2) AND u.email = $3 AND u.active
           AND d.last_used_at > now() - make_interval(days => $4)
         LIMIT 1",
        tx.tenant_id(),
        &presented.hashes(),
        email,
        KEPT_DAYS
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Remembers the browser for `user_id` at a completed login (`known`: what [`recognise`]
/// found); returns the cookie to set.
pub async fn remember(
    tx: &mut TenantTx,
    presented: &Presented,
    known: Option<&[u8]>,
    user_id: Uuid,
    secure: bool,
) -> sqlx::Result<HeaderValue> {
    let mut tokens = presented.0.clone();
    let current = match known {
        Some(known) => {
            sqlx::query!(
                "UPDATE known_devices SET last_used_at = now() WHERE tenant_id = $1 AND token_hash = $2",
                tx.tenant_id(),
                known
            )
            .execute(&mut **tx)
            .await?;
            let at = tokens
                .iter()
                .position(|token| hash(token).as_deref() == Some(known))
                .expect("a recognised token was presented");
            tokens.remove(at)
        }
        None => {
            let token = session::random_token();
            sqlx::query!(
                "INSERT INTO known_devices (tenant_id, token_hash, user_id) VALUES ($1, $2, $3)",
                tx.tenant_id(),
                hash(&token).expect("a fresh token is well formed"),
                user_id
            )
            .execute(&mut **tx)
            .await?;
            token
        }
    };
    tokens.insert(0, current);
    tokens.truncate(MAX_TOKENS);
    Ok(cookie(&tokens.join("."), secure))
}

/// Long-lived, unlike the session: HttpOnly, Secure over https, and sent only with requests
/// from Schakel's own pages.
fn cookie(value: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((DEVICE_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::days(KEPT_DAYS.into()))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are printable ASCII")
}

/// Forgets browsers unused for longer than they are kept.
pub async fn purge(tx: &mut TenantTx) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM known_devices WHERE tenant_id = $1 AND last_used_at <= now() - make_interval(days => $2)",
        tx.tenant_id(),
        KEPT_DAYS
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_long_lived_http_only_and_secure_over_https() {
        let value = cookie("abc", true);
        let text = value.to_str().unwrap();
        for part in [
            "schakel_device=abc",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
            "Max-Age=15552000",
        ] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!cookie("abc", false).to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn only_well_formed_tokens_are_read() {
        let good = session::random_token();
        let mut headers = HeaderMap::new();
        let value = format!("{DEVICE_COOKIE}=x.{good}.{}", &good[..40]);
        headers.insert(axum::http::header::COOKIE, value.parse().unwrap());
        let presented = Presented::from_headers(&headers);
        assert_eq!(presented.0, [good]);
    }
}
