//! A request's pages: registering one for a resident, the request with its triage, the
//! follow-up call after signposting (how it went, and what the resident said), and linking an online request to its resident.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{RequestRow, actor, desk_user, form_status, load_resident, may_open_case, open_file};
use crate::audit::{self, AuditKind};
use crate::auth::CurrentUser;
use crate::cases::record::CaseSummary;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::intake::household::{self, HouseholdMember};
use crate::intake::requests::{self, FollowUpState, NewRequest, RequestInput, RequestView};
use crate::intake::residents::{Resident, ResidentSummary};
use crate::intake::search;
use crate::intake::triage::{self, TriageInput, TriageOutcome};
use crate::intake::values::{FollowUpResult, Triage, Urgency};
use crate::shared::choices::{Channel, Domain};
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "intake/request_form.html")]
struct RequestFormPage {
    l: Layout,
    resident: Resident,
    /// Whom the question can be about besides the resident.
    household: Vec<HouseholdMember>,
    input: RequestInput,
    channels: &'static [Channel],
    domains: &'static [Domain],
    urgencies: &'static [Urgency],
    errors: FormErrors,
}

impl RequestFormPage {
    fn new(
        ctx: &RequestContext,
        resident: Resident,
        household: Vec<HouseholdMember>,
        input: RequestInput,
        errors: FormErrors,
    ) -> RequestFormPage {
        RequestFormPage {
            resident,
            household,
            input,
            channels: Channel::ALL,
            domains: Domain::ALL,
            urgencies: Urgency::ALL,
            errors,
            l: ctx.layout(),
        }
    }
}

pub(in crate::intake) async fn new_request(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = open_file(&mut tx, &ctx, &user, id, AuditKind::ResidentViewed, json!({})).await?;
    let household = household::of_resident(&mut tx, resident.id).await?;
    let now = local_now(&mut tx).await?;
    tx.commit().await?;
    web::render(&RequestFormPage::new(
        &ctx,
        resident,
        household,
        RequestInput::fresh(now),
        FormErrors::default(),
    ))
}

pub(in crate::intake) async fn create_request(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, id).await?;
    let input = RequestInput::from_fields(&fields);
    let mut errors = fields.errors();
    let now = local_now(&mut tx).await?;
    let household = household::of_resident(&mut tx, resident.id).await?;
    let members: Vec<Uuid> = household.iter().map(|m| m.id).collect();
    if let Some(new) = input.validate(now, &members, &mut errors) {
        let request_id = register(&mut tx, &ctx, &user, resident.id, &new).await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/requests/{request_id}", ctx.tenant.slug),
            "flash.request_created",
        ));
    }
    tx.commit().await?;
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &RequestFormPage::new(&ctx, resident, household, input, errors),
    )
}

async fn register(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    resident_id: Uuid,
    new: &NewRequest,
) -> sqlx::Result<Uuid> {
    let registered = requests::create(tx, Some(resident_id), new, Some(user.id), ("", "", "")).await?;
    audit::record_for_resident(
        tx,
        &actor(ctx, user),
        AuditKind::RequestCreated,
        resident_id,
        json!({ "request": registered.reference }),
    )
    .await?;
    Ok(registered.id)
}

#[derive(Template)]
#[template(path = "intake/request.html")]
struct RequestPage {
    l: Layout,
    row: RequestRow,
    destinations: Vec<(Uuid, String)>,
    triages: &'static [Triage],
    form: TriageInput,
    errors: FormErrors,
    outcome_key: Option<&'static str>,
    follow_up: Option<FollowUpState>,
    /// What was chosen and typed as the follow-up's result and note, shown again with an error.
    follow_up_result: String,
    follow_up_outcome: String,
    follow_up_results: &'static [FollowUpResult],
    /// The follow-up day the triage form proposes when the desk signposts.
    follow_up_default: String,
    q: String,
    candidates: Vec<ResidentSummary>,
    /// The team's case for the request: the desk sees that it exists and who leads it.
    case: Option<CaseSummary>,
    may_open_case: bool,
}

async fn load_request(tx: &mut TenantTx, id: Uuid) -> AppResult<RequestView> {
    requests::find(tx, id).await?.ok_or(AppError::NotFound)
}

/// Records what the desk did with a request in the file of the resident it is about; an
/// online request not yet linked to a resident has no file to record it in.
async fn record_for_request(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    request: &RequestView,
    kind: AuditKind,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    match request.resident_id {
        Some(resident_id) => {
            audit::record_for_resident(tx, &actor(ctx, user), kind, resident_id, details).await
        }
        None => Ok(()),
    }
}

/// What the request page shows besides the request: the triage form (or the follow-up's
/// outcome) as typed and its errors, the outcome of a triage just done, and a search for the
/// resident to link.
#[derive(Default)]
struct RequestPageState<'a> {
    form: TriageInput,
    follow_up_result: String,
    follow_up_outcome: String,
    errors: FormErrors,
    outcome_key: Option<&'static str>,
    q: &'a str,
}

async fn render_request(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    request: RequestView,
    page: RequestPageState<'_>,
) -> AppResult<Response> {
    let RequestPageState {
        form,
        follow_up_result,
        follow_up_outcome,
        errors,
        outcome_key,
        q,
    } = page;
    let destinations = triage::active_destinations(&mut tx).await?;
    let follow_up = requests::follow_up_of(&mut tx, request.id).await?;
    let today = local_now(&mut tx).await?.date();
    let follow_up_default = format_date(triage::default_follow_up(&mut tx, today).await?);
    // An online request has no resident yet: the desk finds and links one.
    let candidates = match search::Query::parse(q) {
        Some(query) if request.resident_id.is_none() => search::search(&mut tx, &query, 1).await?,
        _ => Vec::new(),
    };
    let case = crate::cases::record::summary_for_request(&mut tx, request.id).await?;
    tx.commit().await?;
    web::render_with_status(
        form_status(&errors),
        &RequestPage {
            row: RequestRow::new(request),
            destinations,
            triages: Triage::ALL,
            form,
            errors,
            outcome_key,
            follow_up,
            follow_up_result,
            follow_up_outcome,
            follow_up_results: FollowUpResult::ALL,
            follow_up_default,
            q: q.to_owned(),
            candidates,
            case,
            may_open_case: may_open_case(user),
            l: ctx.layout(),
        },
    )
}

#[derive(Deserialize)]
pub(in crate::intake) struct RequestQuery {
    outcome: Option<String>,
    /// A search for the resident to link an online request to.
    #[serde(default)]
    q: String,
}

pub(in crate::intake) async fn request(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<RequestQuery>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, id).await?;
    record_for_request(
        &mut tx,
        &ctx,
        &user,
        &request,
        AuditKind::RequestViewed,
        json!({ "request": request.reference }),
    )
    .await?;
    let outcome_key = match query.outcome.as_deref() {
        Some("follow_up") => Some("triage.outcome.follow_up"),
        Some("case") => Some("triage.outcome.case"),
        Some("closed") => Some("triage.outcome.closed"),
        _ => None,
    };
    render_request(
        tx,
        &ctx,
        &user,
        request,
        RequestPageState {
            outcome_key,
            q: &query.q,
            ..RequestPageState::default()
        },
    )
    .await
}

pub(in crate::intake) async fn triage(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, id).await?;
    let form = TriageInput::from_fields(&fields);
    if request.triage.is_some() {
        // Already decided (a second tab, a double click): show what was decided.
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/{}/requests/{}", ctx.tenant.slug, request.id)).into_response());
    }
    let mut errors = fields.errors();
    let destinations = triage::active_destinations(&mut tx).await?;
    let today = local_now(&mut tx).await?.date();
    let Some(decision) = form.decide(&destinations, today, &mut errors) else {
        return render_request(
            tx,
            &ctx,
            &user,
            request,
            RequestPageState {
                form,
                errors,
                ..RequestPageState::default()
            },
        )
        .await;
    };
    let consent_purpose = ctx.lang.tf(
        "consent.from_request.purpose",
        &[("request", request.reference.as_str())],
    );
    let outcome = triage::apply(&mut tx, &request, &decision, user.id, today, &consent_purpose).await?;
    record_for_request(
        &mut tx,
        &ctx,
        &user,
        &request,
        AuditKind::RequestTriaged,
        json!({
            "request": request.reference,
            "triage": decision.triage.code(),
            "unsafe_at_home": decision.unsafe_at_home,
            "consent_carried": matches!(outcome, TriageOutcome::CaseOpened(_)) && request.consent_given,
        }),
    )
    .await?;
    tx.commit().await?;
    let outcome = match outcome {
        TriageOutcome::Closed => "closed",
        TriageOutcome::FollowUpOn(_) => "follow_up",
        TriageOutcome::CaseOpened(_) => "case",
    };
    Ok(Redirect::to(&format!(
        "/{}/requests/{}?outcome={outcome}",
        ctx.tenant.slug, request.id
    ))
    .into_response())
}

/// Links an online request to the resident it is about (and its case, if the team has one).
pub(in crate::intake) async fn link_resident(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, id).await?;
    let resident = load_resident(&mut tx, web::parse_id(fields.get("resident"))?).await?;
    if !requests::link_resident(&mut tx, request.id, resident.id).await? {
        return Err(AppError::NotFound);
    }
    audit::record_for_resident(
        &mut tx,
        &actor(&ctx, &user),
        AuditKind::RequestLinked,
        resident.id,
        json!({ "request": request.reference }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/requests/{}", ctx.tenant.slug, request.id),
        "flash.request_linked",
    ))
}

/// "Is het gelukt?": the desk records how the follow-up call after signposting went.
pub(in crate::intake) async fn follow_up(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, id).await?;
    let chosen = fields.get("follow_up_result").to_owned();
    let note = fields.get("follow_up_outcome").trim().to_owned();
    let mut errors = fields.errors();
    let result = FollowUpResult::parse(&chosen);
    if result.is_none() {
        errors.field("follow_up_result", "follow_up.error.result");
    }
    let (Some(result), true) = (result, errors.is_empty()) else {
        return render_request(
            tx,
            &ctx,
            &user,
            request,
            RequestPageState {
                follow_up_result: chosen,
                follow_up_outcome: note,
                errors,
                ..RequestPageState::default()
            },
        )
        .await;
    };
    if !requests::record_follow_up(&mut tx, request.id, result, &note, user.id).await? {
        return Err(AppError::NotFound);
    }
    record_for_request(
        &mut tx,
        &ctx,
        &user,
        &request,
        AuditKind::FollowUpRecorded,
        json!({ "request": request.reference, "result": result.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/requests/{}", ctx.tenant.slug, request.id),
        "flash.follow_up_recorded",
    ))
}
