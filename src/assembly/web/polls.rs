//! Polls: the chair opens one on a decision item, members vote on the poll's page, and the
//! chair closes it, declares the result and notes a challenge, which opens a re-vote.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::page::{Submitted, render_meeting};
use super::{
    audit_change, load_item, load_meeting, lock_meeting, meeting_path, offices, represented, with_status,
};
use crate::assembly::agenda::AgendaItem;
use crate::assembly::decisions::{self, Decision};
use crate::assembly::meetings::Meeting;
use crate::assembly::polls::{self, ChairStep, OpenError, Poll, StepRefused};
use crate::assembly::votes::{self, Ballot, CastError, NamedVote, Voter};
use crate::assembly::{CHAIR_ROLES, READ_ROLES, VoteChoice, rules};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathIds;
use crate::web::layout::{FormErrors, Layout};

pub async fn open_poll(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, item): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, &user).await?;
    let item = load_item(&mut tx, &meeting, item).await?;
    let rules = rules::find(&mut tx).await?;
    let secret = fields.get("secret") == "on";
    let mut submitted = Submitted {
        form: "poll",
        ..Submitted::default()
    };
    match polls::open(&mut tx, &meeting, &item, secret, &rules, user.id).await? {
        Ok(poll_id) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::PollChanged,
                json!({ "meeting_id": meeting.id, "item": item.id, "opened": poll_id, "secret": secret }),
            )
            .await?;
            tx.commit().await?;
            return Ok(web::redirect_with_flash(
                &poll_path(&ctx, meeting.id, poll_id),
                "flash.poll_opened",
            ));
        }
        Err(OpenError::NoQuorum(quorum)) => {
            submitted.quorum = Some(quorum);
            submitted.errors.form("poll.error.no_quorum");
        }
        Err(OpenError::NotInSession) => submitted.errors.form("poll.error.not_in_session"),
        Err(OpenError::NotADecision) => submitted.errors.form("poll.error.not_a_decision"),
        Err(OpenError::AlreadyVoted) => submitted.errors.form("poll.error.already_voted"),
    }
    let response = render_meeting(tx, &ctx, &user, meeting, submitted).await?;
    Ok(with_status(response, StatusCode::CONFLICT))
}

fn poll_path(ctx: &RequestContext, meeting_id: Uuid, poll_id: Uuid) -> String {
    format!("{}/polls/{poll_id}", meeting_path(ctx, meeting_id))
}

#[derive(Template)]
#[template(path = "assembly/poll.html")]
struct PollPage {
    l: Layout,
    meeting: Meeting,
    item: AgendaItem,
    poll: Poll,
    ballots: Vec<Ballot>,
    /// The user represents a member (and so may learn why it has no vote here).
    representative: bool,
    named: Vec<NamedVote>,
    electorate_at_opening: i64,
    electorate_at_close: i64,
    chair: bool,
    choices: &'static [VoteChoice],
    decision: Option<Decision>,
    errors: FormErrors,
}

async fn render_poll(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    meeting: Meeting,
    poll: Poll,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let item = load_item(&mut tx, &meeting, poll.agenda_item_id).await?;
    let represents = represented(&mut tx, user).await?;
    let offices = offices(user);
    let ballots = if poll.is_open() {
        votes::ballots_for(&mut tx, poll.id, &represents, offices.secretary).await?
    } else {
        Vec::new()
    };
    // Results, and who voted what, only once the poll is closed; never for a secret poll.
    let named = if poll.is_open() || poll.secret {
        Vec::new()
    } else {
        votes::named_votes(&mut tx, poll.id).await?
    };
    let (electorate_at_opening, electorate_at_close) = polls::electorate_counts(&mut tx, poll.id).await?;
    let decision = decisions::list(&mut tx, Some(meeting.id), 1)
        .await?
        .into_iter()
        .find(|d| d.agenda_item_id == item.id);
    tx.commit().await?;
    web::render_with_status(
        status,
        &PollPage {
            meeting,
            item,
            poll,
            ballots,
            representative: !represents.is_empty(),
            named,
            electorate_at_opening,
            electorate_at_close,
            chair: offices.chair,
            choices: VoteChoice::ALL,
            decision,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn load_poll(tx: &mut TenantTx, meeting: &Meeting, poll: Uuid) -> AppResult<Poll> {
    polls::find(tx, meeting.id, poll).await?.ok_or(AppError::NotFound)
}

/// The poll's page, read in a transaction of its own, with errors of a step that changed
/// nothing.
async fn show_poll(
    ctx: &RequestContext,
    user: &CurrentUser,
    PathIds(meeting_id, poll_id): PathIds,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, meeting_id, user).await?;
    let poll = load_poll(&mut tx, &meeting, poll_id).await?;
    render_poll(tx, ctx, user, meeting, poll, errors, status).await
}

pub async fn poll(ctx: RequestContext, user: CurrentUser, ids: PathIds) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    show_poll(&ctx, &user, ids, FormErrors::default(), StatusCode::OK).await
}

pub async fn cast_vote(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(meeting_id, poll_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Member, Role::Admin])?;
    let voter = Voter {
        user_id: user.id,
        secretary: offices(&user).secretary,
    };
    let organisation = fields.get("organisation").parse::<Uuid>().ok();
    let choice = VoteChoice::parse(fields.get("choice"));
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match (organisation, choice) {
        (Some(organisation), Some(choice)) => {
            let mut tx = ctx.tx().await?;
            match votes::cast(&mut tx, meeting_id, poll_id, organisation, choice, &voter).await? {
                None => return Err(AppError::NotFound),
                Some(Ok(())) => {
                    tx.commit().await?;
                    return Ok(web::redirect_with_flash(
                        &poll_path(&ctx, meeting_id, poll_id),
                        "flash.vote_cast",
                    ));
                }
                Some(Err(CastError::Closed)) => {
                    status = StatusCode::CONFLICT;
                    errors.form("poll.error.closed");
                }
                Some(Err(CastError::AlreadyVoted)) => {
                    status = StatusCode::CONFLICT;
                    errors.form("poll.error.secret_final");
                }
                Some(Err(CastError::CastByMember)) => {
                    status = StatusCode::CONFLICT;
                    errors.form("poll.error.cast_by_member");
                }
                Some(Err(CastError::NotPresent { electronic_allowed })) => {
                    status = StatusCode::CONFLICT;
                    errors.form(if electronic_allowed {
                        "poll.error.not_present"
                    } else {
                        "poll.error.not_present_no_electronic"
                    });
                }
                Some(Err(CastError::NotAuthorised)) => return Err(AppError::Forbidden),
                Some(Err(CastError::NoVote)) => errors.field("organisation", "poll.error.no_vote"),
            }
        }
        (organisation, choice) => {
            if organisation.is_none() {
                errors.field("organisation", "poll.error.no_vote");
            }
            if choice.is_none() {
                errors.field("choice", "poll.error.choice");
            }
        }
    }
    // Nothing of a refused vote is kept: the page is read in a transaction of its own.
    show_poll(&ctx, &user, PathIds(meeting_id, poll_id), errors, status).await
}

/// What came of a chair's step that its checks allowed.
enum Outcome {
    /// Taken; the chair goes on to `next` (the re-vote after a challenge, else the same poll).
    Taken { next: Uuid },
    /// The poll had moved on meanwhile.
    Missed,
    /// The challenge stands only with a re-vote, and the quorum for it is gone.
    NoQuorumForRevote,
}

async fn take_step(
    tx: &mut TenantTx,
    meeting: &Meeting,
    poll: &Poll,
    step: &ChairStep,
    user: &CurrentUser,
) -> AppResult<Outcome> {
    let taken = match step {
        ChairStep::Close => polls::close(tx, poll.id, user.id).await?,
        ChairStep::Declare => {
            let declared = polls::declare(tx, poll.id, user.id).await?;
            if declared {
                let closed = load_poll(tx, meeting, poll.id).await?;
                let item = load_item(tx, meeting, poll.agenda_item_id).await?;
                decisions::record(tx, meeting, &closed, &item.title, &item.proposal).await?;
            }
            declared
        }
        ChairStep::Challenge { note } => {
            if !polls::challenge(tx, poll.id, note).await? {
                return Ok(Outcome::Missed);
            }
            let item = load_item(tx, meeting, poll.agenda_item_id).await?;
            let rules = rules::find(tx).await?;
            return match polls::open(tx, meeting, &item, poll.secret, &rules, user.id).await? {
                Ok(revote) => Ok(Outcome::Taken { next: revote }),
                Err(OpenError::NoQuorum(_)) => Ok(Outcome::NoQuorumForRevote),
                Err(_) => Err(AppError::Forbidden),
            };
        }
    };
    Ok(if taken {
        Outcome::Taken { next: poll.id }
    } else {
        Outcome::Missed
    })
}

/// The chair's steps on a poll: close it, declare its result, or record that the result is
/// challenged (which opens a re-vote). `errors` holds what the form's fields were refused for.
async fn chair_step(
    ctx: &RequestContext,
    user: &CurrentUser,
    PathIds(meeting_id, poll_id): PathIds,
    step: ChairStep,
    mut errors: FormErrors,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, meeting_id, user).await?;
    let poll = load_poll(&mut tx, &meeting, poll_id).await?;
    if !errors.is_empty() {
        return render_poll(
            tx,
            ctx,
            user,
            meeting,
            poll,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if let Err(refused) = step.check(poll.stage(), meeting.status()) {
        let status = match refused {
            StepRefused::NoNote => {
                errors.field("note", "poll.error.challenge_note");
                StatusCode::UNPROCESSABLE_ENTITY
            }
            StepRefused::NotInSession => {
                errors.form("poll.error.not_in_session");
                StatusCode::UNPROCESSABLE_ENTITY
            }
            StepRefused::OutOfTurn => {
                errors.form("poll.error.step");
                StatusCode::CONFLICT
            }
        };
        return render_poll(tx, ctx, user, meeting, poll, errors, status).await;
    }
    let next = match take_step(&mut tx, &meeting, &poll, &step, user).await? {
        Outcome::Taken { next } => next,
        Outcome::Missed => {
            errors.form("poll.error.step");
            let poll = load_poll(&mut tx, &meeting, poll.id).await?;
            return render_poll(tx, ctx, user, meeting, poll, errors, StatusCode::CONFLICT).await;
        }
        Outcome::NoQuorumForRevote => {
            // Without a re-vote the challenge is not noted either.
            drop(tx);
            errors.form("poll.error.no_quorum");
            let ids = PathIds(meeting_id, poll_id);
            return show_poll(ctx, user, ids, errors, StatusCode::CONFLICT).await;
        }
    };
    audit_change(
        &mut tx,
        ctx,
        user,
        AuditKind::PollChanged,
        json!({ "meeting_id": meeting.id, "poll": poll.id, "step": step.code(), "revote": (next != poll.id).then_some(next) }),
    )
    .await?;
    tx.commit().await?;
    let flash = match step {
        ChairStep::Close => "flash.poll_closed",
        ChairStep::Declare => "flash.result_declared",
        ChairStep::Challenge { .. } => "flash.revote_opened",
    };
    Ok(web::redirect_with_flash(&poll_path(ctx, meeting.id, next), flash))
}

pub async fn close_poll(
    ctx: RequestContext,
    user: CurrentUser,
    ids: PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    if !super::confirm::confirmed(&fields) {
        return super::confirm::confirm_close_poll(ctx, user, ids).await;
    }
    chair_step(&ctx, &user, ids, ChairStep::Close, fields.errors()).await
}

pub async fn declare_result(ctx: RequestContext, user: CurrentUser, ids: PathIds) -> AppResult<Response> {
    chair_step(&ctx, &user, ids, ChairStep::Declare, FormErrors::default()).await
}

pub async fn challenge_result(
    ctx: RequestContext,
    user: CurrentUser,
    ids: PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let note = fields.get("note").trim().to_owned();
    chair_step(&ctx, &user, ids, ChairStep::Challenge { note }, fields.errors()).await
}
