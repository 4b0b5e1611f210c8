//! Clients that go away in the middle of a request: a closed tab, a proxy's timeout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use crate::common::{TestApp, server_log};

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
