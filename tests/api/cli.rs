//! The `schakel` command line against a test database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::common::TestApp;

/// A `postgres://` URL for connection options that use a unix socket or localhost.
fn url(options: &sqlx::postgres::PgConnectOptions) -> String {
    let host = options
        .get_socket()
        .map(|s| s.display().to_string())
        .unwrap_or_else(|| options.get_host().to_owned());
    let mut url = format!(
        "postgres://{}@localhost:{}/{}?host={}",
        options.get_username(),
        options.get_port(),
        options.get_database().unwrap_or("postgres"),
        host
    );
    if let Ok(from_env) = std::env::var("DATABASE_URL") {
        // Against an external server the admin URL carries the credentials.
        let parsed: sqlx::postgres::PgConnectOptions = from_env.parse().unwrap();
        if parsed.get_socket().is_none() {
            url = from_env
                .rsplit_once('/')
                .map(|(base, _)| format!("{base}/{}", options.get_database().unwrap()))
                .unwrap();
        }
    }
    url
}

fn schakel(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schakel"))
        .env("DATABASE_URL", url(&app.app))
        .env("SCHAKEL_OWNER_DATABASE_URL", url(&app.owner))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_cooperative_and_its_first_user_are_created_from_the_command_line() {
    let app = TestApp::spawn().await;
    let created = schakel(
        &app,
        &["tenant", "create", "woudenberg", "Coöperatie De Kleine Schans"],
        "",
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let user = schakel(
        &app,
        &[
            "user",
            "create",
            "--tenant",
            "woudenberg",
            "--email",
            "Secretariaat@Schans.test",
            "--name",
            "Sanne Secretaris",
            "--role",
            "admin",
            "--role",
            "chair",
        ],
        "een-lang-wachtwoord\n",
    );
    assert!(user.status.success(), "{}", String::from_utf8_lossy(&user.stderr));

    app.login_with("woudenberg", "secretariaat@schans.test", "een-lang-wachtwoord")
        .await;
    let body = app.get("/woudenberg/").await.text().await.unwrap();
    assert!(body.contains("Coöperatie De Kleine Schans"));
    assert!(body.contains(r#"id="start-admin""#) && body.contains(r#"id="start-chair""#));
}

#[tokio::test]
async fn the_command_line_refuses_bad_input_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let short = schakel(
        &app,
        &[
            "user",
            "create",
            "--tenant",
            "demo",
            "--email",
            "kort@demo.test",
            "--name",
            "Kort",
            "--role",
            "desk",
        ],
        "te-kort\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));

    let taken = schakel(
        &app,
        &[
            "user",
            "create",
            "--tenant",
            "demo",
            "--email",
            "balie@demo.test",
            "--name",
            "Dubbel",
            "--role",
            "desk",
        ],
        "een-lang-wachtwoord\n",
    );
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already exists"));

    let role = schakel(
        &app,
        &[
            "user",
            "create",
            "--tenant",
            "demo",
            "--email",
            "x@demo.test",
            "--name",
            "X",
            "--role",
            "baas",
        ],
        "",
    );
    assert!(!role.status.success());
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));

    let slug = schakel(&app, &["tenant", "create", "static", "Statisch"], "");
    assert!(!slug.status.success());
    assert!(String::from_utf8_lossy(&slug.stderr).contains("not a valid address"));
}

#[tokio::test]
async fn loading_the_demo_data_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let output = schakel(&app, &["demo"], "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut db = app.owner_connection().await;
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(users, 7);
    let tenants: Vec<String> = sqlx::query_scalar("SELECT name FROM tenants ORDER BY slug")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(tenants[0], "Coöperatie Demo");
}
