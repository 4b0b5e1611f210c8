//! Configuration from command-line flags and the environment (see the table in README.md).

use std::path::PathBuf;

use clap::Args;

/// Where the database is. Without `DATABASE_URL` Schakel runs its own private cluster.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// The web server's connection (a role without SUPERUSER or BYPASSRLS).
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub url: Option<String>,
    /// The schema owner's connection, for migrations and administration; defaults to DATABASE_URL.
    #[arg(
        long = "owner-database-url",
        env = "SCHAKEL_OWNER_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub owner_url: Option<String>,
    /// Directory for the private PostgreSQL cluster (used when DATABASE_URL is not set).
    #[arg(long, env = "SCHAKEL_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
}

/// Settings the running web application needs.
#[derive(Debug, Clone, Args)]
pub struct WebConfig {
    /// Mark cookies `Secure`: set this when Schakel is served over HTTPS.
    #[arg(long, env = "SCHAKEL_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// The address people reach Schakel at (e.g. https://schakel.example.nl), for links in
    /// invitations; without it, links use the address of the request.
    #[arg(long, env = "SCHAKEL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Where to send email (invitations, reset links), e.g. smtps://user:pass@smtp.example.nl:465.
    #[arg(long, env = "SCHAKEL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of that email, e.g. "Schakel <noreply@example.nl>".
    #[arg(
        long,
        env = "SCHAKEL_MAIL_FROM",
        default_value = "Schakel <noreply@localhost>"
    )]
    pub mail_from: String,
    /// Also email in-app notifications (new referrals, answers, overdue) to their recipients;
    /// needs SCHAKEL_SMTP_URL. Off by default: the notices carry no personal data, but not every
    /// cooperative wants them in mailboxes.
    #[arg(long, env = "SCHAKEL_NOTIFY_BY_EMAIL", default_value_t = false)]
    pub notify_by_email: bool,
    /// How many database connections the web server keeps. By default two per core and one
    /// more (PostgreSQL's rule of thumb): more connections than that add no throughput on a
    /// busy machine, only more processes taking turns on its cores, which lengthens the slowest
    /// responses (README, "Performance").
    #[arg(long, env = "SCHAKEL_DB_CONNECTIONS", default_value_t = default_db_connections())]
    pub db_connections: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a reverse proxy).
    #[arg(long, env = "SCHAKEL_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// The key that seals second-factor secrets at rest, as 64 hexadecimal digits; without it,
    /// the file `secret.key` in the data directory (made on first start, mode 0600).
    #[arg(long, env = "SCHAKEL_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// A bearer token that lets monitoring read `/metrics` from another machine; without it,
    /// only requests from this machine get them.
    #[arg(long, env = "SCHAKEL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            public_url: None,
            smtp_url: None,
            mail_from: "Schakel <noreply@localhost>".to_owned(),
            notify_by_email: false,
            db_connections: default_db_connections(),
            trust_proxy: false,
            secret_key: None,
            metrics_token: None,
        }
    }
}

/// Two database connections per core the process may use, and one more.
fn default_db_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    u32::try_from(cores * 2 + 1).unwrap_or(u32::MAX)
}
