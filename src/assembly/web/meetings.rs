//! The list of meetings, the meeting form (new and edit), and the steps that move a meeting on.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::confirm;
use super::page::{Submitted, render_meeting};
use super::{
    PageQuery, audit_change, load_meeting, lock_meeting, meeting_path, offices, represented, status_for,
    with_status,
};
use crate::assembly::meetings::{self, Meeting, MeetingInput, MeetingRow, MeetingStep, Opening, StatusError};
use crate::assembly::{MeetingStatus, READ_ROLES, SECRETARY_ROLES, decisions, rules};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::members::register;
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "assembly/meetings.html")]
struct MeetingsPage {
    l: Layout,
    rows: Vec<MeetingRow>,
    pagination: Pagination,
    may_prepare: bool,
    may_read_representatives: bool,
    representing: Vec<String>,
}

pub async fn meetings(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = query.number();
    let offices = offices(&user);
    let mut tx = ctx.tx().await?;
    let mut rows = meetings::list(&mut tx, offices.sees_drafts(), page).await?;
    let total = meetings::count(&mut tx, offices.sees_drafts()).await?;
    let represents = represented(&mut tx, &user).await?;
    let names = register::choices(&mut tx, &represents).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, meetings::PAGE_SIZE);
    web::render(&MeetingsPage {
        rows,
        pagination: Pagination::new(
            format!("/{}/assembly?", ctx.tenant.slug),
            page,
            meetings::PAGE_SIZE,
            has_next,
            total,
        ),
        may_prepare: offices.secretary,
        may_read_representatives: offices.secretary || offices.chair,
        representing: names
            .into_iter()
            .filter(|o| represents.contains(&o.id))
            .map(|o| o.name)
            .collect(),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "assembly/meeting_form.html")]
struct MeetingFormPage {
    l: Layout,
    action: String,
    back: String,
    heading_key: &'static str,
    input: MeetingInput,
    lock_version: Option<i32>,
    errors: FormErrors,
    conflict: bool,
}

impl MeetingFormPage {
    fn new_meeting(ctx: &RequestContext, input: MeetingInput, errors: FormErrors) -> MeetingFormPage {
        MeetingFormPage {
            action: format!("/{}/assembly", ctx.tenant.slug),
            back: format!("/{}/assembly", ctx.tenant.slug),
            heading_key: "meeting.new",
            input,
            lock_version: None,
            errors,
            conflict: false,
            l: ctx.layout(),
        }
    }

    fn edit(
        ctx: &RequestContext,
        meeting: &Meeting,
        input: MeetingInput,
        lock_version: i32,
        errors: FormErrors,
    ) -> MeetingFormPage {
        MeetingFormPage {
            action: meeting_path(ctx, meeting.id),
            back: meeting_path(ctx, meeting.id),
            heading_key: "meeting.edit",
            input,
            lock_version: Some(lock_version),
            errors,
            conflict: false,
            l: ctx.layout(),
        }
    }

    fn render(self) -> AppResult<Response> {
        let status = if self.conflict {
            StatusCode::CONFLICT
        } else {
            status_for(&self.errors)
        };
        web::render_with_status(status, &self)
    }
}

pub async fn new_meeting(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    MeetingFormPage::new_meeting(&ctx, MeetingInput::new_meeting(), FormErrors::default()).render()
}

pub async fn create_meeting(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let input = MeetingInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some(details) = input.validate(&mut errors) {
        let mut tx = ctx.tx().await?;
        let id = meetings::create(&mut tx, &details, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::MeetingChanged,
            json!({ "meeting_id": id, "created": details.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &meeting_path(&ctx, id),
            "flash.meeting_created",
        ));
    }
    MeetingFormPage::new_meeting(&ctx, input, errors).render()
}

pub async fn edit_meeting(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, id, &user).await?;
    tx.commit().await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let input = MeetingInput::from_meeting(&meeting);
    MeetingFormPage::edit(&ctx, &meeting, input, meeting.lock_version, FormErrors::default()).render()
}

pub async fn update_meeting(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    // Once convened, the date and place are what members were told.
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let input = MeetingInput::from_fields(&fields);
    let version = fields.get("lock_version").parse().unwrap_or(-1);
    let mut errors = fields.errors();
    let mut conflict = false;
    if let Some(details) = input.validate(&mut errors) {
        match meetings::update(&mut tx, meeting.id, version, &details).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MeetingChanged,
                    json!({ "meeting_id": meeting.id, "updated": details.title }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &meeting_path(&ctx, meeting.id),
                    "flash.meeting_updated",
                ));
            }
            Err(meetings::Conflict) => {
                conflict = true;
                errors.form("meeting.error.conflict");
            }
        }
    }
    drop(tx);
    let lock_version = if conflict { meeting.lock_version } else { version };
    MeetingFormPage {
        conflict,
        ..MeetingFormPage::edit(&ctx, &meeting, input, lock_version, errors)
    }
    .render()
}

pub async fn change_meeting_status(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin, Role::Chair])?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    let to = MeetingStatus::parse(fields.get("to")).ok_or(AppError::NotFound)?;
    let step = MeetingStep::towards(to)
        .filter(|step| step.may_take(offices(&user)))
        .ok_or(AppError::Forbidden)?;
    let rules = rules::find(&mut tx).await?;
    let today = local_now(&mut tx).await?.date();
    let mut submitted = Submitted {
        form: "status",
        errors: fields.errors(),
        ..Submitted::default()
    };
    if !submitted.errors.is_empty() {
        return render_meeting(tx, &ctx, &user, meeting, submitted).await;
    }
    // The chair opens a meeting on another day than it was convened for only stating why.
    let reschedule_reason = (fields.get("reschedule") == "on").then(|| fields.get("reason").trim());
    if step == MeetingStep::Open && reschedule_reason == Some("") {
        submitted
            .errors
            .field("reason", "meeting.error.reschedule_reason");
        return render_meeting(tx, &ctx, &user, meeting, submitted).await;
    }
    if !confirm::confirmed(&fields) {
        drop(tx);
        return confirm::meeting_step_page(&ctx, &meeting, step, reschedule_reason);
    }
    let mut moved = false;
    let result = match step {
        MeetingStep::Convene => {
            meetings::convene(&mut tx, &meeting, today, rules.notice_days, user.id).await?
        }
        MeetingStep::Open => meetings::open(&mut tx, &meeting, today, reschedule_reason, user.id)
            .await?
            .map(|opening| moved = opening == Opening::Moved),
        MeetingStep::Close => meetings::set_status(&mut tx, &meeting, step.status(), Some(user.id)).await?,
    };
    match result {
        Ok(()) => {
            let changes = if step == MeetingStep::Close {
                Some(decisions::apply_to_register(&mut tx, &meeting, rules.appeal_days, user.id).await?)
            } else {
                None
            };
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::MeetingChanged,
                json!({
                    "meeting_id": meeting.id,
                    "status": step.status().code(),
                    "register": changes.as_ref().map(|c| json!({
                        "admitted": c.admitted, "suspended": c.suspended, "resigned": c.resigned,
                    })),
                    "rescheduled": moved.then(|| json!({
                        "from": meeting.starts(), "reason": reschedule_reason,
                    })),
                }),
            )
            .await?;
            tx.commit().await?;
            let flash = match step {
                MeetingStep::Convene => "flash.meeting_convened",
                MeetingStep::Open => "flash.meeting_opened",
                MeetingStep::Close => "flash.meeting_closed",
            };
            return Ok(web::redirect_with_flash(&meeting_path(&ctx, meeting.id), flash));
        }
        Err(StatusError::TooLate { earliest, .. }) => {
            submitted.earliest = Some(format_date(earliest));
            submitted.errors.form("meeting.error.too_late");
        }
        Err(StatusError::EmptyAgenda) => submitted.errors.form("meeting.error.empty_agenda"),
        Err(StatusError::PollOpen) => submitted.errors.form("meeting.error.poll_open"),
        Err(StatusError::NotAllowed) => submitted.errors.form("meeting.error.status"),
        Err(StatusError::NotItsDate) => submitted.errors.form("meeting.error.not_its_date"),
    }
    let conflict = matches!(result, Err(StatusError::NotAllowed | StatusError::PollOpen));
    let meeting = load_meeting(&mut tx, id, &user).await?;
    let response = render_meeting(tx, &ctx, &user, meeting, submitted).await?;
    Ok(if conflict {
        with_status(response, StatusCode::CONFLICT)
    } else {
        response
    })
}
