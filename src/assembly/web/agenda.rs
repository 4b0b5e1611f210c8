//! The agenda of a meeting: adding, editing, moving and removing items while the meeting is
//! prepared, copying an earlier meeting's agenda, and the notes per item once it is held.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::page::{Submitted, render_meeting};
use super::{audit_change, load_item, load_meeting, lock_meeting, meeting_path, with_status};
use crate::assembly::agenda::{self, AgendaItem, ItemInput};
use crate::assembly::meetings::{self, Meeting};
use crate::assembly::{DecisionKind, ItemKind, SECRETARY_ROLES};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::register::OrganisationOption;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};
use crate::web::{self, parse_id};

/// Back to the item on the meeting's page, with a flash message.
fn to_item(ctx: &RequestContext, meeting: &Meeting, item: Uuid, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("{}#item-{item}", meeting_path(ctx, meeting.id)), flash)
}

/// Back to the agenda on the meeting's page, with a flash message.
fn to_agenda(ctx: &RequestContext, meeting: &Meeting, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("{}#agenda", meeting_path(ctx, meeting.id)), flash)
}

pub async fn add_item(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let input = ItemInput::from_fields(&fields);
    let items = agenda::items(&mut tx, meeting.id).await?;
    let organisations: Vec<Uuid> = agenda::subjects(&mut tx, None)
        .await?
        .iter()
        .map(|o| o.id)
        .collect();
    let mut errors = fields.errors();
    if let Some(details) = input.validate(&items, &organisations, &mut errors) {
        let item_id = agenda::add(&mut tx, meeting.id, &details, None).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AgendaChanged,
            json!({ "meeting_id": meeting.id, "added": item_id, "title": details.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(to_agenda(&ctx, &meeting, "flash.item_added"));
    }
    let submitted = Submitted {
        form: "item",
        errors,
        item: Some(input),
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}

/// The meeting (locked) and one of its items, to change while the meeting is being prepared:
/// once convened, the agenda is what members were sent.
async fn item_in_preparation(
    tx: &mut TenantTx,
    id: Uuid,
    item: Uuid,
    user: &CurrentUser,
) -> AppResult<(Meeting, AgendaItem)> {
    let meeting = lock_meeting(tx, id, user).await?;
    let item = load_item(tx, &meeting, item).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    Ok((meeting, item))
}

#[derive(Template)]
#[template(path = "assembly/item_form.html")]
struct ItemFormPage {
    l: Layout,
    meeting: Meeting,
    item: AgendaItem,
    input: ItemInput,
    organisations: Vec<OrganisationOption>,
    item_kinds: &'static [ItemKind],
    decision_kinds: &'static [DecisionKind],
    errors: FormErrors,
}

impl ItemFormPage {
    fn is_typed_organisation(&self, id: &Uuid) -> bool {
        self.input.organisation == id.to_string()
    }
}

pub async fn edit_item(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, item): PathIds,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, id, &user).await?;
    let item = load_item(&mut tx, &meeting, item).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let organisations = agenda::subjects(&mut tx, item.organisation_id).await?;
    tx.commit().await?;
    web::render(&ItemFormPage {
        input: ItemInput::from_item(&item),
        meeting,
        item,
        organisations,
        item_kinds: ItemKind::ALL,
        decision_kinds: DecisionKind::ALL,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub async fn update_item(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, item): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let (meeting, item) = item_in_preparation(&mut tx, id, item, &user).await?;
    let mut input = ItemInput::from_fields(&fields);
    // An item keeps its level; moving it under another is removing and adding it.
    input.parent = item.parent_id.map(|p| p.to_string()).unwrap_or_default();
    let items = agenda::items(&mut tx, meeting.id).await?;
    let organisations = agenda::subjects(&mut tx, item.organisation_id).await?;
    let ids: Vec<Uuid> = organisations.iter().map(|o| o.id).collect();
    let mut errors = fields.errors();
    if let Some(details) = input.validate(&items, &ids, &mut errors) {
        agenda::update(&mut tx, &item, &details).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AgendaChanged,
            json!({ "meeting_id": meeting.id, "updated": item.id, "title": details.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(to_item(&ctx, &meeting, item.id, "flash.item_updated"));
    }
    drop(tx);
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ItemFormPage {
            meeting,
            item,
            input,
            organisations,
            item_kinds: ItemKind::ALL,
            decision_kinds: DecisionKind::ALL,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn move_item(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, item): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let (meeting, item) = item_in_preparation(&mut tx, id, item, &user).await?;
    let up = fields.get("direction") == "up";
    agenda::move_item(&mut tx, meeting.id, &item, up).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AgendaChanged,
        json!({ "meeting_id": meeting.id, "moved": item.id, "up": up }),
    )
    .await?;
    tx.commit().await?;
    Ok(to_item(&ctx, &meeting, item.id, "flash.item_moved"))
}

pub async fn remove_item(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, item): PathIds,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let (meeting, item) = item_in_preparation(&mut tx, id, item, &user).await?;
    match agenda::remove(&mut tx, meeting.id, &item).await? {
        Ok(()) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::AgendaChanged,
                json!({ "meeting_id": meeting.id, "removed": item.id, "title": item.title }),
            )
            .await?;
            tx.commit().await?;
            Ok(to_agenda(&ctx, &meeting, "flash.item_removed"))
        }
        Err(agenda::InUse) => {
            let mut submitted = Submitted {
                form: "agenda",
                ..Submitted::default()
            };
            submitted.errors.form("item.error.in_use");
            let response = render_meeting(tx, &ctx, &user, meeting, submitted).await?;
            Ok(with_status(response, StatusCode::CONFLICT))
        }
    }
}

pub async fn item_notes(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, item): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    // What was said per item, for the minutes: the chair may write it as well as the secretary.
    user.require_any(&[Role::Admin, Role::Chair])?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    let item = load_item(&mut tx, &meeting, item).await?;
    if !meeting.status().takes_notes() {
        return Err(AppError::Forbidden);
    }
    let errors = fields.errors();
    let notes = fields.get("notes").trim();
    if !errors.is_empty() {
        let submitted = Submitted {
            form: "notes",
            errors,
            notes: Some((item.id, notes.to_owned())),
            ..Submitted::default()
        };
        return render_meeting(tx, &ctx, &user, meeting, submitted).await;
    }
    agenda::set_notes(&mut tx, item.id, notes).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AgendaChanged,
        json!({ "meeting_id": meeting.id, "notes": item.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(to_item(&ctx, &meeting, item.id, "flash.notes_saved"))
}

pub async fn copy_agenda(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let earlier = meetings::earlier(&mut tx, &meeting).await?;
    let from = parse_id(fields.get("from"))
        .ok()
        .filter(|from| earlier.iter().any(|m| m.id == *from));
    let Some(from) = from else {
        let mut submitted = Submitted {
            form: "copy",
            ..Submitted::default()
        };
        submitted.errors.field("from", "meeting.error.copy_from");
        return render_meeting(tx, &ctx, &user, meeting, submitted).await;
    };
    match agenda::copy(&mut tx, meeting.id, from).await? {
        Ok(()) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::AgendaChanged,
                json!({ "meeting_id": meeting.id, "copied_from": from }),
            )
            .await?;
            tx.commit().await?;
            Ok(to_agenda(&ctx, &meeting, "flash.agenda_copied"))
        }
        Err(agenda::InUse) => Err(AppError::Forbidden),
    }
}
