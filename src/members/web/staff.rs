//! The staff of a member organisation: linking users with role `member` to it, and
//! unlinking them. The forms are on the organisation's page.

use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::register::{Submitted, back_to_organisation, load_organisation, render_organisation};
use super::{admin, audit_change};
use crate::audit::{AuditKind, Subject};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::members::register::{self, LinkError};
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::FormErrors;

pub(in crate::members) async fn link_user(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, id).await?;
    let chosen = fields.get("user").trim().to_owned();
    let mut errors = FormErrors::default();
    let outcome = match chosen.parse::<Uuid>() {
        Ok(user_id) => register::link_user(&mut tx, &organisation, user_id).await?,
        Err(_) => Err(LinkError::UnknownUser),
    };
    match outcome {
        Ok(linked) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::MemberUpdated,
                Some(Subject {
                    id: linked.id,
                    name: &linked.name,
                }),
                json!({ "organisation_id": organisation.id, "name": organisation.name, "user_linked": true }),
            )
            .await?;
            tx.commit().await?;
            return Ok(back_to_organisation(&ctx, organisation.id, "flash.user_linked"));
        }
        Err(LinkError::UnknownUser) => errors.field("user", "organisation.error.user"),
        Err(LinkError::NotMemberStaff) => errors.field("user", "organisation.error.not_member_staff"),
        Err(LinkError::AlreadyLinked) => errors.field("user", "organisation.error.already_linked"),
        Err(LinkError::OrganisationLeft) => errors.field("user", "organisation.error.link_left"),
    }
    let submitted = Submitted {
        form: "link",
        errors,
        conflict: false,
        status: None,
        link_user: chosen,
    };
    render_organisation(tx, &ctx, &user, organisation, submitted).await
}

pub(in crate::members) async fn unlink_user(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, user_id): PathIds,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, id).await?;
    let unlinked = register::unlink_user(&mut tx, organisation.id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::MemberUpdated,
        Some(Subject {
            id: unlinked.id,
            name: &unlinked.name,
        }),
        json!({ "organisation_id": organisation.id, "name": organisation.name, "user_linked": false }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to_organisation(&ctx, organisation.id, "flash.user_unlinked"))
}
