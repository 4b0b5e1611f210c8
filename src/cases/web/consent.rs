//! The consent ledger: what the resident agreed may be shared, with whom and for what.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::page::case_form_failed;
use super::{Submitted, done};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::CasePart;
use crate::cases::access::{audit_case, case_to_write};
use crate::cases::record::CaseView;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::register::{self, OrganisationOption};
use crate::members::services::{self, ServiceOption};
use crate::referrals::consent::{self, WithdrawnBy};
use crate::shared::format::format_date;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date, parse_optional_date};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};

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

pub async fn consent_form(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    render_consent_form(tx, &ctx, case, Fields::default(), FormErrors::default()).await
}

/// Records what the resident agreed may be shared, with whom and for what.
pub async fn record_consent(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let today = case.now.date();
    let mut errors = fields.errors();
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
    Ok(done(&ctx, case.id, CasePart::Referrals, "flash.consent_recorded"))
}

/// Withdrawing consent ends the access of the organisations that received referrals under it.
pub async fn withdraw_consent(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, consent_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let submitted = Submitted::new("withdraw", fields);
    if submitted.refused() {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    let note = submitted.fields.get("note").trim();
    let withdrawal = consent::withdraw(&mut tx, case.id, consent_id, note, WithdrawnBy::Staff(user.id))
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
    Ok(done(
        &ctx,
        case.id,
        CasePart::Referrals,
        "flash.consent_withdrawn",
    ))
}
