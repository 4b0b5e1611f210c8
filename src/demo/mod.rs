//! Demo data: a cooperative with one user per role, and a second cooperative to show that
//! tenants are isolated. Loading it twice changes nothing. Also the bulk generators behind
//! `schakel generate`. Above the domains: only `main.rs` and the tests use it.

mod assembly;
mod costs;
mod finance;
pub mod generate;
mod members;
mod working_day;

use sqlx::PgPool;

use crate::auth::Role;
use crate::auth::password::NewPassword;
use crate::auth::users::{self, Email, NewUser};
use crate::{db, tenancy};
use generate::Progress;

pub const PASSWORD: &str = "schakel-demo-2026";

pub const TENANTS: &[(&str, &str)] = &[("demo", "Coöperatie Demo"), ("demo2", "Coöperatie Demo Twee")];

/// (tenant, email, name, role)
pub const USERS: &[(&str, &str, &str, Role)] = &[
    ("demo", "balie@demo.test", "Bente Balie", Role::Desk),
    ("demo", "team@demo.test", "Tom Teamlid", Role::Professional),
    (
        "demo",
        "procesmanager@demo.test",
        "Priya Procesmanager",
        Role::ProcessManager,
    ),
    ("demo", "lid@demo.test", "Lars Lidorganisatie", Role::Member),
    ("demo", "beheer@demo.test", "Bram Beheer", Role::Admin),
    ("demo", "voorzitter@demo.test", "Vera Voorzitter", Role::Chair),
    (
        "demo",
        "penningmeester@demo.test",
        "Pim Penningmeester",
        Role::Treasurer,
    ),
    ("demo2", "balie@demo.test", "Dirk Demotwee", Role::Desk),
];

/// Creates what is missing of the demo data. Runs as the schema owner.
pub async fn load(owner: &PgPool) -> anyhow::Result<()> {
    for (slug, name) in TENANTS {
        if tenancy::find_by_slug(owner, slug).await?.is_none() {
            let tenant = tenancy::create(owner, slug, name).await?;
            // Demo accounts log in with their password alone.
            let mut tx = db::tenant_tx(owner, tenant.id).await?;
            sqlx::query!(
                "UPDATE tenant_settings SET second_factor = 'off' WHERE tenant_id = $1",
                tenant.id
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
    }
    for (slug, email, name, role) in USERS {
        let tenant = tenancy::find_by_slug(owner, slug)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo tenant {slug} missing"))?;
        let email = Email::parse(email).expect("demo emails are valid");
        let mut tx = db::tenant_tx(owner, tenant.id).await?;
        if !users::exists(&mut tx, &email).await? {
            let user = NewUser {
                email,
                name: (*name).to_owned(),
                roles: vec![*role],
                password: NewPassword::parse(PASSWORD).expect("the demo password is long enough"),
            };
            users::create(&mut tx, user).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// A desk and a team with a history: about 200 residents and 400 requests over two years, half
/// of them cases in every state with about six journal entries each, member organisations
/// with referrals, the assembly, and today's work at the desk; added once, from a fixed seed
/// with dates relative to today, so that a guide can refer to it.
pub async fn load_history(owner: &PgPool) -> anyhow::Result<()> {
    let tenant = tenancy::find_by_slug(owner, "demo")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo tenant missing"))?;
    let mut tx = db::tenant_tx(owner, tenant.id).await?;
    let existing = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM residents WHERE tenant_id = $1) AS "exists!""#,
        tenant.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !existing {
        let today = crate::shared::clock::local_now(&mut tx).await?.date();
        generate::intake(&mut tx, 2026, 200, 400, 200, today, &Progress::hidden()).await?;
        generate::case_histories(&mut tx, 2026, 6, today, &Progress::hidden()).await?;
    }
    members::load(&mut tx).await?;
    let referred = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM referrals WHERE tenant_id = $1) AS "exists!""#,
        tenant.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !referred {
        generate::referrals(&mut tx, 2026, 150, &Progress::hidden()).await?;
    }
    let today = crate::shared::clock::local_now(&mut tx).await?.date();
    assembly::load(&mut tx, today).await?;
    finance::load(&mut tx, today).await?;
    working_day::load(&mut tx, today).await?;
    tx.commit().await?;
    Ok(())
}

/// The lines printed at start-up in demo mode.
pub fn credentials(base_url: &str) -> String {
    let mut text = format!("Demo cooperatives: {base_url}/demo/login and {base_url}/demo2/login\n");
    text.push_str(&format!("Every demo account has the password {PASSWORD}\n"));
    for (slug, email, _, role) in USERS {
        text.push_str(&format!("  {slug:<6} {email:<26} {}\n", role.as_str()));
    }
    text.push_str(&format!(
        "  and a representative for every member organisation in the general assembly, such as {}\n",
        assembly::representative_email("Welzijn Woudenberg")
    ));
    text
}
