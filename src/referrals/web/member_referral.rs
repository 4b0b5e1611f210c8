//! One referral as the member organisation sees it, and the steps its staff take on it:
//! accept or decline, start, report the outcome, give it back, add a note.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::referrals::costs::{self, Delivered, Tariff};
use crate::referrals::lead_contact::{self, LeadContact};
use crate::referrals::referral::{self, Event, NotNow, OrganisationStep, Referral, Report, Viewer};
use crate::referrals::web::organisation_of;
use crate::referrals::{DeclineReason, Outcome};
use crate::shared::money::Units;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "referrals/member_referral.html")]
struct MemberReferralPage {
    l: Layout,
    referral: Referral,
    events: Vec<Event>,
    lead: Option<LeadContact>,
    reasons: &'static [DeclineReason],
    outcomes: &'static [Outcome],
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
    /// A step that could not be taken because someone else was first.
    not_now: bool,
    /// The service's tariff: per hour or week, finishing asks how much was delivered.
    tariff: Option<Tariff>,
    /// What a finished referral delivered and cost.
    delivered: Option<Delivered>,
}

impl MemberReferralPage {
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.form == form {
            self.fields.get(field)
        } else {
            ""
        }
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.form == form { &self.errors } else { &NONE }
    }

    fn may(&self, step: OrganisationStep) -> bool {
        self.referral.allows(step)
    }

    fn asks_units(&self) -> bool {
        self.tariff.is_some_and(|t| t.unit.counts_units())
    }
}

/// The referral as the organisation sees it: the resident's name and contact data, the summary
/// written for it and what it is asked to do; nothing else of the case.
async fn load_for_member(tx: &mut TenantTx, id: Uuid, organisation_id: Uuid) -> AppResult<Referral> {
    referral::find(tx, id, Viewer::Organisation(organisation_id))
        .await?
        .ok_or(AppError::NotFound)
}

async fn audit_referral(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    referral: &Referral,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    let mut details = details;
    details["referral"] = json!(referral.id);
    audit::record_for_case(
        tx,
        &Actor::user(user, ctx.client_ip),
        kind,
        referral.case_id,
        referral.resident_id,
        details,
    )
    .await
}

async fn render_member_referral(
    mut tx: TenantTx,
    ctx: &RequestContext,
    referral: Referral,
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
    not_now: bool,
) -> AppResult<Response> {
    let events = referral::events(&mut tx, referral.id).await?;
    let lead = lead_contact::of_referral(&mut tx, referral.id).await?;
    let tariff = costs::tariff_of(&mut tx, referral.id).await?;
    let delivered = costs::delivered(&mut tx, referral.id).await?;
    tx.commit().await?;
    let status = if not_now {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &MemberReferralPage {
            referral,
            events,
            lead,
            reasons: DeclineReason::ALL,
            outcomes: Outcome::ALL,
            form,
            fields,
            errors,
            not_now,
            tariff,
            delivered,
            l: ctx.layout(),
        },
    )
}

pub async fn member_referral(
    mut ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let organisation_id = organisation_of(&user)?;
    let mut tx = ctx.tx().await?;
    let referral = load_for_member(&mut tx, id, organisation_id).await?;
    super::notifications::opened(&mut tx, &mut ctx, &user, referral.id).await?;
    audit_referral(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ReferralViewed,
        &referral,
        json!({}),
    )
    .await?;
    render_member_referral(
        tx,
        &ctx,
        referral,
        "",
        Fields::default(),
        FormErrors::default(),
        false,
    )
    .await
}

/// What one step by the organisation needs from its form, checked before anything is stored.
enum MemberStep {
    Accept,
    Decline { reason: DeclineReason, note: String },
    Start,
    Finish(Report, Option<Units>),
    GiveBack { reason: String },
    Note { body: String },
}

impl MemberStep {
    fn form(&self) -> &'static str {
        match self {
            MemberStep::Accept => "accept",
            MemberStep::Decline { .. } => "decline",
            MemberStep::Start => "start",
            MemberStep::Finish(..) => "finish",
            MemberStep::GiveBack { .. } => "return",
            MemberStep::Note { .. } => "note",
        }
    }

    fn flash(&self) -> &'static str {
        match self {
            MemberStep::Accept => "flash.referral_accepted",
            MemberStep::Decline { .. } => "flash.referral_declined",
            MemberStep::Start => "flash.referral_started",
            MemberStep::Finish(..) => "flash.referral_finished",
            MemberStep::GiveBack { .. } => "flash.referral_returned",
            MemberStep::Note { .. } => "flash.referral_note_added",
        }
    }
}

async fn member_step(
    ctx: &RequestContext,
    user: &CurrentUser,
    id: Uuid,
    fields: Fields,
    step: Result<MemberStep, (&'static str, FormErrors)>,
) -> AppResult<Response> {
    let organisation_id = organisation_of(user)?;
    let mut tx = ctx.tx().await?;
    let referral = match load_for_member(&mut tx, id, organisation_id).await {
        Err(AppError::NotFound) if referral::taken_by_another(&mut tx, id, organisation_id).await? => {
            tx.commit().await?;
            return Ok(taken_elsewhere(ctx));
        }
        other => other?,
    };
    let step = match step {
        Ok(step) => step,
        Err((form, errors)) => {
            return render_member_referral(tx, ctx, referral, form, fields, errors, false).await;
        }
    };
    // Hours or weeks delivered are said when the service's tariff counts them.
    let tariff = match &step {
        MemberStep::Finish(..) => costs::tariff_of(&mut tx, referral.id).await?,
        _ => None,
    };
    if let (MemberStep::Finish(_, None), Some(tariff)) = (&step, tariff)
        && tariff.unit.counts_units()
    {
        let mut errors = fields.errors();
        errors.field("units", "referral.error.units");
        return render_member_referral(tx, ctx, referral, "finish", fields, errors, false).await;
    }
    let taken = match &step {
        MemberStep::Accept => referral::accept(&mut tx, referral.id, organisation_id, user.id).await?,
        MemberStep::Decline { reason, note } => {
            referral::decline(&mut tx, referral.id, organisation_id, *reason, note, user.id).await?
        }
        MemberStep::Start => referral::start(&mut tx, referral.id, organisation_id, user.id).await?,
        MemberStep::Finish(report, units) => {
            let finished = referral::finish(&mut tx, referral.id, organisation_id, report, user.id).await?;
            if let (Ok(()), Some(tariff)) = (&finished, tariff) {
                costs::record(&mut tx, referral.id, tariff, *units).await?;
            }
            finished
        }
        MemberStep::GiveBack { reason } => {
            referral::give_back(&mut tx, referral.id, organisation_id, reason, user.id).await?
        }
        MemberStep::Note { body } => {
            referral::add_note(&mut tx, referral.id, Some(organisation_id), body, user.id).await?;
            Ok(())
        }
    };
    if let Err(NotNow) = taken {
        // Someone else was first (or the case withdrew it): show where it stands now.
        drop(tx);
        let mut tx = ctx.tx().await?;
        return match referral::find(&mut tx, referral.id, Viewer::Organisation(organisation_id)).await? {
            Some(now) => {
                render_member_referral(tx, ctx, now, step.form(), fields, FormErrors::default(), true).await
            }
            None => {
                tx.commit().await?;
                Ok(taken_elsewhere(ctx))
            }
        };
    }
    audit_referral(
        &mut tx,
        ctx,
        user,
        AuditKind::ReferralChanged,
        &referral,
        json!({ "step": step.form() }),
    )
    .await?;
    tx.commit().await?;
    let back = match step {
        MemberStep::Decline { .. } => format!("/{}/inbox", ctx.tenant.slug),
        _ => format!("/{}/referrals/{}", ctx.tenant.slug, referral.id),
    };
    Ok(web::redirect_with_flash(&back, step.flash()))
}

/// Another organisation took the open offer first.
fn taken_elsewhere(ctx: &RequestContext) -> Response {
    web::redirect_with_flash(&format!("/{}/inbox", ctx.tenant.slug), "flash.referral_taken")
}

pub async fn accept(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    member_step(&ctx, &user, id, fields, Ok(MemberStep::Accept)).await
}

pub async fn start(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    member_step(&ctx, &user, id, fields, Ok(MemberStep::Start)).await
}

pub async fn decline(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = fields.errors();
    let reason = DeclineReason::parse(fields.get("reason"));
    let note = fields.get("note").trim().to_owned();
    if reason.is_none() {
        errors.field("reason", "referral.error.reason");
    }
    if reason == Some(DeclineReason::Other) && note.is_empty() {
        errors.field("note", "referral.error.note_other");
    }
    let step = match reason {
        Some(reason) if errors.is_empty() => Ok(MemberStep::Decline { reason, note }),
        _ => Err(("decline", errors)),
    };
    member_step(&ctx, &user, id, fields, step).await
}

pub async fn finish(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = fields.errors();
    let outcome = Outcome::parse(fields.get("outcome"));
    let reason = fields.get("outcome_reason").trim().to_owned();
    let report = fields.get("report").trim().to_owned();
    let delivered = match fields.get("delivered") {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    if outcome.is_none() {
        errors.field("outcome", "referral.error.outcome");
    }
    if outcome == Some(Outcome::Failed) && reason.is_empty() {
        errors.field("outcome_reason", "referral.error.outcome_reason");
    }
    if delivered.is_none() {
        errors.field("delivered", "referral.error.delivered");
    }
    if report.is_empty() {
        errors.field("report", "referral.error.report");
    }
    let units = match fields.get("units").trim() {
        "" => None,
        typed => match Units::parse(typed) {
            Ok(units) => Some(units),
            Err(e) => {
                errors.field("units", e.units_message_key());
                None
            }
        },
    };
    let step = match (outcome, delivered, errors.is_empty()) {
        (Some(outcome), Some(delivered), true) => Ok(MemberStep::Finish(
            Report {
                outcome,
                reason,
                delivered,
                report,
            },
            units,
        )),
        _ => Err(("finish", errors)),
    };
    member_step(&ctx, &user, id, fields, step).await
}

pub async fn give_back(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let step = required(&fields, "return", "reason", "referral.error.return_reason")
        .map(|reason| MemberStep::GiveBack { reason });
    member_step(&ctx, &user, id, fields, step).await
}

pub async fn member_note(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let step = required(&fields, "note", "body", "referral.error.note").map(|body| MemberStep::Note { body });
    member_step(&ctx, &user, id, fields, step).await
}

/// The text of a field that may not be left empty, or the form's error for it.
fn required(
    fields: &Fields,
    form: &'static str,
    field: &'static str,
    message_key: &'static str,
) -> Result<String, (&'static str, FormErrors)> {
    let text = fields.get(field).trim();
    let mut errors = fields.errors();
    if text.is_empty() {
        errors.field(field, message_key);
    }
    if errors.is_empty() {
        Ok(text.to_owned())
    } else {
        Err((form, errors))
    }
}
