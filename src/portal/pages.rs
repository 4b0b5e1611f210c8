//! The handlers of a resident's own pages. Each reads for the resident whose pages the session
//! shows, records the read or change on that resident's trail (as the resident's own, so it is
//! not listed to them as someone else's look), and renders.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::admin::privacy;
use crate::audit::file_views::{self, FileView};
use crate::audit::{self, AuditKind};
use crate::auth::residents::{self, CurrentResident};
use crate::cases::journal::{self, SentMessage};
use crate::cases::plan::{self, AgreedVersion};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::portal::bar;
use crate::portal::file::{self, OwnCase, OwnConsent, OwnReferral, OwnRequest};
use crate::referrals::consent::{self, WithdrawnBy};
use crate::referrals::notifications::{self, Kind};
use crate::tenancy::{self, Contact};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, Query};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout, ResidentBar};
use crate::web::pagination::{Pagination, trim_page};

/// Opens the request's transaction for one of the pages, with its bar, and records the read.
async fn open(
    ctx: &RequestContext,
    me: &CurrentResident,
    page: &str,
) -> AppResult<(TenantTx, Option<ResidentBar>)> {
    let mut tx = ctx.tx().await?;
    let switch_to = residents::pages_open_to(&mut tx, me.self_id).await?;
    audit::record_for_resident(
        &mut tx,
        &me.actor(ctx),
        AuditKind::ResidentViewed,
        me.resident_id,
        json!({ "own_pages": page }),
    )
    .await?;
    let bar = bar(&ctx.tenant.slug, me, &ctx.path, switch_to);
    Ok((tx, Some(bar)))
}

fn back_to(ctx: &RequestContext, page: &str, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("/{}/mijn{page}", ctx.tenant.slug), flash)
}

#[derive(Template)]
#[template(path = "portal/overview.html")]
struct OverviewPage {
    l: Layout,
    bar: Option<ResidentBar>,
    requests: Vec<OwnRequest>,
    cases: Vec<OwnCase>,
    referrals: Vec<OwnReferral>,
    consents: Vec<OwnConsent>,
    contact: Contact,
}

impl OverviewPage {
    fn has_open_case(&self) -> bool {
        self.cases.iter().any(OwnCase::is_open)
    }
}

pub async fn overview(ctx: RequestContext, me: CurrentResident) -> AppResult<Response> {
    let (mut tx, bar) = open(&ctx, &me, "overview").await?;
    let page = OverviewPage {
        requests: file::requests(&mut tx, me.resident_id).await?,
        cases: file::cases(&mut tx, me.resident_id).await?,
        referrals: file::referrals(&mut tx, me.resident_id).await?,
        consents: file::consents(&mut tx, me.resident_id).await?,
        contact: tenancy::contact(&mut tx).await?,
        bar,
        l: ctx.layout(),
    };
    tx.commit().await?;
    web::render(&page)
}

/// A case's plan as the resident reads it: every agreed version, newest first.
struct PlanOfCase {
    case: OwnCase,
    versions: Vec<AgreedVersion>,
}

impl PlanOfCase {
    /// Whether `version` is the one in force, which the resident may agree to.
    fn is_current(&self, version: &AgreedVersion) -> bool {
        self.versions
            .first()
            .is_some_and(|v| v.version == version.version)
    }
}

#[derive(Template)]
#[template(path = "portal/plan.html")]
struct PlanPage {
    l: Layout,
    bar: Option<ResidentBar>,
    plans: Vec<PlanOfCase>,
}

pub async fn plan(ctx: RequestContext, me: CurrentResident) -> AppResult<Response> {
    let (mut tx, bar) = open(&ctx, &me, "plan").await?;
    let cases = file::cases(&mut tx, me.resident_id).await?;
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    let mut versions = plan::agreed_versions(&mut tx, &ids).await?;
    tx.commit().await?;
    let plans = cases
        .into_iter()
        .map(|case| {
            let (of_case, rest): (Vec<_>, Vec<_>) = versions.drain(..).partition(|v| v.case_id == case.id);
            versions = rest;
            PlanOfCase {
                case,
                versions: of_case,
            }
        })
        .filter(|p| !p.versions.is_empty())
        .collect();
    web::render(&PlanPage {
        plans,
        bar,
        l: ctx.layout(),
    })
}

/// The resident agrees to the version of the plan in force: recorded as their own agreement
/// and shown on the case.
pub async fn agree(
    ctx: RequestContext,
    me: CurrentResident,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let case_id: Uuid = fields.get("case").parse().map_err(|_| AppError::NotFound)?;
    let version: i32 = fields.get("version").parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ctx.tx().await?;
    let case = file::own_case(&mut tx, me.resident_id, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !plan::agree_as_resident(&mut tx, case.id, version, me.self_id).await? {
        tx.commit().await?;
        return Ok(back_to(&ctx, "/plan", "flash.mijn_plan_not_agreed"));
    }
    audit::record_for_case(
        &mut tx,
        &me.actor(&ctx),
        AuditKind::PlanChanged,
        case.id,
        Some(me.resident_id),
        json!({ "resident_agreed": version }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(&ctx, "/plan", "flash.mijn_plan_agreed"))
}

/// Withdrawing a consent takes effect at once, exactly as a withdrawal by the lead: the
/// organisations that received referrals under it lose access. The lead is told.
pub async fn withdraw_consent(
    ctx: RequestContext,
    me: CurrentResident,
    PathId(id): PathId,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case_id = file::consent_case(&mut tx, me.resident_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(withdrawal) = consent::withdraw(&mut tx, case_id, id, "", WithdrawnBy::Resident).await? else {
        tx.commit().await?;
        return Ok(back_to(&ctx, "", "flash.mijn_consent_already_withdrawn"));
    };
    audit::record_for_case(
        &mut tx,
        &me.actor(&ctx),
        AuditKind::ConsentWithdrawn,
        case_id,
        Some(me.resident_id),
        json!({ "consent": id, "referrals_stopped": withdrawal.stopped, "by_resident": true }),
    )
    .await?;
    notifications::to_case_lead(&mut tx, case_id, Kind::ResidentWithdrewConsent).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, "", "flash.mijn_consent_withdrawn"))
}

#[derive(Template)]
#[template(path = "portal/message.html")]
struct MessagePage {
    l: Layout,
    bar: Option<ResidentBar>,
    /// The open cases with a lead, to write to.
    cases: Vec<OwnCase>,
    chosen: Option<Uuid>,
    body: String,
    errors: FormErrors,
    sent: Vec<SentMessage>,
}

impl MessagePage {
    fn is_chosen(&self, case: &OwnCase) -> bool {
        self.chosen == Some(case.id)
    }
}

async fn message_page(
    ctx: &RequestContext,
    me: &CurrentResident,
    chosen: Option<Uuid>,
    body: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let (mut tx, bar) = open(ctx, me, "message").await?;
    let cases: Vec<OwnCase> = file::cases(&mut tx, me.resident_id)
        .await?
        .into_iter()
        .filter(|c| c.is_open() && c.lead_name.is_some())
        .collect();
    let chosen = chosen.or(cases.first().map(|c| c.id));
    let sent = match chosen {
        Some(case_id) => journal::messages(&mut tx, case_id).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &MessagePage {
            cases,
            chosen,
            body,
            errors,
            sent,
            bar,
            l: ctx.layout(),
        },
    )
}

pub async fn message_form(ctx: RequestContext, me: CurrentResident) -> AppResult<Response> {
    message_page(&ctx, &me, None, String::new(), FormErrors::default()).await
}

/// A message to the lead, written into the case's journal as the resident's.
pub async fn send_message(
    ctx: RequestContext,
    me: CurrentResident,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = fields.errors();
    let body = fields.get("body").trim().to_owned();
    if body.is_empty() && !errors.has("body") {
        errors.field("body", "mijn.error.message_empty");
    }
    let chosen: Option<Uuid> = fields.get("case").parse().ok();
    let mut tx = ctx.tx().await?;
    let case = match chosen {
        Some(case_id) => file::own_case(&mut tx, me.resident_id, case_id).await?,
        None => None,
    }
    .filter(|c| c.is_open() && c.lead_name.is_some());
    if case.is_none() {
        errors.field("case", "mijn.error.message_case");
    }
    let Some(case) = case.filter(|_| errors.is_empty()) else {
        tx.commit().await?;
        return message_page(&ctx, &me, chosen, fields.get("body").to_owned(), errors).await;
    };
    journal::add_message(&mut tx, case.id, &body, me.self_id).await?;
    audit::record_for_case(
        &mut tx,
        &me.actor(&ctx),
        AuditKind::JournalEntryAdded,
        case.id,
        Some(me.resident_id),
        json!({ "kind": "bericht" }),
    )
    .await?;
    notifications::to_case_lead(&mut tx, case.id, Kind::ResidentMessage).await?;
    tx.commit().await?;
    Ok(back_to(&ctx, "/bericht", "flash.mijn_message_sent"))
}

#[derive(Template)]
#[template(path = "portal/who_looked.html")]
struct WhoLookedPage {
    l: Layout,
    bar: Option<ResidentBar>,
    resident_name: String,
    views: Vec<FileView>,
    pagination: Pagination,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn who_looked(
    ctx: RequestContext,
    me: CurrentResident,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let page = query.page.unwrap_or(1).max(1);
    let (mut tx, bar) = open(&ctx, &me, "who_looked").await?;
    let mut views = file_views::list(&mut tx, me.resident_id, Some(me.self_id), page).await?;
    let total = file_views::count(&mut tx, me.resident_id, Some(me.self_id)).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut views, file_views::PAGE_SIZE);
    web::render(&WhoLookedPage {
        pagination: Pagination::new(
            format!("/{}/mijn/inzage?", ctx.tenant.slug),
            page,
            file_views::PAGE_SIZE,
            has_next,
            total,
        ),
        resident_name: me.resident_name.clone(),
        views,
        bar,
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "portal/data.html")]
struct DataPage {
    l: Layout,
    bar: Option<ResidentBar>,
}

pub async fn data(ctx: RequestContext, me: CurrentResident) -> AppResult<Response> {
    let (tx, bar) = open(&ctx, &me, "data").await?;
    tx.commit().await?;
    web::render(&DataPage { bar, l: ctx.layout() })
}

/// Everything held about the resident, as the administrator's AVG export gives it, started by
/// the resident and audited as an export.
pub async fn download(ctx: RequestContext, me: CurrentResident) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let export = privacy::read(&mut tx, me.resident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record_for_resident(
        &mut tx,
        &me.actor(&ctx),
        AuditKind::PrivacyExport,
        me.resident_id,
        json!({ "format": "json", "own_pages": "data" }),
    )
    .await?;
    tx.commit().await?;
    privacy::json_file(&export)
}

/// A parent given a child's pages switches between their own and the child's.
pub async fn switch_pages(
    ctx: RequestContext,
    me: CurrentResident,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let resident_id: Uuid = fields.get("resident").parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ctx.tx().await?;
    if !residents::switch_pages(&mut tx, &me, resident_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(back_to(&ctx, "", "flash.mijn_switched"))
}
