use sqlx::{ConnectOptions, Connection, Row};
use uuid::Uuid;

use crate::common::TestApp;

/// Every page of the demo tenant, as (method, path); `{user}` is a demo user's id.
const DEMO_PAGES: &[(&str, &str)] = &[
    ("GET", "/demo/"),
    ("GET", "/demo"),
    ("GET", "/demo/login"),
    ("POST", "/demo/login"),
    ("POST", "/demo/logout"),
    ("GET", "/demo/login/code"),
    ("GET", "/demo/account"),
    ("GET", "/demo/account/two-factor"),
    ("POST", "/demo/account/password"),
    ("POST", "/demo/account/language"),
    ("GET", "/demo/password-forgotten"),
    ("GET", "/demo/invitation/some-token"),
    ("GET", "/demo/password-reset/some-token"),
    ("GET", "/demo/admin/users"),
    ("GET", "/demo/admin/users/new"),
    ("GET", "/demo/admin/users/{user}"),
    ("POST", "/demo/admin/users/{user}/roles"),
    ("POST", "/demo/admin/users/{user}/deactivate"),
    ("GET", "/demo/admin/settings"),
    ("POST", "/demo/admin/settings"),
    ("GET", "/demo/admin/audit"),
    ("GET", "/demo/desk"),
    ("GET", "/demo/residents?q=jan"),
    ("GET", "/demo/residents/new"),
    ("POST", "/demo/residents"),
    ("GET", "/demo/hulpvraag"),
    ("POST", "/demo/hulpvraag"),
    ("GET", "/demo/team"),
    ("GET", "/demo/team/monitor"),
    ("GET", "/demo/team/terms"),
];

#[tokio::test]
async fn a_user_of_another_cooperative_gets_404_on_every_page() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET roles = '{admin}' WHERE email = 'balie@demo.test' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo2')")
        .execute(&mut db)
        .await
        .unwrap();
    let demo_user: String = sqlx::query_scalar(
        "SELECT u.id::text FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'demo' AND u.email = 'team@demo.test'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    app.login("demo2", "balie@demo.test").await;
    assert_eq!(app.get("/demo2/").await.status(), 200);
    let token = app.csrf_token("/demo2/").await;
    for (method, path) in DEMO_PAGES {
        let path = &path.replace("{user}", &demo_user);
        let response = match *method {
            "GET" => app.get(path).await,
            _ => app.post_raw(path, &[("csrf_token", &token)]).await,
        };
        assert_eq!(response.status(), 404, "{method} {path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("Pagina niet gevonden"), "{body}");
        assert!(
            !body.contains("Coöperatie Demo<"),
            "nothing of the other tenant shows"
        );
    }
}

#[tokio::test]
async fn an_administrator_cannot_reach_another_cooperatives_users_by_id() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let foreign: String = sqlx::query_scalar(
        "SELECT u.id::text FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'demo2'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    app.login("demo", "beheer@demo.test").await;
    let page = format!("/demo/admin/users/{foreign}");
    assert_eq!(app.get(&page).await.status(), 404);
    for action in [
        "roles",
        "deactivate",
        "reactivate",
        "password-reset",
        "second-factor/reset",
    ] {
        let response = app
            .post_form("/demo/", &format!("{page}/{action}"), &[("roles", "admin")])
            .await;
        assert_eq!(response.status(), 404, "{action}");
    }
    assert_eq!(app.get("/demo/admin/users/geen-id").await.status(), 404);
    let active: bool = sqlx::query_scalar("SELECT active FROM users WHERE id::text = $1")
        .bind(&foreign)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(active, "nothing changed in the other cooperative");
    let audit = app.get("/demo/admin/audit").await.text().await.unwrap();
    assert!(
        !audit.contains("Dirk Demotwee"),
        "the user filter lists this cooperative's users only"
    );
}

#[tokio::test]
async fn a_disabled_cooperative_says_it_is_not_available() {
    let app = TestApp::spawn().await;
    app.login("demo", "balie@demo.test").await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    assert!(
        schakel::tenancy::set_disabled(&owner, "demo", true)
            .await
            .unwrap()
    );
    for path in ["/demo/", "/demo/login"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 503, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("niet beschikbaar in Schakel")
        );
    }
    let login = app
        .other_client()
        .post_raw(
            "/demo/login",
            &[("email", "team@demo.test"), ("password", schakel::demo::PASSWORD)],
        )
        .await;
    assert_eq!(login.status(), 503, "nobody logs in");
    assert_eq!(
        app.other_client().get("/demo2/login").await.status(),
        200,
        "other cooperatives go on"
    );
    assert!(
        schakel::tenancy::set_disabled(&owner, "demo", false)
            .await
            .unwrap()
    );
    assert_eq!(
        app.get("/demo/").await.status(),
        200,
        "the session and data are kept"
    );
}

#[tokio::test]
async fn an_unknown_cooperative_is_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/bestaat-niet/",
        "/bestaat-niet/login",
        "/X/login",
        "/demo/bestaat-niet",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
}

/// Tables with a tenant_id column, read from the catalogue: a new table is covered without
/// anyone remembering to add it here.
async fn tenant_owned_tables(db: &mut sqlx::PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
         ORDER BY 1",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_tenant_owned_table_has_forced_row_level_security_and_tenant_first_keys() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let tables = tenant_owned_tables(&mut db).await;
    assert!(tables.len() >= 3, "{tables:?}");
    for table in &tables {
        let row = sqlx::query(
            "SELECT relrowsecurity, relforcerowsecurity,
                    (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid) AS policies
             FROM pg_class c WHERE relname = $1 AND relnamespace = 'public'::regnamespace",
        )
        .bind(table)
        .fetch_one(&mut db)
        .await
        .unwrap();
        assert!(
            row.get::<bool, _>(0),
            "{table}: row-level security is not enabled"
        );
        assert!(row.get::<bool, _>(1), "{table}: row-level security is not forced");
        assert!(row.get::<i64, _>(2) > 0, "{table}: no policy");

        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT con.conname::text, a.attname::text
             FROM pg_constraint con
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
             WHERE con.conrelid = ('public.' || $1)::regclass AND con.contype IN ('p', 'f')",
        )
        .bind(table)
        .fetch_all(&mut db)
        .await
        .unwrap();
        assert!(
            keys.iter().any(|(name, _)| name.ends_with("_pkey")),
            "{table}: no primary key"
        );
        for (constraint, first_column) in keys {
            assert_eq!(
                first_column, "tenant_id",
                "{table}.{constraint} must start with tenant_id"
            );
        }
    }
}

#[tokio::test]
async fn the_web_role_sees_only_its_tenants_rows_in_every_table() {
    let app = TestApp::spawn().await;
    // Rows for both tenants in every table the foundation has.
    app.login("demo", "balie@demo.test").await;
    app.other_client().login("demo2", "balie@demo.test").await;
    app.other_client()
        .try_login("demo", "balie@demo.test", "fout-wachtwoord")
        .await;
    app.other_client()
        .try_login("demo2", "balie@demo.test", "fout-wachtwoord")
        .await;

    let mut owner = app.owner_connection().await;
    let demo: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'demo'")
        .fetch_one(&mut owner)
        .await
        .unwrap();
    let demo2: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'demo2'")
        .fetch_one(&mut owner)
        .await
        .unwrap();
    let tables = tenant_owned_tables(&mut owner).await;

    let mut web = app.app.connect().await.unwrap();
    let mut checked_with_rows = 0;
    for table in &tables {
        let count = |tenant: Uuid| format!("SELECT count(*) FROM {table} WHERE tenant_id = '{tenant}'");
        let foreign_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count(demo2)))
            .fetch_one(&mut owner)
            .await
            .unwrap();

        let mut tx = web.begin().await.unwrap();
        sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
            .bind(demo.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        let visible: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count(demo2)))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let all: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {table} WHERE tenant_id <> '{demo}'"
        )))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(visible, 0, "{table}: tenant demo sees rows of demo2");
        assert_eq!(all, 0, "{table}: tenant demo sees rows of another tenant");
        if foreign_rows > 0 {
            checked_with_rows += 1;
        }

        // Without a tenant nothing at all is visible.
        let unscoped: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&mut web)
            .await
            .unwrap();
        assert_eq!(unscoped, 0, "{table}: rows visible without a tenant");
    }
    assert!(
        checked_with_rows >= 3,
        "the check saw rows of the other tenant in the foundation's tables"
    );

    // Writing a row for another tenant is refused too.
    let mut tx = web.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(demo.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let insert = sqlx::query(
        "INSERT INTO login_throttles (tenant_id, kind, key, failures, last_failure_at, next_attempt_at)
         VALUES ($1, 'account', sha256('x'), 1, now(), now())",
    )
    .bind(demo2)
    .execute(&mut *tx)
    .await;
    let error = insert.expect_err("inserting into another tenant must fail");
    assert!(error.to_string().contains("row-level security"), "{error}");
}

#[tokio::test]
async fn the_web_role_cannot_bypass_row_level_security() {
    let app = TestApp::spawn().await;
    let mut web = app.app.connect().await.unwrap();
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut web)
            .await
            .unwrap();
    assert!(!superuser && !bypass);
    let slug = sqlx::query("UPDATE tenants SET slug = 'overgenomen'")
        .execute(&mut web)
        .await;
    assert!(slug.is_err(), "the web role may not change a tenant's address");
    let unscoped = sqlx::query("UPDATE tenants SET name = 'overgenomen'")
        .execute(&mut web)
        .await
        .unwrap();
    assert_eq!(
        unscoped.rows_affected(),
        0,
        "without a tenant no tenant can be renamed"
    );

    let mut tx = web.begin().await.unwrap();
    sqlx::query(
        "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'demo'), true)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    let other = sqlx::query("UPDATE tenants SET name = 'overgenomen' WHERE slug = 'demo2'")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(other.rows_affected(), 0, "a tenant cannot rename another");
    let own = sqlx::query("UPDATE tenants SET name = 'Nieuwe naam' WHERE slug = 'demo'")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(own.rows_affected(), 1, "a tenant renames itself");
    tx.rollback().await.unwrap();
}
