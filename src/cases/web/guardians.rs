//! A parent's access to a minor's own pages: the case's lead gives it to a parent linked in
//! the household, or takes it back, on the record.

use askama::Template;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::auth::residents::{self, GuardianCandidate};
use crate::cases::access::{audit_case, case_to_write};
use crate::cases::record::CaseView;
use crate::error::{AppError, AppResult};
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;
use crate::web::layout::Layout;
use crate::web::{self};

#[derive(Template)]
#[template(path = "cases/guardians.html")]
struct GuardiansPage {
    l: Layout,
    case: CaseView,
    parents: Vec<GuardianCandidate>,
}

pub async fn guardians_page(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let minor = case.resident_id.ok_or(AppError::NotFound)?;
    let parents = residents::guardian_candidates(&mut tx, minor).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "guardians": true }),
    )
    .await?;
    tx.commit().await?;
    web::render(&GuardiansPage {
        case,
        parents,
        l: ctx.layout(),
    })
}

/// Gives (`give=yes`) or takes back a parent's access to the minor's pages.
pub async fn set_guardian(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let minor = case.resident_id.ok_or(AppError::NotFound)?;
    let parent: Uuid = fields.get("parent").parse().map_err(|_| AppError::NotFound)?;
    let give = fields.get("give") == "yes";
    if give && !residents::may_be_guardian(&mut tx, parent, minor).await? {
        return Err(AppError::NotFound);
    }
    if residents::set_guardian(&mut tx, parent, minor, give, user.id).await? {
        audit_case(
            &mut tx,
            &ctx,
            &user,
            AuditKind::GuardianChanged,
            &case,
            json!({ "parent": parent, "given": give }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/cases/{}/ouders", ctx.tenant.slug, case.id),
        if give {
            "flash.guardian_given"
        } else {
            "flash.guardian_taken_back"
        },
    ))
}
