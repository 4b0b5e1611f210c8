//! The quarterly account of a contract, on screen and printable, and as CSV; and which
//! budget line a pot's spending counts towards.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::{audit_change, finance_path};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::finance::account::{self, LineAccount, PotAccount, Quarter};
use crate::finance::agreements::{self, Agreement, Measured};
use crate::finance::contracts::{self, Contract};
use crate::finance::payments::{self, Received};
use crate::finance::{MONEY_ROLES, Standing, pots};
use crate::shared::clock::local_now;
use crate::shared::money::Cents;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::csv;
use crate::web::forms::{Fields, Query};
use crate::web::ids::PathId;
use crate::web::layout::Layout;

#[derive(Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    kwartaal: String,
    #[serde(default)]
    csv: String,
}

#[derive(Template)]
#[template(path = "finance/account.html")]
struct AccountPage {
    l: Layout,
    contract: Contract,
    quarter: Quarter,
    previous: Option<Quarter>,
    next: Option<Quarter>,
    lines: Vec<LineAccount>,
    pots: Vec<PotAccount>,
    /// What the municipality paid, in the quarter and up to its end.
    received: Received,
    /// The performance agreements, measured from the contract's start to the quarter's end.
    agreements: Vec<(Agreement, Measured)>,
}

impl AccountPage {
    fn total(&self, of: fn(&LineAccount) -> Cents) -> Cents {
        self.lines.iter().fold(Cents(0), |sum, line| sum + of(line))
    }

    fn budgeted(&self) -> Cents {
        self.total(LineAccount::budget)
    }

    fn spent_in_quarter(&self) -> Cents {
        self.total(LineAccount::spent_in_quarter)
    }

    fn spent_to_date(&self) -> Cents {
        self.total(LineAccount::spent_to_date)
    }
}

pub async fn account(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<AccountQuery>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    if !Standing::of(&mut tx, &user).await?.sees_totals() {
        return Err(AppError::Forbidden);
    }
    let contract = contracts::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let within = |q: Quarter| q.overlaps(contract.starts_on, contract.ends_on);
    // The quarter asked for, else the latest one begun within the contract's period.
    let today = local_now(&mut tx).await?.date();
    let quarter = match Quarter::parse(&query.kwartaal) {
        Some(asked) if within(asked) => asked,
        Some(_) => return Err(AppError::NotFound),
        None => Quarter::of(today.clamp(contract.starts_on, contract.ends_on)),
    };
    let lines = account::lines(&mut tx, contract.id, quarter).await?;
    let pots = account::pots(&mut tx, quarter).await?;
    let until = quarter.end().min(contract.ends_on).min(today);
    let listed = agreements::list(&mut tx, contract.id).await?;
    let agreements = agreements::measured(&mut tx, listed, (contract.starts_on, until), today).await?;
    let received = payments::received(&mut tx, contract.id, Some(quarter)).await?;
    tx.commit().await?;
    if query.csv == "1" {
        return Ok(account_csv(&ctx, &contract, quarter, &received, (&lines, &pots)));
    }
    web::render(&AccountPage {
        l: ctx.layout(),
        previous: Some(quarter.previous()).filter(|q| within(*q)),
        next: Some(quarter.next()).filter(|q| within(*q)),
        contract,
        quarter,
        lines,
        pots,
        received,
        agreements,
    })
}

/// The account as CSV: one line per budget line and per pot, amounts as numbers.
fn account_csv(
    ctx: &RequestContext,
    contract: &Contract,
    quarter: Quarter,
    received: &Received,
    (lines, pots): (&[LineAccount], &[PotAccount]),
) -> Response {
    let l = ctx.layout();
    let header: Vec<String> = [
        "account.csv.kind",
        "account.csv.name",
        "account.csv.budget",
        "account.csv.spent_in_quarter",
        "account.csv.spent_to_date",
        "account.csv.granted_to_date",
    ]
    .iter()
    .map(|key| l.t(key).to_owned())
    .collect();
    let line_rows = lines.iter().map(|b| {
        vec![
            l.t("account.csv.budget_line").to_owned(),
            b.name.clone(),
            b.budget().for_csv(),
            b.spent_in_quarter().for_csv(),
            b.spent_to_date().for_csv(),
            String::new(),
        ]
    });
    let pot_rows = pots.iter().map(|p| {
        vec![
            l.t("account.csv.pot").to_owned(),
            p.name.clone(),
            p.allocated().for_csv(),
            p.spent_in_quarter().for_csv(),
            p.spent_to_date().for_csv(),
            p.granted_to_date().for_csv(),
        ]
    });
    // Money received first: the contract's amount and what the municipality paid of it.
    let received_row = vec![
        l.t("account.csv.received").to_owned(),
        contract.title.clone(),
        contract.amount().for_csv(),
        received.in_quarter().for_csv(),
        received.to_date().for_csv(),
        String::new(),
    ];
    let rows: Vec<Vec<String>> = std::iter::once(received_row)
        .chain(line_rows)
        .chain(pot_rows)
        .collect();
    let slug: String = contract
        .title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    csv::download(
        &format!("verantwoording-{slug}-{}.csv", quarter.code()),
        csv::document(&header, rows),
    )
}

/// Whoever keeps the money says which budget line a pot's spending counts towards.
pub async fn link_pot(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(MONEY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let pot = pots::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let options = account::line_options(&mut tx).await?;
    let line = match fields.get("budget_line") {
        "" => None,
        raw => Some(
            options
                .iter()
                .find(|o| o.id.to_string() == raw)
                .map(|o| o.id)
                .ok_or(AppError::NotFound)?,
        ),
    };
    account::link_pot(&mut tx, pot.id, line).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({ "what": "pot_budget_line", "pot_id": pot.id, "old": { "budget_line_id": pot.budget_line_id }, "new": { "budget_line_id": line } }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &finance_path(&ctx, &format!("/pots/{}", pot.id)),
        "flash.pot_linked",
    ))
}
