//! Residents on their own pages (`/{tenant}/mijn`): their accounts, sign-in codes and sessions,
//! kept apart from staff in tables and cookie of their own, so that neither kind of session can
//! be taken for the other. A resident session on a staff page is refused (403); a staff session
//! on a resident page too.
//!
//! **Getting in.** Every way in ends in [`start_session`] with the resident it established.
//! Today that is a one-time sign-in code the desk or the lead hands over (printed on the contact
//! card, valid [`CODE_DAYS`] days, stored only as a keyed digest) which, with the resident's date
//! of birth, sets up an account with an e-mail address and a password; after that the resident
//! signs in with those. A new code also resets a forgotten password. An OpenID Connect provider
//! (DigiD through a broker, eHerkenning, a municipality's own) plugs in as one more way: it
//! vouches for a BSN, which names the resident, and calls [`start_session`] the same way.
//! Attempts are slowed down as staff logins are (`auth::throttle`).
//!
//! **Whose pages.** A parent or guardian linked in the household may be given a minor's pages by
//! the case's lead; the session then shows either their own pages or the minor's.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use time::Date;
use uuid::Uuid;

use crate::audit::Actor;
use crate::auth::secrets::SecretBox;
use crate::auth::session::{ABSOLUTE_TIMEOUT_HOURS, IDLE_TIMEOUT_MINUTES, SessionCookie};
use crate::db::TenantTx;
use crate::error::AppError;
use crate::web::{self, context::RequestContext};

pub const RESIDENT_COOKIE: &str = "schakel_mijn";
/// How long a sign-in code may be used.
pub const CODE_DAYS: i32 = 14;
const CODE_PURPOSE: &str = "resident sign-in code";
/// Letters and digits that cannot be mistaken for one another when read from paper.
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_LENGTH: usize = 12;

/// The resident of this request, signed in on their own pages.
#[derive(Debug, Clone)]
pub struct CurrentResident {
    pub account_id: Uuid,
    /// The resident who signed in.
    pub self_id: Uuid,
    pub self_name: String,
    /// Whose pages are shown: the resident's own, or a minor's they were given.
    pub resident_id: Uuid,
    pub resident_name: String,
    pub token_hash: Vec<u8>,
}

impl CurrentResident {
    /// Whether the pages shown are someone else's (a parent on a child's pages).
    pub fn on_behalf(&self) -> bool {
        self.self_id != self.resident_id
    }

    /// For the audit log: the resident who acts, whoever's pages they are on.
    pub fn actor(&self, ctx: &RequestContext) -> Actor {
        Actor::resident(self.self_id, &self.self_name, ctx.client_ip)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentResident {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestContext::from_request_parts(parts, state).await?;
        let cookie = web::read_cookie(&parts.headers, RESIDENT_COOKIE).and_then(|v| SessionCookie::parse(&v));
        if let Some(cookie) = &cookie {
            if cookie.tenant_id != ctx.tenant.id {
                return Err(AppError::NotFound);
            }
            let mut tx = ctx.tx().await?;
            let found = load(&mut tx, &cookie.token_hash).await?;
            tx.commit().await?;
            if let Some(resident) = found {
                return Ok(resident);
            }
        }
        if ctx.user.is_some() || ctx.pending.is_some() {
            return Err(AppError::Forbidden);
        }
        Err(AppError::LoginRequired {
            login_path: sign_in_path(&ctx.tenant.slug),
        })
    }
}

pub fn sign_in_path(slug: &str) -> String {
    format!("/{slug}/mijn/inloggen")
}

/// Whether the request carries a resident's session cookie for this cooperative: a staff page
/// asked for with one is refused rather than sent to the staff login.
pub fn carries_resident_cookie(parts: &Parts, tenant_id: Uuid) -> bool {
    web::read_cookie(&parts.headers, RESIDENT_COOKIE)
        .and_then(|v| SessionCookie::parse(&v))
        .is_some_and(|cookie| cookie.tenant_id == tenant_id)
}

/// A resident established by one of the ways in.
pub struct SignedIn {
    pub account_id: Uuid,
    pub resident_id: Uuid,
}

/// Starts a resident's session on their own pages; returns the cookie value.
pub async fn start_session(tx: &mut TenantTx, who: &SignedIn, user_agent: &str) -> sqlx::Result<String> {
    let tenant_id = tx.tenant_id();
    let mut token = [0u8; 32];
    OsRng.fill_bytes(&mut token);
    let token_hash = Sha256::digest(token).to_vec();
    let user_agent: String = user_agent.chars().take(200).collect();
    sqlx::query!(
        "INSERT INTO resident_sessions (tenant_id, token_hash, account_id, acting_for, user_agent)
         VALUES ($1, $2, $3, $4, $5)",
        tenant_id,
        token_hash,
        who.account_id,
        who.resident_id,
        user_agent,
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE resident_accounts SET last_login_at = now() WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        who.account_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(format!("{tenant_id}.{}", URL_SAFE_NO_PAD.encode(token)))
}

/// The valid session with this token hash; records activity at most once a minute. A session
/// on a minor's pages whose access was taken back shows the resident's own pages again.
async fn load(tx: &mut TenantTx, token_hash: &[u8]) -> sqlx::Result<Option<CurrentResident>> {
    let row = sqlx::query!(
        r#"SELECT s.account_id, a.resident_id AS self_id, r.id AS acting_for,
                  s.last_seen_at < now() - interval '1 minute' AS "stale!",
                  resident_display_name(me.first_names, me.initials, me.surname_prefix, me.surname) AS "self_name!",
                  resident_display_name(r.first_names, r.initials, r.surname_prefix, r.surname) AS "resident_name!"
           FROM resident_sessions s
           JOIN resident_accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id
           JOIN residents me ON me.tenant_id = a.tenant_id AND me.id = a.resident_id
           JOIN residents r ON r.tenant_id = s.tenant_id
                           AND r.id = CASE WHEN s.acting_for = a.resident_id
                                                OR EXISTS (SELECT FROM resident_guardians g
                                                           WHERE g.tenant_id = s.tenant_id AND g.guardian_id = a.resident_id
                                                             AND g.minor_id = s.acting_for)
                                           THEN s.acting_for ELSE a.resident_id END
           WHERE s.tenant_id = $1 AND s.token_hash = $2
             AND s.last_seen_at > now() - make_interval(mins => $3)
             AND s.created_at > now() - make_interval(hours => $4)"#,
        tx.tenant_id(),
        token_hash,
        IDLE_TIMEOUT_MINUTES,
        ABSOLUTE_TIMEOUT_HOURS
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.stale {
        sqlx::query!(
            "UPDATE resident_sessions SET last_seen_at = now() WHERE tenant_id = $1 AND token_hash = $2",
            tx.tenant_id(),
            token_hash
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(Some(CurrentResident {
        account_id: row.account_id,
        self_id: row.self_id,
        self_name: row.self_name,
        resident_id: row.acting_for,
        resident_name: row.resident_name,
        token_hash: token_hash.to_vec(),
    }))
}

pub async fn end_session(tx: &mut TenantTx, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM resident_sessions WHERE tenant_id = $1 AND token_hash = $2",
        tx.tenant_id(),
        token_hash
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whose pages a signed-in resident may open: their own first, then the minors they were given.
pub async fn pages_open_to(tx: &mut TenantTx, self_id: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        r#"SELECT r.id, resident_display_name(r.first_names, r.initials, r.surname_prefix, r.surname) AS "name!"
           FROM residents r
           WHERE r.tenant_id = $1
             AND (r.id = $2 OR r.id IN (SELECT minor_id FROM resident_guardians WHERE tenant_id = $1 AND guardian_id = $2))
           ORDER BY r.id <> $2, r.search_surname, r.id
           LIMIT 20"#,
        tx.tenant_id(),
        self_id
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Shows `resident_id`'s pages in this session, when they are open to its resident.
pub async fn switch_pages(tx: &mut TenantTx, me: &CurrentResident, resident_id: Uuid) -> sqlx::Result<bool> {
    let switched = sqlx::query!(
        "UPDATE resident_sessions SET acting_for = $3
         WHERE tenant_id = $1 AND token_hash = $2
           AND ($3::uuid = $4::uuid OR EXISTS (SELECT FROM resident_guardians
                                   WHERE tenant_id = $1 AND guardian_id = $4 AND minor_id = $3))",
        tx.tenant_id(),
        me.token_hash,
        resident_id,
        me.self_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(switched.rows_affected() == 1)
}

/// The resident's name, for the code card; none for an unknown or foreign id.
pub async fn name(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"SELECT resident_display_name(first_names, initials, surname_prefix, surname) AS "name!"
           FROM residents WHERE tenant_id = $1 AND id = $2"#,
        tx.tenant_id(),
        resident_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A resident who may sign in with a password.
pub struct Account {
    pub id: Uuid,
    pub resident_id: Uuid,
    pub name: String,
    pub password_hash: String,
}

pub async fn find_for_sign_in(tx: &mut TenantTx, email: &str) -> sqlx::Result<Option<Account>> {
    sqlx::query_as!(
        Account,
        r#"SELECT a.id, a.resident_id, a.password_hash,
                  resident_display_name(r.first_names, r.initials, r.surname_prefix, r.surname) AS "name!"
           FROM resident_accounts a JOIN residents r ON r.tenant_id = a.tenant_id AND r.id = a.resident_id
           WHERE a.tenant_id = $1 AND a.email = $2"#,
        tx.tenant_id(),
        email
    )
    .fetch_optional(&mut **tx)
    .await
}

/// How long an e-mailed sign-in link works.
pub const LINK_MINUTES: i32 = 15;

/// A sign-in link to e-mail to the resident with `email`, when there is such an account and no
/// link went to it in the last five minutes (so the form cannot flood a mailbox): the token,
/// the resident's id and name.
pub async fn issue_link(tx: &mut TenantTx, email: &str) -> sqlx::Result<Option<(String, Uuid, String)>> {
    let Some(account) = find_for_sign_in(tx, email).await? else {
        return Ok(None);
    };
    let recent = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM resident_sign_in_links
                          WHERE tenant_id = $1 AND account_id = $2 AND created_at > now() - interval '5 minutes') AS "recent!""#,
        tx.tenant_id(),
        account.id
    )
    .fetch_one(&mut **tx)
    .await?;
    if recent {
        return Ok(None);
    }
    let token = crate::auth::session::random_token();
    sqlx::query!(
        "INSERT INTO resident_sign_in_links (tenant_id, token_hash, account_id, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(mins => $4))",
        tx.tenant_id(),
        Sha256::digest(token.as_bytes()).to_vec(),
        account.id,
        LINK_MINUTES
    )
    .execute(&mut **tx)
    .await?;
    Ok(Some((token, account.resident_id, account.name)))
}

/// Uses an e-mailed sign-in link: the resident it was for, once, while it is valid.
pub async fn redeem_link(tx: &mut TenantTx, token: &str) -> sqlx::Result<Option<SignedIn>> {
    let found = sqlx::query!(
        "UPDATE resident_sign_in_links l SET used_at = now()
         FROM resident_accounts a
         WHERE l.tenant_id = $1 AND l.token_hash = $2 AND l.used_at IS NULL AND l.expires_at > now()
           AND a.tenant_id = l.tenant_id AND a.id = l.account_id
         RETURNING a.id, a.resident_id",
        tx.tenant_id(),
        Sha256::digest(token.as_bytes()).to_vec()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.map(|row| SignedIn {
        account_id: row.id,
        resident_id: row.resident_id,
    }))
}

/// A sign-in code as handed to the resident: shown once, never stored.
pub struct IssuedCode {
    pub code: String,
    pub expires_on: Date,
}

/// A new sign-in code for `resident_id`; any earlier unused one stops working.
pub async fn issue_code(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    resident_id: Uuid,
    by: Uuid,
) -> sqlx::Result<IssuedCode> {
    let code = new_code();
    sqlx::query!(
        "DELETE FROM resident_sign_in_codes WHERE tenant_id = $1 AND resident_id = $2 AND used_at IS NULL",
        tx.tenant_id(),
        resident_id
    )
    .execute(&mut **tx)
    .await?;
    let expires_on = sqlx::query_scalar!(
        r#"INSERT INTO resident_sign_in_codes (tenant_id, resident_id, code_digest, issued_by, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))
           RETURNING local_time(expires_at)::date AS "expires_on!""#,
        tx.tenant_id(),
        resident_id,
        secrets.digest(CODE_PURPOSE, &code),
        by,
        CODE_DAYS
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(IssuedCode {
        code: group(&code),
        expires_on,
    })
}

/// What setting up an account with a code came to.
pub enum Redeemed {
    SignedIn(SignedIn),
    /// No unused, unexpired code matches with this date of birth.
    NoMatch,
    /// The e-mail address is another resident's.
    EmailTaken,
}

/// Uses a sign-in code: with the right date of birth it sets up (or, for a resident who had
/// one, resets) the account with `email` and `password_hash`, ends the account's other sessions
/// and marks the code used.
pub async fn redeem_code(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    code: &str,
    date_of_birth: Date,
    email: &str,
    password_hash: &str,
) -> sqlx::Result<Redeemed> {
    let Some(code) = normalise_code(code) else {
        return Ok(Redeemed::NoMatch);
    };
    let found = sqlx::query!(
        "SELECT c.id, c.resident_id FROM resident_sign_in_codes c
         JOIN residents r ON r.tenant_id = c.tenant_id AND r.id = c.resident_id
         WHERE c.tenant_id = $1 AND c.code_digest = $2 AND c.used_at IS NULL AND c.expires_at > now()
           AND r.date_of_birth = $3
         FOR UPDATE OF c",
        tx.tenant_id(),
        secrets.digest(CODE_PURPOSE, &code),
        date_of_birth
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(found) = found else {
        return Ok(Redeemed::NoMatch);
    };
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM resident_accounts WHERE tenant_id = $1 AND email = $2 AND resident_id <> $3) AS "taken!""#,
        tx.tenant_id(),
        email,
        found.resident_id
    )
    .fetch_one(&mut **tx)
    .await?;
    if taken {
        return Ok(Redeemed::EmailTaken);
    }
    let account_id = sqlx::query_scalar!(
        "INSERT INTO resident_accounts (tenant_id, resident_id, email, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, resident_id) DO UPDATE SET email = EXCLUDED.email, password_hash = EXCLUDED.password_hash
         RETURNING id",
        tx.tenant_id(),
        found.resident_id,
        email,
        password_hash
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM resident_sessions WHERE tenant_id = $1 AND account_id = $2",
        tx.tenant_id(),
        account_id
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE resident_sign_in_codes SET used_at = now() WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        found.id
    )
    .execute(&mut **tx)
    .await?;
    Ok(Redeemed::SignedIn(SignedIn {
        account_id,
        resident_id: found.resident_id,
    }))
}

fn new_code() -> String {
    let mut bytes = [0u8; CODE_LENGTH];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(b % 32)] as char)
        .collect()
}

/// The code as typed, without spaces or dashes and in capitals; none when it cannot be one.
pub fn normalise_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// `ABCD-EFGH-JKLM`: easier to read out and type.
fn group(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether `minor_id` is under 18 and `guardian_id` is their parent in the household.
pub async fn may_be_guardian(tx: &mut TenantTx, guardian_id: Uuid, minor_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT FROM residents m
               WHERE m.tenant_id = $1 AND m.id = $3 AND m.date_of_birth > (local_now()::date - interval '18 years')
                 AND EXISTS (SELECT FROM household_members h
                             WHERE h.tenant_id = $1
                               AND ((h.resident_id = $3 AND h.member_id = $2 AND h.relation = 'parent')
                                    OR (h.resident_id = $2 AND h.member_id = $3 AND h.relation = 'child')))) AS "may!""#,
        tx.tenant_id(),
        guardian_id,
        minor_id
    )
    .fetch_one(&mut **tx)
    .await
}

/// A parent of a minor in the household, and whether they were given the minor's pages.
pub struct GuardianCandidate {
    pub id: Uuid,
    pub name: String,
    pub given: bool,
    /// Whether they have pages of their own to see the minor's from.
    pub has_account: bool,
}

/// The parents in the household of `minor_id`, when `minor_id` is under 18; none otherwise.
pub async fn guardian_candidates(tx: &mut TenantTx, minor_id: Uuid) -> sqlx::Result<Vec<GuardianCandidate>> {
    sqlx::query_as!(
        GuardianCandidate,
        r#"SELECT p.id, resident_display_name(p.first_names, p.initials, p.surname_prefix, p.surname) AS "name!",
                  EXISTS (SELECT FROM resident_guardians g
                          WHERE g.tenant_id = p.tenant_id AND g.guardian_id = p.id AND g.minor_id = $2) AS "given!",
                  EXISTS (SELECT FROM resident_accounts a WHERE a.tenant_id = p.tenant_id AND a.resident_id = p.id)
                      AS "has_account!"
           FROM residents m
           JOIN household_members h ON h.tenant_id = m.tenant_id
                                   AND ((h.resident_id = m.id AND h.relation = 'parent')
                                        OR (h.member_id = m.id AND h.relation = 'child'))
           JOIN residents p ON p.tenant_id = h.tenant_id
                           AND p.id = CASE WHEN h.resident_id = m.id THEN h.member_id ELSE h.resident_id END
           WHERE m.tenant_id = $1 AND m.id = $2 AND m.date_of_birth > (local_now()::date - interval '18 years')
           ORDER BY p.search_surname, p.id
           LIMIT 20"#,
        tx.tenant_id(),
        minor_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Gives or takes back a parent's access to a minor's pages; whether anything changed.
pub async fn set_guardian(
    tx: &mut TenantTx,
    guardian_id: Uuid,
    minor_id: Uuid,
    given: bool,
    by: Uuid,
) -> sqlx::Result<bool> {
    let changed = if given {
        sqlx::query!(
            "INSERT INTO resident_guardians (tenant_id, guardian_id, minor_id, granted_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            tx.tenant_id(),
            guardian_id,
            minor_id,
            by
        )
        .execute(&mut **tx)
        .await?
    } else {
        sqlx::query!(
            "DELETE FROM resident_guardians WHERE tenant_id = $1 AND guardian_id = $2 AND minor_id = $3",
            tx.tenant_id(),
            guardian_id,
            minor_id
        )
        .execute(&mut **tx)
        .await?
    };
    Ok(changed.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_in_groups_and_is_typed_back_in_any_way() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LENGTH);
        let grouped = group(&code);
        assert_eq!(grouped.len(), 14);
        assert_eq!(normalise_code(&grouped).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalise_code(&format!(" {} ", grouped.to_lowercase().replace('-', " "))).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normalise_code("ABCD-EFGH-JKL"), None, "too short");
        assert_eq!(normalise_code("ABCD-EFGH-JKL0"), None, "0 is not in the alphabet");
    }
}
