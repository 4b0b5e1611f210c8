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
#[derive(Debug, Clone, Default, Args)]
pub struct WebConfig {
    /// Mark cookies `Secure`: set this when Schakel is served over HTTPS.
    #[arg(long, env = "SCHAKEL_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// The address people reach Schakel at (e.g. https://schakel.example.nl), for links in
    /// invitations; without it, links use the address of the request.
    #[arg(long, env = "SCHAKEL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a reverse proxy).
    #[arg(long, env = "SCHAKEL_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
}
