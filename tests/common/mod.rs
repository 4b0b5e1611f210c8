//! Test harness: one private PostgreSQL cluster per test run (or the server in DATABASE_URL),
//! one migrated template database with the demo data, and for every test a fresh database
//! copied from that template plus the real application on a free port.

pub mod browser;
pub mod pages;
pub mod records;
pub mod smtp;
pub mod users;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use schakel::config::WebConfig;
use schakel::db::embedded::{self, Cluster, Durability};
use schakel::db::{self, Database};
use schakel::mail::Mailer;
use schakel::{AppState, demo};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

const TEMPLATE: &str = "schakel_template";
/// The key the tests' servers seal second-factor secrets with.
pub const TEST_SECRET_KEY: [u8; 32] = [42; 32];
/// The web role's password when the tests run against an external server (DATABASE_URL).
const EXTERNAL_APP_PASSWORD: &str = "schakel-test-only";

/// Where the test databases live.
struct TestServer {
    /// Superuser connection to the `postgres` database.
    admin: PgConnectOptions,
    /// The web role's connection options (database to be filled in).
    app: PgConnectOptions,
    /// The server's log, when the tests run their own cluster.
    log: Option<std::path::PathBuf>,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();

fn server() -> &'static TestServer {
    SERVER.get_or_init(|| {
        // Set-up runs its own runtime on its own thread: each test has its own runtime, and
        // nothing made here may depend on one of them staying alive.
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(prepare_server())
        })
        .join()
        .expect("test database set-up panicked")
    })
}

async fn prepare_server() -> TestServer {
    let server = match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let admin: PgConnectOptions = url.parse().expect("DATABASE_URL is a PostgreSQL URL");
            TestServer {
                app: admin
                    .clone()
                    .username(embedded::APP_ROLE)
                    .password(EXTERNAL_APP_PASSWORD),
                admin,
                log: None,
            }
        }
        Err(_) => {
            let cluster = start_private_cluster();
            let server = TestServer {
                admin: cluster.connect_options(embedded::SUPERUSER, "postgres"),
                app: cluster.connect_options(embedded::APP_ROLE, "postgres"),
                log: Some(cluster.log_file()),
            };
            // The cluster outlives this function; a watchdog stops it when the tests end.
            std::mem::forget(cluster);
            server
        }
    };
    build_template(&server).await;
    server
}

/// A throw-away cluster in a temporary directory, stopped and removed by a small watchdog
/// process once this test process has exited.
fn start_private_cluster() -> Cluster {
    let dir = std::env::temp_dir().join(format!("schakel-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap_or_else(|e| panic!("{e}"));
    watch_and_clean_up(&cluster, &dir);
    cluster
}

pub fn watch_and_clean_up(cluster: &Cluster, dir: &std::path::Path) {
    // The watcher runs in the background of a shell that exits at once (nothing to reap).
    let script = r#"pid=$1; dir=$2; shift 2
(
  while kill -0 "$pid" 2>/dev/null; do sleep 1; done
  "$@"
  rm -rf "$dir"
) >/dev/null 2>&1 &"#;
    Command::new("sh")
        .args(["-c", script, "sh", &std::process::id().to_string()])
        .arg(dir)
        .args(cluster.stop_command())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the cleanup watchdog starts");
}

async fn build_template(server: &TestServer) {
    let mut admin = server.admin.connect().await.expect("connect to the test server");
    let drop = format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        db::quote_ident(TEMPLATE)
    );
    sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut admin)
        .await
        .unwrap();
    let create = format!("CREATE DATABASE {}", db::quote_ident(TEMPLATE));
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&mut admin)
        .await
        .unwrap();

    let database = Database {
        owner: server.admin.clone().database(TEMPLATE),
        app: server.app.clone().database(TEMPLATE),
        cluster: None,
    };
    database.migrate().await.expect("migrations apply");
    let login = format!("ALTER ROLE schakel_app LOGIN PASSWORD '{EXTERNAL_APP_PASSWORD}'");
    sqlx::query(sqlx::AssertSqlSafe(login))
        .execute(&mut admin)
        .await
        .unwrap();
    let owner = database.owner_pool().await.unwrap();
    demo::load(&owner).await.expect("demo data loads");
    owner.close().await;
    admin.close().await.unwrap();
}

/// The log of the tests' own PostgreSQL server (none with DATABASE_URL), shared by every test.
pub fn server_log() -> Option<&'static std::path::Path> {
    server().log.as_deref()
}

/// A fresh database for one test, copied from the template in milliseconds.
pub async fn fresh_database() -> (PgConnectOptions, PgConnectOptions) {
    let server = server();
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = server.admin.connect().await.unwrap();
    let create = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        db::quote_ident(&name),
        db::quote_ident(TEMPLATE)
    );
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    (
        server.admin.clone().database(&name),
        server.app.clone().database(&name),
    )
}

/// The running application on a free port, with its own database.
pub struct TestApp {
    pub address: SocketAddr,
    /// Superuser connection options to this test's database (bypasses row-level security).
    pub owner: PgConnectOptions,
    /// The web role's connection options to this test's database.
    pub app: PgConnectOptions,
    pub pool: PgPool,
    /// An HTTP client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let (owner, app) = fresh_database().await;
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_with(schakel::db::web_connection(app.clone()))
            .await
            .unwrap();
        TestApp::serve(owner, app, pool).await
    }

    /// The application with email sent to a local SMTP server; returns that server's inbox.
    pub async fn spawn_with_mail() -> (TestApp, smtp::Inbox) {
        let (url, inbox) = smtp::start().await;
        let (owner, app) = fresh_database().await;
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_with(schakel::db::web_connection(app.clone()))
            .await
            .unwrap();
        let mailer = Mailer::smtp(&url, "Schakel <noreply@demo.test>").unwrap();
        (TestApp::serve_with(owner, app, pool, mailer).await, inbox)
    }

    pub async fn serve(owner: PgConnectOptions, app: PgConnectOptions, pool: PgPool) -> TestApp {
        TestApp::serve_with(owner, app, pool, Mailer::Disabled).await
    }

    /// Like [`TestApp::serve`], sending email through `mailer`.
    pub async fn serve_with(
        owner: PgConnectOptions,
        app: PgConnectOptions,
        pool: PgPool,
        mailer: Mailer,
    ) -> TestApp {
        TestApp::serve_configured(owner, app, pool, mailer, WebConfig::default()).await
    }

    /// Like [`TestApp::serve_with`], with the web settings `config`.
    pub async fn serve_configured(
        owner: PgConnectOptions,
        app: PgConnectOptions,
        pool: PgPool,
        mailer: Mailer,
        config: WebConfig,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let state = AppState::new(
            pool.clone(),
            config,
            mailer,
            schakel::auth::secrets::SecretBox::from_key(TEST_SECRET_KEY),
        );
        tokio::spawn(schakel::app::serve(listener, state, std::future::pending()));
        TestApp {
            address,
            owner,
            app,
            pool,
            client: new_client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Posts a form as it is, without adding a CSRF token.
    pub async fn post_raw(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// Posts a form the way the browser would: with the CSRF token of the page `from`.
    pub async fn post_form(&self, from: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token(from).await;
        let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        fields.extend_from_slice(form);
        self.post_raw(path, &fields).await
    }

    /// The CSRF token from the hidden field of the page at `path`.
    pub async fn csrf_token(&self, path: &str) -> String {
        let body = self.get(path).await.text().await.unwrap();
        hidden_value(&body, "csrf_token").unwrap_or_else(|| panic!("no csrf_token on {path}:\n{body}"))
    }

    /// Logs in through the login form; panics unless it succeeds.
    pub async fn login(&self, tenant: &str, email: &str) {
        self.login_with(tenant, email, demo::PASSWORD).await;
    }

    pub async fn login_with(&self, tenant: &str, email: &str, password: &str) {
        let response = self.try_login(tenant, email, password).await;
        assert_eq!(
            response.status(),
            303,
            "login of {email} failed: {}",
            response.text().await.unwrap()
        );
    }

    pub async fn try_login(&self, tenant: &str, email: &str, password: &str) -> reqwest::Response {
        let login = format!("/{tenant}/login");
        self.post_form(&login, &login, &[("email", email), ("password", password)])
            .await
    }

    /// A superuser connection to this test's database, for arranging and inspecting data.
    pub async fn owner_connection(&self) -> PgConnection {
        self.owner.connect().await.unwrap()
    }

    /// The id of the user with `email` in the cooperative `tenant`.
    pub async fn user_id(&self, tenant: &str, email: &str) -> String {
        let mut db = self.owner_connection().await;
        sqlx::query_scalar(
            "SELECT u.id::text FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = $1 AND u.email = $2",
        )
        .bind(tenant)
        .bind(email)
        .fetch_one(&mut db)
        .await
        .unwrap()
    }

    /// The id of the cooperative `slug`.
    pub async fn tenant_id(&self, slug: &str) -> uuid::Uuid {
        let mut db = self.owner_connection().await;
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }

    /// A second web server on this test's database with caches of its own, as two servers
    /// behind one proxy.
    pub async fn second_server(&self) -> TestApp {
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_with(schakel::db::web_connection(self.app.clone()))
            .await
            .unwrap();
        TestApp::serve(self.owner.clone(), self.app.clone(), pool).await
    }

    /// This client (its cookies too) talking to `server`: the same browser through another
    /// server.
    pub fn at(&self, server: &TestApp) -> TestApp {
        TestApp {
            address: server.address,
            owner: self.owner.clone(),
            app: self.app.clone(),
            pool: server.pool.clone(),
            client: self.client.clone(),
        }
    }

    /// A second client with its own cookies, e.g. for another user.
    pub fn other_client(&self) -> TestApp {
        TestApp {
            address: self.address,
            owner: self.owner.clone(),
            app: self.app.clone(),
            pool: self.pool.clone(),
            client: new_client(),
        }
    }
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The path of the one-time link shown on an administrator's page (in full, in the `#link`
/// field).
pub fn link_path(page: &str, marker: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no link with {marker} on the page"));
    let start = page[..at].rfind("http").unwrap();
    let end = at + page[at..].find(['"', '<']).unwrap();
    let (_, path) = page[start..end]
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .unwrap();
    format!("/{path}")
}

/// The form actions on a page that end with `suffix`.
pub fn actions_ending_with(page: &str, suffix: &str) -> Vec<String> {
    page.split("action=\"")
        .skip(1)
        .filter_map(|part| part.split('"').next())
        .filter(|action| action.ends_with(suffix))
        .map(str::to_owned)
        .collect()
}

/// The value of the input with id `id` in an HTML page.
pub fn field_value(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\" name=\"{id}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The value of the hidden input `name` in an HTML page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// Sends `head` (a request's head and its blank line) and then `body`, as they are, on a
/// connection of its own, and reads until the server closes it: for requests no ordinary
/// client sends, such as a head announcing a body that never comes. The status and the rest.
pub async fn raw_exchange(address: SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    // The server may reset the connection after its answer: what came before counts.
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {answer:?}"));
    (status, answer)
}

/// Whether `page` is the layout's error page with `title`.
pub fn is_error_page(page: &str, title: &str) -> bool {
    page.contains("text/html")
        && page.contains("<link rel=\"stylesheet\" href=\"/static/css/schakel.css\">")
        && page.contains(&format!("<h1>{title}</h1>"))
}

pub fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The plan PostgreSQL chooses for `sql` as the web role of `tenant` would run it: prepared,
/// with a generic plan (as sqlx prepares every statement), executed with `args`.
pub async fn generic_plan(app: &TestApp, tenant: uuid::Uuid, sql: &str, args: &str) -> String {
    let mut web = sqlx::ConnectOptions::connect(&app.app).await.unwrap();
    let setup = format!(
        "SET plan_cache_mode = force_generic_plan; SELECT set_config('app.tenant_id', '{tenant}', false); PREPARE q AS {sql}"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
        .execute(&mut web)
        .await
        .unwrap();
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN EXECUTE q({args})")))
        .fetch_all(&mut web)
        .await
        .unwrap();
    rows.join("\n")
}
