//! The case's side of referrals: sending one from a case, following it, withdrawing it and
//! writing notes to the organisation.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::cases::CasePart;
use crate::cases::access::{self, audit_case, case_to_write, open_case, require_steer};
use crate::cases::plan;
use crate::cases::plan::Goal;
use crate::cases::record::CaseView;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::referrals::ReferralStatus;
use crate::referrals::referral::{self, Event, NewReferral, Referral, SendRefused, Viewer};
use crate::referrals::target::{self, ServiceTargets, Target};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_optional_date};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "referrals/new.html")]
struct NewReferralPage {
    l: Layout,
    case: CaseView,
    targets: Vec<ServiceTargets>,
    /// No valid consent covers any target yet: the form says so before it is filled.
    consent_first: bool,
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
    let targets = target::offered(&mut tx, case.id).await?;
    let consent_first = !targets.is_empty() && !targets.iter().any(|t| t.consented);
    let goals = plan::find(&mut tx, case.id)
        .await?
        .map(|plan| plan.goals)
        .unwrap_or_default();
    // A form not yet sent (the only one without messages) proposes the plan's first goal: a
    // referral mostly serves a goal already agreed.
    let fields = match goals.first() {
        Some(goal) if errors.is_empty() => {
            Fields::from_pairs(vec![("goal_id".to_owned(), goal.id.to_string())])
        }
        _ => fields,
    };
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
            targets: target::by_service(targets),
            consent_first,
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
async fn case_to_refer(tx: &mut TenantTx, id: Uuid, user: &CurrentUser) -> AppResult<CaseView> {
    let case = open_case(tx, id, user).await?;
    require_steer(&case, user)?;
    Ok(case)
}

pub async fn referral_form(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_refer(&mut tx, id, &user).await?;
    render_referral_form(tx, &ctx, &user, case, Fields::default(), FormErrors::default()).await
}

pub async fn send(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_refer(&mut tx, id, &user).await?;
    let mut errors = fields.errors();
    let target = Target::parse_value(fields.get("target"));
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
    let expected_start = match parse_optional_date(fields.get("expected_start")) {
        Ok(Some(date)) if case.before_request(date) => {
            errors.field("expected_start", "case.error.before_request");
            None
        }
        Ok(date) => date,
        Err(_) => {
            errors.field("expected_start", "referral.error.expected_start");
            None
        }
    };
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
                &format!("{}#flash", CasePart::Referrals.path(&ctx.tenant.slug, case.id)),
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
    /// The form shown again when `field` was left empty or a field was refused on the way in.
    fn unless_filled(
        form: &'static str,
        fields: Fields,
        field: &'static str,
        message_key: &'static str,
    ) -> Result<Fields, Shown> {
        let mut errors = fields.errors();
        if fields.get(field).trim().is_empty() {
            errors.field(field, message_key);
        }
        if errors.is_empty() {
            Ok(fields)
        } else {
            Err(Shown { form, fields, errors })
        }
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
            may_withdraw: access::may_steer(&case, user)
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

async fn load_case_referral(tx: &mut TenantTx, case: &CaseView, referral_id: Uuid) -> AppResult<Referral> {
    referral::find(tx, referral_id, Viewer::Case(case.id))
        .await?
        .filter(|referral| referral.case_id == case.id)
        .ok_or(AppError::NotFound)
}

pub async fn case_referral(
    mut ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, referral_id): PathIds,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    let referral = load_case_referral(&mut tx, &case, referral_id).await?;
    super::notifications::opened(&mut tx, &mut ctx, &user, referral.id).await?;
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
    PathIds(id, referral_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_refer(&mut tx, id, &user).await?;
    let current = load_case_referral(&mut tx, &case, referral_id).await?;
    let fields = match Shown::unless_filled("withdraw", fields, "reason", "referral.error.withdraw_reason") {
        Ok(fields) => fields,
        Err(shown) => return render_case_referral(tx, &ctx, &user, case, current, shown).await,
    };
    let reason = fields.get("reason").trim().to_owned();
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
    PathIds(id, referral_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let current = load_case_referral(&mut tx, &case, referral_id).await?;
    let fields = match Shown::unless_filled("note", fields, "body", "referral.error.note") {
        Ok(fields) => fields,
        Err(shown) => return render_case_referral(tx, &ctx, &user, case, current, shown).await,
    };
    let body = fields.get("body").trim().to_owned();
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
