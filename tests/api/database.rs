//! The private cluster of `schakel::db::embedded`, started and stopped for real.

use schakel::db::Database;
use schakel::db::embedded::{self, Cluster, Durability};
use sqlx::ConnectOptions;
use sqlx::postgres::PgPoolOptions;

use crate::common::{TestApp, watch_and_clean_up};

fn private_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("schakel-{name}-{}", uuid::Uuid::new_v4().simple()))
}

async fn migrated_database(cluster: Cluster) -> Database {
    let database = Database::on_cluster(cluster, "postgres");
    database.migrate().await.unwrap();
    database
}

#[tokio::test(flavor = "multi_thread")]
async fn readyz_is_503_while_the_database_is_down_and_recovers() {
    let dir = private_dir("readyz");
    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap();
    watch_and_clean_up(&cluster, &dir);
    let database = migrated_database(cluster).await;
    let pool = database.app_pool(2).await.unwrap();
    let app = TestApp::serve(database.owner.clone(), database.app.clone(), pool.clone()).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    database.shutdown().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "the server itself is alive"
    );
    let response = app.get("/demo/login").await;
    assert_eq!(response.status(), 503, "pages say the data is unreachable");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Tijdelijk niet beschikbaar")
    );

    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);
    cluster.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_start_reuses_the_data_and_a_killed_server_is_recovered() {
    let dir = private_dir("restart");
    // Durable: an ephemeral cluster may lose the last commits when it is killed.
    let cluster = Cluster::start(&dir, Durability::Durable).unwrap();
    watch_and_clean_up(&cluster, &dir);
    assert!(cluster.started_here());
    let options = cluster.connect_options(embedded::SUPERUSER, "postgres");
    let mut conn = options.connect().await.unwrap();
    sqlx::raw_sql("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);

    // A start while it runs uses the running server and will not stop it.
    let again = Cluster::start(&dir, Durability::Durable).unwrap();
    assert!(!again.started_here());
    again.stop().unwrap();
    let mut conn = options.connect().await.unwrap();
    sqlx::query("SELECT 1").execute(&mut conn).await.unwrap();
    drop(conn);

    // Killed without shutdown: postmaster.pid and the socket lock stay behind.
    cluster.kill().unwrap();
    assert!(cluster.data_dir().join("postmaster.pid").exists());
    let restarted = Cluster::start(&dir, Durability::Durable).unwrap();
    assert!(restarted.started_here());
    let mut conn = restarted
        .connect_options(embedded::SUPERUSER, "postgres")
        .connect()
        .await
        .unwrap();
    let kept: i32 = sqlx::query_scalar("SELECT x FROM kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(kept, 42);
    drop(conn);
    restarted.stop().unwrap();
    assert!(
        !restarted.data_dir().join("postmaster.pid").exists(),
        "stopped cleanly"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cluster_listens_on_a_socket_only_and_the_web_role_is_restricted() {
    let dir = private_dir("socket");
    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap();
    watch_and_clean_up(&cluster, &dir);
    assert!(cluster.socket_dir().join(".s.PGSQL.5432").exists());
    let database = migrated_database(cluster).await;
    let mut conn = database.owner.connect().await.unwrap();
    let listen: String = sqlx::query_scalar("SHOW listen_addresses")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(listen, "", "no TCP port");
    drop(conn);

    // A pool that would bypass row-level security is refused.
    let refused = Database {
        owner: database.owner.clone(),
        app: database.owner.clone(),
        cluster: None,
    }
    .app_pool(1)
    .await;
    assert!(refused.unwrap_err().to_string().contains("row-level security"));

    let pool = PgPoolOptions::new()
        .connect_with(database.app.clone())
        .await
        .unwrap();
    pool.close().await;
    database.shutdown().await;
}

/// As with someone else's server (DATABASE_URL): nothing restarts it, and once it is back the
/// pool connects again by itself, without handing out the connections the restart ended.
#[tokio::test(flavor = "multi_thread")]
async fn after_a_restart_of_the_database_server_the_first_requests_are_served() {
    let dir = private_dir("reconnect");
    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap();
    watch_and_clean_up(&cluster, &dir);
    let database = migrated_database(cluster).await;
    let pool = database.app_pool(2).await.unwrap();
    let app = TestApp::serve(database.owner.clone(), database.app.clone(), pool.clone()).await;
    // Both connections open, then back in the pool.
    let both = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    drop(both);
    // This database has no cooperatives: a page answers 404 once the pool found that out.
    assert_eq!(app.get("/demo/login").await.status(), 404);

    database.shutdown().await;
    let cluster = Cluster::start(&dir, Durability::Ephemeral).unwrap();
    for _ in 0..2 {
        assert_eq!(
            app.get("/demo/login").await.status(),
            404,
            "served at once, not 503"
        );
    }
    cluster.stop().unwrap();
}
