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

/// Runs the `schakel` binary against the test's database, with `stdin` as its input.
pub fn schakel(app: &TestApp, args: &[&str], stdin: &str) -> Output {
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

    // A new cooperative asks for a second factor from everyone who can see residents.
    let response = app
        .try_login("woudenberg", "secretariaat@schans.test", "een-lang-wachtwoord")
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        crate::common::location(&response),
        "/woudenberg/account/two-factor"
    );
    let body = app
        .get("/woudenberg/account/two-factor")
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("Coöperatie De Kleine Schans"));
    assert!(body.contains("Tweestapsverificatie instellen"), "{body}");
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
async fn the_operator_lists_disables_and_enables_cooperatives() {
    let app = TestApp::spawn().await;
    let disabled = schakel(&app, &["tenant", "disable", "demo2"], "");
    assert!(
        disabled.status.success(),
        "{}",
        String::from_utf8_lossy(&disabled.stderr)
    );
    let list = schakel(&app, &["tenant", "list"], "");
    let text = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("demo ") && l.contains("enabled")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("demo2") && l.contains("disabled")),
        "{text}"
    );
    assert_eq!(app.get("/demo2/login").await.status(), 503);
    let enabled = schakel(&app, &["tenant", "enable", "demo2"], "");
    assert!(enabled.status.success());
    assert_eq!(app.get("/demo2/login").await.status(), 200);
    let unknown = schakel(&app, &["tenant", "disable", "bestaat-niet"], "");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no cooperative"));
}

#[tokio::test]
async fn loading_the_demo_data_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    for _ in 0..2 {
        let output = schakel(&app, &["demo"], "");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut db = app.owner_connection().await;
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut db)
        .await
        .unwrap();
    // One per role, and a representative for each of the 22 member organisations without staff.
    assert_eq!(users, 8 + 22);
    let tenants: Vec<String> = sqlx::query_scalar("SELECT name FROM tenants ORDER BY slug")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(tenants[0], "Coöperatie Demo");

    // The demo desk has a history: residents with Dutch names, requests over two years.
    let residents: i64 = sqlx::query_scalar("SELECT count(*) FROM residents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(residents, 200);
    let (requests, days, domains, triages): (i64, i32, i64, i64) = sqlx::query_as(
        "SELECT count(*), max(received_at)::date - min(received_at)::date,
                count(DISTINCT domains[1]), count(DISTINCT triage)
         FROM requests",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(requests, 411, "400 of the history, 11 of the working day");
    assert!(days > 600, "spread over two years: {days} days");
    assert_eq!(domains, 8, "all domains");
    assert_eq!(triages, 3, "all triage outcomes");
    let prefixed: i64 = sqlx::query_scalar("SELECT count(*) FROM residents WHERE surname_prefix <> ''")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let accented: i64 = sqlx::query_scalar("SELECT count(*) FROM residents WHERE surname <> search_text(surname) AND lower(surname) <> search_text(surname)")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(
        prefixed > 20 && accented > 0,
        "{prefixed} with a prefix, {accented} with diacritics"
    );
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let to_team: i64 = sqlx::query_scalar("SELECT count(*) FROM requests WHERE triage = 'to_team'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(cases, to_team);
}

/// `schakel serve` as a newcomer runs it: no DATABASE_URL, its own cluster in the data dir.
struct Server {
    child: std::process::Child,
    address: String,
    stdout: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(data_dir: &std::path::Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_schakel"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env_remove("DATABASE_URL")
            .env_remove("SCHAKEL_OWNER_DATABASE_URL")
            .env("SCHAKEL_LOG", "schakel=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, stdout) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut log = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let address = loop {
            let line = log.next().expect("serve stopped before listening").unwrap();
            if let Some(address) = line.split("listening on ").nth(1) {
                break address.trim().to_owned();
            }
        };
        std::thread::spawn(move || log.for_each(drop));
        Server {
            child,
            address,
            stdout,
        }
    }

    fn output(&self) -> String {
        self.stdout.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// SIGTERM, then the exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: signalling the child we started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.terminate();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_runs_its_own_database_and_stops_it_on_sigterm() {
    let data_dir = std::env::temp_dir().join(format!("schakel-serve-{}", uuid::Uuid::new_v4().simple()));
    let client = reqwest::Client::new();

    let mut server = Server::start(&data_dir, &["--demo"]);
    let health = client
        .get(format!("{}/healthz", server.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let login = client
        .get(format!("{}/demo/login", server.address))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let status = server.terminate();
    assert!(status.success(), "{status}");
    assert!(
        server.output().contains("schakel-demo-2026"),
        "demo mode prints the accounts"
    );
    let pgdata = data_dir.join("postgres");
    assert!(pgdata.join("PG_VERSION").exists());
    assert!(!pgdata.join("postmaster.pid").exists(), "the cluster was stopped");

    // A second start reuses the data: the demo tenant is still there without --demo.
    let mut again = Server::start(&data_dir, &[]);
    let login = client
        .get(format!("{}/demo/login", again.address))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert!(
        !again.output().contains("schakel-demo-2026"),
        "passwords are printed in demo mode only"
    );
    assert!(again.terminate().success());
    std::fs::remove_dir_all(&data_dir).unwrap();
}

#[test]
fn as_root_a_data_dir_the_postgres_user_cannot_reach_is_explained() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: the cluster runs as the current user, so there is nothing to reach");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let locked = std::env::temp_dir().join(format!("schakel-locked-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    let error = schakel::db::embedded::Cluster::start(
        &locked.join("data"),
        schakel::db::embedded::Durability::Ephemeral,
    )
    .unwrap_err()
    .to_string();
    std::fs::remove_dir_all(&locked).unwrap();
    assert!(error.contains("cannot enter"), "{error}");
    assert!(
        error.contains(&format!("chmod o+x {}", locked.display())),
        "{error}"
    );
}

#[tokio::test]
async fn with_log_format_json_every_log_line_is_a_json_object() {
    use std::io::BufRead;
    let app = TestApp::spawn().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_schakel"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", url(&app.app))
        .env("SCHAKEL_OWNER_DATABASE_URL", url(&app.owner))
        .env("SCHAKEL_LOG", "schakel=info")
        .env("SCHAKEL_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in log.lines().map_while(Result::ok) {
        let event: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let message = event["message"].as_str().unwrap_or_default().to_owned();
        assert!(
            event["level"].is_string() && event["timestamp"].is_string(),
            "{line}"
        );
        seen.push(message.clone());
        if message.contains("listening on") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen.iter().any(|m| m.contains("listening on")), "{seen:?}");
}
