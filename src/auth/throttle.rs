//! Slows down password guessing: after too many failed logins for one account, or from one
//! address, within a window, further attempts are refused until the window has passed.

use std::net::IpAddr;

use sqlx::PgConnection;
use sqlx::types::ipnet::IpNet;

pub const WINDOW_MINUTES: i32 = 15;
const MAX_PER_ACCOUNT: i64 = 5;
const MAX_PER_ADDRESS: i64 = 20;

/// Whether attempts for `email` or from `client_ip` are currently refused.
pub async fn is_throttled(
    conn: &mut PgConnection,
    email: &str,
    client_ip: Option<IpAddr>,
) -> sqlx::Result<bool> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email = $1) AS "per_account!",
                  count(*) FILTER (WHERE client_ip = $2) AS "per_address!"
           FROM login_failures
           WHERE failed_at > now() - make_interval(mins => $3)
             AND (email = $1 OR client_ip = $2)"#,
        email,
        client_ip.map(IpNet::from),
        WINDOW_MINUTES,
    )
    .fetch_one(conn)
    .await?;
    Ok(row.per_account >= MAX_PER_ACCOUNT || row.per_address >= MAX_PER_ADDRESS)
}

pub async fn record_failure(
    conn: &mut PgConnection,
    tenant_id: uuid::Uuid,
    email: &str,
    client_ip: Option<IpAddr>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO login_failures (tenant_id, email, client_ip) VALUES ($1, $2, $3)",
        tenant_id,
        email,
        client_ip.map(IpNet::from),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A successful login forgives the account's earlier failures.
pub async fn clear_account(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM login_failures WHERE email = $1", email)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn purge(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE failed_at <= now() - make_interval(mins => $1)",
        WINDOW_MINUTES
    )
    .execute(conn)
    .await?;
    Ok(())
}
