//! Flexible support pages: a case's entries with the form to add one (those who write in the
//! case) and to approve one (a process manager who did not ask for it), and the list of all
//! entries for whoever keeps the money and of waiting ones for process managers.

use askama::Template;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::{PageQuery, finance_path, status_for};
use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::cases::access::{audit_case, may_write, open_case};
use crate::cases::plan;
use crate::cases::record::CaseView;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::finance::flexible::{
    self, Choices, DecisionInput, FlexibleLine, FlexibleSupport, OTHER_PROVIDER, SupportInput, SupportOf,
    SupportStatus,
};
use crate::finance::{MONEY_ROLES, Standing};
use crate::members::register::{self, OrganisationOption};
use crate::shared::clock::local_now;
use crate::shared::money::Cents;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, Query};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

/// A goal of the support plan to tie an entry to.
pub struct GoalOption {
    pub id: Uuid,
    pub label: String,
}

/// Which form on the case's page was sent and refused.
#[derive(Default)]
struct Refused {
    form: &'static str,
    /// The entry a decision was about.
    entry: Option<Uuid>,
    errors: FormErrors,
    support: Option<SupportInput>,
    decision: DecisionInput,
}

#[derive(Template)]
#[template(path = "finance/case_support.html")]
struct CaseSupportPage {
    l: Layout,
    case: CaseView,
    entries: Vec<FlexibleSupport>,
    pagination: Pagination,
    approved: Cents,
    threshold: Cents,
    may_add: bool,
    lines: Vec<FlexibleLine>,
    goals: Vec<GoalOption>,
    organisations: Vec<OrganisationOption>,
    input: SupportInput,
    refused: Refused,
    process_manager: bool,
    user_id: Uuid,
}

static NO_ERRORS: FormErrors = FormErrors::new();

impl CaseSupportPage {
    fn errors_for(&self, form: &str, entry: Option<&Uuid>) -> &FormErrors {
        if self.refused.form == form && self.refused.entry.as_ref() == entry {
            &self.refused.errors
        } else {
            &NO_ERRORS
        }
    }

    fn may_decide(&self, entry: &FlexibleSupport) -> bool {
        self.process_manager && entry.is_waiting() && entry.requested_by != self.user_id
    }

    fn typed_note(&self, entry: &Uuid) -> &str {
        if self.refused.entry.as_ref() == Some(entry) {
            &self.refused.decision.note
        } else {
            ""
        }
    }

    fn is_outcome(&self, entry: &Uuid, code: &str) -> bool {
        self.refused.entry.as_ref() == Some(entry) && self.refused.decision.outcome == code
    }

    fn other_provider(&self) -> &'static str {
        OTHER_PROVIDER
    }
}

fn support_path(ctx: &RequestContext, case_id: Uuid) -> String {
    format!("/{}/cases/{case_id}/maatwerk", ctx.tenant.slug)
}

/// The plan's goals as choices; a case without a plan has none.
async fn goal_options(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<GoalOption>> {
    let goals = plan::find(tx, case_id)
        .await?
        .map(|p| p.goals)
        .unwrap_or_default();
    Ok(goals
        .into_iter()
        .enumerate()
        .map(|(i, g)| GoalOption {
            id: g.id,
            label: format!("{}. {}", i + 1, g.description),
        })
        .collect())
}

async fn render(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    case: CaseView,
    page: i64,
    refused: Refused,
) -> AppResult<Response> {
    let mut entries = flexible::list(&mut tx, SupportOf::Case(case.id), page).await?;
    let total = flexible::count(&mut tx, SupportOf::Case(case.id)).await?;
    let approved = flexible::approved_total(&mut tx, case.id).await?;
    let threshold = flexible::approval_threshold(&mut tx).await?;
    let may_add = may_write(&case, user);
    let today = local_now(&mut tx).await?.date();
    let (lines, goals, organisations) = if may_add {
        (
            flexible::lines(&mut tx, today).await?,
            goal_options(&mut tx, case.id).await?,
            register::choices(&mut tx, &[]).await?,
        )
    } else {
        Default::default()
    };
    tx.commit().await?;
    let has_next = trim_page(&mut entries, flexible::PAGE_SIZE);
    let input = refused
        .support
        .clone()
        .unwrap_or_else(|| SupportInput::fresh(today, &lines));
    web::render_with_status(
        status_for(&refused.errors),
        &CaseSupportPage {
            l: ctx.layout(),
            pagination: Pagination::new(
                format!("{}?", support_path(ctx, case.id)),
                page,
                flexible::PAGE_SIZE,
                has_next,
                total,
            ),
            case,
            entries,
            approved,
            threshold,
            may_add,
            lines,
            goals,
            organisations,
            input,
            refused,
            process_manager: user.has(Role::ProcessManager),
            user_id: user.id,
        },
    )
}

/// A case's flexible support, for those who see the case in full (the reading is audited).
pub async fn case_support(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "flexible_support": true }),
    )
    .await?;
    render(tx, &ctx, &user, case, query.number(), Refused::default()).await
}

/// Those who write in the case spend from a flexible line; above the threshold the entry
/// waits for a process manager.
pub async fn add(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    if !may_write(&case, &user) {
        return Err(AppError::Forbidden);
    }
    let input = SupportInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Ok(line) = input.budget_line.parse::<Uuid>() {
        flexible::lock_line(&mut tx, line).await?;
    }
    let today = local_now(&mut tx).await?.date();
    let lines = flexible::lines(&mut tx, today).await?;
    let goals: Vec<Uuid> = goal_options(&mut tx, case.id)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    let organisations: Vec<Uuid> = register::choices(&mut tx, &[])
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let choices = Choices {
        lines: &lines,
        goals: &goals,
        organisations: &organisations,
    };
    let new = input
        .validate(&choices, &mut errors)
        .filter(|_| errors.is_empty());
    let Some(new) = new else {
        let refused = Refused {
            form: "support",
            errors,
            support: Some(input),
            ..Refused::default()
        };
        return render(tx, &ctx, &user, case, 1, refused).await;
    };
    let threshold = flexible::approval_threshold(&mut tx).await?;
    let status = if flexible::needs_approval(new.amount, threshold) {
        SupportStatus::Requested
    } else {
        SupportStatus::Approved
    };
    let Some(entry) = flexible::record(&mut tx, case.id, &new, status, user.id).await? else {
        // The same form sent again: stored the first time.
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#flash", support_path(&ctx, case.id)),
            "flash.flexible_already_stored",
        ));
    };
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::FinanceChanged,
        &case,
        json!({
            "what": "flexible_support_added",
            "flexible_support_id": entry,
            "new": {
                "status": status.code(),
                "amount_cents": new.amount.0,
                "budget_line_id": new.budget_line_id,
                "provider_organisation_id": new.provider_organisation_id,
                "provider_name": new.provider_name,
                "spent_on": new.spent_on.to_string(),
            },
        }),
    )
    .await?;
    tx.commit().await?;
    let flash = match status {
        SupportStatus::Requested => "flash.flexible_waiting",
        _ => "flash.flexible_added",
    };
    Ok(web::redirect_with_flash(
        &format!("{}#flash", support_path(&ctx, case.id)),
        flash,
    ))
}

/// A process manager approves or refuses an entry above the threshold — never their own.
pub async fn decide(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, entry_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    let entry = flexible::lock(&mut tx, entry_id)
        .await?
        .filter(|e| e.case_id == case.id)
        .ok_or(AppError::NotFound)?;
    if !user.has(Role::ProcessManager) || entry.requested_by == user.id {
        return Err(AppError::Forbidden);
    }
    let input = DecisionInput::from_fields(&fields);
    let mut errors = fields.errors();
    if !entry.is_waiting() {
        errors.form("flexible.error.decided");
    }
    let outcome = input.validate(&mut errors).filter(|_| errors.is_empty());
    let Some(outcome) = outcome else {
        let refused = Refused {
            form: "decision",
            entry: Some(entry.id),
            errors,
            decision: input,
            ..Refused::default()
        };
        return render(tx, &ctx, &user, case, 1, refused).await;
    };
    flexible::decide(&mut tx, entry.id, outcome, &input.note, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::FinanceChanged,
        &case,
        json!({
            "what": "flexible_support_decided",
            "flexible_support_id": entry.id,
            "old": { "status": entry.status },
            "new": { "status": outcome.code(), "note": input.note },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("{}#flash", support_path(&ctx, case.id)),
        "flash.flexible_decided",
    ))
}

#[derive(Template)]
#[template(path = "finance/flexible.html")]
struct FlexibleListPage {
    l: Layout,
    keeper: bool,
    entries: Vec<FlexibleSupport>,
    pagination: Pagination,
    threshold: String,
    errors: FormErrors,
}

/// Who reaches the list: whoever keeps the money (every entry, without what it was for) and
/// process managers (the entries waiting for them).
fn list_standing(user: &CurrentUser) -> AppResult<bool> {
    if MONEY_ROLES.iter().any(|r| user.has(*r)) {
        Ok(true)
    } else if user.has(Role::ProcessManager) {
        Ok(false)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn render_list(
    mut tx: TenantTx,
    ctx: &RequestContext,
    keeper: bool,
    page: i64,
    (threshold, errors): (Option<String>, FormErrors),
) -> AppResult<Response> {
    let of = if keeper {
        SupportOf::All
    } else {
        SupportOf::Waiting
    };
    let mut entries = flexible::list(&mut tx, of, page).await?;
    let total = flexible::count(&mut tx, of).await?;
    let current = flexible::approval_threshold(&mut tx).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut entries, flexible::PAGE_SIZE);
    web::render_with_status(
        status_for(&errors),
        &FlexibleListPage {
            l: ctx.layout(),
            keeper,
            entries,
            pagination: Pagination::new(
                format!("{}?", finance_path(ctx, "/maatwerk")),
                page,
                flexible::PAGE_SIZE,
                has_next,
                total,
            ),
            threshold: threshold.unwrap_or_else(|| current.for_input()),
            errors,
        },
    )
}

pub async fn list(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let keeper = list_standing(&user)?;
    let tx = ctx.tx().await?;
    render_list(tx, &ctx, keeper, query.number(), Default::default()).await
}

/// The treasurer (or an administrator) sets the amount above which a process manager
/// approves first.
pub async fn set_threshold(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    if Standing::of(&mut tx, &user).await? != Standing::Keeper {
        return Err(AppError::Forbidden);
    }
    let typed = fields.get("threshold").trim().to_owned();
    let mut errors = fields.errors();
    let threshold = match Cents::parse(&typed) {
        Ok(amount) => Some(amount),
        Err(e) => {
            errors.field("threshold", e.message_key());
            None
        }
    };
    let Some(threshold) = threshold.filter(|_| errors.is_empty()) else {
        return render_list(tx, &ctx, true, 1, (Some(typed), errors)).await;
    };
    let old = flexible::approval_threshold(&mut tx).await?;
    flexible::set_approval_threshold(&mut tx, threshold).await?;
    audit::record(
        &mut tx,
        &Actor::user(&user, ctx.client_ip),
        AuditKind::FinanceChanged,
        None,
        json!({
            "what": "flexible_threshold_set",
            "old": { "threshold_cents": old.0 },
            "new": { "threshold_cents": threshold.0 },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &finance_path(&ctx, "/maatwerk#flash"),
        "flash.flexible_threshold_set",
    ))
}
