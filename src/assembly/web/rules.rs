//! The statute rules the assembly votes under: read by everyone, set by the secretary.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{audit_change, offices};
use crate::assembly::rules::{self, MAJORITY_FIELDS, RulesInput};
use crate::assembly::{DecisionKind, Majority, READ_ROLES, SECRETARY_ROLES};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "assembly/rules.html")]
struct RulesPage {
    l: Layout,
    input: RulesInput,
    majorities: &'static [Majority],
    fields: [(&'static str, DecisionKind); 5],
    may_edit: bool,
    errors: FormErrors,
}

impl RulesPage {
    fn new(ctx: &RequestContext, input: RulesInput, may_edit: bool, errors: FormErrors) -> RulesPage {
        RulesPage {
            input,
            majorities: Majority::ALL,
            fields: MAJORITY_FIELDS,
            may_edit,
            errors,
            l: ctx.layout(),
        }
    }
}

pub async fn rules(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let rules = rules::find(&mut tx).await?;
    tx.commit().await?;
    let input = RulesInput::from_rules(&rules);
    web::render(&RulesPage::new(
        &ctx,
        input,
        offices(&user).secretary,
        FormErrors::default(),
    ))
}

pub async fn update_rules(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let input = RulesInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some(new_rules) = input.validate(&mut errors) {
        let mut tx = ctx.tx().await?;
        let old = rules::find(&mut tx).await?;
        rules::update(&mut tx, &new_rules, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AssemblyRulesChanged,
            json!({ "before": format!("{old:?}"), "after": format!("{new_rules:?}") }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/assembly/rules", ctx.tenant.slug),
            "flash.rules_saved",
        ));
    }
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &RulesPage::new(&ctx, input, true, errors),
    )
}
