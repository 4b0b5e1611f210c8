//! Reading what the application stored, through a superuser connection.

use time::Date;

use super::TestApp;

/// Today in the Netherlands, as the application sees it.
pub async fn today(app: &TestApp) -> Date {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

/// The kinds of the audit events, oldest first.
pub async fn audit_kinds(app: &TestApp) -> Vec<String> {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar("SELECT kind FROM audit_events ORDER BY occurred_at, kind")
        .fetch_all(&mut db)
        .await
        .unwrap()
}

/// The reference of a case (`C-2026-0087`) or request (`M-2026-0412`), by its table and id.
pub async fn reference(app: &TestApp, table: &str, id: &str) -> String {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT reference FROM {table} WHERE id = $1::uuid"
    )))
    .bind(id)
    .fetch_one(&mut db)
    .await
    .unwrap()
}
