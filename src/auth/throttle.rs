//! Slows password and code guessing down without letting anyone lock a user out (OWASP ASVS
//! 2.2, and OWASP's "device cookies").
//!
//! - **A browser the user has logged in with before** ([`super::devices`]) counts for itself:
//!   failures from anywhere else never slow it down, nor does the limit per address.
//! - **Any other browser** counts against the account (the e-mail address as typed, whether
//!   or not it exists, so the answers reveal nothing) and against its client address. After
//!   [`Kind::free`] failures, every further attempt waits: 30 seconds, doubling with each
//!   failure, at most 15 minutes. The account is slowed down, never locked: the user's known
//!   browsers still get in, and after the wait anyone may try again.
//! - **Atomic:** an attempt claims its turn and counts itself a failure in one
//!   `INSERT … ON CONFLICT DO UPDATE … WHERE` before the password is checked; a right password
//!   gives that count back. So however many attempts arrive at once, no more are checked than
//!   the counts allow (the row lock serialises the claims, not the password checks).
//! - **Attempts during a wait are neither checked nor counted.** They test no password, so
//!   they give a guesser nothing; counting them would let anyone stretch an account's wait at
//!   will by hammering it, which is what the old lock-out allowed. The wait grows only with
//!   guesses that were actually checked, one per wait, and never beyond 15 minutes.
//! - Counters are forgotten a while after their last failure ([`Kind::forget_hours`], by the
//!   periodic purge); a completed login forgives the counter it was counted on, and a
//!   password set through a reset link forgives the account.
//! - When an account, a known browser or an address starts being slowed down, the audit log
//!   says so (`login_throttled`), for administrators.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::db::TenantTx;

/// The first wait, doubled with each further failure.
const FIRST_DELAY_SECONDS: i32 = 30;
/// The longest wait, however many failures.
pub const MAX_DELAY_SECONDS: i32 = 15 * 60;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Attempts for one e-mail address from browsers not known for it.
    Account,
    /// Attempts from one client address (an IPv6 /64) from unknown browsers.
    Address,
    /// Attempts from one known browser of the user.
    Device,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Address => "address",
            Kind::Device => "device",
        }
    }

    /// Failures before the first wait. An address is shared by everyone behind it (an
    /// office, a proxy), so it gets more.
    fn free(self) -> i32 {
        match self {
            Kind::Account | Kind::Device => 5,
            Kind::Address => 20,
        }
    }

    /// Hours after the last failure that a counter is forgotten.
    fn forget_hours(self) -> i32 {
        match self {
            Kind::Account | Kind::Device => 24,
            Kind::Address => 1,
        }
    }
}

/// One counter an attempt was counted on.
#[derive(Debug, Clone)]
struct Counted {
    kind: Kind,
    key: Vec<u8>,
    /// The failures the counter holds with this attempt counted as one.
    failures: i32,
}

/// An attempt that may be checked, with the counts it holds until it turns out right.
#[derive(Debug)]
pub struct Attempt {
    counted: Vec<Counted>,
}

/// How long an attempt must wait.
#[derive(Debug, Clone)]
pub struct Wait {
    pub seconds: i64,
    /// The time of day (in the Netherlands) from which to try again.
    pub until: String,
}

pub enum Verdict {
    Go(Attempt),
    Wait(Wait),
}

/// What a login attempt is counted on: the browser when it is known for the account, else
/// the account and the client address.
pub enum Counter<'a> {
    KnownDevice(&'a [u8]),
    Unknown {
        email: &'a str,
        client_ip: Option<IpAddr>,
    },
}

fn account_key(email: &str) -> Vec<u8> {
    Sha256::digest(email.as_bytes()).to_vec()
}

/// An IPv4 address, or the /64 of an IPv6 address (one connection usually has all of it).
fn address_key(ip: IpAddr) -> Vec<u8> {
    let network = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    };
    Sha256::digest(network.as_bytes()).to_vec()
}

/// Claims a turn for one attempt on every counter that applies, counting it a failure, in
/// `tx`, which this commits (or rolls back, when the attempt must wait: then nothing is
/// counted). The caller checks the password afterwards, outside this short transaction.
pub async fn attempt(mut tx: TenantTx, counter: &Counter<'_>) -> sqlx::Result<Verdict> {
    let keys = match counter {
        Counter::KnownDevice(hash) => vec![(Kind::Device, hash.to_vec())],
        Counter::Unknown { email, client_ip } => {
            // The address first: every claim takes its rows in the same order.
            let mut keys: Vec<(Kind, Vec<u8>)> = client_ip
                .map(|ip| (Kind::Address, address_key(ip)))
                .into_iter()
                .collect();
            keys.push((Kind::Account, account_key(email)));
            keys
        }
    };
    let mut counted = Vec::with_capacity(keys.len());
    for (kind, key) in keys {
        match claim(&mut tx, kind, &key).await? {
            Some(failures) => counted.push(Counted { kind, key, failures }),
            None => {
                let wait = wait(&mut tx, kind, &key).await?;
                tx.rollback().await?;
                return Ok(Verdict::Wait(wait));
            }
        }
    }
    tx.commit().await?;
    Ok(Verdict::Go(Attempt { counted }))
}

/// Counts one attempt if the counter's wait is over: the failures now counted, or `None`.
async fn claim(tx: &mut TenantTx, kind: Kind, key: &[u8]) -> sqlx::Result<Option<i32>> {
    // clock_timestamp(), not now(): a claim that waited for another's row lock compares with
    // the moment it got it, not with the start of its transaction.
    sqlx::query_scalar!(
        "INSERT INTO login_throttles AS t (tenant_id, kind, key, failures, last_failure_at, next_attempt_at)
         VALUES ($1, $2, $3, 1, clock_timestamp(), clock_timestamp() + login_delay(1, $4, $5, $6))
         ON CONFLICT (tenant_id, kind, key) DO UPDATE
             SET failures = t.failures + 1,
                 last_failure_at = clock_timestamp(),
                 next_attempt_at = clock_timestamp() + login_delay(t.failures + 1, $4, $5, $6)
             WHERE t.next_attempt_at <= clock_timestamp()
         RETURNING failures",
        tx.tenant_id(),
        kind.as_str(),
        key,
        kind.free(),
        FIRST_DELAY_SECONDS,
        MAX_DELAY_SECONDS,
    )
    .fetch_optional(&mut **tx)
    .await
}

async fn wait(tx: &mut TenantTx, kind: Kind, key: &[u8]) -> sqlx::Result<Wait> {
    let row = sqlx::query!(
        r#"SELECT greatest(ceil(extract(epoch FROM next_attempt_at - clock_timestamp())), 1)::bigint AS "seconds!",
                  to_char(local_time(next_attempt_at), 'HH24:MI:SS') AS "until!"
           FROM login_throttles WHERE tenant_id = $1 AND kind = $2 AND key = $3"#,
        tx.tenant_id(),
        kind.as_str(),
        key,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Wait {
        seconds: row.seconds,
        until: row.until,
    })
}

impl Attempt {
    /// What started being slowed down by this attempt's failure, for the audit log: the
    /// account or known browser, and the address.
    pub fn slowed_down(&self) -> Vec<Kind> {
        self.counted
            .iter()
            .filter(|c| c.failures == c.kind.free())
            .map(|c| c.kind)
            .collect()
    }

    /// The password or code was right: this attempt is no failure after all.
    pub async fn refund(&self, tx: &mut TenantTx) -> sqlx::Result<()> {
        for counted in &self.counted {
            // Undone as if never counted. This attempt was let through, so any earlier wait
            // was over: unless others were counted since, none is left. If they were, what
            // they count now may still ask a wait from the last of them.
            sqlx::query!(
                "UPDATE login_throttles
                 SET failures = failures - 1,
                     next_attempt_at = least(
                         next_attempt_at,
                         CASE WHEN failures = $7 THEN clock_timestamp()
                              ELSE last_failure_at + login_delay(failures - 1, $4, $5, $6) END)
                 WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND failures > 0",
                tx.tenant_id(),
                counted.kind.as_str(),
                counted.key,
                counted.kind.free(),
                FIRST_DELAY_SECONDS,
                MAX_DELAY_SECONDS,
                counted.failures,
            )
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// A completed login forgives the failures of what it was counted on: its known browser, or
/// (from another browser) the account. The address keeps its count: others share it.
pub async fn forgive(tx: &mut TenantTx, counter: &Counter<'_>) -> sqlx::Result<()> {
    match counter {
        Counter::KnownDevice(hash) => delete(tx, Kind::Device, hash).await,
        Counter::Unknown { email, .. } => forgive_account(tx, email).await,
    }
}

/// Forgives an account's failures from unknown browsers (a password set through a link).
pub async fn forgive_account(tx: &mut TenantTx, email: &str) -> sqlx::Result<()> {
    delete(tx, Kind::Account, &account_key(email)).await
}

async fn delete(tx: &mut TenantTx, kind: Kind, key: &[u8]) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_throttles WHERE tenant_id = $1 AND kind = $2 AND key = $3",
        tx.tenant_id(),
        kind.as_str(),
        key
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets counters whose last failure is long enough ago and whose wait is over.
pub async fn purge(tx: &mut TenantTx) -> sqlx::Result<()> {
    for kind in [Kind::Account, Kind::Address, Kind::Device] {
        sqlx::query!(
            "DELETE FROM login_throttles
             WHERE tenant_id = $1 AND kind = $2
               AND last_failure_at <= now() - make_interval(hours => $3) AND next_attempt_at <= now()",
            tx.tenant_id(),
            kind.as_str(),
            kind.forget_hours()
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_counted_by_its_network() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert_ne!(address_key(one), address_key(other));
    }
}
