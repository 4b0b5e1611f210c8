//! The minutes of a held meeting: drafted by the secretary, approved by the chair and the
//! secretary, and adopted in a later meeting in session.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{audit_change, load_meeting, lock_meeting, meeting_path, offices};
use crate::assembly::meetings::{self, Meeting, MeetingOption};
use crate::assembly::minutes::{self, Approver, Minutes};
use crate::assembly::{CHAIR_ROLES, MeetingStatus, READ_ROLES, rules};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::{self, parse_id};

#[derive(Template)]
#[template(path = "assembly/minutes.html")]
struct MinutesPage {
    l: Layout,
    meeting: Meeting,
    minutes: Option<Minutes>,
    secretary: bool,
    chair: bool,
    adopt_in: Vec<MeetingOption>,
    errors: FormErrors,
}

async fn render_minutes(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    meeting: Meeting,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let offices = offices(user);
    let minutes = minutes::latest(&mut tx, meeting.id).await?;
    // Members read adopted minutes only.
    let minutes = minutes.filter(|m| offices.sees_drafts() || m.is_adopted());
    let adopt_in = if offices.chair {
        meetings::open_after(&mut tx, &meeting).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    web::render_with_status(
        status,
        &MinutesPage {
            meeting,
            minutes,
            secretary: offices.secretary,
            chair: offices.chair,
            adopt_in,
            errors,
            l: ctx.layout(),
        },
    )
}

/// The minutes' page, with a flash message.
fn to_minutes(ctx: &RequestContext, meeting: &Meeting, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("{}/minutes", meeting_path(ctx, meeting.id)), flash)
}

pub async fn minutes(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, id, &user).await?;
    render_minutes(tx, &ctx, &user, meeting, FormErrors::default(), StatusCode::OK).await
}

pub async fn draft_minutes(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    // The chair may draft the minutes too, e.g. when the meeting has no secretary.
    user.require_any(&[Role::Admin, Role::Chair])?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    if meeting.status() != MeetingStatus::Closed {
        return Err(AppError::Forbidden);
    }
    let rules = rules::find(&mut tx).await?;
    match minutes::draft(&mut tx, &meeting, &rules, user.id).await? {
        Ok(version) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::MinutesChanged,
                json!({ "meeting_id": meeting.id, "drafted": version }),
            )
            .await?;
            tx.commit().await?;
            Ok(to_minutes(&ctx, &meeting, "flash.minutes_drafted"))
        }
        Err(minutes::Adopted) => Err(AppError::Forbidden),
    }
}

pub async fn approve_minutes(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin, Role::Chair])?;
    let approver = Approver::parse(fields.get("as"))
        .filter(|approver| approver.held_by(offices(&user)))
        .ok_or(AppError::Forbidden)?;
    let version: i32 = fields.get("version").parse().unwrap_or(0);
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    if minutes::approve(&mut tx, meeting.id, version, approver, user.id).await? {
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::MinutesChanged,
            json!({ "meeting_id": meeting.id, "approved": version, "as": approver.code() }),
        )
        .await?;
        tx.commit().await?;
        return Ok(to_minutes(&ctx, &meeting, "flash.minutes_approved"));
    }
    let mut errors = FormErrors::default();
    errors.form("minutes.error.version");
    render_minutes(tx, &ctx, &user, meeting, errors, StatusCode::CONFLICT).await
}

pub async fn adopt_minutes(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    let candidates = meetings::open_after(&mut tx, &meeting).await?;
    let in_meeting = parse_id(fields.get("in_meeting"))
        .ok()
        .filter(|m| candidates.iter().any(|c| c.id == *m));
    let mut errors = FormErrors::default();
    match in_meeting {
        None => errors.field("in_meeting", "minutes.error.in_meeting"),
        Some(in_meeting) => {
            if minutes::adopt(&mut tx, meeting.id, in_meeting).await? {
                meetings::set_status(&mut tx, &meeting, MeetingStatus::MinutesAdopted, Some(user.id))
                    .await?
                    .map_err(|_| AppError::Forbidden)?;
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MinutesChanged,
                    json!({ "meeting_id": meeting.id, "adopted_in": in_meeting }),
                )
                .await?;
                tx.commit().await?;
                return Ok(to_minutes(&ctx, &meeting, "flash.minutes_adopted"));
            }
            errors.form("minutes.error.not_approved");
        }
    }
    render_minutes(tx, &ctx, &user, meeting, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}
