//! Recording attendance at a meeting: present, by proxy, or excused. The secretary (or the
//! chair in session) keeps the whole list in one form; a representative registers its own
//! member before the opening.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::page::{Submitted, render_meeting};
use super::{audit_change, load_meeting, lock_meeting, meeting_path, offices, represented};
use crate::assembly::attendance::{
    self, AttendanceChange, AttendanceInput, AttendanceRow, LineErrors, SheetLine,
};
use crate::assembly::meetings::Meeting;
use crate::assembly::{Presence, READ_ROLES, rules};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

pub async fn record_attendance(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    // The lock keeps the proxy limits true while two people record at once.
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    let input = AttendanceInput::from_fields(&fields);
    let represents = represented(&mut tx, &user).await?;
    let own_member = input
        .organisation
        .parse::<Uuid>()
        .is_ok_and(|o| represents.contains(&o));
    if !attendance::may_record(meeting.status(), offices(&user), own_member) {
        return Err(AppError::Forbidden);
    }
    let rules = rules::find(&mut tx).await?;
    let rows = attendance::list(&mut tx, meeting.id).await?;
    let mut errors = fields.errors();
    if let Some(change) = input.validate(&rows, &rules, &mut errors) {
        record(&mut tx, &ctx, &user, &meeting, &[change]).await?;
        tx.commit().await?;
        return Ok(recorded(&ctx, &meeting));
    }
    let submitted = Submitted {
        form: "attendance",
        errors,
        attendance: Some(input),
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}

/// Stores the changes, each with its audit record.
async fn record(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    meeting: &Meeting,
    changes: &[AttendanceChange],
) -> AppResult<()> {
    for change in changes {
        attendance::record(tx, meeting.id, change, user.id).await?;
        audit_change(
            tx,
            ctx,
            user,
            AuditKind::AttendanceRecorded,
            json!({
                "meeting_id": meeting.id,
                "organisation_id": change.organisation_id,
                "presence": change.presence.code(),
                "proxy_holder_id": change.proxy_holder_id,
            }),
        )
        .await?;
    }
    Ok(())
}

fn recorded(ctx: &RequestContext, meeting: &Meeting) -> Response {
    web::redirect_with_flash(
        &format!("{}#attendance", meeting_path(ctx, meeting.id)),
        "flash.attendance_recorded",
    )
}

/// The whole attendance list as one form: a line per member.
#[derive(Template)]
#[template(path = "assembly/attendance.html")]
struct AttendanceSheetPage {
    l: Layout,
    meeting: Meeting,
    lines: Vec<(AttendanceRow, SheetLine)>,
    errors: LineErrors,
    proxy_limit: i32,
    proxies_allowed: bool,
    presences: &'static [Presence],
}

static NO_ERRORS: FormErrors = FormErrors::new();

impl AttendanceSheetPage {
    fn errors_of(&self, row: &AttendanceRow) -> &FormErrors {
        self.errors
            .iter()
            .find(|(id, _)| *id == row.organisation_id)
            .map_or(&NO_ERRORS, |(_, errors)| errors)
    }

    /// Every message, with the member and the field it belongs to, for the summary.
    fn summary(&self) -> Vec<(&AttendanceRow, &'static str, &'static str)> {
        self.lines
            .iter()
            .flat_map(|(row, _)| {
                self.errors_of(row)
                    .iter()
                    .map(move |e| (row, e.field.unwrap_or("presence"), e.message_key))
            })
            .collect()
    }

    fn voting(&self) -> impl Iterator<Item = &AttendanceRow> {
        self.lines.iter().map(|(row, _)| row).filter(|r| r.has_vote())
    }
}

/// The meeting locked, the list, the statutes, and whether the user keeps the list now.
async fn keeper_sheet(
    tx: &mut TenantTx,
    user: &CurrentUser,
    id: Uuid,
    lock: bool,
) -> AppResult<(Meeting, Vec<AttendanceRow>, rules::StatuteRules)> {
    user.require_any(READ_ROLES)?;
    let meeting = if lock {
        lock_meeting(tx, id, user).await?
    } else {
        load_meeting(tx, id, user).await?
    };
    if !attendance::may_record(meeting.status(), offices(user), false) {
        return Err(AppError::Forbidden);
    }
    let rows = attendance::list(tx, meeting.id).await?;
    let rules = rules::find(tx).await?;
    Ok((meeting, rows, rules))
}

fn render_sheet(
    ctx: &RequestContext,
    meeting: Meeting,
    lines: Vec<(AttendanceRow, SheetLine)>,
    rules: &rules::StatuteRules,
    errors: LineErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &AttendanceSheetPage {
            l: ctx.layout(),
            meeting,
            lines,
            errors,
            proxy_limit: rules.proxy_limit(),
            proxies_allowed: rules.proxies_allowed,
            presences: Presence::ALL,
        },
    )
}

pub async fn attendance_sheet(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let (meeting, rows, rules) = keeper_sheet(&mut tx, &user, id, false).await?;
    tx.commit().await?;
    let lines = rows
        .into_iter()
        .map(|row| {
            let line = SheetLine::stored(&row);
            (row, line)
        })
        .collect();
    render_sheet(&ctx, meeting, lines, &rules, Vec::new())
}

pub async fn record_sheet(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    // The lock keeps the list as checked until it is stored.
    let (meeting, rows, rules) = keeper_sheet(&mut tx, &user, id, true).await?;
    let typed: Vec<SheetLine> = rows.iter().map(|r| SheetLine::from_fields(r, &fields)).collect();
    match attendance::validate_sheet(&typed, &rows, &rules) {
        Ok(changes) => {
            record(&mut tx, &ctx, &user, &meeting, &changes).await?;
            tx.commit().await?;
            Ok(recorded(&ctx, &meeting))
        }
        Err(errors) => {
            drop(tx);
            render_sheet(
                &ctx,
                meeting,
                rows.into_iter().zip(typed).collect(),
                &rules,
                errors,
            )
        }
    }
}
