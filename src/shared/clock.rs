//! The time in the Netherlands, as the database sees it: one clock for every page of a request.

use time::PrimitiveDateTime;

use crate::db::TenantTx;

/// The current date and time in the Netherlands, read in the transaction (its start).
pub async fn local_now(tx: &mut TenantTx) -> sqlx::Result<PrimitiveDateTime> {
    sqlx::query_scalar!(r#"SELECT local_now() AS "now!""#)
        .fetch_one(&mut **tx)
        .await
}
