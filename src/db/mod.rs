//! Connections, migrations and the tenant-scoped transaction every handler goes through.
//!
//! Two kinds of connection exist. The *owner* connection owns the schema: it runs migrations
//! and the command-line administration. The *app* pool is what the web server uses: it logs in
//! as a role that is neither superuser nor BYPASSRLS, so PostgreSQL's row-level security
//! applies to every query it makes.

pub mod embedded;
pub mod kept;

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgTransactionManager};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres, SqlSafeStr};
use sqlx_core::transaction::TransactionManager;
use uuid::Uuid;

use crate::config::DatabaseConfig;
use embedded::{Cluster, Durability};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A pooled connection idle this long is checked before use: the server may have restarted.
const IDLE_CHECK_AFTER: Duration = Duration::from_millis(100);

/// After the server was unreachable, every pooled connection is checked before use for this
/// long: one that was handed back just before the server died would fail its next request.
const SUSPECT_FOR: Duration = Duration::from_secs(30);

/// Until when (milliseconds since the epoch) pooled connections are suspect.
static SUSPECT_UNTIL: AtomicU64 = AtomicU64::new(0);

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

/// Notes that the database server was unreachable or restarted: pooled connections may be
/// dead (or talk to a server process whose postmaster died), so each is pinged before use.
pub fn suspect_connections() {
    SUSPECT_UNTIL.fetch_max(now_millis() + SUSPECT_FOR.as_millis() as u64, Ordering::Relaxed);
}

fn connections_suspect() -> bool {
    now_millis() < SUSPECT_UNTIL.load(Ordering::Relaxed)
}

/// Whether the server accepts a new connection and answers on it. A pooled connection is not
/// proof: after the postmaster was killed its server processes answer for a moment longer.
pub async fn server_answers(pool: &PgPool) -> bool {
    let options = pool.connect_options();
    let answered = async {
        let mut conn = PgConnection::connect_with(&options).await?;
        sqlx::query("SELECT 1").execute(&mut conn).await?;
        conn.close().await
    };
    let answers = matches!(
        tokio::time::timeout(Duration::from_secs(3), answered).await,
        Ok(Ok(()))
    );
    if !answers {
        suspect_connections();
    }
    answers
}

/// Whether the database has every migration this build knows (and none it does not): a web
/// server of a newer build waits until `migrate` has run, one of an older build after it.
pub async fn schema_current(pool: &PgPool) -> bool {
    let expected = MIGRATOR.iter().map(|m| m.version).max();
    let applied = async {
        let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut conn)
                .await?;
        conn.close().await?;
        Ok::<_, sqlx::Error>(applied)
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(3), applied).await,
        Ok(Ok(applied)) if applied == expected
    )
}

/// The database name inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "schakel";

/// Where the data lives and how to reach it as owner and as the web role.
pub struct Database {
    pub owner: PgConnectOptions,
    pub app: PgConnectOptions,
    /// The private cluster, when this process uses one.
    pub cluster: Option<Cluster>,
}

impl Database {
    /// Uses `DATABASE_URL` when given; otherwise starts (or reuses) the private cluster in
    /// `<data_dir>/postgres` and makes sure its database exists.
    pub async fn open(config: &DatabaseConfig, data_dir: &Path) -> anyhow::Result<Database> {
        if let Some(url) = &config.url {
            let app: PgConnectOptions = url.parse()?;
            let owner: PgConnectOptions = match &config.owner_url {
                Some(owner) => owner.parse()?,
                None => app.clone(),
            };
            return Ok(Database {
                owner: owner.application_name("schakel"),
                app: app.application_name("schakel"),
                cluster: None,
            });
        }
        let cluster = tokio::task::block_in_place(|| Cluster::start(data_dir, Durability::Durable))?;
        let database = Database::on_cluster(cluster, EMBEDDED_DATABASE);
        if let Err(error) = create_database_if_missing(&database.owner, EMBEDDED_DATABASE).await {
            database.shutdown().await;
            return Err(error);
        }
        Ok(database)
    }

    pub fn on_cluster(cluster: Cluster, database: &str) -> Database {
        Database {
            owner: cluster.connect_options(embedded::SUPERUSER, database),
            app: cluster.connect_options(embedded::APP_ROLE, database),
            cluster: Some(cluster),
        }
    }

    /// Runs pending migrations as the owner. On the private cluster it also lets the web role
    /// log in (trust over the private socket); on an external server that is the operator's call.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.owner.connect().await?;
        MIGRATOR.run(&mut conn).await?;
        if self.cluster.is_some() {
            sqlx::query("ALTER ROLE schakel_app LOGIN")
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    /// The owner's connection pool, for command-line administration.
    pub async fn owner_pool(&self) -> anyhow::Result<PgPool> {
        Ok(PgPoolOptions::new()
            .max_connections(2)
            .connect_with(self.owner.clone())
            .await?)
    }

    /// The web server's pool. Refuses a role that would bypass row-level security.
    pub async fn app_pool(&self, max_connections: u32) -> anyhow::Result<PgPool> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            // While the server is down the pool keeps trying to connect until this timeout;
            // the page then says the data is unreachable, well within 5 seconds.
            .acquire_timeout(Duration::from_secs(3))
            // By default every acquire pings the server first: a round trip on every request, to
            // find a dead connection that the request's own first statement finds as well (and
            // the pool then drops). Only a connection that sat idle for a while is checked, and
            // every one for a while after the server was unreachable, so that after a restart
            // of the server the first requests do not get the old ones.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_CHECK_AFTER || connections_suspect() {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(web_connection(self.app.clone()))
            .await?;
        let bypasses = sqlx::query_scalar!(
            r#"SELECT (rolsuper OR rolbypassrls) AS "bypasses!" FROM pg_roles WHERE rolname = current_user"#
        )
        .fetch_one(&pool)
        .await?;
        anyhow::ensure!(
            !bypasses,
            "the web server's database role is a superuser or has BYPASSRLS, so row-level security \
             would not protect one cooperative's data from another's; connect as a role without \
             those attributes (see README.md, 'Using your own PostgreSQL server')"
        );
        Ok(pool)
    }

    /// Stops the private cluster if this process started it.
    pub async fn shutdown(&self) {
        if let Some(cluster) = &self.cluster
            && let Err(error) = tokio::task::block_in_place(|| cluster.stop())
        {
            tracing::error!(%error, "could not stop the private PostgreSQL cluster");
        }
    }
}

/// The web server's connection settings. sqlx prepares every statement; by default PostgreSQL
/// plans the first executions of each anew and then keeps replanning whenever the generic plan
/// looks dearer than the custom ones, which for the list queries costs more than running them.
/// Every list query is written for (and tested under) a generic plan, so that is what it gets.
pub fn web_connection(options: PgConnectOptions) -> PgConnectOptions {
    options.options([("plan_cache_mode", "force_generic_plan")])
}

async fn create_database_if_missing(owner: &PgConnectOptions, name: &str) -> anyhow::Result<()> {
    let mut conn = owner.clone().database("postgres").connect().await?;
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1) AS "exists!""#,
        name
    )
    .fetch_one(&mut conn)
    .await?;
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {}",
            quote_ident(name)
        )))
        .execute(&mut conn)
        .await?;
    }
    conn.close().await?;
    Ok(())
}

/// Quotes an SQL identifier (for the few statements that cannot take parameters).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A transaction scoped to one tenant: the only way handlers and domain functions reach
/// tenant-owned tables. Domain queries filter on [`TenantTx::tenant_id`] themselves, and
/// row-level security, set to the same tenant, backs that up.
///
/// It is sqlx's `Transaction` made safe against being cut off: a future dropped while BEGIN
/// or COMMIT is under way (a client that went away, a timeout) would otherwise return the
/// connection to the pool inside a transaction sqlx does not know of, or queue a ROLLBACK
/// behind a COMMIT that may have happened. Such a connection is closed instead; PostgreSQL
/// then rolls back whatever it had not committed.
pub struct TenantTx {
    conn: PoolConnection<Postgres>,
    tenant_id: Uuid,
    /// COMMIT or ROLLBACK has been sent; until its answer is read, the connection's state is
    /// unknown here.
    ending: bool,
}

impl TenantTx {
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.ending = true;
        PgTransactionManager::commit(&mut self.conn).await
    }

    /// Ends the transaction, keeping nothing it did.
    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        self.ending = true;
        PgTransactionManager::rollback(&mut self.conn).await
    }
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        if !self.conn.is_in_transaction() {
            return;
        }
        if self.ending {
            self.conn.close_on_drop();
        } else {
            // Sent with the pool's check of the returned connection, before anyone reuses it.
            PgTransactionManager::start_rollback(&mut self.conn);
        }
    }
}

impl Deref for TenantTx {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// A connection whose BEGIN has been sent but not yet answered: if that is cut off, the
/// connection is closed rather than returned to the pool in an unknown state.
struct Beginning(Option<PoolConnection<Postgres>>);

impl Drop for Beginning {
    fn drop(&mut self) {
        if let Some(conn) = &mut self.0 {
            conn.close_on_drop();
        }
    }
}

/// How a transaction's commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// The commit returns once it is on disk. Every change someone makes is committed so.
    Durable,
    /// The commit returns before the write-ahead log is flushed. For reading a page, whose only
    /// writes are the audit record of the read and the session's last activity: waiting for
    /// the disk would cost the page most of its time, and a crash of the database server (not
    /// of Schakel) could lose at most the last fraction of a second of such records, never a
    /// change. Nothing is ever half-written either way.
    Relaxed,
}

/// Begins a transaction in which row-level security shows only `tenant_id`'s rows.
pub async fn tenant_tx(pool: &PgPool, tenant_id: Uuid) -> Result<TenantTx, sqlx::Error> {
    tenant_tx_with(pool, tenant_id, Commit::Durable).await
}

pub async fn tenant_tx_with(pool: &PgPool, tenant_id: Uuid, commit: Commit) -> Result<TenantTx, sqlx::Error> {
    // One round trip for all of it. The id is a Uuid, whose text is only hex digits and dashes.
    let synchronous = match commit {
        Commit::Durable => "on",
        Commit::Relaxed => "off",
    };
    let begin = format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{tenant_id}', true), \
         set_config('synchronous_commit', '{synchronous}', true)"
    );
    let mut beginning = Beginning(Some(pool.acquire().await?));
    let conn = beginning
        .0
        .as_mut()
        .expect("the connection is there until BEGIN is answered");
    PgTransactionManager::begin(conn, Some(sqlx::AssertSqlSafe(begin).into_sql_str())).await?;
    let conn = beginning
        .0
        .take()
        .expect("the connection is there until BEGIN is answered");
    Ok(TenantTx {
        conn,
        tenant_id,
        ending: false,
    })
}
