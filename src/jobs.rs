//! The periodic jobs the web server runs beside its requests: purging expired sessions and
//! sending the notices of overdue referrals, completing expulsions whose term of appeal has
//! passed, refreshing the kept figures, emailing notifications from their outbox, and
//! restarting the private database cluster when its server has died.
//!
//! Several web servers may share one database: each job runs on one of them per period, the one
//! that claims its turn in `job_runs` first ([`claim`]); the others skip that tick.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::db::embedded::Cluster;
use crate::mail::Mailer;
use crate::{assembly, audit, auth, referrals, reports};

/// The running jobs; dropping this does not stop them, [`Jobs::stop`] does.
pub struct Jobs(Vec<JoinHandle<()>>);

impl Jobs {
    /// Starts every job. Notifications are emailed only with `email_base` (email switched on),
    /// which is the public address links in the messages start with, when one is configured.
    /// `cluster` is the private cluster this process started, if any, to keep running.
    pub fn start(
        pool: &PgPool,
        mailer: &Arc<Mailer>,
        email_base: Option<Option<String>>,
        cluster: Option<Cluster>,
    ) -> Jobs {
        let mut jobs = vec![
            every(
                pool,
                "purge_and_overdue",
                Duration::from_secs(600),
                |pool| async move {
                    if let Err(error) = auth::session::purge_expired(&pool).await {
                        tracing::warn!(%error, "could not purge expired sessions");
                    }
                    if let Err(error) = referrals::notifications::notify_overdue_everywhere(&pool).await {
                        tracing::warn!(%error, "could not send the notices of overdue referrals");
                    }
                    if let Err(error) = assembly::decisions::complete_expulsions_everywhere(&pool).await {
                        tracing::warn!(%error, "could not complete the expulsions whose term of appeal has passed");
                    }
                },
            ),
            // New audit events join their cooperative's chain within seconds (audit::chain).
            every(pool, "seal_audit", Duration::from_secs(5), |pool| async move {
                if let Err(error) = audit::chain::seal_everywhere(&pool).await {
                    tracing::warn!(%error, "could not seal the audit log");
                }
            }),
            every(
                pool,
                "kept_figures",
                reports::kept::REFRESH_EVERY,
                |pool| async move {
                    if let Err(error) = reports::kept::refresh_everywhere(&pool).await {
                        tracing::warn!(%error, "could not refresh the kept figures");
                    }
                },
            ),
        ];
        // Notices go out by email from their table, a little after the step that made them.
        if let Some(base) = email_base {
            let mailer = mailer.clone();
            jobs.push(every(
                pool,
                "notification_mail",
                Duration::from_secs(30),
                move |pool| {
                    let (mailer, base) = (mailer.clone(), base.clone());
                    async move {
                        if let Err(error) =
                            referrals::notifications::send_emails(&pool, &mailer, base.as_deref()).await
                        {
                            tracing::warn!(%error, "could not email notifications");
                        }
                    }
                },
            ));
        }
        if let Some(cluster) = cluster {
            jobs.push(watch(cluster));
        }
        Jobs(jobs)
    }

    pub fn stop(self) {
        for job in self.0 {
            job.abort();
        }
    }
}

/// Checks every second that the cluster's server runs, and starts it again when it has died
/// (killed, crashed). Meanwhile pages answer 503; the pool connects again by itself.
fn watch(cluster: Cluster) -> JoinHandle<()> {
    let cluster = Arc::new(cluster);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        loop {
            ticks.tick().await;
            if cluster.is_running() {
                continue;
            }
            tracing::error!("the private PostgreSQL server has stopped; starting it again");
            crate::db::suspect_connections();
            let cluster = cluster.clone();
            match tokio::task::spawn_blocking(move || cluster.restart()).await {
                Ok(Ok(())) => tracing::info!("the private PostgreSQL server runs again"),
                Ok(Err(error)) => tracing::error!(%error, "could not start the private PostgreSQL server"),
                Err(error) => tracing::error!(%error, "the restart of the private PostgreSQL server failed"),
            }
        }
    })
}

/// Runs `job` now and then every `period`, one run at a time, and only when this server claims
/// the turn (see [`claim`]).
fn every<F, Fut>(pool: &PgPool, name: &'static str, period: Duration, job: F) -> JoinHandle<()>
where
    F: Fn(PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let pool = pool.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            match claim(&pool, name, period).await {
                Ok(true) => {
                    metrics::counter!("job_turns_total", "job" => name, "outcome" => "run").increment(1);
                    job(pool.clone()).await;
                    if let Err(error) = finish(&pool, name).await {
                        tracing::warn!(%error, job = name, "could not record the end of a job");
                    }
                }
                Ok(false) => {
                    metrics::counter!("job_turns_total", "job" => name, "outcome" => "other_server")
                        .increment(1);
                }
                Err(error) => {
                    metrics::counter!("job_turns_total", "job" => name, "outcome" => "failed").increment(1);
                    tracing::warn!(%error, job = name, "could not claim a job's turn");
                }
            }
        }
    })
}

/// Claims the turn of job `name` for this server: granted to one server only, once the last
/// run has finished and started at least most of a `period` ago (servers' ticks drift, so a
/// little less than a whole period), or when the last run has not finished within a quarter of
/// an hour (its server died on it). One statement, so two servers asking at once cannot both
/// get it.
pub async fn claim(pool: &PgPool, name: &str, period: Duration) -> sqlx::Result<bool> {
    let claimed = sqlx::query_scalar!(
        "INSERT INTO job_runs (name, started_at, runs) VALUES ($1, now(), 1)
         ON CONFLICT (name) DO UPDATE SET started_at = now(), finished_at = NULL, runs = job_runs.runs + 1
         WHERE job_runs.started_at <= now() - make_interval(secs => $2)
           AND (job_runs.finished_at IS NOT NULL OR job_runs.started_at < now() - interval '15 minutes')
         RETURNING name",
        name,
        period.as_secs_f64() * 0.8
    )
    .fetch_optional(pool)
    .await?;
    Ok(claimed.is_some())
}

/// Records that this server's run of job `name` has ended.
pub async fn finish(pool: &PgPool, name: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE job_runs SET finished_at = now() WHERE name = $1", name)
        .execute(pool)
        .await?;
    Ok(())
}
