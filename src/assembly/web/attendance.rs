//! Recording a member's attendance at a meeting: present, by proxy, or excused.

use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::page::{Submitted, render_meeting};
use super::{audit_change, lock_meeting, meeting_path, offices, represented};
use crate::assembly::attendance::{self, AttendanceInput};
use crate::assembly::{READ_ROLES, rules};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;

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
        attendance::record(&mut tx, meeting.id, &change, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AttendanceRecorded,
            json!({
                "meeting_id": meeting.id,
                "organisation_id": change.organisation_id,
                "presence": change.presence.code(),
                "proxy_holder_id": change.proxy_holder_id,
            }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#attendance", meeting_path(&ctx, meeting.id)),
            "flash.attendance_recorded",
        ));
    }
    let submitted = Submitted {
        form: "attendance",
        errors,
        attendance: Some(input),
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}
