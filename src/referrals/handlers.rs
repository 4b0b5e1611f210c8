use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use time::{Date, Month};
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::cases::access::{audit_case, case_to_write, open_case, require_steer};
use crate::cases::plan::Goal;
use crate::cases::record::CaseView;
use crate::cases::{self, plan};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::referrals::inbox::{self, Counts, InboxRow, InboxState, KeptInboxes, Tab};
use crate::referrals::notifications::{self, Notification};
use crate::referrals::referral::{self, Event, NewReferral, NotNow, Referral, Report, SendRefused, Viewer};
use crate::referrals::stats::{self, OrganisationFigures, OverdueReferral};
use crate::referrals::{DeclineReason, OVERVIEW_ROLES, Outcome, ReferralStatus};
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_optional_date};
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

#[derive(Deserialize)]
pub struct PageQuery {
    tab: Option<String>,
    page: Option<i64>,
    year: Option<i32>,
}

/// The organisation a `member` user acts for; anyone else has no inbox.
fn organisation_of(user: &CurrentUser) -> AppResult<Uuid> {
    user.require_any(&[Role::Member])?;
    user.organisation_id.ok_or(AppError::Forbidden)
}

fn actor(ctx: &RequestContext, user: &CurrentUser) -> Actor {
    Actor::user(user, ctx.client_ip)
}

// ---------------------------------------------------------------------------------------------
// The member organisation's side

#[derive(Template)]
#[template(path = "referrals/inbox.html")]
struct InboxPage {
    l: Layout,
    tabs: [Tab; 3],
    tab: Tab,
    counts: Counts,
    rows: Vec<InboxRow>,
    pagination: Pagination,
}

pub async fn inbox(
    State(inboxes): State<Arc<KeptInboxes>>,
    inbox_state: Option<Extension<InboxState>>,
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let organisation_id = organisation_of(&user)?;
    let tab = query.tab.as_deref().and_then(Tab::parse).unwrap_or(Tab::New);
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    // Read with the session, for the navigation; a member's session always has it.
    let Extension(inbox_state) = inbox_state.ok_or(AppError::Forbidden)?;
    let mut rows = inboxes
        .page(&mut tx, inbox_state.version, tab, organisation_id, user.id, page)
        .await?;
    tx.commit().await?;
    let counts = inbox_state.counts;
    let has_next = trim_page(&mut rows, inbox::PAGE_SIZE);
    let base = format!("/{}/inbox?tab={}", ctx.tenant.slug, tab.code());
    web::render(&InboxPage {
        tabs: Tab::ALL,
        tab,
        counts,
        rows,
        pagination: Pagination::new(base, page, has_next),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "referrals/member_referral.html")]
struct MemberReferralPage {
    l: Layout,
    referral: Referral,
    events: Vec<Event>,
    reasons: &'static [DeclineReason],
    outcomes: &'static [Outcome],
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
    /// A step that could not be taken because someone else was first.
    not_now: bool,
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

    fn is(&self, status: &str) -> bool {
        self.referral.status == status
    }
}

/// The referral as the organisation sees it: the resident's name and contact data, the summary
/// written for it and what it is asked to do; nothing else of the case.
async fn load_for_member(tx: &mut TenantTx, id: &str, organisation_id: Uuid) -> AppResult<Referral> {
    referral::find(tx, parse_id(id)?, Viewer::Organisation(organisation_id))
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
        &actor(ctx, user),
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
            reasons: DeclineReason::ALL,
            outcomes: Outcome::ALL,
            form,
            fields,
            errors,
            not_now,
            l: ctx.layout(),
        },
    )
}

pub async fn member_referral(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let organisation_id = organisation_of(&user)?;
    let mut tx = ctx.tx().await?;
    let referral = load_for_member(&mut tx, &id, organisation_id).await?;
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
    Finish(Report),
    GiveBack { reason: String },
    Note { body: String },
}

impl MemberStep {
    fn form(&self) -> &'static str {
        match self {
            MemberStep::Accept => "accept",
            MemberStep::Decline { .. } => "decline",
            MemberStep::Start => "start",
            MemberStep::Finish(_) => "finish",
            MemberStep::GiveBack { .. } => "return",
            MemberStep::Note { .. } => "note",
        }
    }

    fn flash(&self) -> &'static str {
        match self {
            MemberStep::Accept => "flash.referral_accepted",
            MemberStep::Decline { .. } => "flash.referral_declined",
            MemberStep::Start => "flash.referral_started",
            MemberStep::Finish(_) => "flash.referral_finished",
            MemberStep::GiveBack { .. } => "flash.referral_returned",
            MemberStep::Note { .. } => "flash.referral_note_added",
        }
    }
}

async fn member_step(
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
    fields: Fields,
    step: Result<MemberStep, (&'static str, FormErrors)>,
) -> AppResult<Response> {
    let organisation_id = organisation_of(user)?;
    let mut tx = ctx.tx().await?;
    let referral = match load_for_member(&mut tx, id, organisation_id).await {
        Err(AppError::NotFound)
            if referral::taken_by_another(&mut tx, parse_id(id)?, organisation_id).await? =>
        {
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
    let taken = match &step {
        MemberStep::Accept => referral::accept(&mut tx, referral.id, organisation_id, user.id).await?,
        MemberStep::Decline { reason, note } => {
            referral::decline(&mut tx, referral.id, organisation_id, *reason, note, user.id).await?
        }
        MemberStep::Start => referral::start(&mut tx, referral.id, organisation_id, user.id).await?,
        MemberStep::Finish(report) => {
            referral::finish(&mut tx, referral.id, organisation_id, report, user.id).await?
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
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    member_step(&ctx, &user, &id, fields, Ok(MemberStep::Accept)).await
}

pub async fn start(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    member_step(&ctx, &user, &id, fields, Ok(MemberStep::Start)).await
}

pub async fn decline(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
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
    member_step(&ctx, &user, &id, fields, step).await
}

pub async fn finish(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
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
    let step = match (outcome, delivered, errors.is_empty()) {
        (Some(outcome), Some(delivered), true) => Ok(MemberStep::Finish(Report {
            outcome,
            reason,
            delivered,
            report,
        })),
        _ => Err(("finish", errors)),
    };
    member_step(&ctx, &user, &id, fields, step).await
}

pub async fn give_back(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let step = required(&fields, "return", "reason", "referral.error.return_reason")
        .map(|reason| MemberStep::GiveBack { reason });
    member_step(&ctx, &user, &id, fields, step).await
}

pub async fn member_note(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let step = required(&fields, "note", "body", "referral.error.note").map(|body| MemberStep::Note { body });
    member_step(&ctx, &user, &id, fields, step).await
}

/// The text of a field that may not be left empty, or the form's error for it.
fn required(
    fields: &Fields,
    form: &'static str,
    field: &'static str,
    message_key: &'static str,
) -> Result<String, (&'static str, FormErrors)> {
    let text = fields.get(field).trim();
    if text.is_empty() {
        let mut errors = FormErrors::default();
        errors.field(field, message_key);
        Err((form, errors))
    } else {
        Ok(text.to_owned())
    }
}

// ---------------------------------------------------------------------------------------------
// The case's side: sending, following and withdrawing referrals

#[derive(Template)]
#[template(path = "referrals/new.html")]
struct NewReferralPage {
    l: Layout,
    case: CaseView,
    targets: Vec<referral::Target>,
    goals: Vec<Goal>,
    /// Process managers may send without consent, stating why.
    may_override: bool,
    answer_days: i32,
    fields: Fields,
    errors: FormErrors,
}

async fn render_referral_form(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    fields: Fields,
    errors: FormErrors,
) -> AppResult<Response> {
    let targets = referral::targets(&mut tx).await?;
    let goals = plan::find(&mut tx, case.id)
        .await?
        .map(|plan| plan.goals)
        .unwrap_or_default();
    let answer_days = referral::answer_days(&mut tx).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &NewReferralPage {
            case,
            targets,
            goals,
            may_override: user.has(Role::ProcessManager),
            answer_days,
            fields,
            errors,
            l: ctx.layout(),
        },
    )
}

/// The case a referral is sent from: its lead, coordinator or a process manager.
async fn case_to_refer(tx: &mut TenantTx, id: &str, user: &CurrentUser) -> AppResult<CaseView> {
    let case = open_case(tx, parse_id(id)?, user).await?;
    require_steer(&case, user)?;
    Ok(case)
}

pub async fn referral_form(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_refer(&mut tx, &id, &user).await?;
    render_referral_form(tx, &ctx, &user, case, Fields::default(), FormErrors::default()).await
}

pub async fn send(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_refer(&mut tx, &id, &user).await?;
    let mut errors = FormErrors::default();
    let target = match fields.get("target").split_once(':') {
        Some((service, "open")) => service.parse().ok().map(|s| (s, None)),
        Some((service, organisation)) => match (service.parse(), organisation.parse()) {
            (Ok(service), Ok(organisation)) => Some((service, Some(organisation))),
            _ => None,
        },
        None => None,
    };
    if target.is_none() {
        errors.field("target", "referral.error.target");
    }
    let purpose = fields.get("purpose").trim().to_owned();
    if purpose.is_empty() {
        errors.field("purpose", "referral.error.purpose");
    }
    let summary = fields.get("summary").trim().to_owned();
    if summary.is_empty() {
        errors.field("summary", "referral.error.summary");
    }
    let expected_start = parse_optional_date(fields.get("expected_start")).unwrap_or_else(|_| {
        errors.field("expected_start", "referral.error.expected_start");
        None
    });
    let goal_id = match fields.get("goal_id") {
        "" => None,
        goal => match goal.parse() {
            Ok(goal) => Some(goal),
            Err(_) => {
                errors.field("goal_id", "referral.error.goal");
                None
            }
        },
    };
    let override_reason = Some(fields.get("override_reason").trim().to_owned())
        .filter(|reason| !reason.is_empty() && user.has(Role::ProcessManager));
    let Some((service_id, organisation_id)) = target.filter(|_| errors.is_empty()) else {
        return render_referral_form(tx, &ctx, &user, case, fields, errors).await;
    };
    let new = NewReferral {
        service_id,
        organisation_id,
        purpose,
        expected_start,
        summary,
        goal_id,
        override_reason,
    };
    let calendar = crate::admin::working_calendar(&mut tx).await?;
    let days = referral::answer_days(&mut tx).await?;
    let answer_due_on = calendar.add_working_days(case.now.date(), days.unsigned_abs());
    match referral::send(&mut tx, case.id, &new, user.id, answer_due_on).await? {
        Ok(sent) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::ReferralSent,
                &case,
                json!({
                    "referral": sent.id,
                    "organisation": new.organisation_id,
                    "service": new.service_id,
                    "consent": sent.consent_id,
                    "override_reason": new.override_reason.as_ref().filter(|_| sent.consent_id.is_none()),
                }),
            )
            .await?;
            tx.commit().await?;
            Ok(web::redirect_with_flash(
                &format!("/{}/cases/{}#referrals", ctx.tenant.slug, case.id),
                "flash.referral_sent",
            ))
        }
        Err(refused) => {
            match refused {
                SendRefused::NotOffered => errors.field("target", "referral.error.not_offered"),
                SendRefused::UnknownGoal => errors.field("goal_id", "referral.error.goal"),
                SendRefused::NoConsent if user.has(Role::ProcessManager) => {
                    errors.field("override_reason", "referral.error.no_consent_override")
                }
                SendRefused::NoConsent => errors.field("target", "referral.error.no_consent"),
            }
            render_referral_form(tx, &ctx, &user, case, fields, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "referrals/case_referral.html")]
struct CaseReferralPage {
    l: Layout,
    case: CaseView,
    referral: Referral,
    events: Vec<Event>,
    may_withdraw: bool,
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
}

impl CaseReferralPage {
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
}

/// A form on the page shown again: which one, what was typed, what is wrong.
#[derive(Default)]
struct Shown {
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
}

impl Shown {
    fn error(form: &'static str, fields: Fields, field: &'static str, message_key: &'static str) -> Shown {
        let mut errors = FormErrors::default();
        errors.field(field, message_key);
        Shown { form, fields, errors }
    }
}

async fn render_case_referral(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    referral: Referral,
    shown: Shown,
) -> AppResult<Response> {
    let Shown { form, fields, errors } = shown;
    let events = referral::events(&mut tx, referral.id).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &CaseReferralPage {
            may_withdraw: cases::access::may_steer(&case, user)
                && referral.status().is_some_and(ReferralStatus::is_open),
            case,
            referral,
            events,
            form,
            fields,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn load_case_referral(tx: &mut TenantTx, case: &CaseView, referral_id: &str) -> AppResult<Referral> {
    referral::find(tx, parse_id(referral_id)?, Viewer::Case(case.id))
        .await?
        .filter(|referral| referral.case_id == case.id)
        .ok_or(AppError::NotFound)
}

pub async fn case_referral(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, referral_id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, parse_id(&id)?, &user).await?;
    let referral = load_case_referral(&mut tx, &case, &referral_id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ReferralViewed,
        &case,
        json!({ "referral": referral.id }),
    )
    .await?;
    render_case_referral(tx, &ctx, &user, case, referral, Shown::default()).await
}

pub async fn withdraw(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, referral_id)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_refer(&mut tx, &id, &user).await?;
    let current = load_case_referral(&mut tx, &case, &referral_id).await?;
    let reason = fields.get("reason").trim().to_owned();
    if reason.is_empty() {
        let shown = Shown::error("withdraw", fields, "reason", "referral.error.withdraw_reason");
        return render_case_referral(tx, &ctx, &user, case, current, shown).await;
    }
    if referral::withdraw(&mut tx, case.id, current.id, &reason, user.id)
        .await?
        .is_err()
    {
        let mut shown = Shown {
            form: "withdraw",
            fields,
            errors: FormErrors::default(),
        };
        shown.errors.form("referral.error.not_open");
        return render_case_referral(tx, &ctx, &user, case, current, shown).await;
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ReferralChanged,
        &case,
        json!({ "referral": current.id, "step": "withdraw", "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/cases/{}/referrals/{}", ctx.tenant.slug, case.id, current.id),
        "flash.referral_withdrawn",
    ))
}

pub async fn lead_note(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, referral_id)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, parse_id(&id)?, &user).await?;
    let current = load_case_referral(&mut tx, &case, &referral_id).await?;
    let body = fields.get("body").trim().to_owned();
    if body.is_empty() {
        let shown = Shown::error("note", fields, "body", "referral.error.note");
        return render_case_referral(tx, &ctx, &user, case, current, shown).await;
    }
    referral::add_note(&mut tx, current.id, None, &body, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ReferralChanged,
        &case,
        json!({ "referral": current.id, "step": "note" }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/cases/{}/referrals/{}", ctx.tenant.slug, case.id, current.id),
        "flash.referral_note_added",
    ))
}

// ---------------------------------------------------------------------------------------------
// Notifications and the overview

#[derive(Template)]
#[template(path = "referrals/notifications.html")]
struct NotificationsPage {
    l: Layout,
    notifications: Vec<Notification>,
    is_member: bool,
    pagination: Pagination,
}

impl NotificationsPage {
    fn href(&self, notification: &Notification) -> Option<String> {
        let referral = notification.referral_id?;
        let slug = self.l.tenant_slug();
        if self.is_member {
            Some(format!("/{slug}/referrals/{referral}"))
        } else {
            let case = notification.case_id?;
            Some(format!("/{slug}/cases/{case}/referrals/{referral}"))
        }
    }
}

pub async fn notifications(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let mut found = notifications::page(&mut tx, user.id, page).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut found, notifications::PAGE_SIZE);
    web::render(&NotificationsPage {
        notifications: found,
        is_member: user.has(Role::Member) && user.organisation_id.is_some(),
        pagination: Pagination::new(format!("/{}/notifications?", ctx.tenant.slug), page, has_next),
        l: ctx.layout(),
    })
}

pub async fn notifications_read(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    notifications::mark_all_read(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/notifications", ctx.tenant.slug),
        "flash.notifications_read",
    ))
}

#[derive(Template)]
#[template(path = "referrals/overview.html")]
struct OverviewPage {
    l: Layout,
    year: i32,
    figures: Vec<OrganisationFigures>,
    overdue: Vec<OverdueReferral>,
    pagination: Pagination,
}

/// Closing the loop: what waits past its answer date, and each organisation's figures.
pub async fn overview(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(OVERVIEW_ROLES)?;
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let year = match query.year {
        Some(year) if (2000..=2100).contains(&year) => year,
        _ => crate::shared::clock::local_now(&mut tx).await?.year(),
    };
    let from = Date::from_calendar_date(year, Month::January, 1).map_err(|_| AppError::NotFound)?;
    let to = Date::from_calendar_date(year, Month::December, 31).map_err(|_| AppError::NotFound)?;
    let figures = stats::per_organisation(&mut tx, from, to).await?;
    let mut overdue = stats::overdue(&mut tx, page).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut overdue, stats::PAGE_SIZE);
    web::render(&OverviewPage {
        pagination: Pagination::new(
            format!("/{}/referrals/overview?year={year}", ctx.tenant.slug),
            page,
            has_next,
        ),
        year,
        figures,
        overdue,
        l: ctx.layout(),
    })
}
