//! The support plan: its goals, their actions and results, and agreeing it with the resident.

use askama::Template;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::{Submitted, lock_version};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::access::{audit_case, case_to_write, open_case};
use crate::cases::plan::{self, NewAction, Plan};
use crate::cases::record::{self, CaseView};
use crate::cases::{GoalResult, Performer};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date, parse_optional_date};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};

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
        self.submitted.typed(form, field)
    }

    fn typed_for_goal(&self, form: &str, goal: &Uuid, field: &str) -> &str {
        if self.goal_id.as_ref() == Some(goal) {
            self.typed(form, field)
        } else {
            ""
        }
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        self.submitted.errors_for(form)
    }

    fn typed_or(&self, form: &str, field: &str, default: String) -> String {
        self.submitted.typed_or(form, field, default)
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
    web::render_with_status(
        submitted.status(),
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

pub async fn plan_page(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
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
    id: Uuid,
    fields: Fields,
    change: PlanChange<'_>,
    apply: F,
) -> AppResult<Response>
where
    F: AsyncFnOnce(
        &mut TenantTx,
        &CaseView,
        &Plan,
        &Fields,
        &mut FormErrors,
    ) -> AppResult<Option<Result<(), record::Conflict>>>,
{
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, user).await?;
    let plan = plan::find_or_start(&mut tx, case.id).await?;
    let mut submitted = Submitted::new(change.form, fields);
    if submitted.refused() {
        return render_plan(tx, ctx, case, submitted, change.goal).await;
    }
    match apply(&mut tx, &case, &plan, &submitted.fields, &mut submitted.errors).await? {
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
                &format!("{}#flash", plan_path(ctx, case.id)),
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
    PathId(id): PathId,
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
        id,
        fields,
        change,
        async |tx, case, plan, fields, errors| {
            let date = match parse_optional_date(fields.get("evaluation_on")) {
                Ok(Some(date)) if case.before_request(date) => Err("case.error.before_request"),
                Ok(date) => Ok(date),
                Err(_) => Err("plan.error.date"),
            };
            let date = match date {
                Ok(date) => date,
                Err(message) => {
                    errors.field("evaluation_on", message);
                    return Ok(None);
                }
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
    PathId(id): PathId,
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
        id,
        fields,
        change,
        async |tx, _case, plan, fields, errors| {
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
    PathIds(id, goal_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let change = PlanChange {
        form: "action",
        goal: Some(goal_id),
        what: "action_added",
    };
    save_plan_change(
        &ctx,
        &user,
        id,
        fields,
        change,
        async |tx, case, plan, fields, errors| {
            let description = fields.get("description").trim().to_owned();
            if description.is_empty() {
                errors.field("description", "plan.error.action");
            }
            let performer = Performer::parse(fields.get("performer"));
            if performer.is_none() {
                errors.field("performer", "plan.error.performer");
            }
            let target_on = match parse_optional_date(fields.get("target_on")) {
                Ok(Some(date)) if case.before_request(date) => {
                    errors.field("target_on", "case.error.before_request");
                    None
                }
                Ok(date) => date,
                Err(_) => {
                    errors.field("target_on", "plan.error.date");
                    None
                }
            };
            let Some(performer) = performer.filter(|_| errors.is_empty()) else {
                return Ok(None);
            };
            let action = NewAction {
                description,
                performer,
                performer_name: fields.get("performer_name").trim().to_owned(),
                target_on,
            };
            found(plan::add_action(tx, plan.id, lock_version(fields), goal_id, &action, by).await?)
        },
    )
    .await
}

pub async fn goal_result(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, goal_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let by = user.id;
    let change = PlanChange {
        form: "result",
        goal: Some(goal_id),
        what: "goal_result",
    };
    save_plan_change(
        &ctx,
        &user,
        id,
        fields,
        change,
        async |tx, _case, plan, fields, errors| {
            let Some(result) = GoalResult::parse(fields.get("result")) else {
                errors.field("result", "plan.error.result");
                return Ok(None);
            };
            let note = fields.get("result_note").trim();
            found(plan::set_goal_result(tx, plan.id, lock_version(fields), goal_id, result, note, by).await?)
        },
    )
    .await
}

/// A change to one goal: saved, refused for a conflict, or the goal is not in this plan.
fn found(saved: Result<bool, record::Conflict>) -> AppResult<Option<Result<(), record::Conflict>>> {
    match saved {
        Ok(true) => Ok(Some(Ok(()))),
        Ok(false) => Err(AppError::NotFound),
        Err(conflict) => Ok(Some(Err(conflict))),
    }
}

/// Agreed with the resident: the plan gets a new version and its date.
pub async fn agree_plan(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
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
        id,
        fields,
        change,
        async |tx, case, plan, fields, errors| {
            if plan.goals.is_empty() {
                errors.form("plan.error.no_goals");
            }
            let today = local_now(tx).await?.date();
            let agreed_on = parse_date(fields.get("agreed_on"));
            match agreed_on {
                None => errors.field("agreed_on", "plan.error.date"),
                Some(d) if d > today => errors.field("agreed_on", "plan.error.future"),
                Some(d) if case.before_request(d) => errors.field("agreed_on", "case.error.before_request"),
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
