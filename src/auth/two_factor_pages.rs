//! The second step of a login (the code from the app or a recovery code) and enrolment.

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, Actor, AuditKind, Subject};
use crate::auth::handlers::{LoggingIn, complete_login, record_slowdown, render_refused, wait_message};
use crate::auth::second_factor::{self, Accepted};
use crate::auth::throttle::{self, Counter, Verdict};
use crate::auth::{LoginInProgress, Stage, devices, session};
use crate::error::{AppError, AppResult};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Form;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "auth/code.html")]
struct CodePage {
    l: Layout,
    errors: FormErrors,
    wait: Option<String>,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn code_form(ctx: RequestContext, login: LoginInProgress) -> AppResult<Response> {
    if login.stage != Stage::NeedsCode {
        return Ok(Redirect::to(&ctx.home_path()).into_response());
    }
    web::render(&CodePage {
        errors: FormErrors::default(),
        wait: None,
        l: ctx.layout(),
    })
}

pub async fn check_code(
    ctx: RequestContext,
    login: LoginInProgress,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    if login.stage != Stage::NeedsCode {
        return Ok(Redirect::to(&ctx.home_path()).into_response());
    }
    let token_hash = ctx.session_hash.clone().ok_or(AppError::Forbidden)?;
    let user = &login.user;
    let mut errors = FormErrors::default();
    let mut wait = None;
    if form.code.trim().is_empty() {
        errors.field("code", "two_factor.error.code_required");
    } else {
        // Wrong codes count like wrong passwords, on the same counters.
        let presented = devices::Presented::from_headers(&headers);
        let mut tx = ctx.tx().await?;
        let known = devices::recognise(&mut tx, &presented, &user.email).await?;
        let counter = match &known {
            Some(hash) => Counter::KnownDevice(hash),
            None => Counter::Unknown {
                email: &user.email,
                client_ip: ctx.client_ip,
            },
        };
        match throttle::attempt(tx, &counter).await? {
            Verdict::Wait(w) => wait = Some(w),
            Verdict::Go(attempt) => {
                let mut tx = ctx.tx().await?;
                match second_factor::verify(&mut tx, ctx.secrets(), user.id, &user.email, &form.code).await? {
                    Some(accepted) => {
                        if accepted == Accepted::RecoveryCode {
                            audit::record(
                                &mut tx,
                                &Actor::user(user, ctx.client_ip),
                                AuditKind::RecoveryCodeUsed,
                                None,
                                json!({}),
                            )
                            .await?;
                        }
                        attempt.refund(&mut tx).await?;
                        session::set_stage(&mut tx, &token_hash, Stage::Active).await?;
                        let who = LoggingIn {
                            id: user.id,
                            email: &user.email,
                            name: &user.name,
                        };
                        let device = complete_login(&mut tx, &ctx, &presented, who).await?;
                        tx.commit().await?;
                        let mut response = Redirect::to(&ctx.home_path()).into_response();
                        response.headers_mut().append(header::SET_COOKIE, device);
                        return Ok(response);
                    }
                    None => {
                        let subject = Subject {
                            id: user.id,
                            name: &user.name,
                        };
                        record_slowdown(&mut tx, &ctx, &attempt, &user.email, Some(subject)).await?;
                        tx.commit().await?;
                        errors.field("code", "two_factor.error.wrong_code");
                    }
                }
            }
        }
    }
    let page = CodePage {
        errors,
        wait: wait.as_ref().map(|w| wait_message(ctx.lang, w)),
        l: ctx.layout(),
    };
    render_refused(&page, wait.as_ref())
}

#[derive(Template)]
#[template(path = "auth/enrol.html")]
struct EnrolPage {
    l: Layout,
    secret: String,
    qr_svg: String,
    required: bool,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage {
    l: Layout,
    codes: Vec<String>,
}

async fn render_enrolment(
    ctx: &RequestContext,
    login: &LoginInProgress,
    errors: FormErrors,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let enrolment =
        second_factor::enrolment(&mut tx, ctx.secrets(), login.user.id, &login.user.email).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &EnrolPage {
            secret: enrolment.secret,
            qr_svg: enrolment.qr_svg,
            required: login.stage == Stage::NeedsEnrolment,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn enrol_form(ctx: RequestContext, login: LoginInProgress) -> AppResult<Response> {
    if login.stage == Stage::NeedsCode {
        return Ok(Redirect::to(&format!("/{}/login/code", ctx.tenant.slug)).into_response());
    }
    let mut tx = ctx.tx().await?;
    let enrolled = second_factor::is_enrolled(&mut tx, login.user.id).await?;
    tx.commit().await?;
    if enrolled {
        return Ok(web::redirect_with_flash(
            &format!("/{}/account", ctx.tenant.slug),
            "flash.second_factor_active",
        ));
    }
    render_enrolment(&ctx, &login, FormErrors::default()).await
}

pub async fn confirm_enrolment(
    ctx: RequestContext,
    login: LoginInProgress,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    if login.stage == Stage::NeedsCode {
        return Err(AppError::Forbidden);
    }
    let token_hash = ctx.session_hash.clone().ok_or(AppError::Forbidden)?;
    let user = &login.user;
    let mut tx = ctx.tx().await?;
    let mut errors = FormErrors::default();
    if form.code.trim().is_empty() {
        errors.field("code", "two_factor.error.code_required");
    } else if let Some(codes) =
        second_factor::confirm(&mut tx, ctx.secrets(), user.id, &user.email, &form.code).await?
    {
        audit::record(
            &mut tx,
            &Actor::user(user, ctx.client_ip),
            AuditKind::SecondFactorEnrolled,
            None,
            json!({}),
        )
        .await?;
        let mut device = None;
        if login.stage == Stage::NeedsEnrolment {
            session::set_stage(&mut tx, &token_hash, Stage::Active).await?;
            let presented = devices::Presented::from_headers(&headers);
            let who = LoggingIn {
                id: user.id,
                email: &user.email,
                name: &user.name,
            };
            device = Some(complete_login(&mut tx, &ctx, &presented, who).await?);
        }
        tx.commit().await?;
        let mut ctx = ctx;
        ctx.user = Some(user.clone());
        ctx.pending = None;
        let mut response = web::render(&RecoveryCodesPage {
            codes,
            l: ctx.layout(),
        })?;
        if let Some(device) = device {
            response.headers_mut().append(header::SET_COOKIE, device);
        }
        return Ok(response);
    } else {
        errors.field("code", "two_factor.error.wrong_code");
    }
    tx.commit().await?;
    render_enrolment(&ctx, &login, errors).await
}
