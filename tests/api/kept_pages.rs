//! The pages the web server keeps between views (docs/caching.md) are only as fresh as the
//! triggers that raise their revisions (migration 0014). These tests read what each kept page's
//! queries read — from PostgreSQL's own plans of them — and fail when a column they read can
//! change without raising the page's revision.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection, Row};
use uuid::Uuid;

use crate::common::TestApp;

/// A page kept between views: the marker its queries carry, and the revision functions (with
/// their argument, for the lists) whose triggers keep it fresh.
struct KeptPage {
    marker: &'static str,
    raised_by: &'static [(&'static str, Option<&'static str>)],
    /// Columns its queries read that may change without it: (table, column, why).
    not_shown: &'static [(&'static str, &'static str, &'static str)],
}

const KEPT_PAGES: &[KeptPage] = &[
    KeptPage {
        marker: "-- kept: case page",
        raised_by: &[
            ("note_case_change", None),
            ("note_list_change", Some("directory")),
        ],
        not_shown: &[
            (
                "case_access_grants",
                "case_id",
                "whether the viewer holds a grant is read on every view",
            ),
            (
                "case_access_grants",
                "user_id",
                "whether the viewer holds a grant is read on every view",
            ),
            (
                "case_access_grants",
                "expires_at",
                "whether the viewer holds a grant is read on every view",
            ),
            (
                "tenant_settings",
                "max_extension_weeks",
                "read on every view with the view's key",
            ),
        ],
    },
    KeptPage {
        marker: "-- kept: team queue",
        raised_by: &[("note_list_change", Some("queue"))],
        not_shown: &[(
            "cases",
            "lock_version",
            "the queue's rows share the monitor's row type; only the monitor, which is not kept, offers forms",
        )],
    },
    KeptPage {
        marker: "-- kept: member inbox",
        raised_by: &[("note_list_change", Some("inbox"))],
        not_shown: &[],
    },
];

/// The committed query cache holds every query's text: the kept pages' queries are the ones
/// with the page's marker.
pub fn queries_marked(marker: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".sqlx");
    let mut queries = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let data: Value = serde_json::from_str(&text).unwrap();
        let query = data["query"].as_str().unwrap();
        if query.contains(marker) {
            queries.push(query.to_owned());
        }
    }
    queries
}

fn parameter_count(query: &str) -> usize {
    let mut highest = 0;
    let mut rest = query;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        highest = highest.max(digits.parse().unwrap_or(0));
    }
    highest
}

/// Every (table, column) a query reads, from its generic plan: each scan's alias and table,
/// and every `alias.column` in the plan's outputs, conditions and keys.
async fn columns_read(db: &mut PgConnection, name: &str, query: &str) -> BTreeSet<(String, String)> {
    db.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "PREPARE {name} AS {query}"
    ))))
    .await
    .unwrap();
    let nulls = vec!["NULL"; parameter_count(query)].join(", ");
    let explain = if nulls.is_empty() {
        format!("EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE {name}")
    } else {
        format!("EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE {name}({nulls})")
    };
    let plan: Value = sqlx::query_scalar::<_, sqlx::types::Json<Value>>(sqlx::AssertSqlSafe(explain))
        .fetch_one(&mut *db)
        .await
        .unwrap()
        .0;
    let mut tables = BTreeMap::new();
    let mut expressions = Vec::new();
    walk(db, &plan[0]["Plan"], &mut tables, &mut expressions).await;
    let mut read = BTreeSet::new();
    for expression in expressions {
        for (alias, column) in qualified_names(&expression) {
            if let Some(table) = tables.get(&alias) {
                read.insert((table.clone(), column));
            }
        }
    }
    read
}

/// Collects the plan's tables by alias and its expressions. A scan that hands on its table's
/// whole row (PostgreSQL's "physical target list", which saves a projection) says nothing of
/// what is used: the nodes above it name that.
async fn walk(
    db: &mut PgConnection,
    node: &Value,
    tables: &mut BTreeMap<String, String>,
    expressions: &mut Vec<String>,
) {
    let mut skip_output = false;
    if let (Some(table), Some(alias)) = (node["Relation Name"].as_str(), node["Alias"].as_str()) {
        tables.insert(alias.to_owned(), table.to_owned());
        let columns: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
        )
        .bind(table)
        .fetch_one(&mut *db)
        .await
        .unwrap();
        skip_output = node["Output"]
            .as_array()
            .is_some_and(|o| o.len() as i64 == columns);
    }
    for key in [
        "Output",
        "Filter",
        "Index Cond",
        "Recheck Cond",
        "Join Filter",
        "Hash Cond",
        "Merge Cond",
        "Sort Key",
        "Group Key",
        "Presorted Key",
        "One-Time Filter",
    ] {
        if key == "Output" && skip_output {
            continue;
        }
        match &node[key] {
            Value::String(expression) => expressions.push(expression.clone()),
            Value::Array(items) => {
                expressions.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)))
            }
            _ => {}
        }
    }
    if let Some(children) = node["Plans"].as_array() {
        for child in children {
            Box::pin(walk(db, child, tables, expressions)).await;
        }
    }
}

/// `alias.column` pairs in an expression of a plan.
fn qualified_names(expression: &str) -> Vec<(String, String)> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut names = Vec::new();
    let chars: Vec<char> = expression.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if word(chars[i]) && (i == 0 || !(word(chars[i - 1]) || chars[i - 1] == '.')) {
            let start = i;
            while i < chars.len() && word(chars[i]) {
                i += 1;
            }
            if i + 1 < chars.len() && chars[i] == '.' && word(chars[i + 1]) {
                let alias: String = chars[start..i].iter().collect();
                let mut end = i + 1;
                while end < chars.len() && word(chars[end]) {
                    end += 1;
                }
                names.push((alias, chars[i + 1..end].iter().collect()));
                i = end;
            }
        } else {
            i += 1;
        }
    }
    names
}

/// Whether an update of `column` in `table` fires a trigger of one of `raised_by`.
async fn raises(
    db: &mut PgConnection,
    table: &str,
    column: &str,
    raised_by: &[(&str, Option<&str>)],
) -> bool {
    for (function, list) in raised_by {
        let found: bool = sqlx::query_scalar(
            "SELECT EXISTS (
                 SELECT FROM pg_trigger t
                 WHERE t.tgrelid = $1::regclass AND NOT t.tgisinternal
                   AND t.tgfoid = $2::regproc
                   AND ($3::text IS NULL OR t.tgargs = convert_to($3, 'UTF8') || '\\x00'::bytea)
                   AND t.tgtype & 16 <> 0
                   AND (cardinality(t.tgattr::int2[]) = 0
                        OR (SELECT a.attnum FROM pg_attribute a
                            WHERE a.attrelid = $1::regclass AND a.attname = $4) = ANY (t.tgattr::int2[])))",
        )
        .bind(table)
        .bind(function)
        .bind(list)
        .bind(column)
        .fetch_one(&mut *db)
        .await
        .unwrap();
        if found {
            return true;
        }
    }
    false
}

#[test]
fn the_plan_reader_finds_qualified_columns() {
    assert_eq!(
        qualified_names("(c.tenant_id = $1) AND (r_1.surname)::text = 'x.y'"),
        [
            ("c".to_owned(), "tenant_id".to_owned()),
            ("r_1".to_owned(), "surname".to_owned()),
            ("x".to_owned(), "y".to_owned())
        ]
    );
    assert_eq!(parameter_count("WHERE a = $1 AND b = $12 AND c = $3"), 12);
}

#[tokio::test]
async fn every_column_a_kept_page_reads_raises_its_revision_when_it_changes() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    db.execute("SET plan_cache_mode = force_generic_plan")
        .await
        .unwrap();
    let mut stale = Vec::new();
    let mut prepared = 0;
    for page in KEPT_PAGES {
        let queries = queries_marked(page.marker);
        assert!(!queries.is_empty(), "no query in .sqlx carries {:?}", page.marker);
        let mut read = BTreeSet::new();
        for query in &queries {
            prepared += 1;
            read.extend(columns_read(&mut db, &format!("kept_{prepared}"), query).await);
        }
        // The case and its request are found by these: an id never changes, nor does a
        // reference (migration 0023 refuses to change one).
        read.retain(|(table, column)| {
            column != "tenant_id" && column != "id" && column != "reference" && !table.ends_with("_revisions")
        });
        assert!(
            read.len() > 10,
            "{}: the plans name too few columns: {read:?}",
            page.marker
        );
        for (table, column) in read {
            if page.not_shown.iter().any(|(t, c, _)| *t == table && *c == column) {
                continue;
            }
            if !raises(&mut db, &table, &column, page.raised_by).await {
                stale.push(format!("{}: {table}.{column}", page.marker));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these columns are read by a kept page, but changing them raises none of its revisions \
         (add them to migration 0014's triggers, or to `not_shown` with the reason): {stale:#?}"
    );
}

#[tokio::test]
async fn a_transaction_raises_a_cases_revision_once_however_many_rows_it_changes() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant_id("demo").await;
    let mut db = app.owner_connection().await;
    let case: Uuid = sqlx::query_scalar(
        "WITH r AS (INSERT INTO residents (tenant_id, surname) VALUES ($1, 'Kept') RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency,
                                     form_token, status, triage, triaged_at, unsafe_at_home)
               SELECT tenant_id, id, now(), 'desk', ARRAY['wmo'], 'Hulp in huis', 'normal',
                      gen_random_uuid(), 'with_team', 'to_team', now(), false
               FROM r RETURNING tenant_id, id, resident_id)
         INSERT INTO cases (tenant_id, request_id, resident_id, urgency)
         SELECT tenant_id, id, resident_id, 'normal' FROM q RETURNING id",
    )
    .bind(tenant)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let before = case_revision(&mut db, tenant, case).await;
    assert_eq!(before, 1, "opening the case raised it");

    // The case row twice, its request and its resident's name: one transaction, one rise.
    let touch = [
        "UPDATE cases SET urgency = 'urgent' WHERE tenant_id = $1 AND id = $2",
        "UPDATE cases SET urgency = 'crisis' WHERE tenant_id = $1 AND id = $2",
        "UPDATE requests SET question = 'Hulp' WHERE tenant_id = $1 AND id = (SELECT request_id FROM cases WHERE id = $2)",
        "UPDATE residents SET surname = 'Bewaard' WHERE tenant_id = $1 AND id = (SELECT resident_id FROM cases WHERE id = $2)",
    ];
    let mut tx = db.begin().await.unwrap();
    for sql in touch {
        sqlx::query(sql)
            .bind(tenant)
            .bind(case)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(case_revision(&mut db, tenant, case).await, before + 1);

    // A change that is rolled back raises nothing; the next transaction raises it again.
    let mut tx = db.begin().await.unwrap();
    sqlx::query(touch[0])
        .bind(tenant)
        .bind(case)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(case_revision(&mut db, tenant, case).await, before + 1);
    sqlx::query(touch[3])
        .bind(tenant)
        .bind(case)
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(case_revision(&mut db, tenant, case).await, before + 2);
}

async fn case_revision(db: &mut PgConnection, tenant: Uuid, case: Uuid) -> i64 {
    sqlx::query(
        "SELECT coalesce((SELECT revision FROM case_revisions WHERE tenant_id = $1 AND case_id = $2), 0)",
    )
    .bind(tenant)
    .bind(case)
    .fetch_one(db)
    .await
    .unwrap()
    .get(0)
}
