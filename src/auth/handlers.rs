//! The login and logout pages.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind, Subject};
use crate::auth::throttle::{self, Attempt, Counter, Kind, Verdict, Wait};
use crate::auth::{Role, Stage, devices, password, second_factor, session, users};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::tenancy::{self, Contact};
use crate::web::context::RequestContext;
use crate::web::forms::{Form, Query};
use crate::web::i18n::Lang;
use crate::web::layout::{FormErrors, Layout};
use crate::web::{self, FLASH_COOKIE, SESSION_COOKIE};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    tenant_slug: String,
    email: String,
    next: Option<String>,
    errors: FormErrors,
    /// When attempts must wait: what to tell (see `auth::throttle`).
    wait: Option<String>,
    autofocus_email: bool,
    contact: Contact,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(ctx: RequestContext, Query(query): Query<NextQuery>) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&ctx.home_path()).into_response());
    }
    let page = LoginPage {
        tenant_slug: ctx.tenant.slug.clone(),
        email: String::new(),
        next: safe_next(&ctx.tenant.slug, query.next.as_deref()),
        errors: FormErrors::default(),
        wait: None,
        autofocus_email: true,
        contact: public_contact(&ctx).await?,
        l: ctx.layout(),
    };
    web::render(&page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    ctx: RequestContext,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(&ctx.tenant.slug, form.next.as_deref());
    let email = form.email.trim().to_lowercase();
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.field("email", "login.error.email_required");
    }
    if form.password.is_empty() {
        errors.field("password", "login.error.password_required");
    }

    let mut wait = None;
    if errors.is_empty() {
        let presented = devices::Presented::from_headers(&headers);
        let mut tx = ctx.tx().await?;
        let known = devices::recognise(&mut tx, &presented, &email).await?;
        let counter = match &known {
            Some(hash) => Counter::KnownDevice(hash),
            None => Counter::Unknown {
                email: &email,
                client_ip: ctx.client_ip,
            },
        };
        match throttle::attempt(tx, &counter).await? {
            Verdict::Wait(w) => wait = Some(w),
            Verdict::Go(attempt) => {
                let mut tx = ctx.tx().await?;
                let candidate = users::find_for_login(&mut tx, &email).await?;
                let stored = candidate.as_ref().map(|c| c.password_hash.clone());
                if password::verify(form.password, stored).await?
                    && let Some(user) = candidate
                {
                    attempt.refund(&mut tx).await?;
                    // A new token at every login: a session id planted before login is worthless.
                    if let Some(old) = &ctx.session_hash {
                        session::delete(&mut tx, old).await?;
                    }
                    let roles: Vec<Role> = user.roles.iter().filter_map(|r| Role::parse(r)).collect();
                    let stage = if user.has_second_factor {
                        Stage::NeedsCode
                    } else if second_factor::requirement(&mut tx).await?.applies_to(&roles) {
                        Stage::NeedsEnrolment
                    } else {
                        Stage::Active
                    };
                    let user_agent = headers
                        .get(header::USER_AGENT)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    let cookie = session::create(&mut tx, user.id, user_agent, stage).await?;
                    let secure = ctx.config().secure_cookies;
                    let mut response = Redirect::to(&match stage {
                        Stage::Active => next.unwrap_or_else(|| ctx.home_path()),
                        Stage::NeedsCode => format!("/{}/login/code", ctx.tenant.slug),
                        Stage::NeedsEnrolment => format!("/{}/account/two-factor", ctx.tenant.slug),
                    })
                    .into_response();
                    let set = response.headers_mut();
                    set.append(
                        header::SET_COOKIE,
                        web::set_cookie(SESSION_COOKIE, &cookie, secure),
                    );
                    if stage == Stage::Active {
                        let who = LoggingIn {
                            id: user.id,
                            email: &email,
                            name: &user.name,
                        };
                        set.append(
                            header::SET_COOKIE,
                            complete_login(&mut tx, &ctx, &presented, who).await?,
                        );
                    }
                    tx.commit().await?;
                    tracing::info!(tenant = %ctx.tenant.slug, user_id = %user.id, ?stage, "password accepted");
                    return Ok(response);
                }
                let subject = candidate_subject(&candidate);
                record_slowdown(&mut tx, &ctx, &attempt, &email, subject).await?;
                audit::record(
                    &mut tx,
                    &Actor::anonymous(ctx.client_ip),
                    AuditKind::LoginFailed,
                    None,
                    json!({ "email": email }),
                )
                .await?;
                tx.commit().await?;
                tracing::info!(tenant = %ctx.tenant.slug, "failed login");
                errors.form("login.error.invalid");
            }
        }
    }

    let page = LoginPage {
        tenant_slug: ctx.tenant.slug.clone(),
        autofocus_email: errors.has("email"),
        contact: public_contact(&ctx).await?,
        email: form.email,
        next,
        wait: wait.as_ref().map(|w| wait_message(ctx.lang, w)),
        errors,
        l: ctx.layout(),
    };
    render_refused(&page, wait.as_ref())
}

/// Someone whose login is complete.
pub struct LoggingIn<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
}

/// The last step of every login: the failures it was counted on forgiven, the browser
/// remembered, recorded, audited. Returns the device cookie to set.
pub async fn complete_login(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    presented: &devices::Presented,
    who: LoggingIn<'_>,
) -> sqlx::Result<HeaderValue> {
    let known = devices::recognise(tx, presented, who.email).await?;
    let counter = match &known {
        Some(hash) => Counter::KnownDevice(hash),
        None => Counter::Unknown {
            email: who.email,
            client_ip: ctx.client_ip,
        },
    };
    throttle::forgive(tx, &counter).await?;
    let cookie = devices::remember(
        tx,
        presented,
        known.as_deref(),
        who.id,
        ctx.config().secure_cookies,
    )
    .await?;
    users::record_login(tx, who.id).await?;
    let actor = Actor::named(Some(who.id), who.name, ctx.client_ip);
    audit::record(tx, &actor, AuditKind::LoginSucceeded, None, json!({})).await?;
    Ok(cookie)
}

fn candidate_subject(candidate: &Option<users::LoginCandidate>) -> Option<Subject<'_>> {
    candidate.as_ref().map(|c| Subject {
        id: c.id,
        name: &c.name,
    })
}

/// After a failed attempt: an audit record for each counter this failure started slowing
/// down, so that administrators see accounts (and addresses) under attack.
pub async fn record_slowdown(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    attempt: &Attempt,
    email: &str,
    subject: Option<Subject<'_>>,
) -> sqlx::Result<()> {
    for kind in attempt.slowed_down() {
        let subject = match kind {
            Kind::Address => None,
            Kind::Account | Kind::Device => subject.as_ref().map(|s| Subject {
                id: s.id,
                name: s.name,
            }),
        };
        audit::record(
            tx,
            &Actor::anonymous(ctx.client_ip),
            AuditKind::LoginThrottled,
            subject,
            json!({ "email": email, "counted_on": kind.as_str() }),
        )
        .await?;
    }
    Ok(())
}

/// "Try again in 30 seconds, at 14:32:05" in the page's language.
pub fn wait_message(lang: Lang, wait: &Wait) -> String {
    let after = match wait.seconds {
        1 => lang.t("login.wait.second").to_owned(),
        2..=59 => lang.tf("login.wait.seconds", &[("n", &wait.seconds.to_string())]),
        60 => lang.t("login.wait.minute").to_owned(),
        _ => {
            let minutes = (wait.seconds + 59) / 60;
            if minutes == 1 {
                lang.t("login.wait.minute").to_owned()
            } else {
                lang.tf("login.wait.minutes", &[("n", &minutes.to_string())])
            }
        }
    };
    lang.tf("login.wait", &[("wait", &after), ("time", &wait.until)])
}

/// A login form sent back: asking to wait when the attempt must wait, else with its mistakes.
pub fn render_refused(page: &impl Template, wait: Option<&Wait>) -> AppResult<Response> {
    match wait {
        Some(wait) => render_wait(page, wait),
        None => web::render_with_status(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}

/// A page that asks to wait: 429 with `Retry-After`.
fn render_wait(page: &impl Template, wait: &Wait) -> AppResult<Response> {
    let mut response = web::render_with_status(StatusCode::TOO_MANY_REQUESTS, page)?;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds));
    Ok(response)
}

pub async fn logout(ctx: RequestContext) -> AppResult<Response> {
    if let Some(token_hash) = &ctx.session_hash {
        let mut tx = ctx.tx().await?;
        session::delete(&mut tx, token_hash).await?;
        if let Some(user) = ctx.user.as_ref().or(ctx.pending.as_ref().map(|(u, _)| u)) {
            audit::record(
                &mut tx,
                &Actor::user(user, ctx.client_ip),
                AuditKind::Logout,
                None,
                json!({}),
            )
            .await?;
        }
        tx.commit().await?;
    }
    let secure = ctx.config().secure_cookies;
    let mut response = Redirect::to(&ctx.login_path()).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, web::clear_cookie(SESSION_COOKIE, secure));
    headers.append(
        header::SET_COOKIE,
        web::set_cookie(FLASH_COOKIE, "flash.logged_out", secure),
    );
    Ok(response)
}

async fn public_contact(ctx: &RequestContext) -> AppResult<Contact> {
    let mut tx = ctx.tx().await?;
    let contact = tenancy::contact(&mut tx).await?;
    tx.commit().await?;
    Ok(contact)
}

/// Only a path inside this tenant may be returned to after login (no open redirect).
fn safe_next(slug: &str, next: Option<&str>) -> Option<String> {
    let next = next?;
    let prefix = format!("/{slug}/");
    let safe = next.starts_with(&prefix)
        && !next.contains("//")
        && !next.contains('\\')
        && !next.starts_with(&format!("{prefix}login"))
        && !next.chars().any(char::is_control);
    safe.then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_returns_only_to_a_page_of_the_same_cooperative() {
        assert_eq!(
            safe_next("demo", Some("/demo/cases/1?tab=plan")).as_deref(),
            Some("/demo/cases/1?tab=plan")
        );
        for unsafe_next in [
            "/other/cases",
            "https://evil.example/demo/",
            "//evil.example/demo/",
            "/demo//evil.example",
            "/demo/\\evil.example",
            "/demo/login",
            "/demo/login?next=/demo/",
            "/demo/cases\n",
            "/demo",
        ] {
            assert_eq!(safe_next("demo", Some(unsafe_next)), None, "{unsafe_next}");
        }
        assert_eq!(safe_next("demo", None), None);
    }
}
