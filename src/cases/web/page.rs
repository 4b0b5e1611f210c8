//! The case page — its overview and one tab per part of the work, each its own address —,
//! "inzage met reden" for a professional not involved, and the case's history.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use super::{Submitted, case_path};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::access::{self, Access, audit_case, load_case, open_case};
use crate::cases::clocks::{Clock, ClockState};
use crate::cases::conversations::Conversation;
use crate::cases::document::{self, BodyShape, CaseDocument, CaseDocuments};
use crate::cases::journal::{self, Entry};
use crate::cases::lead::{self, LeadPeriod};
use crate::cases::network;
use crate::cases::plan::Plan;
use crate::cases::record::{self, CaseView, Colleague};
use crate::cases::workflow::{self, CaseEvent};
use crate::cases::{
    CasePart, ClockKind, ClosingResult, Confidentiality, EntryKind, Escalation, NetworkRelation, Status,
    TEAM_ROLES,
};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::referrals::ReferralStatus;
use crate::referrals::consent::Consent;
use crate::referrals::referral::CaseReferral;
use crate::shared::format::format_date;
use crate::todos::Task;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, Query};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage<'a> {
    l: Layout,
    case: &'a CaseView,
    part: CasePart,
    body: &'a str,
}

/// The case page's content: the same for every viewer of one shape (`BodyShape`), apart from
/// what a form shown again with its errors holds.
#[derive(Template)]
#[template(path = "cases/case_body.html")]
struct CaseBody<'a> {
    l: &'a Layout,
    case: &'a CaseView,
    part: CasePart,
    parts: &'static [CasePart],
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
        self.submitted.typed(form, field)
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        self.submitted.errors_for(form)
    }

    fn typed_or(&self, form: &str, field: &str, default: String) -> String {
        self.submitted.typed_or(form, field, default)
    }

    fn clock_state(&self, clock: &Clock) -> (&'static str, String) {
        match clock.state(self.today) {
            ClockState::Running { days_left } => ("clock.state.running", days_left.to_string()),
            ClockState::Overdue { days } => ("clock.state.overdue", days.to_string()),
            ClockState::Paused => ("clock.state.paused", String::new()),
            ClockState::OnTime => ("clock.state.on_time", String::new()),
            ClockState::Late { days } => ("clock.state.late", days.to_string()),
            ClockState::Stopped => ("clock.state.stopped", String::new()),
        }
    }

    fn clock_overdue(&self, clock: &Clock) -> bool {
        matches!(
            clock.state(self.today),
            ClockState::Overdue { .. } | ClockState::Late { .. }
        )
    }

    /// Whether the clock form being shown again was for this clock and action.
    fn is_clock_form(&self, clock: &Clock, action: &str) -> bool {
        self.typed("clock", "kind") == clock.kind && self.typed("clock", "action") == action
    }

    /// The errors of one clock's form, when that form is being shown again.
    fn clock_errors(&self, clock: &Clock, action: &str) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.is_clock_form(clock, action) {
            &self.submitted.errors
        } else {
            &NONE
        }
    }

    fn clock_typed(&self, clock: &Clock, action: &str, field: &str) -> &str {
        if self.is_clock_form(clock, action) {
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

    /// The referrals still running, which closing the case withdraws.
    fn open_referrals(&self) -> Vec<&CaseReferral> {
        self.referrals
            .iter()
            .filter(|r| ReferralStatus::parse(&r.status).is_some_and(ReferralStatus::is_open))
            .collect()
    }

    fn process_managers(&self) -> Vec<&Colleague> {
        self.colleagues.iter().filter(|c| c.is_process_manager).collect()
    }

    /// The status the case is ready for, offered as one click on the overview to whoever
    /// steers it.
    fn suggested_status(&self) -> Option<Status> {
        // Investigation needs a lead: the lead is taken first, as the next step.
        self.case.lead_id?;
        if !self.steer {
            return None;
        }
        let reported = self.conversations.iter().any(|c| c.report_on.is_some());
        let agreed = self.plan.is_some_and(|p| p.agreed_on.is_some());
        self.case.status().suggested(reported, agreed)
    }

    /// Why the suggested status is offered.
    fn suggestion_reason_key(&self) -> &'static str {
        match self.case.status() {
            Status::Registered => "case.next_step.reported",
            _ => "case.next_step.agreed",
        }
    }

    /// Where the work goes on when no status is suggested yet: the conversation before the
    /// investigation, the plan before it is agreed.
    fn next_part(&self) -> Option<(&'static str, &'static CasePart)> {
        self.case.lead_id?;
        match self.case.status() {
            Status::Registered => Some(("case.next_step.conversation", &CasePart::Conversations)),
            Status::Investigating => Some(("case.next_step.plan", &CasePart::Plan)),
            _ => None,
        }
    }

    fn part_href(&self, part: &CasePart) -> String {
        part.path(self.l.tenant_slug(), self.case.id)
    }
}

/// What a case page shows.
pub(super) enum Showing<'a> {
    /// A plain view of one part, which may use (and keep) the kept copies.
    Part {
        kept: &'a CaseDocuments,
        part: CasePart,
        corrects: Option<Uuid>,
    },
    /// A form shown again with its errors, on the part it belongs to. Read afresh, since its
    /// transaction may have written.
    Form { corrects: Option<Uuid> },
}

/// Shows one part of the case.
pub(super) async fn render_case(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    showing: Showing<'_>,
    submitted: Submitted,
) -> AppResult<Response> {
    let now = case.now;
    let (kept, part, corrects) = match showing {
        Showing::Part { kept, part, corrects } => (Some(kept), part, corrects),
        Showing::Form { corrects } => (None, submitted.part(), corrects),
    };
    let document = match kept {
        Some(kept) => kept.get(&mut tx, &case).await?,
        None => Arc::new(document::read(&mut tx, &case).await?),
    };
    let CaseDocument { lists, plan, journal } = &*document;
    // The document holds one entry more than a page when there is a next page.
    let journal_more = journal.len() as i64 > journal::PAGE_SIZE;
    let journal = &journal[..journal.len().min(journal::PAGE_SIZE as usize)];
    tx.commit().await?;
    let status = submitted.status();
    let l = ctx.layout();
    let shape = BodyShape {
        lang: l.lang,
        steer: access::may_steer(&case, user),
        may_take: lead::may_take(&case, user),
        may_assign: lead::may_assign(&case, user),
    };
    let render = |l: &Layout| {
        CaseBody {
            l,
            case: &case,
            part,
            parts: CasePart::ALL,
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
            entry_kinds: EntryKind::WRITTEN_BY_STAFF,
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
            l.personal(&kept.body(ctx.tenant.id, &case, part, shape, || render(&l.shared()))?)
        }
        _ => render(&l)?,
    };
    web::render_with_status(
        status,
        &CasePage {
            l,
            case: &case,
            part,
            body: &body,
        },
    )
}

/// Re-shows the part of the case page a form is on with its errors (status 422, or 409 for a
/// conflict), keeping what was typed.
pub(super) async fn case_form_failed(
    tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    submitted: Submitted,
) -> AppResult<Response> {
    render_case(tx, ctx, user, case, Showing::Form { corrects: None }, submitted).await
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

/// The case's overview: where it stands and the next step first.
pub async fn case_page(
    State(documents): State<Arc<CaseDocuments>>,
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    show_part(&documents, ctx, user, id, CasePart::Overview, None).await
}

/// One tab of the case page; the journal's may hold the entry being corrected.
pub async fn case_part(
    State(documents): State<Arc<CaseDocuments>>,
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, part)): Path<(String, String, String)>,
    Query(query): Query<CaseQuery>,
) -> AppResult<Response> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    let part = match CasePart::parse(&part) {
        Some(CasePart::Overview) | None => return Err(AppError::NotFound),
        Some(part) => part,
    };
    let corrects = query
        .corrects
        .filter(|_| part == CasePart::Journal)
        .and_then(|c| c.parse().ok());
    show_part(&documents, ctx, user, id, part, corrects).await
}

/// Every part of the case page checks access and audits the view the same way.
async fn show_part(
    documents: &CaseDocuments,
    ctx: RequestContext,
    user: CurrentUser,
    id: Uuid,
    part: CasePart,
    corrects: Option<Uuid>,
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
    let details = match part {
        CasePart::Overview => json!({}),
        part => json!({ "part": part.code() }),
    };
    audit_case(&mut tx, &ctx, &user, AuditKind::CaseViewed, &case, details).await?;
    let showing = Showing::Part {
        kept: documents,
        part,
        corrects,
    };
    render_case(tx, &ctx, &user, case, showing, Submitted::default()).await
}

/// "Inzage met reden": a professional not involved states why they open the case.
pub async fn request_access(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any_hiding(TEAM_ROLES)?;
    let mut tx = ctx.tx().await?;
    let case = load_case(&mut tx, id, &user).await?;
    if access::decide(&case, &user) == Access::Denied {
        return Err(AppError::Forbidden);
    }
    let reason = fields.get("reason").trim().to_owned();
    let mut errors = fields.errors();
    if reason.is_empty() {
        errors.field("reason", "access.error.reason");
    }
    if !errors.is_empty() {
        tx.commit().await?;
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

#[derive(Template)]
#[template(path = "cases/history.html")]
struct HistoryPage {
    l: Layout,
    case: CaseView,
    events: Vec<CaseEvent>,
    leads: Vec<LeadPeriod>,
}

/// The course of a case: who led it when, and every status change and escalation.
pub async fn history_page(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "history": true }),
    )
    .await?;
    let events = workflow::events(&mut tx, case.id).await?;
    let leads = lead::lead_history(&mut tx, case.id).await?;
    tx.commit().await?;
    web::render(&HistoryPage {
        case,
        events,
        leads,
        l: ctx.layout(),
    })
}
