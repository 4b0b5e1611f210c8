//! Faults: clients that go away in the middle of a request, a database that dies, bodies that
//! are too large.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use crate::common::{TestApp, is_error_page, raw_exchange, server_log};

/// How many requests are abandoned: a third of them registrations, the rest page views.
const ABANDONED: usize = 600;

/// What PostgreSQL logs when a connection came back to the pool in another transaction state
/// than the application believes it is in.
const TRANSACTION_STATE_WARNINGS: [&str; 2] = [
    "there is already a transaction in progress",
    "there is no transaction in progress",
];

/// Sends `request` on a connection of its own, waits `after`, then resets the connection
/// (SO_LINGER 0) without reading the answer: a closed tab, a proxy's timeout.
async fn abandon(address: SocketAddr, request: Arc<Vec<u8>>, after: Duration) {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(&request).await.unwrap();
    // Tokio's timer counts whole milliseconds; the moments here are finer.
    tokio::task::spawn_blocking(move || {
        std::thread::sleep(after);
        stream.set_zero_linger().unwrap();
        drop(stream);
    })
    .await
    .unwrap();
}

/// A small deterministic random number generator (xorshift), so that a failure can be
/// replayed with the same moments.
struct Moments(u64);

impl Moments {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// Registers a resident through the desk's form; the resident page's path.
async fn register(desk: &TestApp, token: &str, surname: &str) -> String {
    let response = desk
        .post_raw(
            "/demo/residents",
            &[
                ("csrf_token", token),
                ("first_names", "Vera"),
                ("surname", surname),
                ("date_of_birth", "01-02-1960"),
                ("confirm_new", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    crate::common::location(&response).to_owned()
}

fn get_request(address: SocketAddr, path: &str, cookies: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookies}\r\n\r\n").into_bytes()
}

fn post_request(address: SocketAddr, path: &str, cookies: &str, form: &[(&str, &str)]) -> Vec<u8> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookies}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The lines PostgreSQL logged since `from` (a byte offset) that name a transaction state
/// mix-up.
fn transaction_warnings_since(from: u64) -> Vec<String> {
    let Some(log) = server_log() else {
        return Vec::new();
    };
    let text = std::fs::read(log).unwrap();
    String::from_utf8_lossy(&text[from as usize..])
        .lines()
        .filter(|line| TRANSACTION_STATE_WARNINGS.iter().any(|w| line.contains(w)))
        .map(str::to_owned)
        .collect()
}

fn log_length() -> u64 {
    server_log().map_or(0, |log| std::fs::metadata(log).unwrap().len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_requests_leave_no_connection_in_a_transaction_and_no_half_written_form() {
    let app = TestApp::spawn().await;
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let desk = TestApp {
        client: reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        ..app.other_client()
    };
    desk.login("demo", "balie@demo.test").await;
    let token = desk.csrf_token("/demo/").await;
    let cookies = {
        use reqwest::cookie::CookieStore;
        let header = jar.cookies(&desk.url("/demo/").parse().unwrap()).unwrap();
        header.to_str().unwrap().to_owned()
    };
    let resident = register(&desk, &token, "Bezocht").await;
    let log_start = log_length();

    // How long each kind of request takes here, so that the resets fall before, during and
    // after its database work.
    let pages = [
        "/demo/",
        "/demo/desk",
        "/demo/residents?q=bezocht",
        resident.as_str(),
    ];
    let started = Instant::now();
    for page in pages {
        assert_eq!(desk.get(page).await.status(), 200, "{page}");
    }
    let page_time = started.elapsed().as_micros() as u64 / pages.len() as u64;
    let started = Instant::now();
    register(&desk, &token, "Gemeten").await;
    let form_time = started.elapsed().as_micros() as u64;

    let address = app.address;
    let mut moments = Moments(0x5eed_cafe_f00d);
    let mut abandoned = Vec::new();
    for n in 0..ABANDONED {
        let (request, time) = if n % 3 == 0 {
            let surname = format!("Verlaten{n}");
            let request = post_request(
                address,
                "/demo/residents",
                &cookies,
                &[
                    ("csrf_token", &token),
                    ("first_names", "Anna"),
                    ("surname", &surname),
                    ("date_of_birth", "03-04-1970"),
                    ("confirm_new", "yes"),
                ],
            );
            (request, form_time)
        } else {
            (get_request(address, pages[n % pages.len()], &cookies), page_time)
        };
        // Half of them early, where the request's transaction begins.
        let window = if n % 2 == 0 { time / 2 } else { time * 3 };
        let after = Duration::from_micros(moments.next(window));
        abandoned.push(tokio::spawn(abandon(address, Arc::new(request), after)));
        // A few at a time, as from several browsers.
        if abandoned.len() == 4 {
            for request in abandoned.drain(..) {
                request.await.unwrap();
            }
        }
    }
    for request in abandoned {
        request.await.unwrap();
    }

    // Whatever still runs finishes; then no connection waits inside a transaction, and none
    // in the pool carries a request's tenant setting (which only lives inside a transaction).
    let mut owner = app.owner_connection().await;
    let mut busy: i64 = -1;
    for _ in 0..50 {
        busy = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND usename = 'schakel_app'
                AND state IN ('idle in transaction', 'active')",
        )
        .fetch_one(&mut owner)
        .await
        .unwrap();
        if busy == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(busy, 0, "a connection was left inside a transaction");
    let mut pooled = Vec::new();
    for _ in 0..app.pool.options().get_max_connections() {
        pooled.push(app.pool.acquire().await.unwrap());
    }
    for conn in &mut pooled {
        let tenant: Option<String> = sqlx::query_scalar("SELECT current_setting('app.tenant_id', true)")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(
            tenant.unwrap_or_default(),
            "",
            "a pooled connection is still inside a request's transaction"
        );
    }
    drop(pooled);

    // Every later request succeeds, on every connection of the pool.
    for n in 0..40 {
        let page = pages[n % pages.len()];
        assert_eq!(desk.get(page).await.status(), 200, "{page} after the resets");
    }
    register(&desk, &token, "Daarna").await;

    // Each abandoned registration is stored with its audit record, or not at all.
    let (residents, halves): (i64, i64) = sqlx::query_as(
        "SELECT count(*),
                count(*) FILTER (WHERE NOT EXISTS (SELECT FROM audit_events a
                                                    WHERE a.resident_id = r.id AND a.kind = 'resident_created'))
           FROM residents r WHERE surname LIKE 'Verlaten%'",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert_eq!(
        halves, 0,
        "a resident without the audit record of its registration"
    );
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events a WHERE a.kind = 'resident_created'
            AND NOT EXISTS (SELECT FROM residents r WHERE r.id = a.resident_id)",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert_eq!(
        orphans, 0,
        "an audit record of a registration that was not stored"
    );
    assert!(residents <= ABANDONED as i64 / 3);

    let warnings = transaction_warnings_since(log_start);
    assert!(warnings.is_empty(), "PostgreSQL logged:\n{}", warnings.join("\n"));
}

#[tokio::test]
async fn a_request_whose_database_connection_is_ended_gets_the_503_page() {
    let app = TestApp::spawn().await;
    let desk = crate::common::users::User::login(&app, "demo", "balie@demo.test").await;
    // The search waits for this lock, so its connection can be ended in the middle of it.
    let mut owner = app.owner_connection().await;
    sqlx::raw_sql("BEGIN; LOCK TABLE residents IN ACCESS EXCLUSIVE MODE")
        .execute(&mut owner)
        .await
        .unwrap();
    let search = tokio::spawn(async move {
        let answer = desk.page("/demo/residents?q=jansen").await;
        (desk, answer)
    });
    let mut waiting = None;
    for _ in 0..100 {
        waiting = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND usename = 'schakel_app' AND wait_event_type = 'Lock'",
        )
        .fetch_optional(&mut owner)
        .await
        .unwrap();
        if waiting.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid: i32 = waiting.expect("the search waits for the lock");
    // What a backend says when its server shuts down or its postmaster dies: 57P01.
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .execute(&mut owner)
        .await
        .unwrap();
    sqlx::raw_sql("ROLLBACK").execute(&mut owner).await.unwrap();

    let (desk, (status, body)) = search.await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("Tijdelijk niet beschikbaar"), "{body}");
    assert!(body.contains("<nav"), "the layout's page: {body}");
    assert_eq!(
        desk.status("/demo/residents?q=jansen").await,
        200,
        "the next request is served"
    );
}

/// The real `schakel serve --demo`, with a private cluster of its own in a temporary
/// directory; stopped, with its cluster, when dropped.
struct Server {
    child: std::process::Child,
    base: String,
    data_dir: std::path::PathBuf,
    /// What the server logged, for the message of a failing assertion.
    log: Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        use std::io::BufRead;
        let data_dir = std::env::temp_dir().join(format!("schakel-crash-{}", uuid::Uuid::new_v4().simple()));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_schakel"))
            .args(["--data-dir", data_dir.to_str().unwrap()])
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .env_remove("SCHAKEL_OWNER_DATABASE_URL")
            .env("SCHAKEL_LOG", "schakel=info")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(std::sync::Mutex::new(String::new()));
        let (listening, address) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, base)) = line.split_once("listening on ") {
                    let _ = listening.send(base.trim().to_owned());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let base = address
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("schakel serve did not start:\n{}", log.lock().unwrap()));
        Server {
            child,
            base,
            data_dir,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Kills the cluster's postmaster as a crash would: no shutdown, nothing flushed.
    fn kill_postmaster(&self) {
        let pid_file = std::fs::read_to_string(self.data_dir.join("postgres/postmaster.pid")).unwrap();
        let pid: i32 = pid_file.lines().next().unwrap().trim().parse().unwrap();
        // SAFETY: kill(2) on the postmaster this test's server started.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    }

    /// The superuser's connection to the server's database, over the cluster's socket.
    async fn owner_connection(&self) -> sqlx::PgConnection {
        use sqlx::ConnectOptions;
        sqlx::postgres::PgConnectOptions::new()
            .socket(self.data_dir.join("run"))
            .username("postgres")
            .database("schakel")
            .connect()
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: SIGTERM to the child this test started; it stops its cluster and exits.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// What a request answered and how long it took.
struct Timed {
    status: u16,
    body: String,
    took: Duration,
}

async fn timed(request: reqwest::RequestBuilder) -> Timed {
    let started = Instant::now();
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    Timed {
        status,
        body,
        took: started.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_private_cluster_is_restarted_after_a_crash_and_no_acknowledged_write_is_lost() {
    let server = Server::start();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // Far longer than any answer may take, so that a hang shows as a slow answer.
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let url = |path: &str| format!("{}{path}", server.base);
    let login = client
        .get(url("/demo/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::common::hidden_value(&login, "csrf_token").unwrap();
    let logged_in = client
        .post(url("/demo/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "balie@demo.test"),
            ("password", schakel::demo::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), 303);
    let home = client
        .get(url("/demo/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::common::hidden_value(&home, "csrf_token").unwrap();
    let mut written = 0;
    let register = |surname: String| {
        client.post(url("/demo/residents")).form(&[
            ("csrf_token", token.clone()),
            ("first_names", "Kees".to_owned()),
            ("surname", surname),
            ("date_of_birth", "07-08-1950".to_owned()),
            ("confirm_new", "yes".to_owned()),
        ])
    };
    let mut acknowledged = Vec::new();
    for _ in 0..5 {
        written += 1;
        let answer = timed(register(format!("Crash{written}"))).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        acknowledged.push(format!("Crash{written}"));
    }

    server.kill_postmaster();
    let killed = Instant::now();
    loop {
        written += 1;
        let answer = timed(register(format!("Crash{written}"))).await;
        assert!(
            answer.took < Duration::from_secs(5),
            "a request took {:?} during the outage:\n{}",
            answer.took,
            server.log()
        );
        match answer.status {
            303 => acknowledged.push(format!("Crash{written}")),
            503 => assert!(
                answer.body.contains("Tijdelijk niet beschikbaar"),
                "{}",
                answer.body
            ),
            other => panic!("{other} during the outage: {}\n{}", answer.body, server.log()),
        }
        let health = timed(client.get(url("/healthz"))).await;
        assert!(
            health.took < Duration::from_secs(5),
            "/healthz took {:?}",
            health.took
        );
        if health.status == 200 {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(15),
            "/healthz is not 200 15 s after the crash:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..5 {
        written += 1;
        let answer = timed(register(format!("Crash{written}"))).await;
        assert_eq!(
            answer.status,
            303,
            "after the recovery: {}\n{}",
            answer.body,
            server.log()
        );
        acknowledged.push(format!("Crash{written}"));
    }

    let mut owner = server.owner_connection().await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT surname FROM residents WHERE surname LIKE 'Crash%'")
        .fetch_all(&mut owner)
        .await
        .unwrap();
    for surname in &acknowledged {
        assert!(stored.contains(surname), "{surname} was acknowledged but is lost");
    }
}

#[tokio::test]
async fn a_form_over_the_body_limit_gets_the_413_page_whether_announced_or_not() {
    let app = TestApp::spawn().await;
    // Announced: refused before a byte of it is read.
    let head = format!(
        "POST /demo/residents HTTP/1.1\r\nHost: {}\r\nAccept-Language: nl\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3000000\r\n\r\n",
        app.address
    );
    let (status, page) = raw_exchange(app.address, &head, b"").await;
    assert_eq!(status, 413, "{page}");
    assert!(is_error_page(&page, "Te groot om te versturen"), "{page}");
    assert!(page.contains("een formulier tot 2 MB"), "{page}");

    // Sent in chunks without a length: refused once it passes the limit.
    let head = format!(
        "POST /demo/residents HTTP/1.1\r\nHost: {}\r\nAccept-Language: en\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.address
    );
    let size = 2 * 1024 * 1024 + 1;
    let mut chunk = format!("{size:x}\r\n").into_bytes();
    chunk.extend(std::iter::repeat_n(b'a', size));
    let (status, page) = raw_exchange(app.address, &head, &chunk).await;
    assert_eq!(status, 413, "{page}");
    assert!(is_error_page(&page, "Too large to send"), "{page}");
}
