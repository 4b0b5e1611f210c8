//! A contract with the municipality: made by whoever keeps the money, divided into budget
//! lines, read by those who see the totals.

use askama::Template;
use axum::response::Response;
use serde_json::json;

use super::{audit_change, finance_path, status_for};
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::finance::agreements::{self, Agreement, AgreementInput, Measure, Measured};
use crate::finance::contracts::{self, BudgetLine, Contract, ContractInput, LineInput};
use crate::finance::payments::{self, Payment, PaymentInput, Received};
use crate::finance::{MONEY_ROLES, Standing};
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "finance/contract_form.html")]
struct ContractFormPage {
    l: Layout,
    input: ContractInput,
    kinds: &'static [&'static str],
    errors: FormErrors,
}

fn render_form(ctx: &RequestContext, input: ContractInput, errors: FormErrors) -> AppResult<Response> {
    web::render_with_status(
        status_for(&errors),
        &ContractFormPage {
            l: ctx.layout(),
            input,
            kinds: contracts::KINDS,
            errors,
        },
    )
}

pub async fn new_contract(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(MONEY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let year = local_now(&mut tx).await?.year();
    tx.commit().await?;
    render_form(&ctx, ContractInput::for_year(year), FormErrors::new())
}

pub async fn create_contract(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(MONEY_ROLES)?;
    let input = ContractInput::from_fields(&fields);
    let mut errors = fields.errors();
    let Some(new) = input.validate(&mut errors).filter(|_| errors.is_empty()) else {
        return render_form(&ctx, input, errors);
    };
    let mut tx = ctx.tx().await?;
    let id = contracts::create(&mut tx, &new, user.id).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({
            "what": "contract_created",
            "contract_id": id,
            "new": { "title": new.title, "amount_cents": new.amount.0, "kind": new.kind },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &finance_path(&ctx, &format!("/contracts/{id}")),
        "flash.contract_created",
    ))
}

/// The forms on the contract's page as typed, and the messages of the one sent.
#[derive(Default)]
struct Typed {
    form: &'static str,
    errors: FormErrors,
    line: LineInput,
    agreement: AgreementInput,
    payment: Option<PaymentInput>,
}

static NO_ERRORS: FormErrors = FormErrors::new();

#[derive(Template)]
#[template(path = "finance/contract.html")]
struct ContractPage {
    l: Layout,
    contract: Contract,
    lines: Vec<BudgetLine>,
    agreements: Vec<(Agreement, Measured)>,
    /// Up to when the agreements are measured: today, or the contract's end.
    measured_until: String,
    measures: &'static [Measure],
    may_edit: bool,
    payments: Vec<Payment>,
    received: Received,
    payment: PaymentInput,
    typed: Typed,
}

impl ContractPage {
    fn errors_for(&self, form: &str) -> &FormErrors {
        if self.typed.form == form {
            &self.typed.errors
        } else {
            &NO_ERRORS
        }
    }
}

async fn render_contract(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    contract: Contract,
    typed: Typed,
) -> AppResult<Response> {
    let lines = contracts::lines(&mut tx, contract.id).await?;
    let today = local_now(&mut tx).await?.date();
    let until = today.clamp(contract.starts_on, contract.ends_on);
    let listed = agreements::list(&mut tx, contract.id).await?;
    let agreements = agreements::measured(&mut tx, listed, (contract.starts_on, until), today).await?;
    let payments = payments::latest(&mut tx, contract.id).await?;
    let received = payments::received(&mut tx, contract.id, None).await?;
    tx.commit().await?;
    web::render_with_status(
        status_for(&typed.errors),
        &ContractPage {
            l: ctx.layout(),
            contract,
            lines,
            agreements,
            measured_until: format_date(until),
            measures: Measure::ALL,
            may_edit: user.require_any(MONEY_ROLES).is_ok(),
            payments,
            received,
            payment: typed
                .payment
                .clone()
                .unwrap_or_else(|| PaymentInput::fresh(today)),
            typed,
        },
    )
}

pub async fn contract(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    if !Standing::of(&mut tx, &user).await?.sees_totals() {
        return Err(AppError::Forbidden);
    }
    let contract = contracts::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    render_contract(tx, &ctx, &user, contract, Typed::default()).await
}

pub async fn add_line(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(MONEY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let contract = contracts::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let lines = contracts::lines(&mut tx, contract.id).await?;
    let input = LineInput::from_fields(&fields);
    let mut errors = fields.errors();
    let Some((name, amount)) = input
        .validate(&contract, &lines, &mut errors)
        .filter(|_| errors.is_empty())
    else {
        let typed = Typed {
            form: "line",
            errors,
            line: input,
            ..Typed::default()
        };
        return render_contract(tx, &ctx, &user, contract, typed).await;
    };
    let line_id = contracts::add_line(&mut tx, contract.id, &name, amount, input.flexible).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({
            "what": "budget_line_added",
            "contract_id": contract.id,
            "budget_line_id": line_id,
            "old": { "budgeted_cents": contract.budgeted_cents },
            "new": { "name": name, "amount_cents": amount.0, "flexible": input.flexible, "budgeted_cents": contract.budgeted_cents + amount.0 },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &finance_path(&ctx, &format!("/contracts/{}#lines", contract.id)),
        "flash.budget_line_added",
    ))
}

/// Whoever keeps the money adds a performance agreement to the contract.
pub async fn add_agreement(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(MONEY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let contract = contracts::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let existing = agreements::list(&mut tx, contract.id).await?;
    let input = AgreementInput::from_fields(&fields);
    let mut errors = fields.errors();
    let Some((measure, target)) = input
        .validate(&existing, &mut errors)
        .filter(|_| errors.is_empty())
    else {
        let typed = Typed {
            form: "agreement",
            errors,
            agreement: input,
            ..Typed::default()
        };
        return render_contract(tx, &ctx, &user, contract, typed).await;
    };
    let agreement_id = agreements::add(&mut tx, contract.id, measure, target, &input.description).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({
            "what": "agreement_added",
            "contract_id": contract.id,
            "agreement_id": agreement_id,
            "new": { "measure": measure.code(), "target": target, "description": input.description },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &finance_path(&ctx, &format!("/contracts/{}#agreements", contract.id)),
        "flash.agreement_added",
    ))
}

/// Whoever keeps the money records a payment the municipality made on the contract.
pub async fn add_payment(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(MONEY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let contract = contracts::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let today = local_now(&mut tx).await?.date();
    let input = PaymentInput::from_fields(&fields);
    let mut errors = fields.errors();
    let Some(new) = input
        .validate(&contract, today, &mut errors)
        .filter(|_| errors.is_empty())
    else {
        let typed = Typed {
            form: "payment",
            errors,
            payment: Some(input),
            ..Typed::default()
        };
        return render_contract(tx, &ctx, &user, contract, typed).await;
    };
    let path = finance_path(&ctx, &format!("/contracts/{}#payments", contract.id));
    let Some(payment_id) = payments::record(&mut tx, contract.id, &new, user.id).await? else {
        tx.commit().await?;
        return Ok(web::redirect_with_flash(&path, "flash.payment_already_stored"));
    };
    let before = payments::received(&mut tx, contract.id, None).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({
            "what": "payment_recorded",
            "contract_id": contract.id,
            "payment_id": payment_id,
            "old": { "received_cents": before.to_date_cents - new.amount.0 },
            "new": {
                "received_on": new.received_on.to_string(),
                "amount_cents": new.amount.0,
                "received_cents": before.to_date_cents,
            },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(&path, "flash.payment_recorded"))
}
