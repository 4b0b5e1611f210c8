use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::cases::access::{self, Access};
use crate::cases::clocks::{self, Clock, ClockState};
use crate::cases::conversations::{self, Conversation, ReportInput};
use crate::cases::document::{self, BodyShape, CaseDocument, CaseDocuments};
use crate::cases::journal::{self, Entry, NewEntry, Upload};
use crate::cases::network::{self, ContactInput};
use crate::cases::plan::{self, NewAction, Plan};
use crate::cases::queue::{self, KeptQueues, Monitor, QueueRow, Sort, Tab};
use crate::cases::record::{
    self, CaseEvent, CaseView, Colleague, EscalationError, LeadError, LeadPeriod, StatusError,
};
use crate::cases::{
    ASSIGNING_ROLES, ClockKind, ClosingResult, Confidentiality, EntryKind, Escalation, GoalResult,
    NetworkRelation, Performer, Status, TEAM_ROLES,
};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::register::{self, OrganisationOption};
use crate::members::services::{self, ServiceOption};
use crate::referrals::consent::{self, Consent};
use crate::referrals::referral::CaseReferral;
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::tasks::{self, Task};
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date, parse_in_range, parse_optional_date};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

fn actor(ctx: &RequestContext, user: &CurrentUser) -> Actor {
    Actor::user(user, ctx.client_ip)
}

pub(crate) async fn audit_case(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    case: &CaseView,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    audit::record_for_case(tx, &actor(ctx, user), kind, case.id, case.resident_id, details).await
}

/// Loads a case of this tenant; an unknown or foreign id is not found.
async fn load_case(tx: &mut TenantTx, id: &str, user: &CurrentUser) -> AppResult<CaseView> {
    record::find(tx, parse_id(id)?, user.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Loads a case the user may see in full; anyone else is refused.
pub(crate) async fn open_case(tx: &mut TenantTx, id: &str, user: &CurrentUser) -> AppResult<CaseView> {
    user.require_any_hiding(TEAM_ROLES)?;
    let case = load_case(tx, id, user).await?;
    match access::decide(&case, user) {
        Access::Full => Ok(case),
        Access::NeedsReason | Access::Denied => Err(AppError::Forbidden),
    }
}

/// Loads a case the user may write in: the professionals involved and process managers.
pub(crate) async fn case_to_write(tx: &mut TenantTx, id: &str, user: &CurrentUser) -> AppResult<CaseView> {
    let case = open_case(tx, id, user).await?;
    if access::may_write(&case, user) {
        Ok(case)
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn require_steer(case: &CaseView, user: &CurrentUser) -> AppResult<()> {
    if access::may_steer(case, user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn case_path(ctx: &RequestContext, case_id: Uuid) -> String {
    format!("/{}/cases/{case_id}", ctx.tenant.slug)
}

fn lock_version(fields: &Fields) -> i32 {
    fields.get("lock_version").parse().unwrap_or(-1)
}

// ---------------------------------------------------------------------------------------------
// The queue, the stall monitor and the terms report

#[derive(Deserialize)]
pub struct QueueQuery {
    tab: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "cases/queue.html")]
struct QueuePage {
    l: Layout,
    tabs: [Tab; 5],
    tab: Tab,
    sort: Sort,
    rows: Vec<QueueRow>,
    pagination: Pagination,
}

impl QueuePage {
    fn tab_href(&self, tab: &Tab) -> String {
        format!(
            "/{}/team?tab={}&sort={}",
            self.l.tenant_slug(),
            tab.code(),
            self.sort.code()
        )
    }

    fn sort_href(&self, sort: &str) -> String {
        format!(
            "/{}/team?tab={}&sort={sort}",
            self.l.tenant_slug(),
            self.tab.code()
        )
    }
}

pub async fn queue(
    State(queues): State<Arc<KeptQueues>>,
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Professional, Role::ProcessManager, Role::Admin])?;
    let default_tab = if user.has(Role::Professional) && !user.has(Role::ProcessManager) {
        Tab::Mine
    } else {
        Tab::Unassigned
    };
    let tab = query.tab.as_deref().and_then(Tab::parse).unwrap_or(default_tab);
    let sort = query
        .sort
        .as_deref()
        .and_then(Sort::parse)
        .unwrap_or(Sort::Deadline);
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let mut rows = queues
        .page(&mut tx, tab, sort, user.id, user.has(Role::ProcessManager), page)
        .await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, queue::PAGE_SIZE);
    let base = format!(
        "/{}/team?tab={}&sort={}",
        ctx.tenant.slug,
        tab.code(),
        sort.code()
    );
    web::render(&QueuePage {
        tabs: Tab::ALL,
        tab,
        sort,
        rows,
        pagination: Pagination::new(base, page, has_next),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "cases/monitor.html")]
struct MonitorPage {
    l: Layout,
    monitor: Monitor,
    colleagues: Vec<Colleague>,
    may_open_cases: bool,
}

impl MonitorPage {
    /// Each list: (id, title key, the action that resolves a row, rows).
    fn sections(&self) -> [(&'static str, &'static str, &'static str, &Vec<QueueRow>); 5] {
        [
            (
                "unassigned",
                "monitor.unassigned",
                "assign",
                &self.monitor.unassigned,
            ),
            ("crisis", "monitor.crisis", "assign", &self.monitor.crisis),
            ("quiet", "monitor.quiet", "handover", &self.monitor.quiet),
            (
                "evaluation",
                "monitor.evaluation",
                "evaluate",
                &self.monitor.evaluation_due,
            ),
            (
                "declined",
                "monitor.declined_twice",
                "refer",
                &self.monitor.declined_twice,
            ),
        ]
    }
}

/// "Regie op regie": where cases stall, each row with the action that resolves it.
pub async fn monitor(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(ASSIGNING_ROLES)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let calendar = crate::admin::working_calendar(&mut tx).await?;
    let monitor = queue::monitor(&mut tx, &calendar, today, user.id, user.has(Role::ProcessManager)).await?;
    let colleagues = record::colleagues(&mut tx).await?;
    tx.commit().await?;
    web::render(&MonitorPage {
        monitor,
        colleagues,
        may_open_cases: user.has(Role::ProcessManager),
        l: ctx.layout(),
    })
}

#[derive(Deserialize)]
pub struct TermsQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "cases/terms.html")]
struct TermsPage {
    l: Layout,
    year: i32,
    figures: Vec<clocks::TermFigures>,
}

/// Per law: how many decisions (and investigation reports) were on time in a year.
pub async fn terms(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<TermsQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::ProcessManager, Role::Admin, Role::Professional])?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let year = query
        .year
        .filter(|y| (2000..=today.year() + 1).contains(y))
        .unwrap_or(today.year());
    let from = Date::from_calendar_date(year, time::Month::January, 1).map_err(|_| AppError::NotFound)?;
    let to = Date::from_calendar_date(year, time::Month::December, 31).map_err(|_| AppError::NotFound)?;
    let mut figures = clocks::term_figures(&mut tx, from, to).await?;
    clocks::count_open(&mut tx, &mut figures, clocks::Now::All).await?;
    tx.commit().await?;
    web::render(&TermsPage {
        year,
        figures,
        l: ctx.layout(),
    })
}

// ---------------------------------------------------------------------------------------------
// The case page

/// What a form on the case page sent, to show again with its errors.
#[derive(Default)]
struct Submitted {
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
    conflict: bool,
}

impl Submitted {
    fn new(form: &'static str, fields: Fields) -> Submitted {
        Submitted {
            form,
            fields,
            ..Submitted::default()
        }
    }
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage<'a> {
    l: Layout,
    case: &'a CaseView,
    body: &'a str,
}

/// The case page's content: the same for every viewer of one shape (`BodyShape`), apart from
/// what a form shown again with its errors holds.
#[derive(Template)]
#[template(path = "cases/case_body.html")]
struct CaseBody<'a> {
    l: &'a Layout,
    case: &'a CaseView,
    steer: bool,
    may_take: bool,
    may_assign: bool,
    today: Date,
    now: PrimitiveDateTime,
    clocks: &'a [Clock],
    conversations: &'a [Conversation],
    plan: Option<&'a Plan>,
    network: &'a [network::Contact],
    tasks: &'a [Task],
    journal: &'a [Entry],
    journal_more: bool,
    corrects: Option<Uuid>,
    members: &'a [String],
    colleagues: &'a [Colleague],
    max_extension_weeks: i32,
    closing_results: &'static [ClosingResult],
    escalations: &'static [Escalation],
    confidentialities: &'static [Confidentiality],
    entry_kinds: &'static [EntryKind],
    relations: &'static [NetworkRelation],
    consents: &'a [Consent],
    referrals: &'a [CaseReferral],
    submitted: &'a Submitted,
}

impl CaseBody<'_> {
    /// What was typed in `field` of `form`, when that form is being shown again.
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.submitted.form == form {
            self.submitted.fields.get(field)
        } else {
            ""
        }
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.submitted.form == form {
            &self.submitted.errors
        } else {
            &NONE
        }
    }

    fn clock_state(&self, clock: &Clock) -> (&'static str, String) {
        match clock.state(self.today) {
            ClockState::Running { days_left } => ("clock.state.running", days_left.to_string()),
            ClockState::Overdue { days } => ("clock.state.overdue", days.to_string()),
            ClockState::Paused => ("clock.state.paused", String::new()),
            ClockState::OnTime => ("clock.state.on_time", String::new()),
            ClockState::Late { days } => ("clock.state.late", days.to_string()),
        }
    }

    fn clock_overdue(&self, clock: &Clock) -> bool {
        matches!(
            clock.state(self.today),
            ClockState::Overdue { .. } | ClockState::Late { .. }
        )
    }

    /// The errors of one clock's form, when that form is being shown again.
    fn clock_errors(&self, clock: &Clock, action: &str) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.typed("clock", "kind") == clock.kind && self.typed("clock", "action") == action {
            &self.submitted.errors
        } else {
            &NONE
        }
    }

    fn clock_typed(&self, clock: &Clock, action: &str, field: &str) -> &str {
        if self.typed("clock", "kind") == clock.kind && self.typed("clock", "action") == action {
            self.typed("clock", field)
        } else {
            ""
        }
    }

    fn clock_form(&self, action: &str, clock: &Clock) -> String {
        format!("{action}-{}", clock.kind)
    }

    fn application_errors(&self) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.typed("clock", "action") == "application" {
            &self.submitted.errors
        } else {
            &NONE
        }
    }

    fn typed_or(&self, form: &str, field: &str, default: String) -> String {
        match self.typed(form, field) {
            "" => default,
            typed => typed.to_owned(),
        }
    }

    fn is_lead(&self, colleague: &Colleague) -> bool {
        self.case.lead_id == Some(colleague.id)
    }

    fn is_coordinator(&self, colleague: &Colleague) -> bool {
        self.case.coordinator_id == Some(colleague.id)
    }

    fn has_investigation_clock(&self) -> bool {
        self.clocks
            .iter()
            .any(|c| c.kind() == ClockKind::WmoInvestigation)
    }

    fn has_decision_clock(&self) -> bool {
        self.clocks.iter().any(|c| c.kind() == ClockKind::WmoDecision)
    }

    fn today_text(&self) -> String {
        format_date(self.today)
    }

    fn now_time(&self) -> String {
        format!("{:02}:{:02}", self.now.hour(), self.now.minute())
    }

    fn process_managers(&self) -> Vec<&Colleague> {
        self.colleagues.iter().filter(|c| c.is_process_manager).collect()
    }

    fn journal_action(&self) -> String {
        // A file upload cannot carry the CSRF token as a form field the check reads first.
        format!(
            "/{}/cases/{}/journal/entries?csrf_token={}",
            self.l.tenant_slug(),
            self.case.id,
            self.l.csrf_token
        )
    }
}

/// Shows the case. A plain view may use (and keep) the kept copy of the page's lists; a form
/// shown again with its errors reads them afresh, since its transaction may have written.
async fn render_case(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    kept: Option<&CaseDocuments>,
    corrects: Option<Uuid>,
    submitted: Submitted,
) -> AppResult<Response> {
    let now = case.now;
    let document = match kept {
        Some(kept) => kept.get(&mut tx, &case).await?,
        None => Arc::new(document::read(&mut tx, &case).await?),
    };
    let CaseDocument { lists, plan, journal } = &*document;
    // The document holds one entry more than a page when there is a next page.
    let journal_more = journal.len() as i64 > journal::PAGE_SIZE;
    let journal = &journal[..journal.len().min(journal::PAGE_SIZE as usize)];
    tx.commit().await?;
    let status = if submitted.conflict {
        StatusCode::CONFLICT
    } else if submitted.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = ctx.layout();
    let steer = access::may_steer(&case, user);
    let shape = BodyShape {
        lang: l.lang,
        steer,
        may_take: case.lead_id.is_none() && user.has(Role::Professional),
        may_assign: steer || user.roles.iter().any(|r| ASSIGNING_ROLES.contains(r)),
    };
    let render = |l: &Layout| {
        CaseBody {
            l,
            case: &case,
            steer: shape.steer,
            may_take: shape.may_take,
            may_assign: shape.may_assign,
            max_extension_weeks: case.max_extension_weeks,
            today: now.date(),
            now,
            clocks: &lists.clocks,
            conversations: &lists.conversations,
            plan: plan.as_ref(),
            network: &lists.network,
            tasks: &lists.tasks,
            journal,
            journal_more,
            corrects,
            members: &lists.members,
            colleagues: &lists.colleagues,
            closing_results: ClosingResult::ALL,
            escalations: Escalation::ALL,
            confidentialities: Confidentiality::ALL,
            entry_kinds: EntryKind::ALL,
            relations: NetworkRelation::ALL,
            consents: &lists.consents,
            referrals: &lists.referrals,
            submitted: &submitted,
        }
        .render()
    };
    // A plain view shows the body kept for its shape; a form shown again holds what was typed.
    let body = match kept {
        Some(kept) if submitted.form.is_empty() && corrects.is_none() => {
            l.personal(&kept.body(ctx.tenant.id, &case, shape, || render(&l.shared()))?)
        }
        _ => render(&l)?,
    };
    web::render_with_status(
        status,
        &CasePage {
            l,
            case: &case,
            body: &body,
        },
    )
}

#[derive(Template)]
#[template(path = "cases/access.html")]
struct AccessPage {
    l: Layout,
    case_id: Uuid,
    reason: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct CaseQuery {
    corrects: Option<String>,
}

pub async fn case_page(
    State(documents): State<Arc<CaseDocuments>>,
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<CaseQuery>,
) -> AppResult<Response> {
    user.require_any_hiding(TEAM_ROLES)?;
    let mut tx = ctx.tx().await?;
    let case = documents
        .case(&mut tx, id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    match access::decide(&case, &user) {
        Access::Full => {}
        Access::Denied => return Err(AppError::Forbidden),
        Access::NeedsReason => {
            tx.commit().await?;
            return web::render_with_status(
                StatusCode::FORBIDDEN,
                &AccessPage {
                    case_id: case.id,
                    reason: String::new(),
                    errors: FormErrors::default(),
                    l: ctx.layout(),
                },
            );
        }
    }
    audit_case(&mut tx, &ctx, &user, AuditKind::CaseViewed, &case, json!({})).await?;
    let corrects = query.corrects.and_then(|c| c.parse().ok());
    render_case(
        tx,
        &ctx,
        &user,
        case,
        Some(&documents),
        corrects,
        Submitted::default(),
    )
    .await
}

/// "Inzage met reden": a professional not involved states why they open the case.
pub async fn request_access(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any_hiding(TEAM_ROLES)?;
    let mut tx = ctx.tx().await?;
    let case = load_case(&mut tx, &id, &user).await?;
    if access::decide(&case, &user) == Access::Denied {
        return Err(AppError::Forbidden);
    }
    let reason = fields.get("reason").trim().to_owned();
    if reason.is_empty() {
        tx.commit().await?;
        let mut errors = FormErrors::default();
        errors.field("reason", "access.error.reason");
        return web::render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccessPage {
                case_id: case.id,
                reason,
                errors,
                l: ctx.layout(),
            },
        );
    }
    record::grant_access(&mut tx, case.id, user.id, &reason).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseAccessGranted,
        &case,
        json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &case_path(&ctx, case.id),
        "flash.access_granted",
    ))
}

/// Re-shows the case page with the errors of one of its forms (status 422, or 409 for a
/// conflict), keeping what was typed.
async fn case_form_failed(
    tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    submitted: Submitted,
) -> AppResult<Response> {
    render_case(tx, ctx, user, case, None, None, submitted).await
}

fn done(ctx: &RequestContext, case_id: Uuid, anchor: &str, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("{}#{anchor}", case_path(ctx, case_id)), flash)
}

/// Takes a case, assigns it, or hands it over with a note.
pub async fn change_lead(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Professional, Role::ProcessManager, Role::Admin])?;
    let mut tx = ctx.tx().await?;
    let case = load_case(&mut tx, &id, &user).await?;
    let to = match fields.get("lead") {
        "me" => user.id,
        other => parse_id(other).unwrap_or_default(),
    };
    // Taking a case one may not see (zeer vertrouwelijk) would open it.
    let taking = to == user.id
        && case.lead_id.is_none()
        && user.has(Role::Professional)
        && access::decide(&case, &user) == Access::Full;
    let assigning = user.roles.iter().any(|r| ASSIGNING_ROLES.contains(r));
    if !(taking || assigning || access::may_steer(&case, &user)) {
        return Err(AppError::Forbidden);
    }
    let from_monitor = fields.get("from") == "monitor";
    let mut submitted = Submitted::new("lead", fields);
    let target = record::colleague(&mut tx, to).await?;
    let result = match &target {
        None => Err(LeadError::Unchanged),
        Some(target) => {
            let note = submitted.fields.get("note").to_owned();
            record::set_lead(
                &mut tx,
                &case,
                lock_version(&submitted.fields),
                target.id,
                &note,
                user.id,
            )
            .await?
        }
    };
    match (result, target) {
        (Ok(()), Some(target)) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::CaseLeadChanged,
                &case,
                json!({ "lead": target.name, "previous": case.lead_name }),
            )
            .await?;
            tx.commit().await?;
            if from_monitor {
                Ok(web::redirect_with_flash(
                    &format!("/{}/team/monitor", ctx.tenant.slug),
                    "flash.lead_changed",
                ))
            } else {
                Ok(done(&ctx, case.id, "lead", "flash.lead_changed"))
            }
        }
        (error, _) => {
            if !matches!(access::decide(&case, &user), Access::Full) {
                // Assigning from the monitor without access to the case: back there.
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("/{}/team/monitor", ctx.tenant.slug),
                    "flash.lead_not_changed",
                ));
            }
            match error {
                Err(LeadError::NoteRequired) => submitted.errors.field("note", "lead.error.note"),
                Err(LeadError::Conflict) => {
                    submitted.conflict = true;
                    submitted.errors.form("case.error.conflict");
                }
                _ => submitted.errors.field("lead", "lead.error.choice"),
            }
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

/// Names a colleague as involved in the case.
pub async fn add_member(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    require_steer(&case, &user)?;
    let colleague = match parse_id(fields.get("member")) {
        Ok(id) => record::colleague(&mut tx, id).await?,
        Err(_) => None,
    };
    let Some(colleague) = colleague else {
        let mut submitted = Submitted::new("member", fields);
        submitted.errors.field("member", "lead.error.choice");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    record::add_member(&mut tx, case.id, colleague.id, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseMemberAdded,
        &case,
        json!({ "member": colleague.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "people", "flash.member_added"))
}

pub async fn change_status(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    require_steer(&case, &user)?;
    let mut submitted = Submitted::new("status", fields);
    let Some(to) = Status::parse(submitted.fields.get("to")) else {
        submitted.errors.field("to", "case.error.transition");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    let closing = ClosingResult::parse(submitted.fields.get("closing_result"));
    let reason = submitted.fields.get("reason").to_owned();
    let from = case.status();
    match record::change_status(
        &mut tx,
        &case,
        lock_version(&submitted.fields),
        to,
        closing,
        &reason,
        user.id,
    )
    .await?
    {
        Ok(()) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::CaseStatusChanged,
                &case,
                json!({ "from": from.code(), "to": to.code(), "closing_result": closing.map(ClosingResult::code) }),
            )
            .await?;
            tx.commit().await?;
            Ok(done(&ctx, case.id, "status", "flash.status_changed"))
        }
        Err(error) => {
            let (field, message) = error.field_and_message();
            submitted.conflict = error == StatusError::Conflict;
            submitted.errors.field(field, message);
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

pub async fn change_escalation(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    require_steer(&case, &user)?;
    let mut submitted = Submitted::new("escalation", fields);
    let Some(to) = Escalation::parse(submitted.fields.get("level")) else {
        submitted.errors.field("level", "escalation.error.level");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    let coordinator = match parse_id(submitted.fields.get("coordinator")) {
        Ok(id) => record::colleague(&mut tx, id).await?,
        Err(_) => None,
    };
    let reason = submitted.fields.get("reason").to_owned();
    let from = case.escalation();
    match record::change_escalation(
        &mut tx,
        &case,
        lock_version(&submitted.fields),
        to,
        coordinator.as_ref(),
        &reason,
        user.id,
    )
    .await?
    {
        Ok(()) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::CaseEscalationChanged,
                &case,
                json!({ "from": from.code(), "to": to.code(), "coordinator": coordinator.map(|c| c.name) }),
            )
            .await?;
            tx.commit().await?;
            Ok(done(&ctx, case.id, "escalation", "flash.escalation_changed"))
        }
        Err(error) => {
            match error {
                EscalationError::Unchanged => submitted.errors.field("level", "escalation.error.unchanged"),
                EscalationError::NeedsReason => submitted.errors.field("reason", "escalation.error.reason"),
                EscalationError::NeedsCoordinator => submitted
                    .errors
                    .field("coordinator", "escalation.error.coordinator"),
                EscalationError::Conflict => {
                    submitted.conflict = true;
                    submitted.errors.form("case.error.conflict");
                }
            }
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

pub async fn change_confidentiality(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    require_steer(&case, &user)?;
    let mut submitted = Submitted::new("confidentiality", fields);
    let Some(to) = Confidentiality::parse(submitted.fields.get("level")) else {
        submitted
            .errors
            .field("confidentiality_level", "confidentiality.error.level");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    if !record::change_confidentiality(&mut tx, &case, lock_version(&submitted.fields), to, user.id).await? {
        submitted.conflict = true;
        submitted.errors.form("case.error.conflict");
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseConfidentialityChanged,
        &case,
        json!({ "from": case.confidentiality().code(), "to": to.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &ctx,
        case.id,
        "confidentiality",
        "flash.confidentiality_changed",
    ))
}

// ---------------------------------------------------------------------------------------------
// Conversations

pub async fn schedule_conversation(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let mut submitted = Submitted::new("conversation", fields);
    let Some(appointment) = conversations::parse_appointment(&submitted.fields, &mut submitted.errors) else {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    conversations::schedule(&mut tx, case.id, &appointment, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ConversationScheduled,
        &case,
        json!({ "planned_at": crate::shared::format::format_timestamp(appointment.at) }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &ctx,
        case.id,
        "conversations",
        "flash.conversation_scheduled",
    ))
}

#[derive(Template)]
#[template(path = "cases/conversation.html")]
struct ConversationPage {
    l: Layout,
    case: CaseView,
    conversation: Conversation,
    input: ReportInput,
    errors: FormErrors,
}

async fn load_conversation(tx: &mut TenantTx, case: &CaseView, id: &str) -> AppResult<Conversation> {
    conversations::find(tx, case.id, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn conversation_form(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, conversation)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    let conversation = load_conversation(&mut tx, &case, &conversation).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "conversation": conversation.id }),
    )
    .await?;
    let today = local_now(&mut tx).await?.date();
    tx.commit().await?;
    web::render(&ConversationPage {
        input: ReportInput::of(&conversation, today),
        case,
        conversation,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

/// Records the report of the conversation; the first report stops the Wmo investigation clock.
pub async fn record_conversation(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, conversation)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let conversation = load_conversation(&mut tx, &case, &conversation).await?;
    let input = ReportInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    let today = local_now(&mut tx).await?.date();
    let Some(report_on) = input.validate(today, &mut errors) else {
        tx.commit().await?;
        return web::render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ConversationPage {
                case,
                conversation,
                input,
                errors,
                l: ctx.layout(),
            },
        );
    };
    conversations::record(&mut tx, case.id, conversation.id, report_on, &input, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ConversationRecorded,
        &case,
        json!({ "conversation": conversation.id, "report_on": format_date(report_on) }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &ctx,
        case.id,
        "conversations",
        "flash.conversation_recorded",
    ))
}

// ---------------------------------------------------------------------------------------------
// The support plan

#[derive(Template)]
#[template(path = "cases/plan.html")]
struct PlanPage {
    l: Layout,
    case: CaseView,
    plan: Plan,
    performers: &'static [Performer],
    results: &'static [GoalResult],
    today: String,
    submitted: Submitted,
    /// The goal a failed action or result form was for.
    goal_id: Option<Uuid>,
}

impl PlanPage {
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.submitted.form == form {
            self.submitted.fields.get(field)
        } else {
            ""
        }
    }

    fn typed_for_goal(&self, form: &str, goal: &Uuid, field: &str) -> &str {
        if self.goal_id.as_ref() == Some(goal) {
            self.typed(form, field)
        } else {
            ""
        }
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.submitted.form == form {
            &self.submitted.errors
        } else {
            &NONE
        }
    }

    fn typed_or(&self, form: &str, field: &str, default: String) -> String {
        match self.typed(form, field) {
            "" => default,
            typed => typed.to_owned(),
        }
    }

    fn evaluation_value(&self) -> String {
        self.typed_or(
            "dates",
            "evaluation_on",
            self.plan.evaluation().unwrap_or_default(),
        )
    }

    fn errors_for_goal(&self, form: &str, goal: &Uuid) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.goal_id.as_ref() == Some(goal) {
            self.errors_for(form)
        } else {
            &NONE
        }
    }
}

async fn render_plan(
    mut tx: TenantTx,
    ctx: &RequestContext,
    case: CaseView,
    submitted: Submitted,
    goal_id: Option<Uuid>,
) -> AppResult<Response> {
    let plan = plan::find_or_start(&mut tx, case.id).await?;
    let today = local_now(&mut tx).await?.date();
    tx.commit().await?;
    let status = if submitted.conflict {
        StatusCode::CONFLICT
    } else if submitted.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &PlanPage {
            case,
            plan,
            performers: Performer::ALL,
            results: GoalResult::ALL,
            today: format_date(today),
            submitted,
            goal_id,
            l: ctx.layout(),
        },
    )
}

pub async fn plan_page(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "plan": true }),
    )
    .await?;
    render_plan(tx, &ctx, case, Submitted::default(), None).await
}

fn plan_path(ctx: &RequestContext, case_id: Uuid) -> String {
    format!("/{}/cases/{case_id}/plan", ctx.tenant.slug)
}

/// What a plan form asks for: the form's name, and for goal forms the goal.
struct PlanChange<'a> {
    form: &'static str,
    goal: Option<Uuid>,
    what: &'a str,
}

/// Saves one change to the plan, or shows the plan again with what went wrong.
async fn save_plan_change<F>(
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
    fields: Fields,
    change: PlanChange<'_>,
    apply: F,
) -> AppResult<Response>
where
    F: AsyncFnOnce(
        &mut TenantTx,
        &Plan,
        &Fields,
        &mut FormErrors,
    ) -> AppResult<Option<Result<(), record::Conflict>>>,
{
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, user).await?;
    let plan = plan::find_or_start(&mut tx, case.id).await?;
    let mut submitted = Submitted::new(change.form, fields);
    match apply(&mut tx, &plan, &submitted.fields, &mut submitted.errors).await? {
        Some(Ok(())) => {
            audit_case(
                &mut tx,
                ctx,
                user,
                AuditKind::PlanChanged,
                &case,
                json!({ "change": change.what }),
            )
            .await?;
            tx.commit().await?;
            Ok(web::redirect_with_flash(
                &plan_path(ctx, case.id),
                "flash.plan_saved",
            ))
        }
        Some(Err(record::Conflict)) => {
            // Nothing of this form was saved; show the plan as it is now.
            drop(tx);
            let mut tx = ctx.tx().await?;
            let case = open_case(&mut tx, id, user).await?;
            submitted.conflict = true;
            submitted.errors.form("plan.error.conflict");
            render_plan(tx, ctx, case, submitted, change.goal).await
        }
        None => render_plan(tx, ctx, case, submitted, change.goal).await,
    }
}

pub async fn plan_dates(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let change = PlanChange {
        form: "dates",
        goal: None,
        what: "evaluation_on",
    };
    save_plan_change(
        &ctx,
        &user,
        &id,
        fields,
        change,
        async |tx, plan, fields, errors| {
            let Ok(date) = parse_optional_date(fields.get("evaluation_on")) else {
                errors.field("evaluation_on", "plan.error.date");
                return Ok(None);
            };
            Ok(Some(
                plan::set_evaluation(tx, plan.id, lock_version(fields), date, by).await?,
            ))
        },
    )
    .await
}

pub async fn add_goal(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let change = PlanChange {
        form: "goal",
        goal: None,
        what: "goal_added",
    };
    save_plan_change(
        &ctx,
        &user,
        &id,
        fields,
        change,
        async |tx, plan, fields, errors| {
            let description = fields.get("description").trim();
            if description.is_empty() {
                errors.field("description", "plan.error.goal");
                return Ok(None);
            }
            Ok(Some(
                plan::add_goal(tx, plan.id, lock_version(fields), description, by).await?,
            ))
        },
    )
    .await
}

pub async fn add_action(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, goal)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let goal_id = parse_id(&goal)?;
    let change = PlanChange {
        form: "action",
        goal: Some(goal_id),
        what: "action_added",
    };
    save_plan_change(
        &ctx,
        &user,
        &id,
        fields,
        change,
        async |tx, plan, fields, errors| {
            let description = fields.get("description").trim().to_owned();
            if description.is_empty() {
                errors.field("description", "plan.error.action");
            }
            let performer = Performer::parse(fields.get("performer"));
            if performer.is_none() {
                errors.field("performer", "plan.error.performer");
            }
            let target_on = parse_optional_date(fields.get("target_on")).unwrap_or_else(|_| {
                errors.field("target_on", "plan.error.date");
                None
            });
            let Some(performer) = performer.filter(|_| errors.is_empty()) else {
                return Ok(None);
            };
            let action = NewAction {
                description,
                performer,
                performer_name: fields.get("performer_name").trim().to_owned(),
                target_on,
            };
            match plan::add_action(tx, plan.id, lock_version(fields), goal_id, &action, by).await? {
                Ok(true) => Ok(Some(Ok(()))),
                Ok(false) => Err(AppError::NotFound),
                Err(conflict) => Ok(Some(Err(conflict))),
            }
        },
    )
    .await
}

pub async fn goal_result(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, goal)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let goal_id = parse_id(&goal)?;
    let change = PlanChange {
        form: "result",
        goal: Some(goal_id),
        what: "goal_result",
    };
    save_plan_change(
        &ctx,
        &user,
        &id,
        fields,
        change,
        async |tx, plan, fields, errors| {
            let Some(result) = GoalResult::parse(fields.get("result")) else {
                errors.field("result", "plan.error.result");
                return Ok(None);
            };
            let note = fields.get("result_note").trim();
            match plan::set_goal_result(tx, plan.id, lock_version(fields), goal_id, result, note, by).await? {
                Ok(true) => Ok(Some(Ok(()))),
                Ok(false) => Err(AppError::NotFound),
                Err(conflict) => Ok(Some(Err(conflict))),
            }
        },
    )
    .await
}

/// Agreed with the resident: the plan gets a new version and its date.
pub async fn agree_plan(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let change = PlanChange {
        form: "agree",
        goal: None,
        what: "agreed",
    };
    save_plan_change(
        &ctx,
        &user,
        &id,
        fields,
        change,
        async |tx, plan, fields, errors| {
            if plan.goals.is_empty() {
                errors.form("plan.error.no_goals");
            }
            let today = local_now(tx).await?.date();
            let agreed_on = parse_date(fields.get("agreed_on"));
            match agreed_on {
                None => errors.field("agreed_on", "plan.error.date"),
                Some(d) if d > today => errors.field("agreed_on", "plan.error.future"),
                _ => {}
            }
            let Some(agreed_on) = agreed_on.filter(|_| errors.is_empty()) else {
                return Ok(None);
            };
            Ok(Some(
                plan::agree(tx, plan.id, lock_version(fields), agreed_on, by)
                    .await?
                    .map(|_| ()),
            ))
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Network, tasks and clocks

pub async fn add_contact(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let Some(resident_id) = case.resident_id else {
        return Err(AppError::NotFound);
    };
    let input = ContactInput::from_fields(&fields);
    let mut submitted = Submitted::new("network", fields);
    let Some(relation) = input.validate(&mut submitted.errors) else {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    network::add(&mut tx, resident_id, &input, relation, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::NetworkChanged,
        &case,
        json!({ "added": input.name, "relation": relation.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "network", "flash.contact_added"))
}

pub async fn remove_contact(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, contact)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let resident_id = case.resident_id.ok_or(AppError::NotFound)?;
    let contact = parse_id(&contact)?;
    if !network::remove(&mut tx, resident_id, contact).await? {
        return Err(AppError::NotFound);
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::NetworkChanged,
        &case,
        json!({ "removed": contact }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "network", "flash.contact_removed"))
}

// ---------------------------------------------------------------------------------------------
// The consent ledger

#[derive(Template)]
#[template(path = "cases/consent.html")]
struct ConsentPage {
    l: Layout,
    case: CaseView,
    organisations: Vec<OrganisationOption>,
    services: Vec<ServiceOption>,
    today: String,
    fields: Fields,
    errors: FormErrors,
}

impl ConsentPage {
    fn typed_or_today(&self, field: &str) -> String {
        match self.fields.get(field) {
            "" => self.today.clone(),
            typed => typed.to_owned(),
        }
    }
}

async fn render_consent_form(
    mut tx: TenantTx,
    ctx: &RequestContext,
    case: CaseView,
    fields: Fields,
    errors: FormErrors,
) -> AppResult<Response> {
    let organisations = register::choices(&mut tx, &[]).await?;
    let services = services::list(&mut tx).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &ConsentPage {
            today: format_date(case.now.date()),
            case,
            organisations,
            services,
            fields,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn consent_form(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    render_consent_form(tx, &ctx, case, Fields::default(), FormErrors::default()).await
}

/// Records what the resident agreed may be shared, with whom and for what.
pub async fn record_consent(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let today = case.now.date();
    let mut errors = FormErrors::default();
    let recipient = match fields.get("recipient").split_once(':') {
        Some(("org", id)) => id.parse().ok().map(consent::Recipient::Organisation),
        Some(("service", id)) => id.parse().ok().map(consent::Recipient::Service),
        _ => None,
    };
    if recipient.is_none() {
        errors.field("recipient", "consent.error.recipient");
    }
    let purpose = fields.get("purpose").trim().to_owned();
    if purpose.is_empty() {
        errors.field("purpose", "consent.error.purpose");
    }
    let given_on = parse_date(fields.get("given_on"));
    match given_on {
        None => errors.field("given_on", "consent.error.given_on"),
        Some(date) if date > today => errors.field("given_on", "consent.error.future"),
        _ => {}
    }
    let expires_on = match parse_optional_date(fields.get("expires_on")) {
        Ok(Some(date)) if given_on.is_some_and(|given| date < given) => {
            errors.field("expires_on", "consent.error.expires_before");
            None
        }
        Ok(date) => date,
        Err(_) => {
            errors.field("expires_on", "consent.error.expires_on");
            None
        }
    };
    let (Some(recipient), Some(given_on), true) = (recipient, given_on, errors.is_empty()) else {
        return render_consent_form(tx, &ctx, case, fields, errors).await;
    };
    let new = consent::NewConsent {
        recipient,
        purpose,
        given_on,
        expires_on,
    };
    // A recipient of another cooperative (or none at all) is refused by the foreign keys.
    let recorded = consent::record(&mut tx, case.id, &new, user.id).await;
    let consent_id = match recorded {
        Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => {
            return Err(AppError::NotFound);
        }
        other => other?,
    };
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ConsentRecorded,
        &case,
        json!({ "consent": consent_id, "purpose": new.purpose }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "consents", "flash.consent_recorded"))
}

/// Withdrawing consent ends the access of the organisations that received referrals under it.
pub async fn withdraw_consent(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, consent_id)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let consent_id = parse_id(&consent_id)?;
    let note = fields.get("note").trim();
    let withdrawal = consent::withdraw(&mut tx, case.id, consent_id, note, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ConsentWithdrawn,
        &case,
        json!({ "consent": consent_id, "referrals_stopped": withdrawal.stopped }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "consents", "flash.consent_withdrawn"))
}

pub async fn add_task(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let mut submitted = Submitted::new("task", fields);
    let title = submitted.fields.get("title").trim().to_owned();
    if title.is_empty() {
        submitted.errors.field("title", "task.error.title");
    }
    let assignee = match parse_id(submitted.fields.get("assignee")) {
        Ok(id) => record::colleague(&mut tx, id).await?,
        Err(_) => None,
    };
    if assignee.is_none() {
        submitted.errors.field("assignee", "task.error.assignee");
    }
    let due_on = parse_date(submitted.fields.get("due_on"));
    if due_on.is_none() {
        submitted.errors.field("due_on", "task.error.due_on");
    }
    let (Some(assignee), Some(due_on), true) = (assignee, due_on, submitted.errors.is_empty()) else {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    tasks::add_to_case(&mut tx, case.id, &title, assignee.id, due_on, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::TaskChanged,
        &case,
        json!({ "added": title, "assignee": assignee.name, "due_on": format_date(due_on) }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "tasks", "flash.task_added"))
}

pub async fn finish_task(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, task)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let task = parse_id(&task)?;
    if !tasks::finish(&mut tx, case.id, task, user.id).await? {
        return Err(AppError::NotFound);
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::TaskChanged,
        &case,
        json!({ "done": task }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "tasks", "flash.task_done"))
}

/// One form for the clocks: the application arrived, a decision was taken, pause, resume, extend.
pub async fn clock_action(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let action = fields.get("action").to_owned();
    let kind = ClockKind::parse(fields.get("kind"));
    let mut submitted = Submitted::new("clock", fields);
    let date = parse_date(submitted.fields.get("date"));
    let reason = submitted.fields.get("reason").to_owned();
    let today = local_now(&mut tx).await?.date();
    let outcome: Result<(), (&'static str, &'static str)> = match (action.as_str(), kind, date) {
        (_, _, None) => Err(("date", "clock.error.date")),
        (_, _, Some(d)) if d > today => Err(("date", "clock.error.future")),
        ("application", _, Some(on)) => {
            let weeks = sqlx::query_scalar!(
                "SELECT wmo_decision_weeks FROM tenant_settings WHERE tenant_id = $1",
                tx.tenant_id()
            )
            .fetch_one(&mut *tx)
            .await?;
            clocks::start_decision(&mut tx, case.id, on, weeks as u32).await?
        }
        ("decision", Some(kind @ (ClockKind::WmoDecision | ClockKind::JeugdDecision)), Some(on)) => {
            if clocks::complete(&mut tx, case.id, kind, on).await? {
                Ok(())
            } else {
                Err(("kind", "clock.error.unknown"))
            }
        }
        ("pause", Some(kind), Some(on)) => clocks::pause(&mut tx, case.id, kind, on, &reason).await?,
        ("resume", Some(kind), Some(on)) => clocks::resume(&mut tx, case.id, kind, on).await?,
        ("extend", Some(kind), Some(_)) => {
            let max = sqlx::query_scalar!(
                "SELECT max_extension_weeks FROM tenant_settings WHERE tenant_id = $1",
                tx.tenant_id()
            )
            .fetch_one(&mut *tx)
            .await?;
            let weeks = parse_in_range(submitted.fields.get("weeks"), 1, 52).unwrap_or(0);
            clocks::extend(&mut tx, case.id, kind, weeks, &reason, max).await?
        }
        _ => Err(("kind", "clock.error.unknown")),
    };
    match outcome {
        Ok(()) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::ClockChanged,
                &case,
                json!({ "action": action, "kind": kind.map(ClockKind::code), "date": date.map(format_date), "reason": reason }),
            )
            .await?;
            tx.commit().await?;
            Ok(done(&ctx, case.id, "clocks", "flash.clock_changed"))
        }
        Err((field, message)) => {
            submitted.errors.field(field, message);
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The journal

#[derive(Template)]
#[template(path = "cases/history.html")]
struct HistoryPage {
    l: Layout,
    case: CaseView,
    events: Vec<CaseEvent>,
    leads: Vec<LeadPeriod>,
}

/// The course of a case: who led it when, and every status change and escalation.
pub async fn history_page(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "history": true }),
    )
    .await?;
    let events = record::events(&mut tx, case.id).await?;
    let leads = record::lead_history(&mut tx, case.id).await?;
    tx.commit().await?;
    web::render(&HistoryPage {
        case,
        events,
        leads,
        l: ctx.layout(),
    })
}

#[derive(Deserialize)]
pub struct JournalQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "cases/journal.html")]
struct JournalPage {
    l: Layout,
    case: CaseView,
    journal: Vec<Entry>,
    pagination: Pagination,
}

pub async fn journal_page(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<JournalQuery>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    let page = query.page.unwrap_or(1).max(1);
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "journal_page": page }),
    )
    .await?;
    let mut journal = journal::page(&mut tx, case.id, page).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut journal, journal::PAGE_SIZE);
    let base = format!("/{}/cases/{}/journal", ctx.tenant.slug, case.id);
    web::render(&JournalPage {
        case,
        journal,
        pagination: Pagination::new(base, page, has_next),
        l: ctx.layout(),
    })
}

/// The journal form: text fields and up to three files, read from a multipart body.
async fn read_journal_form(mut multipart: Multipart) -> AppResult<(Fields, Vec<(String, Vec<u8>)>)> {
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::NotFound)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "attachment" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::NotFound)?;
            if !bytes.is_empty() {
                files.push((filename, bytes.to_vec()));
            }
        } else {
            let value = field.text().await.map_err(|_| AppError::NotFound)?;
            fields.push((name, value));
        }
    }
    Ok((Fields::from_pairs(fields), files))
}

pub async fn add_journal_entry(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    // Who may not write here is refused before the upload is read, and no connection is held
    // while it arrives.
    let mut tx = ctx.tx().await?;
    case_to_write(&mut tx, &id, &user).await?;
    tx.commit().await?;
    let (fields, files) = read_journal_form(multipart).await?;
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, &id, &user).await?;
    let mut submitted = Submitted::new("journal", fields);
    let errors = &mut submitted.errors;
    let kind = EntryKind::parse(submitted.fields.get("kind"));
    if kind.is_none() {
        errors.field("entry_kind", "journal.error.kind");
    }
    let body = submitted.fields.get("body").trim().to_owned();
    if body.is_empty() {
        errors.field("body", "journal.error.body");
    }
    let now = local_now(&mut tx).await?;
    let date = parse_date(submitted.fields.get("date"));
    let time = time::Time::parse(
        submitted.fields.get("time").trim(),
        time::macros::format_description!("[hour]:[minute]"),
    )
    .ok();
    let occurred_at = date.zip(time).map(|(d, t)| PrimitiveDateTime::new(d, t));
    match occurred_at {
        None => errors.field("date", "journal.error.when"),
        Some(at) if at > now + time::Duration::minutes(5) => errors.field("date", "journal.error.future"),
        _ => {}
    }
    let mut uploads = Vec::new();
    if files.len() > journal::MAX_ATTACHMENTS {
        errors.field("attachment", "journal.error.too_many");
    }
    for (filename, content) in files {
        if content.len() > journal::MAX_ATTACHMENT_BYTES {
            errors.field("attachment", "journal.error.too_large");
            continue;
        }
        match journal::sniff(&content) {
            Some(content_type) => uploads.push(Upload {
                filename: journal::clean_filename(&filename),
                content_type,
                content,
            }),
            None => errors.field("attachment", "journal.error.file_type"),
        }
    }
    let corrects = match submitted.fields.get("corrects") {
        "" => None,
        raw => Some(parse_id(raw)?),
    };
    let (Some(kind), Some(occurred_at), true) = (kind, occurred_at, errors.is_empty()) else {
        return render_case(tx, &ctx, &user, case, None, corrects, submitted).await;
    };
    let entry = NewEntry {
        kind,
        body,
        occurred_at,
        corrects,
        uploads,
    };
    if !journal::add(&mut tx, case.id, &entry, user.id).await? {
        return Err(AppError::NotFound);
    }
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::JournalEntryAdded,
        &case,
        json!({ "kind": kind.code(), "corrects": corrects, "attachments": entry.uploads.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&ctx, case.id, "journal", "flash.journal_added"))
}

pub async fn attachment(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, attachment)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, &id, &user).await?;
    let attachment_id = parse_id(&attachment)?;
    let attachment = journal::attachment(&mut tx, case.id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AttachmentViewed,
        &case,
        json!({ "attachment": attachment_id, "filename": attachment.filename }),
    )
    .await?;
    tx.commit().await?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        attachment
            .filename
            .replace(|c: char| !c.is_ascii() || c == '\\', "_"),
        web::query_encode(&attachment.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, attachment.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        attachment.content,
    )
        .into_response())
}
