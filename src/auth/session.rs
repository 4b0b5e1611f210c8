//! Login sessions, stored in PostgreSQL and bound to one tenant.
//!
//! The cookie holds `<tenant id>.<random token>`; the database holds only the SHA-256 of the
//! token. A session ends after 30 minutes without a request or 12 hours after login,
//! whichever comes first, and at logout.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::Date;
use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::db::{self, TenantTx};
use crate::tenancy::{self, Tenant};
use crate::web::i18n::Lang;

pub const IDLE_TIMEOUT_MINUTES: i32 = 30;
pub const ABSOLUTE_TIMEOUT_HOURS: i32 = 12;

/// What the session cookie carries.
pub struct SessionCookie {
    pub tenant_id: Uuid,
    pub token_hash: Vec<u8>,
}

impl SessionCookie {
    pub fn parse(value: &str) -> Option<SessionCookie> {
        let (tenant, token) = value.split_once('.')?;
        let token = URL_SAFE_NO_PAD.decode(token).ok().filter(|t| t.len() == 32)?;
        Some(SessionCookie {
            tenant_id: tenant.parse().ok()?,
            token_hash: Sha256::digest(&token).to_vec(),
        })
    }
}

/// How far a login has come: a session is fully logged in only when `Active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Active,
    /// Password accepted; the code from the authenticator app is still needed.
    NeedsCode,
    /// Password accepted; the user must first set up a second factor.
    NeedsEnrolment,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Active => "active",
            Stage::NeedsCode => "needs_code",
            Stage::NeedsEnrolment => "needs_enrolment",
        }
    }

    fn parse(value: &str) -> Stage {
        match value {
            "needs_code" => Stage::NeedsCode,
            "needs_enrolment" => Stage::NeedsEnrolment,
            _ => Stage::Active,
        }
    }
}

/// A session that is valid now, with its user.
pub struct ActiveSession {
    pub token_hash: Vec<u8>,
    /// What the database's `waiting_counts` found waiting for the user, for the areas to read
    /// (see `web::context::WaitingSource`), and the day in the Netherlands it was counted on.
    pub waiting: Vec<i64>,
    pub today: Date,
    pub csrf_token: String,
    pub stage: Stage,
    pub user: CurrentUser,
}

/// A fresh random value for cookies and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Starts a session for `user_id` and returns the cookie value.
pub async fn create(
    tx: &mut TenantTx,
    user_id: Uuid,
    user_agent: &str,
    stage: Stage,
) -> sqlx::Result<String> {
    let tenant_id = tx.tenant_id();
    let mut token = [0u8; 32];
    OsRng.fill_bytes(&mut token);
    let token_hash = Sha256::digest(token).to_vec();
    let user_agent: String = user_agent.chars().take(200).collect();
    sqlx::query!(
        "INSERT INTO sessions (tenant_id, token_hash, user_id, csrf_token, user_agent, stage)
         VALUES ($1, $2, $3, $4, $5, $6)",
        tenant_id,
        token_hash,
        user_id,
        random_token(),
        user_agent,
        stage.as_str(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(format!("{tenant_id}.{}", URL_SAFE_NO_PAD.encode(token)))
}

/// The cooperative at `slug` and, when the transaction's tenant holds a valid session with
/// this token hash, that session: one statement for both, since every page needs them. Records
/// activity at most once a minute so that reading pages does not write on every request.
pub async fn load_at(
    tx: &mut TenantTx,
    slug: &str,
    token_hash: &[u8],
    known: Option<i64>,
) -> sqlx::Result<Option<(Tenant, Option<ActiveSession>)>> {
    if !tenancy::valid_slug(slug) {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"SELECT t.id AS tenant_id, t.slug, t.name AS tenant_name, t.disabled_at IS NOT NULL AS "disabled!",
                  t.default_language,
                  s.csrf_token AS "csrf_token?", s.stage AS "stage?",
                  s.last_seen_at < now() - interval '1 minute' AS "stale?",
                  u.id AS "user_id?", u.name AS "name?", u.email AS "email?", u.roles AS "roles?", u.language,
                  u.organisation_id,
                  -- What waits for the user (migration 0016), counted here so that no page
                  -- spends a round trip on it; `known` lets kept counts stand.
                  CASE WHEN u.id IS NOT NULL THEN waiting_counts(u.id, u.roles, u.organisation_id, $6) END AS waiting,
                  local_now()::date AS "today!"
           FROM tenants t
           LEFT JOIN (sessions s
                      JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id AND u.active
                      -- A member organisation that has left takes its staff's sessions with it.
                      LEFT JOIN organisations o ON o.tenant_id = u.tenant_id AND o.id = u.organisation_id)
             ON s.tenant_id = $1
            AND s.token_hash = $3
            AND s.last_seen_at > now() - make_interval(mins => $4)
            AND s.created_at > now() - make_interval(hours => $5)
            AND (o.status IS NULL OR o.status NOT IN ('opgezegd', 'ontzet'))
           WHERE t.slug = $2"#,
        tx.tenant_id(),
        slug,
        token_hash,
        IDLE_TIMEOUT_MINUTES,
        ABSOLUTE_TIMEOUT_HOURS,
        known,
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let tenant = Tenant {
        id: row.tenant_id,
        slug: row.slug,
        name: row.tenant_name,
        disabled: row.disabled,
        default_language: Lang::from_code(&row.default_language).unwrap_or_default(),
    };
    let (Some(csrf_token), Some(stage), Some(user_id), Some(name), Some(email), Some(roles)) = (
        row.csrf_token,
        row.stage,
        row.user_id,
        row.name,
        row.email,
        row.roles,
    ) else {
        return Ok(Some((tenant, None)));
    };
    if row.stale == Some(true) {
        sqlx::query!(
            "UPDATE sessions SET last_seen_at = now() WHERE tenant_id = $1 AND token_hash = $2",
            tx.tenant_id(),
            token_hash
        )
        .execute(&mut **tx)
        .await?;
    }
    let session = ActiveSession {
        waiting: row.waiting.unwrap_or_default(),
        today: row.today,
        token_hash: token_hash.to_vec(),
        csrf_token,
        stage: Stage::parse(&stage),
        user: CurrentUser {
            id: user_id,
            name,
            email,
            roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
            language: row.language.as_deref().and_then(Lang::from_code),
            organisation_id: row.organisation_id,
        },
    };
    Ok(Some((tenant, Some(session))))
}

/// Moves a session on once the second factor is done.
pub async fn set_stage(tx: &mut TenantTx, token_hash: &[u8], stage: Stage) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE sessions SET stage = $3 WHERE tenant_id = $1 AND token_hash = $2",
        tx.tenant_id(),
        token_hash,
        stage.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A session as its user sees it on "my account".
pub struct SessionInfo {
    pub id: Uuid,
    pub user_agent: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

/// The user's live sessions, most recently active first.
pub async fn list_for_user(
    tx: &mut TenantTx,
    user_id: Uuid,
    current: &[u8],
) -> sqlx::Result<Vec<SessionInfo>> {
    sqlx::query_as!(
        SessionInfo,
        r#"SELECT id, user_agent,
                  to_char(local_time(created_at), 'DD-MM-YYYY HH24:MI') AS "started!",
                  to_char(local_time(last_seen_at), 'DD-MM-YYYY HH24:MI') AS "last_seen!",
                  token_hash = $3 AS "current!"
           FROM sessions
           WHERE tenant_id = $1 AND user_id = $2
             AND last_seen_at > now() - make_interval(mins => $4)
             AND created_at > now() - make_interval(hours => $5)
           ORDER BY last_seen_at DESC
           LIMIT 50"#,
        tx.tenant_id(),
        user_id,
        current,
        IDLE_TIMEOUT_MINUTES,
        ABSOLUTE_TIMEOUT_HOURS,
    )
    .fetch_all(&mut **tx)
    .await
}

/// Ends one of the user's own sessions; false when it is not theirs or already gone.
pub async fn end_for_user(tx: &mut TenantTx, user_id: Uuid, session_id: Uuid) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
        tx.tenant_id(),
        user_id,
        session_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Ends a session; true when there was one.
pub async fn delete(tx: &mut TenantTx, token_hash: &[u8]) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "DELETE FROM sessions WHERE tenant_id = $1 AND token_hash = $2",
        tx.tenant_id(),
        token_hash
    )
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Removes expired sessions, forgotten login counters and long unused browsers of every
/// tenant.
pub async fn purge_expired(pool: &PgPool) -> sqlx::Result<u64> {
    let tenants = sqlx::query_scalar!("SELECT id FROM tenants")
        .fetch_all(pool)
        .await?;
    let mut removed = 0;
    for tenant_id in tenants {
        let mut tx = db::tenant_tx(pool, tenant_id).await?;
        removed += sqlx::query!(
            "DELETE FROM sessions
             WHERE tenant_id = $1
               AND (last_seen_at <= now() - make_interval(mins => $2)
                    OR created_at <= now() - make_interval(hours => $3))",
            tenant_id,
            IDLE_TIMEOUT_MINUTES,
            ABSOLUTE_TIMEOUT_HOURS,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        super::throttle::purge(&mut tx).await?;
        super::devices::purge(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(removed)
}
