//! The confirmation pages of the steps that cannot be undone: convening, opening and closing a
//! meeting, and closing a poll. The step's button leads here (a GET, so it works without
//! script); this page says what will happen and holds the real form. A step posted without
//! the confirmation answers with this page again instead of being taken.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;

use super::{load_meeting, meeting_path, offices};
use crate::assembly::meetings::{Meeting, MeetingStep};
use crate::assembly::polls::Poll;
use crate::assembly::{CHAIR_ROLES, MeetingStatus};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, Query};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::Layout;

/// The field whose value "ja" says the user saw the confirmation page.
const CONFIRMED: &str = "confirmed";

pub(super) fn confirmed(fields: &Fields) -> bool {
    fields.get(CONFIRMED) == "ja"
}

#[derive(Template)]
#[template(path = "assembly/confirm.html")]
struct ConfirmPage {
    l: Layout,
    heading: String,
    subject: String,
    lines: Vec<String>,
    action: String,
    hidden: Vec<(&'static str, String)>,
    button: String,
    back: String,
}

#[derive(Deserialize)]
pub struct StepQuery {
    #[serde(default)]
    to: String,
}

/// The confirmation of a meeting's step; `reason` carries a rescheduled opening's reason.
pub(super) fn meeting_step_page(
    ctx: &RequestContext,
    meeting: &Meeting,
    step: MeetingStep,
    reason: Option<&str>,
) -> AppResult<Response> {
    let l = ctx.layout();
    let (name, mut lines) = match step {
        MeetingStep::Convene => ("convene", vec![l.t("confirm.convene.what").to_owned()]),
        MeetingStep::Open => ("open", vec![l.t("confirm.open.what").to_owned()]),
        MeetingStep::Close => ("close", vec![l.t("confirm.close.what").to_owned()]),
    };
    let mut hidden = vec![("to", step.status().code().to_owned())];
    if let Some(reason) = reason {
        lines.push(l.tf("confirm.open.rescheduled", &[("reason", reason)]));
        hidden.push(("reschedule", "on".to_owned()));
        hidden.push(("reason", reason.to_owned()));
    }
    lines.push(l.t("confirm.final").to_owned());
    web::render(&ConfirmPage {
        heading: l.t(&format!("confirm.{name}.heading")).to_owned(),
        subject: format!("{} {}", meeting.title, meeting.starts()),
        lines,
        action: format!("{}/status", meeting_path(ctx, meeting.id)),
        hidden,
        button: l.t(&format!("confirm.{name}.button")).to_owned(),
        back: meeting_path(ctx, meeting.id),
        l,
    })
}

pub async fn confirm_meeting_step(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<StepQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin, Role::Chair])?;
    let step = MeetingStatus::parse(&query.to)
        .and_then(MeetingStep::towards)
        .ok_or(AppError::NotFound)?;
    if !step.may_take(offices(&user)) {
        return Err(AppError::Forbidden);
    }
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, id, &user).await?;
    tx.commit().await?;
    meeting_step_page(&ctx, &meeting, step, None)
}

/// The confirmation of closing a poll, saying how much of the electorate has voted.
pub(super) fn close_poll_page(ctx: &RequestContext, meeting: &Meeting, poll: &Poll) -> AppResult<Response> {
    let l = ctx.layout();
    let voted = poll.voted.to_string();
    let voters = poll.voters.to_string();
    let mut lines = vec![l.tf(
        "poll.voted",
        &[("voted", voted.as_str()), ("electorate", voters.as_str())],
    )];
    if poll.voted < poll.voters {
        let missing = (poll.voters - poll.voted).to_string();
        lines.push(l.tf("confirm.close_poll.missing", &[("missing", missing.as_str())]));
    }
    lines.push(l.t("confirm.close_poll.what").to_owned());
    lines.push(l.t("confirm.final").to_owned());
    let path = format!("{}/polls/{}", meeting_path(ctx, meeting.id), poll.id);
    web::render(&ConfirmPage {
        heading: l.t("confirm.close_poll.heading").to_owned(),
        subject: format!("{} {}", meeting.title, meeting.starts()),
        lines,
        action: format!("{path}/close"),
        hidden: Vec::new(),
        button: l.t("confirm.close_poll.button").to_owned(),
        back: path,
        l,
    })
}

pub async fn confirm_close_poll(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(meeting_id, poll_id): PathIds,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, meeting_id, &user).await?;
    let poll = crate::assembly::polls::find(&mut tx, meeting.id, poll_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    close_poll_page(&ctx, &meeting, &poll)
}
