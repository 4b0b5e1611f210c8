//! The resident's network: the people and organisations around them.

use axum::response::Response;
use serde_json::json;

use super::page::case_form_failed;
use super::{Submitted, done};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::CasePart;
use crate::cases::access::{audit_case, case_to_write};
use crate::cases::network::{self, ContactInput};
use crate::error::{AppError, AppResult};
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::{PathId, PathIds};

pub async fn add_contact(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let Some(resident_id) = case.resident_id else {
        return Err(AppError::NotFound);
    };
    let input = ContactInput::from_fields(&fields);
    let mut submitted = Submitted::new("network", fields);
    let Some(relation) = input.validate(&mut submitted.errors) else {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    network::add(&mut tx, resident_id, &input, relation, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::NetworkChanged,
        &case,
        json!({ "added": input.name, "relation": relation.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, CasePart::Network, "flash.contact_added"))
}

pub async fn remove_contact(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, contact): PathIds,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let resident_id = case.resident_id.ok_or(AppError::NotFound)?;
    if !network::remove(&mut tx, resident_id, contact).await? {
        return Err(AppError::NotFound);
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::NetworkChanged,
        &case,
        json!({ "removed": contact }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, CasePart::Network, "flash.contact_removed"))
}
