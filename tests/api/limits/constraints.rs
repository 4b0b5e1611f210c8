//! The database's side of the text limits: a length constraint on every text column.

use sqlx::{ConnectOptions, Row};

use crate::common::TestApp;

/// Text columns only Schakel itself writes, from its own codes or secrets.
const SYSTEM_COLUMNS: &[&str] = &[
    "_sqlx_migrations.description",
    "audit_events.kind",
    "case_events.from_value",
    "case_events.to_value",
    "request_counts.channel",
    "request_counts.domain",
    "request_counts.triage",
    "request_counts_monthly.channel",
    "request_counts_monthly.domain",
    "request_counts_monthly.triage",
    "sessions.csrf_token",
    "users.password_hash",
    "users.totp_secret",
];

#[tokio::test]
async fn every_text_column_people_can_write_has_a_length_constraint() {
    let app = TestApp::spawn().await;
    let mut db = app.owner.connect().await.unwrap();
    let columns = sqlx::query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
                coalesce(array_agg(pg_get_constraintdef(k.oid)) FILTER (WHERE k.oid IS NOT NULL), '{}') AS checks
           FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
           LEFT JOIN pg_constraint k ON k.conrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
                                    AND k.contype = 'c'
          WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
            AND (c.data_type IN ('text', 'character varying', 'character')
                 OR c.udt_name IN ('_text', '_varchar'))
          GROUP BY 1, 2
          ORDER BY 1, 2",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(columns.len() > 100, "the query finds the text columns");
    let unbounded: Vec<String> = columns
        .iter()
        .filter_map(|row| {
            let table: String = row.get("table_name");
            let column: String = row.get("column_name");
            let checks: Vec<String> = row.get("checks");
            let name = format!("{table}.{column}");
            let bounded = checks.iter().any(|check| {
                check.contains(&format!("char_length({column})"))
                    || check.contains(&format!("char_length(array_to_string({column},"))
                    || check.contains(&format!("({column} = ANY (ARRAY["))
                    || check.contains(&format!("({column} <@ ARRAY["))
                    || check.contains(&format!("({column} = '"))
            });
            (!bounded && !SYSTEM_COLUMNS.contains(&name.as_str())).then_some(name)
        })
        .collect();
    assert!(
        unbounded.is_empty(),
        "text columns without a length (or code-list) constraint: {unbounded:?}"
    );
}
