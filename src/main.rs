//! The `schakel` command: serve the application, or administer its database.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use schakel::admin::retention::{self, Mode};
use schakel::auth::Role;
use schakel::auth::password::NewPassword;
use schakel::auth::secrets::SecretBox;
use schakel::auth::users::{self, Email, NewUser};
use schakel::config::{DatabaseConfig, WebConfig};
use schakel::db::{self, Database};
use schakel::demo::generate::Amounts;
use schakel::jobs::Jobs;
use schakel::mail::Mailer;
use schakel::{AppState, audit, auth, demo, tenancy};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "schakel",
    version,
    about = "Intake, case handling and governance for social-domain cooperatives"
)]
struct Cli {
    #[command(flatten)]
    database: DatabaseConfig,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application (migrating the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SCHAKEL_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the demo cooperatives first and print their accounts.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        web: WebConfig,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage cooperatives (tenants).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demo data into the database and exit.
    Demo,
    /// Fill a cooperative with made-up residents, requests and cases, e.g. for the benchmark.
    Generate {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value_t = 100_000)]
        residents: usize,
        #[arg(long, default_value_t = 300_000)]
        requests: usize,
        /// How many of the requests go to the social team, each opening a case [default: a third].
        #[arg(long)]
        cases: Option<usize>,
        /// Journal entries per case, on average.
        #[arg(long, default_value_t = 20)]
        journal_per_case: usize,
        /// Member organisations the cooperative should have (more are added when it has fewer).
        #[arg(long, default_value_t = 200)]
        organisations: usize,
        /// Referrals from the cases with a lead to those organisations.
        #[arg(long, default_value_t = 200_000)]
        referrals: usize,
        /// Years of contracts with flexible support, and grants from the joint pot over them.
        #[arg(long, default_value_t = 10)]
        money_years: i32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The audit log: `verify` chains what is new and checks every cooperative's chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// List (--dry-run) or erase (--apply) what has passed each cooperative's retention terms,
    /// keeping anonymous counts.
    Retention {
        /// Only list what is due, by id and count; change nothing.
        #[arg(long, required_unless_present = "apply", conflicts_with = "apply")]
        dry_run: bool,
        /// Erase what is due.
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no event of the audit log was altered, removed or moved; prints `ok: N
    /// events` per cooperative, or the first event that does not match (and fails).
    Verify {
        /// Only this cooperative.
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a cooperative, reachable at /<slug>/.
    Create { slug: String, name: String },
    /// List the cooperatives.
    List,
    /// Disable a cooperative: its users can no longer log in; its data is kept.
    Disable { slug: String },
    /// Enable a disabled cooperative again.
    Enable { slug: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input (or prompted for).
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// One or more of: desk, professional, process_manager, member, admin, chair.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role; use one of {}", names.join(", "))
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_env("SCHAKEL_LOG")
        .unwrap_or_else(|_| EnvFilter::new("schakel=info,tower_http=info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // One JSON object a line for a log collector; the same events, still without personal data
    // (request spans carry method, path and request id only).
    if std::env::var("SCHAKEL_LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().flatten_event(true).init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
    let cli = Cli::parse();

    let database = match Database::open(&cli.database, &cli.database.data_dir).await {
        Ok(database) => database,
        Err(error) => {
            eprintln!("schakel: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(cli.command, &database, &cli.database.data_dir).await;
    database.shutdown().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("schakel: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, database: &Database, data_dir: &std::path::Path) -> anyhow::Result<()> {
    database.migrate().await?;
    match command {
        Command::Serve { listen, demo, web } => {
            let secrets = SecretBox::load(web.secret_key.as_deref(), data_dir)?;
            serve(database, listen, demo, web, secrets).await
        }
        Command::Migrate => {
            println!("The database is up to date.");
            Ok(())
        }
        Command::Demo => {
            let owner = database.owner_pool().await?;
            demo::load(&owner).await?;
            demo::load_history(&owner).await?;
            println!(
                "Demo data loaded.\n{}",
                demo::credentials("http://127.0.0.1:8080")
            );
            Ok(())
        }
        Command::Generate {
            tenant,
            residents,
            requests,
            cases,
            journal_per_case,
            organisations,
            referrals,
            money_years,
            seed,
        } => {
            let amounts = Amounts {
                residents,
                requests,
                cases: cases.unwrap_or(requests / 3).min(requests),
                journal_per_case,
                organisations,
                referrals,
                money_years,
            };
            let generated = demo::generate::run(database, &tenant, &amounts, seed).await?;
            println!("{generated}");
            Ok(())
        }
        Command::Tenant {
            command: TenantCommand::Create { slug, name },
        } => {
            let tenant = tenancy::create(&database.owner_pool().await?, &slug, &name).await?;
            println!("Created cooperative '{}' at /{}/", tenant.name, tenant.slug);
            Ok(())
        }
        Command::Tenant {
            command: TenantCommand::List,
        } => {
            for tenant in tenancy::list(&database.owner_pool().await?).await? {
                let status = if tenant.disabled { "disabled" } else { "enabled" };
                println!("{:<20} {:<9} {}", tenant.slug, status, tenant.name);
            }
            Ok(())
        }
        Command::Tenant {
            command: TenantCommand::Disable { slug },
        } => set_disabled(database, &slug, true).await,
        Command::Tenant {
            command: TenantCommand::Enable { slug },
        } => set_disabled(database, &slug, false).await,
        Command::User {
            command:
                UserCommand::Create {
                    tenant,
                    email,
                    name,
                    roles,
                },
        } => create_user(database, &tenant, &email, &name, roles).await,
        Command::Audit {
            command: AuditCommand::Verify { tenant },
        } => verify_audit(database, tenant.as_deref()).await,
        Command::Retention { apply, .. } => {
            let mode = if apply { Mode::Apply } else { Mode::DryRun };
            retention(database, mode).await
        }
    }
}

async fn serve(
    database: &Database,
    listen: SocketAddr,
    demo: bool,
    web: WebConfig,
    secrets: SecretBox,
) -> anyhow::Result<()> {
    let owner = database.owner_pool().await?;
    if demo {
        demo::load(&owner).await?;
        demo::load_history(&owner).await?;
    }
    // Second-factor secrets stored before they were sealed are sealed now.
    let sealed = auth::secrets::seal_stored(&owner, &secrets).await?;
    if sealed > 0 {
        tracing::info!("sealed {sealed} second-factor secrets stored in plain text");
    }
    owner.close().await;
    let pool = database.app_pool(web.db_connections).await?;
    auth::password::warm_up();
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    tracing::info!("Schakel is listening on {base_url}");
    if demo {
        println!("{}", demo::credentials(&base_url));
    }

    let mailer = match &web.smtp_url {
        Some(url) => Mailer::smtp(url, &web.mail_from)?,
        None => {
            tracing::info!(
                "no SCHAKEL_SMTP_URL: invitation and reset links are shown to administrators only"
            );
            Mailer::Disabled
        }
    };
    if web.notify_by_email && !mailer.is_enabled() {
        tracing::warn!("SCHAKEL_NOTIFY_BY_EMAIL is set but SCHAKEL_SMTP_URL is not: no notices are emailed");
    }
    let state = AppState::new(pool.clone(), web, mailer, secrets);
    let email_base = (state.site.config.notify_by_email && state.mailer.is_enabled())
        .then(|| state.site.config.public_url.clone());
    let cluster = database.cluster.clone().filter(|cluster| cluster.started_here());
    let jobs = Jobs::start(&pool, &state.mailer, email_base, cluster);
    schakel::app::serve(listener, state, shutdown_signal()).await?;
    jobs.stop();
    pool.close().await;
    tracing::info!("Schakel stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing requests in flight");
}

async fn set_disabled(database: &Database, slug: &str, disabled: bool) -> anyhow::Result<()> {
    let found = tenancy::set_disabled(&database.owner_pool().await?, slug, disabled).await?;
    anyhow::ensure!(found, "there is no cooperative '{slug}'");
    println!(
        "Cooperative '{slug}' is {}",
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(())
}

async fn create_user(
    database: &Database,
    slug: &str,
    email: &str,
    name: &str,
    roles: Vec<Role>,
) -> anyhow::Result<()> {
    let owner = database.owner_pool().await?;
    let tenant = tenancy::find_by_slug(&owner, slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no cooperative '{slug}'"))?;
    let email = Email::parse(email).ok_or_else(|| anyhow::anyhow!("'{email}' is not an email address"))?;
    let password = NewPassword::parse(&read_password()?)?;
    let mut tx = db::tenant_tx(&owner, tenant.id).await?;
    let user = NewUser {
        email: email.clone(),
        name: name.to_owned(),
        roles,
        password,
    };
    users::create(&mut tx, user).await?;
    tx.commit().await?;
    println!("Created user {} in '{}'", email.as_str(), tenant.name);
    Ok(())
}

/// Prints per cooperative what is (or was) due, by count and id: nothing personal.
async fn retention(database: &Database, mode: Mode) -> anyhow::Result<()> {
    let owner = database.owner_pool().await?;
    let outcomes = retention::run(&owner, mode).await?;
    for outcome in outcomes {
        let due = &outcome.due;
        let verb = match (mode, due.is_empty()) {
            (_, true) => "nothing has passed its term",
            (Mode::DryRun, false) => "would erase",
            (Mode::Apply, false) => "erased",
        };
        print!("{}: {verb}", outcome.tenant.slug);
        if !due.is_empty() {
            print!(
                " cases: {}, requests without a case: {}, residents: {}, audit events: {}",
                due.cases.len(),
                due.requests.len(),
                due.residents.len(),
                due.audit_events
            );
        }
        println!();
        for case in &due.cases {
            println!("  case {case}");
        }
        for request in &due.requests {
            println!("  request {request}");
        }
    }
    Ok(())
}

/// Prompts twice on a terminal; otherwise reads the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password (again): ")?;
        anyhow::ensure!(first == second, "the passwords do not match");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// `schakel audit verify`: seals what is new, then walks each chain.
async fn verify_audit(database: &Database, only: Option<&str>) -> anyhow::Result<()> {
    let owner = database.owner_pool().await?;
    let mut broken = Vec::new();
    let mut checked = 0;
    for tenant in tenancy::list(&owner).await? {
        if only.is_some_and(|slug| slug != tenant.slug) {
            continue;
        }
        checked += 1;
        let mut tx = db::tenant_tx(&owner, tenant.id).await?;
        audit::chain::seal(&mut tx).await?;
        tx.commit().await?;
        let mut tx = db::tenant_tx(&owner, tenant.id).await?;
        let outcome = audit::chain::verify(&mut tx).await?;
        audit::chain::record_verification(&mut tx, &outcome).await?;
        tx.commit().await?;
        println!("{}: {}", tenant.slug, outcome.message());
        if !outcome.is_whole() {
            broken.push(tenant.slug);
        }
    }
    owner.close().await;
    if let Some(slug) = only.filter(|_| checked == 0) {
        anyhow::bail!("there is no cooperative '{slug}'");
    }
    if !broken.is_empty() {
        anyhow::bail!("the audit log of {} does not verify", broken.join(", "));
    }
    Ok(())
}
