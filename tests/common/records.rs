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
