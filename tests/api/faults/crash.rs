//! Servers that crash: the database's connection ended mid-request, the private cluster's
//! postmaster killed, the web server killed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::TestApp;

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

/// The real `schakel serve`, with a private cluster of its own in a temporary directory;
/// stopped, with its cluster, when dropped.
struct Server {
    child: std::process::Child,
    base: String,
    data_dir: std::path::PathBuf,
    /// What the server logged, for the message of a failing assertion.
    log: Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// `schakel serve --demo` on a new data directory.
    fn start() -> Server {
        let data_dir = std::env::temp_dir().join(format!("schakel-crash-{}", uuid::Uuid::new_v4().simple()));
        let log = Arc::new(std::sync::Mutex::new(String::new()));
        let (child, base) = serve(&data_dir, &["--demo"], &log);
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

    /// Kills the web server as a crash would, and starts it again on the same data. The
    /// database server runs on; the new web server finds it running and uses it.
    fn crash_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let (child, base) = serve(&self.data_dir, &[], &self.log);
        self.child = child;
        self.base = base;
    }

    /// The postmaster's pid, from its lock file, while it has one.
    fn postmaster(&self) -> Option<i32> {
        let pid_file = std::fs::read_to_string(self.data_dir.join("postgres/postmaster.pid")).ok()?;
        pid_file.lines().next()?.trim().parse().ok()
    }

    /// Kills the cluster's postmaster as a crash would: no shutdown, nothing flushed. Its
    /// server processes live on for a moment, as they do after a real crash.
    fn kill_postmaster(&self) -> i32 {
        let pid = self.postmaster().expect("the postmaster runs");
        // SAFETY: kill(2) on the postmaster this test's server started.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
        pid
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

/// Starts `schakel serve` on `data_dir` with `args`, its log going to `log`; the process and
/// the address it serves at.
fn serve(
    data_dir: &std::path::Path,
    args: &[&str],
    log: &Arc<std::sync::Mutex<String>>,
) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_schakel"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SCHAKEL_OWNER_DATABASE_URL")
        .env("SCHAKEL_LOG", "schakel=info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
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
    (child, base)
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: SIGTERM to the child this test started; it stops the cluster it started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
        // A cluster the web server found running it leaves running: stop it (fast shutdown).
        if let Some(pid) = self.postmaster() {
            // SAFETY: SIGINT to the postmaster of this test's own cluster.
            unsafe { libc::kill(pid, libc::SIGINT) };
            for _ in 0..100 {
                // SAFETY: signal 0 only checks that the process exists.
                if unsafe { libc::kill(pid, 0) } != 0 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A desk user's client logged in at the server at `base`, and its CSRF token.
async fn desk_client(base: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // Far longer than any answer may take, so that a hang shows as a slow answer.
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let login = client
        .get(format!("{base}/demo/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::common::hidden_value(&login, "csrf_token").unwrap();
    let logged_in = client
        .post(format!("{base}/demo/login"))
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
        .get(format!("{base}/demo/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::common::hidden_value(&home, "csrf_token").unwrap();
    (client, token)
}

/// The desk's registration of a resident named `surname`.
fn registration(client: &reqwest::Client, base: &str, token: &str, surname: &str) -> reqwest::RequestBuilder {
    client.post(format!("{base}/demo/residents")).form(&[
        ("csrf_token", token),
        ("first_names", "Kees"),
        ("surname", surname),
        ("date_of_birth", "07-08-1950"),
        ("confirm_new", "yes"),
    ])
}

/// The surnames of the residents registered as `Crash…`, and how many of them lack the audit
/// record of their registration, or it theirs.
async fn stored_registrations(owner: &mut sqlx::PgConnection) -> (Vec<String>, i64) {
    let stored = sqlx::query_scalar("SELECT surname FROM residents WHERE surname LIKE 'Crash%'")
        .fetch_all(&mut *owner)
        .await
        .unwrap();
    let halves: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM residents r WHERE surname LIKE 'Crash%' AND NOT EXISTS
                   (SELECT FROM audit_events a WHERE a.resident_id = r.id AND a.kind = 'resident_created'))
              + (SELECT count(*) FROM audit_events a WHERE a.kind = 'resident_created' AND NOT EXISTS
                   (SELECT FROM residents r WHERE r.id = a.resident_id))",
    )
    .fetch_one(&mut *owner)
    .await
    .unwrap();
    (stored, halves)
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
    let (client, token) = desk_client(&server.base).await;
    let register = |surname: &str| registration(&client, &server.base, &token, surname);
    let mut written = 0;
    let mut acknowledged = Vec::new();
    for _ in 0..5 {
        written += 1;
        let answer = timed(register(&format!("Crash{written}"))).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        acknowledged.push(format!("Crash{written}"));
    }

    let dead_postmaster = server.kill_postmaster();
    let killed = Instant::now();
    loop {
        written += 1;
        let answer = timed(register(&format!("Crash{written}"))).await;
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
        let health = timed(client.get(format!("{}/readyz", server.base))).await;
        assert!(
            health.took < Duration::from_secs(5),
            "/readyz took {:?}",
            health.took
        );
        if health.status == 200 {
            // Not a server process left over from the killed postmaster answering.
            let postmaster = server.postmaster();
            assert!(
                postmaster.is_some() && postmaster != Some(dead_postmaster),
                "/readyz said 200 while no new postmaster ran"
            );
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(15),
            "/readyz is not 200 15 s after the crash:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..5 {
        written += 1;
        let answer = timed(register(&format!("Crash{written}"))).await;
        assert_eq!(
            answer.status,
            303,
            "after the recovery: {}\n{}",
            answer.body,
            server.log()
        );
        acknowledged.push(format!("Crash{written}"));
    }

    let (stored, halves) = stored_registrations(&mut server.owner_connection().await).await;
    for surname in &acknowledged {
        assert!(stored.contains(surname), "{surname} was acknowledged but is lost");
    }
    assert_eq!(
        halves, 0,
        "a registration stored without its audit record, or the reverse"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_of_the_web_server_loses_no_acknowledged_write_and_leaves_none_half_done() {
    let mut server = Server::start();
    let (client, token) = desk_client(&server.base).await;
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    // Four desks registering residents at once; the web server is killed among their requests.
    let desks: Vec<_> = (0..4)
        .map(|desk| {
            let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
            let acknowledged = acknowledged.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    let surname = format!("Crash{desk}x{n}");
                    match registration(&client, &base, &token, &surname).send().await {
                        Ok(answer) if answer.status() == 303 => acknowledged.lock().unwrap().push(surname),
                        Ok(answer) => panic!("{}: {}", answer.status(), answer.text().await.unwrap()),
                        // The web server is gone.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::task::block_in_place(|| server.crash_and_restart());
    for desk in desks {
        desk.await.unwrap();
    }

    let (stored, halves) = stored_registrations(&mut server.owner_connection().await).await;
    for surname in acknowledged.lock().unwrap().iter() {
        assert!(stored.contains(surname), "{surname} was acknowledged but is lost");
    }
    assert_eq!(
        halves, 0,
        "a registration stored without its audit record, or the reverse"
    );
    // The new web server serves, and the session survived the crash.
    let desk = client
        .get(format!("{}/demo/desk", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(desk.status(), 200, "{}", server.log());
}
