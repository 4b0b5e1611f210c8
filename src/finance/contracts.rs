//! Contracts and subsidies from the municipality, each divided into budget lines.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::money::Cents;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 25;

pub struct Contract {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub commissioner: String,
    pub amount_cents: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub conditions: String,
    /// What the budget lines divide of it.
    pub budgeted_cents: i64,
}

impl Contract {
    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }

    pub fn budgeted(&self) -> Cents {
        Cents(self.budgeted_cents)
    }

    pub fn unbudgeted(&self) -> Cents {
        self.amount() - self.budgeted()
    }

    pub fn kind_key(&self) -> String {
        format!("contract.kind.{}", self.kind)
    }

    pub fn period(&self) -> String {
        format!(
            "{} – {}",
            crate::shared::format::format_date(self.starts_on),
            crate::shared::format::format_date(self.ends_on)
        )
    }
}

pub struct BudgetLine {
    pub id: Uuid,
    pub name: String,
    pub amount_cents: i64,
    /// Flexible support per resident is paid from it.
    pub flexible: bool,
}

impl BudgetLine {
    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }
}

/// The kinds of contract: a commission (opdracht) or a subsidy.
pub const KINDS: &[&str] = &["opdracht", "subsidie"];

/// The contract form as typed.
#[derive(Debug, Clone, Default)]
pub struct ContractInput {
    pub kind: String,
    pub title: String,
    pub commissioner: String,
    pub amount: String,
    pub starts_on: String,
    pub ends_on: String,
    pub conditions: String,
}

pub struct NewContract {
    pub kind: String,
    pub title: String,
    pub commissioner: String,
    pub amount: Cents,
    pub starts_on: Date,
    pub ends_on: Date,
    pub conditions: String,
}

impl ContractInput {
    pub fn from_fields(fields: &Fields) -> ContractInput {
        ContractInput {
            kind: fields.get("kind").to_owned(),
            title: fields.get("title").trim().to_owned(),
            commissioner: fields.get("commissioner").trim().to_owned(),
            amount: fields.get("amount").trim().to_owned(),
            starts_on: fields.get("starts_on").trim().to_owned(),
            ends_on: fields.get("ends_on").trim().to_owned(),
            conditions: fields.get("conditions").trim().to_owned(),
        }
    }

    /// A new contract for `year`, running the calendar year.
    pub fn for_year(year: i32) -> ContractInput {
        ContractInput {
            kind: "opdracht".to_owned(),
            starts_on: format!("01-01-{year}"),
            ends_on: format!("31-12-{year}"),
            ..ContractInput::default()
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> Option<NewContract> {
        if !KINDS.contains(&self.kind.as_str()) {
            errors.field("kind", "contract.error.kind");
        }
        if self.title.is_empty() {
            errors.field("title", "contract.error.title");
        }
        if self.commissioner.is_empty() {
            errors.field("commissioner", "contract.error.commissioner");
        }
        let amount = Cents::parse(&self.amount)
            .map_err(|e| errors.field("amount", e.message_key()))
            .ok();
        let starts_on = parse_date(&self.starts_on);
        if starts_on.is_none() {
            errors.field("starts_on", "contract.error.date");
        }
        let ends_on = parse_date(&self.ends_on);
        match (starts_on, ends_on) {
            (_, None) => errors.field("ends_on", "contract.error.date"),
            (Some(start), Some(end)) if end < start => errors.field("ends_on", "contract.error.ends_before"),
            _ => {}
        }
        if !errors.is_empty() {
            return None;
        }
        Some(NewContract {
            kind: self.kind.clone(),
            title: self.title.clone(),
            commissioner: self.commissioner.clone(),
            amount: amount?,
            starts_on: starts_on?,
            ends_on: ends_on?,
            conditions: self.conditions.clone(),
        })
    }
}

/// Contracts, the latest period first, one page of them (one more to tell a next page).
pub async fn list(tx: &mut TenantTx, page: i64) -> sqlx::Result<Vec<Contract>> {
    with_budgeted(tx, None, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await
}

pub async fn count(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM contracts WHERE tenant_id = $1"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Contract>> {
    Ok(with_budgeted(tx, Some(id), 1, 0).await?.pop())
}

async fn with_budgeted(
    tx: &mut TenantTx,
    only: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Contract>> {
    sqlx::query_as!(
        Contract,
        r#"SELECT c.id, c.kind, c.title, c.commissioner, c.amount_cents, c.starts_on, c.ends_on, c.conditions,
                  coalesce((SELECT sum(b.amount_cents) FROM budget_lines b
                            WHERE b.tenant_id = c.tenant_id AND b.contract_id = c.id), 0)::bigint AS "budgeted_cents!"
           FROM contracts c
           WHERE c.tenant_id = $1 AND ($2::uuid IS NULL OR c.id = $2)
           ORDER BY c.starts_on DESC, c.id
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        only,
        limit,
        offset
    )
    .fetch_all(&mut **tx)
    .await
}

/// The contract locked while a budget line is added, so that the lines never divide more
/// than it holds.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Contract>> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM contracts WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some(id) => find(tx, id).await,
        None => Ok(None),
    }
}

pub async fn create(tx: &mut TenantTx, new: &NewContract, by: Uuid) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO contracts (tenant_id, kind, title, commissioner, amount_cents, starts_on, ends_on, conditions, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        tx.tenant_id(),
        new.kind,
        new.title,
        new.commissioner,
        new.amount.0,
        new.starts_on,
        new.ends_on,
        new.conditions,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn lines(tx: &mut TenantTx, contract_id: Uuid) -> sqlx::Result<Vec<BudgetLine>> {
    sqlx::query_as!(
        BudgetLine,
        "SELECT id, name, amount_cents, flexible FROM budget_lines
         WHERE tenant_id = $1 AND contract_id = $2 ORDER BY created_at, id",
        tx.tenant_id(),
        contract_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// The budget-line form as typed.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub name: String,
    pub amount: String,
    pub flexible: bool,
}

impl LineInput {
    pub fn from_fields(fields: &Fields) -> LineInput {
        LineInput {
            name: fields.get("name").trim().to_owned(),
            amount: fields.get("amount").trim().to_owned(),
            flexible: fields.get("flexible") == "1",
        }
    }

    /// Checks the line against the contract and its other lines: a name once, and no more
    /// divided than the contract holds.
    pub fn validate(
        &self,
        contract: &Contract,
        lines: &[BudgetLine],
        errors: &mut FormErrors,
    ) -> Option<(String, Cents)> {
        if self.name.is_empty() {
            errors.field("name", "budget_line.error.name");
        } else if lines.iter().any(|l| l.name.eq_ignore_ascii_case(&self.name)) {
            errors.field("name", "budget_line.error.name_taken");
        }
        match Cents::parse(&self.amount) {
            Err(e) => errors.field("amount", e.message_key()),
            Ok(amount) if amount > contract.unbudgeted() => {
                errors.field("amount", "budget_line.error.more_than_contract")
            }
            Ok(amount) if errors.is_empty() => return Some((self.name.clone(), amount)),
            Ok(_) => {}
        }
        None
    }
}

/// Adds a budget line; a `flexible` one pays flexible support per resident.
pub async fn add_line(
    tx: &mut TenantTx,
    contract_id: Uuid,
    name: &str,
    amount: Cents,
    flexible: bool,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO budget_lines (tenant_id, contract_id, name, amount_cents, flexible)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        tx.tenant_id(),
        contract_id,
        name,
        amount.0,
        flexible
    )
    .fetch_one(&mut **tx)
    .await
}
