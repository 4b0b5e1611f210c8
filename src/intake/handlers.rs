use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::cases::TEAM_ROLES;
use crate::cases::record::CaseSummary;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::intake::DESK_ROLES;
use crate::intake::requests::{
    self, FollowUp, NewRequest, RequestInput, RequestView, TriageDecision, TriageOutcome,
};
use crate::intake::residents::{self, HouseholdMember, Resident, ResidentInput, ResidentSummary};
use crate::intake::values::{Relation, Triage, Urgency};
use crate::shared::choices::{Channel, Domain};
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

fn desk_user(user: CurrentUser) -> AppResult<CurrentUser> {
    user.require_any_hiding(DESK_ROLES)?;
    Ok(user)
}

fn actor(ctx: &RequestContext, user: &CurrentUser) -> Actor {
    Actor::user(user, ctx.client_ip)
}

/// A row of a list of requests, with its deadline as the desk needs to see it.
pub struct RequestRow {
    pub request: RequestView,
    pub deadline: Option<String>,
    pub days_left: Option<i64>,
}

impl RequestRow {
    fn new(request: RequestView) -> RequestRow {
        let deadline = request.deadline();
        RequestRow {
            deadline: deadline.map(format_date),
            days_left: deadline.and(request.days_to_deadline).map(i64::from),
            request,
        }
    }

    pub fn overdue(&self) -> bool {
        self.days_left.is_some_and(|d| d < 0)
    }

    pub fn days_left_abs(&self) -> i64 {
        self.days_left.unwrap_or_default().abs()
    }
}

fn rows(requests: Vec<RequestView>) -> Vec<RequestRow> {
    requests.into_iter().map(RequestRow::new).collect()
}

#[derive(Template)]
#[template(path = "intake/desk.html")]
struct DeskPage {
    l: Layout,
    today: Vec<RequestRow>,
    untriaged: Vec<RequestRow>,
    deadlines: Vec<RequestRow>,
    follow_ups: Vec<FollowUp>,
}

pub async fn desk(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let page = DeskPage {
        today: rows(requests::registered_today(&mut tx).await?),
        untriaged: rows(requests::untriaged(&mut tx).await?),
        deadlines: rows(requests::nearing_deadline(&mut tx, 7).await?),
        follow_ups: requests::follow_ups_due(&mut tx).await?,
        l: ctx.layout(),
    };
    tx.commit().await?;
    web::render(&page)
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "intake/search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    searched: bool,
    results: Vec<ResidentSummary>,
    pagination: Pagination,
}

pub async fn search(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    desk_user(user)?;
    let page = query.page.unwrap_or(1).max(1);
    let mut results = Vec::new();
    let parsed = residents::Query::parse(&query.q);
    if let Some(parsed) = &parsed {
        let mut tx = ctx.tx().await?;
        results = residents::search(&mut tx, parsed, page).await?;
        tx.commit().await?;
    }
    let has_next = trim_page(&mut results, residents::PAGE_SIZE);
    let base = format!("/{}/residents?q={}", ctx.tenant.slug, web::query_encode(&query.q));
    web::render(&SearchPage {
        searched: parsed.is_some(),
        q: query.q,
        results,
        pagination: Pagination::new(base, page, has_next),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "intake/resident_form.html")]
struct ResidentFormPage {
    l: Layout,
    action: String,
    heading_key: &'static str,
    input: ResidentInput,
    duplicates: Vec<ResidentSummary>,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NewResidentQuery {
    #[serde(default)]
    q: String,
}

/// A new resident; what was searched for fills in the form where it can.
pub async fn new_resident(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<NewResidentQuery>,
) -> AppResult<Response> {
    desk_user(user)?;
    let mut input = ResidentInput::default();
    match residents::Query::parse(&query.q) {
        Some(residents::Query::Bsn(bsn)) => input.bsn = bsn,
        Some(residents::Query::DateOfBirth(date)) => input.date_of_birth = format_date(date),
        Some(residents::Query::Postcode {
            postcode,
            house_number,
        }) => {
            input.postcode = postcode;
            input.house_number = house_number.unwrap_or_default();
        }
        Some(residents::Query::Name(_)) => input.surname = query.q.trim().to_owned(),
        None => {}
    }
    web::render(&ResidentFormPage {
        action: format!("/{}/residents", ctx.tenant.slug),
        heading_key: "resident.new",
        input,
        duplicates: Vec::new(),
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub async fn create_resident(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let input = ResidentInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let mut duplicates = Vec::new();
    if let Some(details) = input.validate(today, &mut errors) {
        duplicates = residents::possible_duplicates(&mut tx, &details).await?;
        // Possible duplicates are shown first; registering anyway takes a confirmation.
        if duplicates.is_empty() || fields.get("confirm_new") == "yes" {
            match residents::create(&mut tx, &details, user.id).await? {
                Ok(id) => {
                    audit::record_for_resident(
                        &mut tx,
                        &actor(&ctx, &user),
                        AuditKind::ResidentCreated,
                        id,
                        json!({}),
                    )
                    .await?;
                    tx.commit().await?;
                    return Ok(web::redirect_with_flash(
                        &format!("/{}/residents/{id}", ctx.tenant.slug),
                        "flash.resident_created",
                    ));
                }
                Err(()) => errors.field("bsn", "resident.error.bsn_taken"),
            }
        }
    }
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &ResidentFormPage {
            action: format!("/{}/residents", ctx.tenant.slug),
            heading_key: "resident.new",
            input,
            duplicates,
            errors,
            l: ctx.layout(),
        },
    )
}

#[derive(Template)]
#[template(path = "intake/resident.html")]
struct ResidentPage {
    l: Layout,
    resident: Resident,
    full_bsn: bool,
    household: Vec<HouseholdMember>,
    same_address: Vec<ResidentSummary>,
    relations: &'static [Relation],
    requests: Vec<RequestRow>,
    cases: Vec<CaseSummary>,
    may_open_case: bool,
    /// Administrators produce the resident's subject access request from here.
    may_export: bool,
}

async fn load_resident(tx: &mut TenantTx, id: &str) -> AppResult<Resident> {
    residents::find(tx, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// Opens a resident's file: loads it and records who looked, and why.
async fn open_file(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
    kind: AuditKind,
    details: serde_json::Value,
) -> AppResult<Resident> {
    let resident = load_resident(tx, id).await?;
    audit::record_for_resident(tx, &actor(ctx, user), kind, resident.id, details).await?;
    Ok(resident)
}

async fn render_resident(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    resident: Resident,
    full_bsn: bool,
) -> AppResult<Response> {
    let kind = if full_bsn {
        AuditKind::BsnViewed
    } else {
        AuditKind::ResidentViewed
    };
    audit::record_for_resident(&mut tx, &actor(ctx, user), kind, resident.id, json!({})).await?;
    let household = residents::household(&mut tx, resident.id).await?;
    let same_address = match &resident.postcode {
        Some(postcode) if !resident.house_number.is_empty() => {
            let query = residents::Query::Postcode {
                postcode: postcode.clone(),
                house_number: Some(resident.house_number.clone()),
            };
            residents::search(&mut tx, &query, 1)
                .await?
                .into_iter()
                .filter(|r| r.id != resident.id && !household.iter().any(|m| m.id == r.id))
                .collect()
        }
        _ => Vec::new(),
    };
    let requests = rows(requests::for_resident(&mut tx, resident.id).await?);
    let cases = crate::cases::record::summaries_for_resident(&mut tx, resident.id).await?;
    tx.commit().await?;
    web::render(&ResidentPage {
        resident,
        full_bsn,
        household,
        same_address,
        relations: Relation::ALL,
        requests,
        cases,
        may_open_case: user.roles.iter().any(|r| TEAM_ROLES.contains(r)),
        may_export: user.has(Role::Admin),
        l: ctx.layout(),
    })
}

pub async fn resident(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, &id).await?;
    render_resident(tx, &ctx, &user, resident, false).await
}

/// The full BSN, shown on request and recorded in the audit log.
pub async fn show_bsn(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, &id).await?;
    render_resident(tx, &ctx, &user, resident, true).await
}

#[derive(Template)]
#[template(path = "intake/contact_card.html")]
struct ContactCardPage {
    l: Layout,
    resident: Resident,
    household: Vec<HouseholdMember>,
    tenant_name: String,
    contact: crate::tenancy::Contact,
    network: Vec<crate::cases::network::Contact>,
}

/// The meterkastkaart: who is involved and how to reach them, to print and keep at home.
pub async fn contact_card(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = open_file(
        &mut tx,
        &ctx,
        &user,
        &id,
        AuditKind::ResidentViewed,
        json!({ "contact_card": true }),
    )
    .await?;
    let household = residents::household(&mut tx, resident.id).await?;
    let contact = crate::tenancy::contact(&mut tx).await?;
    let network = crate::cases::network::of_resident(&mut tx, resident.id).await?;
    tx.commit().await?;
    web::render(&ContactCardPage {
        network,
        resident,
        household,
        tenant_name: ctx.tenant.name.clone(),
        contact,
        l: ctx.layout(),
    })
}

pub async fn edit_resident(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    // The form shows the whole record, BSN included.
    let resident = open_file(&mut tx, &ctx, &user, &id, AuditKind::BsnViewed, json!({})).await?;
    tx.commit().await?;
    web::render(&ResidentFormPage {
        action: format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
        heading_key: "resident.edit",
        input: resident.input(),
        duplicates: Vec::new(),
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub async fn update_resident(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, &id).await?;
    let input = ResidentInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    let today = local_now(&mut tx).await?.date();
    if let Some(details) = input.validate(today, &mut errors) {
        match residents::update(&mut tx, resident.id, &details).await? {
            Ok(()) => {
                let before = resident.input();
                let changed: Vec<&str> = changed_fields(&before, &details.input());
                audit::record_for_resident(
                    &mut tx,
                    &actor(&ctx, &user),
                    AuditKind::ResidentUpdated,
                    resident.id,
                    json!({ "fields": changed }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
                    "flash.resident_updated",
                ));
            }
            Err(()) => errors.field("bsn", "resident.error.bsn_taken"),
        }
    }
    tx.commit().await?;
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ResidentFormPage {
            action: format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
            heading_key: "resident.edit",
            input,
            duplicates: Vec::new(),
            errors,
            l: ctx.layout(),
        },
    )
}

/// Which fields an edit changed: the audit log names them, without their values.
fn changed_fields(before: &ResidentInput, after: &ResidentInput) -> Vec<&'static str> {
    let pairs: [(&'static str, &str, &str); 15] = [
        ("first_names", &before.first_names, &after.first_names),
        ("initials", &before.initials, &after.initials),
        ("surname_prefix", &before.surname_prefix, &after.surname_prefix),
        ("surname", &before.surname, &after.surname),
        ("date_of_birth", &before.date_of_birth, &after.date_of_birth),
        ("bsn", &before.bsn, &after.bsn),
        ("street", &before.street, &after.street),
        ("house_number", &before.house_number, &after.house_number),
        (
            "house_number_addition",
            &before.house_number_addition,
            &after.house_number_addition,
        ),
        ("postcode", &before.postcode, &after.postcode),
        ("place", &before.place, &after.place),
        ("phone", &before.phone, &after.phone),
        ("email", &before.email, &after.email),
        (
            "preferred_language",
            &before.preferred_language,
            &after.preferred_language,
        ),
        ("remarks", &before.remarks, &after.remarks),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, _, _)| name)
        .collect()
}

pub async fn link_household(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, &id).await?;
    let member = load_resident(&mut tx, fields.get("member")).await?;
    let relation = Relation::parse(fields.get("relation")).ok_or(AppError::NotFound)?;
    if member.id == resident.id {
        return Err(AppError::NotFound);
    }
    residents::link_household(&mut tx, resident.id, member.id, relation).await?;
    for subject in [resident.id, member.id] {
        audit::record_for_resident(
            &mut tx,
            &actor(&ctx, &user),
            AuditKind::HouseholdLinked,
            subject,
            json!({ "relation": relation.code() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
        "flash.household_linked",
    ))
}

#[derive(Template)]
#[template(path = "intake/request_form.html")]
struct RequestFormPage {
    l: Layout,
    resident: Resident,
    input: RequestInput,
    channels: &'static [Channel],
    domains: &'static [Domain],
    urgencies: &'static [Urgency],
    errors: FormErrors,
}

pub async fn new_request(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = open_file(&mut tx, &ctx, &user, &id, AuditKind::ResidentViewed, json!({})).await?;
    let now = local_now(&mut tx).await?;
    tx.commit().await?;
    web::render(&RequestFormPage {
        resident,
        input: RequestInput::fresh(now),
        channels: Channel::ALL,
        domains: Domain::ALL,
        urgencies: Urgency::ALL,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub async fn create_request(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, &id).await?;
    let input = RequestInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    let now = local_now(&mut tx).await?;
    if let Some(new) = input.validate(now, &mut errors) {
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
        &RequestFormPage {
            resident,
            input,
            channels: Channel::ALL,
            domains: Domain::ALL,
            urgencies: Urgency::ALL,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn register(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    resident_id: Uuid,
    new: &NewRequest,
) -> sqlx::Result<Uuid> {
    let id = requests::create(tx, Some(resident_id), new, Some(user.id), ("", "", "")).await?;
    audit::record_for_resident(
        tx,
        &actor(ctx, user),
        AuditKind::RequestCreated,
        resident_id,
        json!({ "request": requests::reference(id) }),
    )
    .await?;
    Ok(id)
}

#[derive(Template)]
#[template(path = "intake/request.html")]
struct RequestPage {
    l: Layout,
    row: RequestRow,
    destinations: Vec<(Uuid, String)>,
    triages: &'static [Triage],
    form: TriageForm,
    errors: FormErrors,
    outcome_key: Option<&'static str>,
    follow_up: Option<requests::FollowUpState>,
    q: String,
    candidates: Vec<ResidentSummary>,
    /// The team's case for the request: the desk sees that it exists and who leads it.
    case: Option<CaseSummary>,
    may_open_case: bool,
}

#[derive(Default)]
struct TriageForm {
    triage: String,
    note: String,
    destination: String,
    unsafe_at_home: String,
}

async fn load_request(tx: &mut TenantTx, id: &str) -> AppResult<RequestView> {
    requests::find(tx, parse_id(id)?).await?.ok_or(AppError::NotFound)
}

async fn active_destinations(tx: &mut TenantTx) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        "SELECT id, name FROM signpost_destinations WHERE tenant_id = $1 AND active ORDER BY position, name LIMIT 200",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// What the request page shows besides the request: the triage form as typed and its errors,
/// the outcome of a triage just done, and a search for the resident to link.
#[derive(Default)]
struct RequestPageState<'a> {
    form: TriageForm,
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
        errors,
        outcome_key,
        q,
    } = page;
    let destinations = active_destinations(&mut tx).await?;
    let follow_up = requests::follow_up_of(&mut tx, request.id).await?;
    // An online request has no resident yet: the desk finds and links one.
    let candidates = match residents::Query::parse(q) {
        Some(query) if request.resident_id.is_none() => residents::search(&mut tx, &query, 1).await?,
        _ => Vec::new(),
    };
    let case = crate::cases::record::summary_for_request(&mut tx, request.id).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &RequestPage {
            row: RequestRow::new(request),
            destinations,
            triages: Triage::ALL,
            form,
            errors,
            outcome_key,
            follow_up,
            q: q.to_owned(),
            candidates,
            case,
            may_open_case: user.roles.iter().any(|r| TEAM_ROLES.contains(r)),
            l: ctx.layout(),
        },
    )
}

#[derive(Deserialize)]
pub struct RequestQuery {
    outcome: Option<String>,
    /// A search for the resident to link an online request to.
    #[serde(default)]
    q: String,
}

pub async fn request(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<RequestQuery>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, &id).await?;
    if let Some(resident_id) = request.resident_id {
        audit::record_for_resident(
            &mut tx,
            &actor(&ctx, &user),
            AuditKind::RequestViewed,
            resident_id,
            json!({ "request": request.reference() }),
        )
        .await?;
    }
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

pub async fn triage(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, &id).await?;
    let form = TriageForm {
        triage: fields.get("triage").to_owned(),
        note: fields.get("note").trim().to_owned(),
        destination: fields.get("destination").to_owned(),
        unsafe_at_home: fields.get("unsafe_at_home").to_owned(),
    };
    if request.triage.is_some() {
        // Already decided (a second tab, a double click): show what was decided.
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/{}/requests/{}", ctx.tenant.slug, request.id)).into_response());
    }
    let mut errors = FormErrors::default();
    let unsafe_at_home = match form.unsafe_at_home.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.field("unsafe_at_home", "triage.error.safety");
            None
        }
    };
    let chosen = Triage::parse(&form.triage);
    // Someone unsafe at home goes to the team whatever else was chosen.
    let triage = if unsafe_at_home == Some(true) {
        Some(Triage::ToTeam)
    } else {
        chosen
    };
    if triage.is_none() && unsafe_at_home.is_some() {
        errors.field("triage", "triage.error.choice");
    }
    let destinations = active_destinations(&mut tx).await?;
    let destination = form
        .destination
        .parse::<Uuid>()
        .ok()
        .filter(|d| destinations.iter().any(|(id, _)| id == d));
    if triage == Some(Triage::Signposted) && destination.is_none() {
        errors.field("destination", "triage.error.destination");
    }
    if matches!(triage, Some(Triage::HandledAtDesk | Triage::Signposted)) && form.note.is_empty() {
        errors.field("note", "triage.error.note");
    }
    if let (Some(triage), Some(unsafe_at_home), true) = (triage, unsafe_at_home, errors.is_empty()) {
        let today = local_now(&mut tx).await?.date();
        let decision = TriageDecision {
            triage,
            note: form.note.clone(),
            destination,
            unsafe_at_home,
        };
        let outcome = requests::triage(&mut tx, &request, &decision, user.id, today).await?;
        if let Some(resident_id) = request.resident_id {
            audit::record_for_resident(
                &mut tx,
                &actor(&ctx, &user),
                AuditKind::RequestTriaged,
                resident_id,
                json!({ "request": request.reference(), "triage": triage.code(), "unsafe_at_home": unsafe_at_home }),
            )
            .await?;
        }
        tx.commit().await?;
        let outcome = match outcome {
            TriageOutcome::Closed => "closed",
            TriageOutcome::FollowUpOn(_) => "follow_up",
            TriageOutcome::CaseOpened(_) => "case",
        };
        return Ok(Redirect::to(&format!(
            "/{}/requests/{}?outcome={outcome}",
            ctx.tenant.slug, request.id
        ))
        .into_response());
    }
    render_request(
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
    .await
}

/// Links an online request to the resident it is about (and its case, if the team has one).
pub async fn link_resident(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, &id).await?;
    let resident = load_resident(&mut tx, fields.get("resident")).await?;
    if !requests::link_resident(&mut tx, request.id, resident.id).await? {
        return Err(AppError::NotFound);
    }
    audit::record_for_resident(
        &mut tx,
        &actor(&ctx, &user),
        AuditKind::RequestLinked,
        resident.id,
        json!({ "request": request.reference() }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/requests/{}", ctx.tenant.slug, request.id),
        "flash.request_linked",
    ))
}

/// "Is het gelukt?": the desk records how the follow-up call after signposting went.
pub async fn follow_up(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let request = load_request(&mut tx, &id).await?;
    let outcome = fields.get("follow_up_outcome").trim().to_owned();
    if outcome.is_empty() {
        let mut errors = FormErrors::default();
        errors.field("follow_up_outcome", "follow_up.error.outcome");
        return render_request(
            tx,
            &ctx,
            &user,
            request,
            RequestPageState {
                errors,
                ..RequestPageState::default()
            },
        )
        .await;
    }
    if !requests::record_follow_up(&mut tx, request.id, &outcome, user.id).await? {
        return Err(AppError::NotFound);
    }
    if let Some(resident_id) = request.resident_id {
        audit::record_for_resident(
            &mut tx,
            &actor(&ctx, &user),
            AuditKind::FollowUpRecorded,
            resident_id,
            json!({ "request": request.reference() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/requests/{}", ctx.tenant.slug, request.id),
        "flash.follow_up_recorded",
    ))
}

#[derive(Template)]
#[template(path = "intake/online.html")]
struct OnlinePage {
    l: Layout,
    name: String,
    phone: String,
    email: String,
    question: String,
    consent: bool,
    form_token: String,
    reference: Option<String>,
    errors: FormErrors,
}

pub async fn online_form(ctx: RequestContext) -> AppResult<Response> {
    web::render(&OnlinePage {
        name: String::new(),
        phone: String::new(),
        email: String::new(),
        question: String::new(),
        consent: false,
        form_token: Uuid::new_v4().to_string(),
        reference: None,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

/// At most this many online requests an hour from one address.
const ONLINE_PER_HOUR: i64 = 5;

/// A question for help submitted by a resident, without logging in. It lands in the desk's
/// queue; the answer page shows only a reference number.
pub async fn online_submit(
    ctx: RequestContext,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut page = OnlinePage {
        name: fields.get("name").trim().to_owned(),
        phone: fields.get("phone").trim().to_owned(),
        email: fields.get("email").trim().to_owned(),
        question: fields.get("question").trim().to_owned(),
        consent: fields.get("consent") == "yes",
        form_token: fields.get("form_token").to_owned(),
        reference: None,
        errors: FormErrors::default(),
        l: ctx.layout(),
    };
    let honeypot_filled = !fields.get("website").is_empty();
    let mut errors = FormErrors::default();
    if page.name.is_empty() {
        errors.field("name", "online.error.name");
    }
    if page.phone.is_empty() && page.email.is_empty() {
        errors.field("phone", "online.error.contact");
    }
    if !page.email.is_empty() && crate::auth::users::Email::parse(&page.email).is_none() {
        errors.field("email", "users.error.email");
    }
    if page.question.is_empty() {
        errors.field("question", "request.error.question");
    }
    let form_token = page.form_token.parse::<Uuid>().ok();
    if form_token.is_none() {
        errors.form("request.error.form_token");
    }
    let mut tx = ctx.tx().await?;
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM audit_events
           WHERE tenant_id = $1 AND kind = 'online_request_received' AND client_ip = $2
             AND occurred_at > now() - interval '1 hour'"#,
        tx.tenant_id(),
        ctx.client_ip.map(sqlx::types::ipnet::IpNet::from)
    )
    .fetch_one(&mut *tx)
    .await?;
    if recent >= ONLINE_PER_HOUR {
        tx.commit().await?;
        page.errors.form("online.error.too_many");
        return web::render_with_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    if !errors.is_empty() {
        tx.commit().await?;
        page.errors = errors;
        return web::render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let now = local_now(&mut tx).await?;
    let new = NewRequest {
        received_at: now,
        channel: Channel::Online,
        domains: vec![Domain::Overig],
        question: page.question.clone(),
        urgency: Urgency::Normal,
        referrer: String::new(),
        consent: page.consent,
        form_token: form_token.unwrap_or_default(),
    };
    // A bot that filled the hidden field gets the same answer, and nothing is stored.
    let id = if honeypot_filled {
        Uuid::new_v4()
    } else {
        let id = requests::create(&mut tx, None, &new, None, (&page.name, &page.phone, &page.email)).await?;
        audit::record(
            &mut tx,
            &Actor::anonymous(ctx.client_ip),
            AuditKind::OnlineRequestReceived,
            None,
            json!({ "request": requests::reference(id) }),
        )
        .await?;
        id
    };
    tx.commit().await?;
    page.reference = Some(requests::reference(id));
    web::render(&page)
}
