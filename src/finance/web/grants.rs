//! A grant: the application, the board's decision (never by whoever applied), what the member
//! spent of it with receipts, and the result it reports.

use askama::Template;
use axum::extract::Multipart;
use axum::response::Response;
use serde_json::json;

use super::{PageQuery, audit_change, grant_path, status_for};
use crate::assembly::{decisions, rules};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::finance::Standing;
use crate::finance::grants::{
    self, DecisionInput, Expense, ExpenseInput, Grant, GrantStatus, MAX_RECEIPT_BYTES, Receipt,
};
use crate::finance::pots;
use crate::shared::clock::local_now;
use crate::shared::files::sniff;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{self, Fields, Query};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

/// Which form on the grant page was sent and refused.
#[derive(Default)]
struct Refused {
    form: &'static str,
    errors: FormErrors,
    decision: DecisionInput,
    expense: Option<ExpenseInput>,
    result: Option<String>,
}

#[derive(Template)]
#[template(path = "finance/grant.html")]
struct GrantPage {
    l: Layout,
    grant: Grant,
    /// The pot's balance before this grant is decided.
    available: String,
    expenses: Vec<Expense>,
    pagination: Pagination,
    may_decide: bool,
    /// The statutes leave this grant to the assembly: its decision is recorded.
    for_assembly: bool,
    /// Whoever keeps the money and applied for this grant: told why they cannot decide.
    own_application: bool,
    may_spend: bool,
    outcomes: &'static [GrantStatus],
    expense: ExpenseInput,
    result: String,
    refused: Refused,
}

static NO_ERRORS: FormErrors = FormErrors::new();

impl GrantPage {
    fn errors_for(&self, form: &str) -> &FormErrors {
        if self.refused.form == form {
            &self.refused.errors
        } else {
            &NO_ERRORS
        }
    }
}

/// The grant as the user may see it: whoever keeps the money sees every grant, a member
/// organisation its own (another's is not there for it); the chair sees totals only.
async fn visible_grant(
    tx: &mut TenantTx,
    user: &CurrentUser,
    id: uuid::Uuid,
) -> AppResult<(Standing, Grant)> {
    let standing = Standing::of(tx, user).await?;
    let grant = grants::find(tx, id).await?.ok_or(AppError::NotFound)?;
    if standing == Standing::Keeper {
        return Ok((standing, grant));
    }
    // Staff of the member see its grant, whatever else they are (a chair may be one).
    let own = user.has(Role::Member) && user.organisation_id == Some(grant.organisation_id);
    match (own, standing) {
        (true, _) => Ok((Standing::Member, grant)),
        (false, Standing::Totals) => Err(AppError::Forbidden),
        (false, _) => Err(AppError::NotFound),
    }
}

async fn render_grant(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    standing: Standing,
    grant: Grant,
    page: i64,
    refused: Refused,
) -> AppResult<Response> {
    let pot = pots::find(&mut tx, grant.pot_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut expenses = grants::expenses(&mut tx, grant.id, page).await?;
    let total = grants::expense_count(&mut tx, grant.id).await?;
    let today = local_now(&mut tx).await?.date();
    let for_assembly = rules::find(&mut tx).await?.grant_for_assembly(grant.amount_cents);
    tx.commit().await?;
    let has_next = trim_page(&mut expenses, grants::PAGE_SIZE);
    let keeper = standing == Standing::Keeper;
    web::render_with_status(
        status_for(&refused.errors),
        &GrantPage {
            l: ctx.layout(),
            available: pot.available().to_string(),
            expenses,
            pagination: Pagination::new(
                format!("{}?", grant_path(ctx, grant.id)),
                page,
                grants::PAGE_SIZE,
                has_next,
                total,
            ),
            may_decide: keeper && grant.is_open() && grant.requested_by != user.id,
            for_assembly,
            own_application: keeper && grant.is_open() && grant.requested_by == user.id,
            may_spend: standing == Standing::Member && grant.is_granted(),
            outcomes: &[GrantStatus::Granted, GrantStatus::Refused],
            expense: refused
                .expense
                .clone()
                .unwrap_or_else(|| ExpenseInput::fresh(today)),
            result: refused.result.clone().unwrap_or_else(|| grant.result.clone()),
            grant,
            refused,
        },
    )
}

pub async fn grant(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let (standing, grant) = visible_grant(&mut tx, &user, id).await?;
    render_grant(
        tx,
        &ctx,
        &user,
        standing,
        grant,
        query.number(),
        Refused::default(),
    )
    .await
}

/// The board grants or refuses. The pot is locked first, so that its balance holds.
pub async fn decide(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let (standing, seen) = visible_grant(&mut tx, &user, id).await?;
    if standing != Standing::Keeper || seen.requested_by == user.id {
        return Err(AppError::Forbidden);
    }
    let pot = pots::lock(&mut tx, seen.pot_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let grant = grants::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let input = DecisionInput::from_fields(&fields);
    let mut errors = fields.errors();
    if !grant.is_open() {
        errors.form("grant.error.decided");
    }
    let outcome = input.validate(&grant, &pot, &mut errors);
    // Above the statutes' amount the assembly decides; whoever keeps the money records its
    // decision, which must say the same.
    let mut assembly_decision = None;
    if rules::find(&mut tx).await?.grant_for_assembly(grant.amount_cents) {
        match decisions::by_number(&mut tx, &input.decision_number).await? {
            _ if input.decision_number.is_empty() => {
                errors.field("decision_number", "grant.error.decision_needed")
            }
            None => errors.field("decision_number", "grant.error.decision_unknown"),
            Some((id, adopted)) if outcome.is_none_or(|o| adopted == (o == GrantStatus::Granted)) => {
                assembly_decision = Some(id)
            }
            Some(_) => errors.field("decision_number", "grant.error.decision_differs"),
        }
    }
    let outcome = outcome.filter(|_| errors.is_empty());
    let Some(outcome) = outcome else {
        let refused = Refused {
            form: "decision",
            errors,
            decision: input,
            ..Refused::default()
        };
        return render_grant(tx, &ctx, &user, standing, grant, 1, refused).await;
    };
    let over_committed = outcome == GrantStatus::Granted && grant.amount() > pot.available();
    grants::decide(
        &mut tx,
        grant.id,
        outcome,
        &input,
        (over_committed, assembly_decision),
        user.id,
    )
    .await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({
            "what": "grant_decided",
            "grant_id": grant.id,
            "pot_id": pot.id,
            "old": { "status": grant.status, "pot_available_cents": pot.available().0 },
            "new": {
                "status": outcome.code(),
                "note": input.note,
                "over_commitment": over_committed.then_some(&input.over_commitment),
                "decision_id": assembly_decision,
            },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &grant_path(&ctx, grant.id),
        "flash.grant_decided",
    ))
}

/// The member records what it spent, with a receipt; a form sent twice is stored once.
pub async fn add_expense(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    multipart: Multipart,
) -> AppResult<Response> {
    // Who may not spend is refused before the upload is read.
    let mut tx = ctx.tx().await?;
    let (standing, grant) = visible_grant(&mut tx, &user, id).await?;
    if standing != Standing::Member || !grant.is_granted() {
        return Err(AppError::Forbidden);
    }
    tx.commit().await?;
    let (fields, files) = forms::read_multipart(multipart, "receipt").await?;
    let input = ExpenseInput::from_fields(&fields);
    let mut errors = fields.errors();
    let receipt = match files.into_iter().next() {
        None => None,
        Some((_, content)) if content.len() > MAX_RECEIPT_BYTES => {
            errors.field("receipt", "expense.error.receipt_too_large");
            None
        }
        Some((filename, content)) => match sniff(&content) {
            Some(content_type) => Some(Receipt {
                name: forms::clean_filename(&filename, "bon"),
                content_type,
                content,
            }),
            None => {
                errors.field("receipt", "expense.error.receipt_type");
                None
            }
        },
    };
    let mut tx = ctx.tx().await?;
    let grant = grants::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    // Sent again after it was stored (a double click, a reload): it is there already.
    if grants::submitted_before(&mut tx, &input.submission).await? {
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &grant_path(&ctx, grant.id),
            "flash.expense_recorded",
        ));
    }
    let today = local_now(&mut tx).await?.date();
    let new = input.validate(&grant, today, receipt.as_ref(), &mut errors);
    let (Some(new), Some(receipt), true) = (new, receipt, errors.is_empty()) else {
        let refused = Refused {
            form: "expense",
            errors,
            expense: Some(input),
            ..Refused::default()
        };
        return render_grant(tx, &ctx, &user, standing, grant, 1, refused).await;
    };
    if grants::record_expense(&mut tx, grant.id, &new, &receipt, user.id).await? {
        audit_change(
            &mut tx,
            &ctx,
            &user,
            json!({
                "what": "expense_recorded",
                "grant_id": grant.id,
                "old": { "spent_cents": grant.spent_cents },
                "new": { "amount_cents": new.amount.0, "spent_cents": grant.spent_cents + new.amount.0,
                         "description": new.description, "receipt": receipt.name },
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("{}#expenses", grant_path(&ctx, grant.id)),
        "flash.expense_recorded",
    ))
}

/// The member reports what the project achieved.
pub async fn report_result(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let (standing, grant) = visible_grant(&mut tx, &user, id).await?;
    if standing != Standing::Member || !grant.is_granted() {
        return Err(AppError::Forbidden);
    }
    let result = fields.get("result").trim().to_owned();
    let mut errors = fields.errors();
    if result.is_empty() {
        errors.field("result", "grant.error.result");
    }
    if !errors.is_empty() {
        let refused = Refused {
            form: "result",
            errors,
            result: Some(result),
            ..Refused::default()
        };
        return render_grant(tx, &ctx, &user, standing, grant, 1, refused).await;
    }
    grants::report_result(&mut tx, grant.id, &result).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({ "what": "grant_result", "grant_id": grant.id, "old": { "result": grant.result }, "new": { "result": result } }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &grant_path(&ctx, grant.id),
        "flash.grant_result",
    ))
}

pub async fn receipt(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, expense): PathIds,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let (_, grant) = visible_grant(&mut tx, &user, id).await?;
    let stored = grants::receipt(&mut tx, grant.id, expense)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(web::stored_file(
        "inline",
        &stored.receipt_name,
        stored.receipt_type,
        stored.receipt,
    ))
}
