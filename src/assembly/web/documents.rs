//! A meeting's documents: PDFs for the whole meeting or one item, uploaded until the meeting is
//! held and read by everyone who sees the meeting.

use axum::extract::Multipart;
use axum::response::Response;
use serde_json::json;

use super::page::{Submitted, render_meeting};
use super::{audit_change, load_item, load_meeting, lock_meeting, meeting_path};
use crate::assembly::agenda;
use crate::assembly::{READ_ROLES, SECRETARY_ROLES};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::web::context::RequestContext;
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::FormErrors;
use crate::web::{self, parse_id};

/// The document form: an optional item and one PDF, read from a multipart body.
async fn read_document_form(mut multipart: Multipart) -> AppResult<(String, Option<(String, Vec<u8>)>)> {
    let mut item = String::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(AppError::from)? {
        match field.name().unwrap_or_default() {
            "document" => {
                let filename = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(AppError::from)?;
                if !bytes.is_empty() {
                    file = Some((filename, bytes.to_vec()));
                }
            }
            "item" => item = field.text().await.map_err(AppError::from)?,
            _ => {}
        }
    }
    Ok((item, file))
}

pub async fn upload_document(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    multipart: Multipart,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let (item, file) = read_document_form(multipart).await?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    if meeting.is_held() {
        return Err(AppError::Forbidden);
    }
    let item_id = match item.as_str() {
        "" => None,
        raw => Some(load_item(&mut tx, &meeting, parse_id(raw)?).await?.id),
    };
    let mut errors = FormErrors::default();
    match &file {
        None => errors.field("document", "document.error.missing"),
        Some((_, content)) if content.len() > agenda::MAX_DOCUMENT_BYTES => {
            errors.field("document", "document.error.too_large")
        }
        Some((_, content)) if !agenda::is_pdf(content) => errors.field("document", "document.error.not_pdf"),
        Some(_) => {}
    }
    if let (true, Some((filename, content))) = (errors.is_empty(), &file) {
        let name = web::forms::clean_filename(filename, "document.pdf");
        let document_id = agenda::add_document(&mut tx, meeting.id, item_id, &name, content, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AgendaChanged,
            json!({ "meeting_id": meeting.id, "document": document_id, "filename": name }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#documents", meeting_path(&ctx, meeting.id)),
            "flash.document_added",
        ));
    }
    let submitted = Submitted {
        form: "document",
        errors,
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}

pub async fn download_document(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, document): PathIds,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, id, &user).await?;
    let document = agenda::document(&mut tx, meeting.id, document)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(web::stored_file(
        "inline",
        &document.filename,
        document.content_type,
        document.content,
    ))
}
