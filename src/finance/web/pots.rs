//! A joint pot: the decisions that filled it, its balance, and its grants — all of them for
//! whoever keeps the money, a member's own with the form to apply.

use askama::Template;
use axum::response::Response;
use serde_json::json;

use super::{PageQuery, audit_change, grant_path, status_for};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::finance::Standing;
use crate::finance::account::{self, LineOption};
use crate::finance::grants::{self, ApplicationInput, Grant, GrantsOf};
use crate::finance::pots::{self, Allocation, Pot};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, Query};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "finance/pot.html")]
struct PotPage {
    l: Layout,
    standing: Standing,
    pot: Pot,
    allocations: Vec<Allocation>,
    grants: Vec<Grant>,
    pagination: Pagination,
    input: ApplicationInput,
    errors: FormErrors,
    /// Staff of a member organisation apply for its projects.
    may_apply: bool,
    /// The budget lines whoever keeps the money may count the pot's spending towards.
    line_options: Vec<LineOption>,
}

impl PotPage {
    fn member(&self) -> bool {
        self.standing == Standing::Member
    }

    fn is_line(&self, id: &uuid::Uuid) -> bool {
        self.pot.budget_line_id.as_ref() == Some(id)
    }

    /// Whoever keeps the money sees every application; staff of a member their own (the
    /// chair too, when they are); the chair as such sees the totals only.
    fn shows_grants(&self) -> bool {
        self.standing == Standing::Keeper || self.may_apply
    }
}

async fn render_pot(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    standing: Standing,
    pot: Pot,
    page: i64,
    (input, errors): (ApplicationInput, FormErrors),
) -> AppResult<Response> {
    let allocations = pots::allocations(&mut tx, pot.id).await?;
    let line_options = if standing == Standing::Keeper {
        account::line_options(&mut tx).await?
    } else {
        Vec::new()
    };
    let may_apply = user.has(Role::Member) && user.organisation_id.is_some();
    let of = match (standing, user.organisation_id) {
        (Standing::Keeper, _) => Some(GrantsOf::Pot(pot.id)),
        (_, Some(organisation)) if may_apply => Some(GrantsOf::Member(organisation, Some(pot.id))),
        _ => None,
    };
    let (mut rows, total) = match of {
        Some(of) => (
            grants::list(&mut tx, of, page).await?,
            grants::count(&mut tx, of).await?,
        ),
        None => (Vec::new(), 0),
    };
    tx.commit().await?;
    let has_next = trim_page(&mut rows, grants::PAGE_SIZE);
    web::render_with_status(
        status_for(&errors),
        &PotPage {
            l: ctx.layout(),
            standing,
            pagination: Pagination::new(
                format!("/{}/finance/pots/{}?", ctx.tenant.slug, pot.id),
                page,
                grants::PAGE_SIZE,
                has_next,
                total,
            ),
            pot,
            allocations,
            grants: rows,
            input,
            errors,
            may_apply,
            line_options,
        },
    )
}

pub async fn pot(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let standing = Standing::of(&mut tx, &user).await?;
    let pot = pots::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    render_pot(tx, &ctx, &user, standing, pot, query.number(), Default::default()).await
}

/// A member organisation applies for a grant from the pot.
pub async fn apply(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    // Staff of a member organisation apply, whatever else they are.
    let (true, Some(organisation)) = (user.has(Role::Member), user.organisation_id) else {
        return Err(AppError::Forbidden);
    };
    let mut tx = ctx.tx().await?;
    let pot = pots::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let input = ApplicationInput::from_fields(&fields);
    let mut errors = fields.errors();
    let Some(application) = input.validate(&mut errors).filter(|_| errors.is_empty()) else {
        let standing = Standing::of(&mut tx, &user).await?;
        return render_pot(tx, &ctx, &user, standing, pot, 1, (input, errors)).await;
    };
    let grant_id = grants::apply(&mut tx, pot.id, organisation, &application, user.id).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        json!({
            "what": "grant_requested",
            "grant_id": grant_id,
            "pot_id": pot.id,
            "new": { "status": "aangevraagd", "amount_cents": application.amount.0, "project": application.project },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &grant_path(&ctx, grant_id),
        "flash.grant_requested",
    ))
}
