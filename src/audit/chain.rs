//! The audit log's chain (migration 0044): sealing what was written since the last time, and
//! verifying that every cooperative's chain is whole — no event altered, removed or moved.

use sqlx::PgPool;
use uuid::Uuid;

use crate::db::{self, TenantTx};

/// How the chain of one cooperative stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every event checked, and the chain ends where its head says.
    Whole { events: i64, head: String },
    /// The first event (by its place, or the head) that does not match, and why.
    Broken {
        place: i64,
        event: Option<Uuid>,
        reason: &'static str,
    },
}

impl Verification {
    pub fn is_whole(&self) -> bool {
        matches!(self, Verification::Whole { .. })
    }

    pub fn message(&self) -> String {
        match self {
            Verification::Whole { events, head } => format!("ok: {events} events, head {head}"),
            Verification::Broken { place, event, reason } => match event {
                Some(id) => format!("broken at event {place} ({id}): {reason}"),
                None => format!("broken at place {place}: {reason}"),
            },
        }
    }
}

/// Chains the transaction's cooperative's committed, unchained events; how many.
pub async fn seal(tx: &mut TenantTx) -> sqlx::Result<i32> {
    let sealed = sqlx::query_scalar!(r#"SELECT seal_audit_events($1) AS "sealed!""#, tx.tenant_id())
        .fetch_one(&mut **tx)
        .await?;
    Ok(sealed)
}

/// The most events `seal_audit_events` chains in one call (migration 0044).
const SEAL_LIMIT: i32 = 10_000;

/// Seals the events of every cooperative, each batch in a short transaction of its own, until
/// none is left: a cooperative writing faster than one batch per round never falls behind.
pub async fn seal_everywhere(pool: &PgPool) -> sqlx::Result<()> {
    let tenants = sqlx::query_scalar!("SELECT id FROM tenants")
        .fetch_all(pool)
        .await?;
    for tenant_id in tenants {
        loop {
            let mut tx = db::tenant_tx(pool, tenant_id).await?;
            let sealed = seal(&mut tx).await?;
            tx.commit().await?;
            if sealed < SEAL_LIMIT {
                break;
            }
        }
    }
    Ok(())
}

const BATCH: i64 = 5_000;

/// Walks the transaction's cooperative's chain from where retention left it to its head.
pub async fn verify(tx: &mut TenantTx) -> sqlx::Result<Verification> {
    let tenant = tx.tenant_id();
    let chain = sqlx::query!(
        "SELECT head_seq, head_hash, pruned_seq, pruned_hash FROM audit_chains WHERE tenant_id = $1",
        tenant
    )
    .fetch_optional(&mut **tx)
    .await?;
    let (head_seq, head_hash, mut place, mut previous) = match chain {
        Some(c) => (c.head_seq, c.head_hash, c.pruned_seq, c.pruned_hash),
        None => (0, None, 0, None),
    };
    let first = place;
    loop {
        let rows = sqlx::query!(
            r#"SELECT a.id, a.chain_seq AS "chain_seq!", a.prev_hash, a.hash,
                      a.hash IS NOT DISTINCT FROM audit_event_hash(a.prev_hash, a) AS "hash_matches!",
                      (a.details_erased OR a.details_digest = sha256(convert_to(a.details::text, 'UTF8')))
                          AS "details_match!"
               FROM audit_events a
               WHERE a.tenant_id = $1 AND a.chain_seq > $2
               ORDER BY a.chain_seq
               LIMIT $3"#,
            tenant,
            place,
            BATCH
        )
        .fetch_all(&mut **tx)
        .await?;
        let done = (rows.len() as i64) < BATCH;
        for row in rows {
            let broken = |reason| Verification::Broken {
                place: place + 1,
                event: Some(row.id),
                reason,
            };
            if row.chain_seq != place + 1 {
                return Ok(Verification::Broken {
                    place: place + 1,
                    event: None,
                    reason: "missing: the next event in the chain is not there",
                });
            }
            if row.prev_hash != previous {
                return Ok(broken("does not follow the event before it (removed or moved)"));
            }
            if !row.hash_matches {
                return Ok(broken("its content does not match its hash (altered or moved)"));
            }
            if !row.details_match {
                return Ok(broken("its details do not match their digest (altered)"));
            }
            place = row.chain_seq;
            previous = row.hash;
        }
        if done {
            break;
        }
    }
    if place != head_seq || previous != head_hash {
        return Ok(Verification::Broken {
            place: place + 1,
            event: None,
            reason: "the chain ends before its head (events at the end removed)",
        });
    }
    Ok(Verification::Whole {
        events: place - first,
        head: previous.map(hex).unwrap_or_default(),
    })
}

/// Records the outcome of a verification, for the administrator's audit page.
pub async fn record_verification(tx: &mut TenantTx, outcome: &Verification) -> sqlx::Result<()> {
    let events = match outcome {
        Verification::Whole { events, .. } => Some(*events),
        Verification::Broken { .. } => None,
    };
    sqlx::query!(
        "UPDATE audit_chains SET verified_at = now(), verified_ok = $2, verified_events = $3, verified_message = $4
         WHERE tenant_id = $1",
        tx.tenant_id(),
        outcome.is_whole(),
        events,
        outcome.message()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn hex(bytes: Vec<u8>) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The chain's head and its last verification, for the administrator's audit page: the head
/// can be read into the minutes of the assembly, so that rewriting history later shows.
pub struct ChainState {
    pub head_seq: i64,
    pub head_hash: String,
    pub verified_at: Option<String>,
    pub verified_ok: Option<bool>,
    pub verified_message: String,
}

pub async fn state(tx: &mut TenantTx) -> sqlx::Result<Option<ChainState>> {
    let row = sqlx::query!(
        r#"SELECT head_seq, head_hash, to_char(local_time(verified_at), 'DD-MM-YYYY HH24:MI') AS verified_at,
                  verified_ok, verified_message
           FROM audit_chains WHERE tenant_id = $1"#,
        tx.tenant_id()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| ChainState {
        head_seq: r.head_seq,
        head_hash: r.head_hash.map(hex).unwrap_or_default(),
        verified_at: r.verified_at,
        verified_ok: r.verified_ok,
        verified_message: r.verified_message,
    }))
}
