//! Who represents each member organisation in the assembly, and since and until when.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::response::Response;
use serde_json::json;

use super::{PageQuery, audit_change, status_for};
use crate::assembly::SECRETARY_ROLES;
use crate::assembly::representatives::{self, Candidate, MandateInput, Representative};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "assembly/representatives.html")]
struct RepresentativesPage {
    l: Layout,
    rows: Vec<Representative>,
    pagination: Pagination,
    candidates: Vec<Candidate>,
    input: MandateInput,
    errors: FormErrors,
    /// The secretary keeps the mandates; the chair reads who represents whom.
    may_edit: bool,
}

async fn render_representatives(
    mut tx: TenantTx,
    ctx: &RequestContext,
    page: i64,
    input: Option<MandateInput>,
    errors: FormErrors,
    may_edit: bool,
) -> AppResult<Response> {
    let today = local_now(&mut tx).await?.date();
    let mut rows = representatives::list(&mut tx, page).await?;
    let total = representatives::count(&mut tx).await?;
    let candidates = representatives::candidates(&mut tx).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, representatives::PAGE_SIZE);
    web::render_with_status(
        status_for(&errors),
        &RepresentativesPage {
            rows,
            pagination: Pagination::new(
                format!("/{}/assembly/representatives?", ctx.tenant.slug),
                page,
                representatives::PAGE_SIZE,
                has_next,
                total,
            ),
            candidates,
            input: input.unwrap_or_else(|| MandateInput::starting(today)),
            errors,
            may_edit,
            l: ctx.layout(),
        },
    )
}

fn to_representatives(ctx: &RequestContext, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("/{}/assembly/representatives", ctx.tenant.slug), flash)
}

pub async fn representatives(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin, Role::Chair])?;
    let may_edit = SECRETARY_ROLES.iter().any(|role| user.has(*role));
    let tx = ctx.tx().await?;
    render_representatives(tx, &ctx, query.number(), None, FormErrors::default(), may_edit).await
}

pub async fn add_representative(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let input = MandateInput::from_fields(&fields);
    let mut tx = ctx.tx().await?;
    let candidates = representatives::candidates(&mut tx).await?;
    let mut errors = fields.errors();
    if let Some(mandate) = input.validate(&candidates, &mut errors) {
        let organisation_id = representatives::add(&mut tx, &mandate, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::RepresentativeChanged,
            json!({ "organisation_id": organisation_id, "user_id": mandate.user_id, "from": format_date(mandate.valid_from) }),
        )
        .await?;
        tx.commit().await?;
        return Ok(to_representatives(&ctx, "flash.representative_added"));
    }
    render_representatives(tx, &ctx, 1, Some(input), errors, true).await
}

pub async fn end_representative(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    if !representatives::end(&mut tx, id, today).await? {
        return Err(AppError::NotFound);
    }
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::RepresentativeChanged,
        json!({ "representative_id": id, "ended": format_date(today) }),
    )
    .await?;
    tx.commit().await?;
    Ok(to_representatives(&ctx, "flash.representative_ended"))
}
