//! Slows down password guessing: after too many failed logins for one account, or from one
//! address, within a window, further attempts are refused until the window has passed.

use std::net::IpAddr;

use sqlx::types::ipnet::IpNet;

use crate::db::TenantTx;

pub const WINDOW_MINUTES: i32 = 15;
const MAX_PER_ACCOUNT: i64 = 5;
const MAX_PER_ADDRESS: i64 = 20;

/// Whether attempts for `email` or from `client_ip` are currently refused.
pub async fn is_throttled(tx: &mut TenantTx, email: &str, client_ip: Option<IpAddr>) -> sqlx::Result<bool> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email = $2) AS "per_account!",
                  count(*) FILTER (WHERE client_ip = $3) AS "per_address!"
           FROM login_failures
           WHERE tenant_id = $1
             AND failed_at > now() - make_interval(mins => $4)
             AND (email = $2 OR client_ip = $3)"#,
        tx.tenant_id(),
        email,
        client_ip.map(IpNet::from),
        WINDOW_MINUTES,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.per_account >= MAX_PER_ACCOUNT || row.per_address >= MAX_PER_ADDRESS)
}

pub async fn record_failure(tx: &mut TenantTx, email: &str, client_ip: Option<IpAddr>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO login_failures (tenant_id, email, client_ip) VALUES ($1, $2, $3)",
        tx.tenant_id(),
        email,
        client_ip.map(IpNet::from),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A successful login forgives the account's earlier failures.
pub async fn clear_account(tx: &mut TenantTx, email: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE tenant_id = $1 AND email = $2",
        tx.tenant_id(),
        email
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn purge(tx: &mut TenantTx) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE tenant_id = $1 AND failed_at <= now() - make_interval(mins => $2)",
        tx.tenant_id(),
        WINDOW_MINUTES
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
