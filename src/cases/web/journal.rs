//! The journal: its pages, a new entry with its attachments, and reading an attachment.

use askama::Template;
use axum::extract::Multipart;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use time::PrimitiveDateTime;

use super::page::{Showing, render_case};
use super::{Submitted, done};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::CasePart;
use crate::cases::EntryKind;
use crate::cases::access::{audit_case, case_to_write, open_case};
use crate::cases::journal::{self, Entry, NewEntry, Upload};
use crate::cases::record::CaseView;
use crate::error::{AppError, AppResult};
use crate::shared::clock::local_now;
use crate::web::context::RequestContext;
use crate::web::forms::{self, Query, parse_date};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

#[derive(Deserialize)]
pub struct JournalQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "cases/journal.html")]
struct JournalPage {
    l: Layout,
    case: CaseView,
    journal: Vec<Entry>,
    pagination: Pagination,
}

pub async fn journal_page(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<JournalQuery>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    let page = query.page.unwrap_or(1).max(1);
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "journal_page": page }),
    )
    .await?;
    let mut journal = journal::page(&mut tx, case.id, page).await?;
    let total = journal::count(&mut tx, case.id).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut journal, journal::PAGE_SIZE);
    let base = format!("/{}/cases/{}/journal", ctx.tenant.slug, case.id);
    web::render(&JournalPage {
        case,
        journal,
        pagination: Pagination::new(base, page, journal::PAGE_SIZE, has_next, total),
        l: ctx.layout(),
    })
}

pub async fn add_journal_entry(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    multipart: Multipart,
) -> AppResult<Response> {
    // Who may not write here is refused before the upload is read, and no connection is held
    // while it arrives.
    let mut tx = ctx.tx().await?;
    case_to_write(&mut tx, id, &user).await?;
    tx.commit().await?;
    let (fields, files) = forms::read_multipart(multipart, "attachment").await?;
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let mut submitted = Submitted::new("journal", fields);
    let errors = &mut submitted.errors;
    // Messages are the resident's to write, on their own pages.
    let kind = EntryKind::parse(submitted.fields.get("kind")).filter(|kind| *kind != EntryKind::Message);
    if kind.is_none() {
        errors.field("entry_kind", "journal.error.kind");
    }
    let body = submitted.fields.get("body").trim().to_owned();
    if body.is_empty() {
        errors.field("body", "journal.error.body");
    }
    let now = local_now(&mut tx).await?;
    let date = parse_date(submitted.fields.get("date"));
    let time = time::Time::parse(
        submitted.fields.get("time").trim(),
        time::macros::format_description!("[hour]:[minute]"),
    )
    .ok();
    let occurred_at = date.zip(time).map(|(d, t)| PrimitiveDateTime::new(d, t));
    match occurred_at {
        None => errors.field("date", "journal.error.when"),
        Some(at) if at > now + time::Duration::minutes(5) => errors.field("date", "journal.error.future"),
        Some(at) if case.moment_before_request(at) => errors.field("date", "case.error.before_request"),
        _ => {}
    }
    let mut uploads = Vec::new();
    if files.len() > journal::MAX_ATTACHMENTS {
        errors.field("attachment", "journal.error.too_many");
    }
    for (filename, content) in files {
        if content.len() > journal::MAX_ATTACHMENT_BYTES {
            errors.field("attachment", "journal.error.too_large");
            continue;
        }
        match crate::shared::files::sniff(&content) {
            Some(content_type) => uploads.push(Upload {
                filename: forms::clean_filename(&filename, "bijlage"),
                content_type,
                content,
            }),
            None => errors.field("attachment", "journal.error.file_type"),
        }
    }
    let corrects = match submitted.fields.get("corrects") {
        "" => None,
        raw => Some(parse_id(raw)?),
    };
    let (Some(kind), Some(occurred_at), true) = (kind, occurred_at, errors.is_empty()) else {
        return render_case(tx, &ctx, &user, case, Showing::Form { corrects }, submitted).await;
    };
    let entry = NewEntry {
        kind,
        body,
        occurred_at,
        corrects,
        uploads,
    };
    if !journal::add(&mut tx, case.id, &entry, user.id).await? {
        return Err(AppError::NotFound);
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::JournalEntryAdded,
        &case,
        json!({ "kind": kind.code(), "corrects": corrects, "attachments": entry.uploads.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, CasePart::Journal, "flash.journal_added"))
}

pub async fn attachment(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, attachment_id): PathIds,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    let attachment = journal::attachment(&mut tx, case.id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AttachmentViewed,
        &case,
        json!({ "attachment": attachment_id, "filename": attachment.filename }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::stored_file(
        "attachment",
        &attachment.filename,
        attachment.content_type,
        attachment.content,
    ))
}
