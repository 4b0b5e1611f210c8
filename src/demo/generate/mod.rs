//! Made-up data in bulk, for the demo cooperative and for the benchmark (`schakel generate`):
//! residents and their requests at the desk, a history for every case the team got, member
//! organisations, and referrals from the cases to them. Deterministic choices (a fixed seed),
//! Dutch names with prefixes and diacritics; everything is written set-based, a batch per
//! statement, so that 50,000 cases with 1,000,000 journal entries take minutes.

mod cases;
mod journal;
mod money;
mod progress;
mod referrals;
mod requests;
mod residents;

use std::fmt;
use std::time::{Duration, Instant};

use indicatif::HumanDuration;
use sqlx::ConnectOptions;
use sqlx::postgres::PgPoolOptions;
use time::Date;

use crate::db::{self, Database, TenantTx};
use crate::tenancy;

pub use progress::Progress;

/// Adds `residents` residents and `requests` requests spread over the two years before
/// `today`. `team` of the requests are handed to the social team, each opening a case.
pub async fn intake(
    tx: &mut TenantTx,
    seed: u64,
    residents: usize,
    requests: usize,
    team: usize,
    today: Date,
    progress: &Progress,
) -> sqlx::Result<()> {
    let mut sampler = Sampler::new(seed);
    let bar = progress.stage("residents", residents);
    let ids = residents::add(tx, &mut sampler, residents, today, &bar).await?;
    progress.finish(&bar);
    let bar = progress.stage("requests", requests);
    requests::add(tx, &mut sampler, &ids, requests, team, today, &bar).await?;
    progress.finish(&bar);
    Ok(())
}

/// Gives the cases the intake opened, and nobody has touched since, a history up to `today`
/// with `journal_per_case` journal entries per case on average. Leads are the cooperative's
/// professionals and process managers; without any, the cases stay registered. Returns how
/// many cases and journal entries were written.
pub async fn case_histories(
    tx: &mut TenantTx,
    seed: u64,
    journal_per_case: usize,
    today: Date,
    progress: &Progress,
) -> sqlx::Result<(usize, usize)> {
    let mut sampler = Sampler::new(seed);
    let untouched = cases::untouched(tx).await?;
    let bar = progress.stage("cases", untouched.len());
    let journals = cases::add(tx, &mut sampler, &untouched, today, &bar).await?;
    progress.finish(&bar);
    let total = journal_per_case * untouched.len();
    let bar = progress.stage("journal", total);
    let written = journal::add(tx, &mut sampler, &journals, total, &bar).await?;
    progress.finish(&bar);
    Ok((untouched.len(), written))
}

/// Completes the service catalogue and adds organisations until the cooperative has
/// `organisations`, each offering one to four services. Returns how many it has.
pub async fn organisations(
    tx: &mut TenantTx,
    seed: u64,
    organisations: usize,
    today: Date,
    progress: &Progress,
) -> sqlx::Result<i64> {
    let step = progress.step("organisations");
    let count = referrals::organisations(tx, seed, organisations, today).await?;
    progress.finish(&step);
    Ok(count)
}

/// Adds `count` referrals from the cases that have a lead to the organisations, in every
/// state, each under a consent. Returns how many were added.
pub async fn referrals(
    tx: &mut TenantTx,
    seed: u64,
    count: usize,
    progress: &Progress,
) -> sqlx::Result<usize> {
    let bar = progress.stage("referrals", count);
    let added = referrals::add(tx, seed, count, &bar).await?;
    progress.finish(&bar);
    Ok(added)
}

/// How much `schakel generate` adds.
pub struct Amounts {
    pub residents: usize,
    pub requests: usize,
    /// How many of the requests go to the social team, each opening a case.
    pub cases: usize,
    pub journal_per_case: usize,
    /// The member organisations the cooperative should have.
    pub organisations: usize,
    pub referrals: usize,
    /// Years of contracts, flexible support and grants from the joint pot.
    pub money_years: i32,
}

/// What `schakel generate` made, for its one line of summary.
pub struct Generated {
    cooperative: String,
    residents: usize,
    requests: usize,
    /// Cases given a history, and their journal entries.
    histories: (usize, usize),
    /// How many member organisations the cooperative has now.
    organisations: i64,
    referrals: usize,
    money: money::MoneyAdded,
    took: Duration,
}

impl fmt::Display for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (cases, entries) = self.histories;
        write!(
            f,
            "Added {} residents and {} requests, gave {cases} cases a history with {entries} journal \
             entries and added {} referrals, {} contracts, {} flexible support entries and {} grants with {} \
             expenses to '{}' (which has {} member organisations) in {}",
            self.residents,
            self.requests,
            self.referrals,
            self.money.contracts,
            self.money.flexible,
            self.money.grants,
            self.money.expenses,
            self.cooperative,
            self.organisations,
            HumanDuration(self.took)
        )
    }
}

/// Fills the cooperative `slug` stage by stage, with a progress bar for each, in one
/// transaction, and vacuums afterwards.
pub async fn run(database: &Database, slug: &str, amounts: &Amounts, seed: u64) -> anyhow::Result<Generated> {
    let started = Instant::now();
    // The bulk statements take longer than sqlx's threshold for a slow statement (a second);
    // warnings about them would only break up the progress bars.
    let owner = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(database.owner.clone().disable_statement_logging())
        .await?;
    let tenant = tenancy::find_by_slug(&owner, slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no cooperative '{slug}'"))?;
    let progress = Progress::on_terminal();
    let mut tx = db::tenant_tx(&owner, tenant.id).await?;
    let today = crate::shared::clock::local_now(&mut tx).await?.date();
    let (residents, requests) = (amounts.residents, amounts.requests);
    intake(
        &mut tx,
        seed,
        residents,
        requests,
        amounts.cases,
        today,
        &progress,
    )
    .await?;
    // Cases left untouched by an earlier run (or the demo) get a history too.
    let histories = case_histories(&mut tx, seed, amounts.journal_per_case, today, &progress).await?;
    let organisations = organisations(&mut tx, seed, amounts.organisations, today, &progress).await?;
    let referrals = referrals(&mut tx, seed, amounts.referrals, &progress).await?;
    let step = progress.step("money");
    let money = money::add(&mut tx, seed, amounts.money_years, today).await?;
    progress.finish(&step);
    let step = progress.step("commit");
    tx.commit().await?;
    progress.finish(&step);
    // Vacuum now rather than leave it to autovacuum, which would run beside whatever comes
    // next (in the benchmark: the measurements).
    let step = progress.step("vacuum");
    sqlx::query("VACUUM (ANALYZE)").execute(&owner).await?;
    progress.finish(&step);
    owner.close().await;
    Ok(Generated {
        cooperative: tenant.name,
        residents,
        requests,
        histories,
        organisations,
        referrals,
        money,
        took: started.elapsed(),
    })
}

/// A small, fast, deterministic generator: the same seed gives the same data.
struct Sampler(u64);

impl Sampler {
    fn new(seed: u64) -> Sampler {
        Sampler(seed.max(1))
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }

    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
