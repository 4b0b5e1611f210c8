//! Signing in on a resident's own pages, setting up the account with a sign-in code, signing
//! out; and, on the staff side, handing a resident a sign-in code.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::handlers::{render_refused, wait_message};
use crate::auth::residents::{self, IssuedCode, RESIDENT_COOKIE, Redeemed, SignedIn};
use crate::auth::throttle::{self, Counter, Verdict};
use crate::auth::{CurrentUser, Role, check_new_password, password};
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use crate::shared::format::format_date;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout, ResidentBar};
use crate::web::{self, FLASH_COOKIE};

/// Who may hand a resident a sign-in code: the desk, and the social team that holds the lead.
const CODE_ROLES: &[Role] = &[Role::Desk, Role::Professional, Role::ProcessManager];

#[derive(Template)]
#[template(path = "auth/resident_sign_in.html")]
struct SignInPage {
    l: Layout,
    bar: Option<ResidentBar>,
    email: String,
    errors: FormErrors,
    wait: Option<String>,
    /// With mail configured, a sign-in link by e-mail is offered too.
    mail_link: bool,
    /// The link was asked for: said the same whether or not the address has an account.
    link_sent: bool,
}

#[derive(Template)]
#[template(path = "auth/resident_link.html")]
struct LinkPage {
    l: Layout,
    bar: Option<ResidentBar>,
    token: String,
}

#[derive(Template)]
#[template(path = "auth/resident_activate.html")]
struct ActivatePage {
    l: Layout,
    bar: Option<ResidentBar>,
    code: String,
    date_of_birth: String,
    email: String,
    errors: FormErrors,
    wait: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/resident_code.html")]
struct CodePage {
    l: Layout,
    resident_id: uuid::Uuid,
    resident_name: String,
    code: String,
    expires_on: String,
    sign_in_address: String,
}

fn mijn_path(ctx: &RequestContext) -> String {
    format!("/{}/mijn", ctx.tenant.slug)
}

fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Into the resident's pages with a fresh session cookie.
fn signed_in(ctx: &RequestContext, cookie: &str) -> Response {
    let mut response = Redirect::to(&mijn_path(ctx)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        web::set_cookie(RESIDENT_COOKIE, cookie, ctx.config().secure_cookies),
    );
    response
}

pub async fn sign_in_form(State(mailer): State<Arc<Mailer>>, ctx: RequestContext) -> AppResult<Response> {
    web::render(&SignInPage {
        email: String::new(),
        errors: FormErrors::default(),
        wait: None,
        bar: None,
        mail_link: mailer.is_enabled(),
        link_sent: false,
        l: ctx.layout(),
    })
}

pub async fn sign_in(
    State(mailer): State<Arc<Mailer>>,
    ctx: RequestContext,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = fields.errors();
    let email = fields.get("email").trim().to_lowercase();
    let given = fields.get("password").to_owned();
    if email.is_empty() {
        errors.field("email", "login.error.email_required");
    }
    if given.is_empty() {
        errors.field("password", "login.error.password_required");
    }
    let mut wait = None;
    if errors.is_empty() {
        // Counted apart from staff accounts with the same address.
        let counted_as = format!("resident:{email}");
        let counter = counted(&counted_as, &ctx);
        match throttle::attempt(ctx.tx().await?, &counter).await? {
            Verdict::Wait(w) => wait = Some(w),
            Verdict::Go(attempt) => {
                let mut tx = ctx.tx().await?;
                let account = residents::find_for_sign_in(&mut tx, &email).await?;
                let stored = account.as_ref().map(|a| a.password_hash.clone());
                if password::verify(given, stored).await?
                    && let Some(account) = account
                {
                    attempt.refund(&mut tx).await?;
                    throttle::forgive(&mut tx, &counter).await?;
                    let who = SignedIn {
                        account_id: account.id,
                        resident_id: account.resident_id,
                    };
                    let cookie = residents::start_session(&mut tx, &who, user_agent(&headers)).await?;
                    audit::record(
                        &mut tx,
                        &Actor::resident(account.resident_id, &account.name, ctx.client_ip),
                        AuditKind::LoginSucceeded,
                        None,
                        json!({ "pages": "mijn" }),
                    )
                    .await?;
                    tx.commit().await?;
                    return Ok(signed_in(&ctx, &cookie));
                }
                audit::record(
                    &mut tx,
                    &Actor::anonymous(ctx.client_ip),
                    AuditKind::LoginFailed,
                    None,
                    json!({ "email": email, "pages": "mijn" }),
                )
                .await?;
                tx.commit().await?;
                errors.form("login.error.invalid");
            }
        }
    }
    let page = SignInPage {
        bar: None,
        mail_link: mailer.is_enabled(),
        link_sent: false,
        email: fields.get("email").to_owned(),
        wait: wait.as_ref().map(|w| wait_message(ctx.lang, w)),
        errors,
        l: ctx.layout(),
    };
    render_refused(&page, wait.as_ref())
}

pub async fn activate_form(ctx: RequestContext) -> AppResult<Response> {
    web::render(&ActivatePage {
        code: String::new(),
        date_of_birth: String::new(),
        email: String::new(),
        errors: FormErrors::default(),
        wait: None,
        bar: None,
        l: ctx.layout(),
    })
}

pub async fn activate(
    ctx: RequestContext,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut errors = fields.errors();
    let code = residents::normalise_code(fields.get("code"));
    if code.is_none() && !errors.has("code") {
        errors.field("code", "mijn.error.code");
    }
    let date_of_birth = parse_date(fields.get("date_of_birth"));
    if date_of_birth.is_none() && !errors.has("date_of_birth") {
        errors.field("date_of_birth", "mijn.error.date_of_birth");
    }
    let email = fields.get("email").trim().to_lowercase();
    if !errors.has("email") && !plausible_email(&email) {
        errors.field("email", "mijn.error.email");
    }
    let new_password = check_new_password(fields.get("password"), fields.get("confirmation"), &mut errors);
    let mut wait = None;
    if let (true, Some(code), Some(date_of_birth), Some(new_password)) =
        (errors.is_empty(), code, date_of_birth, new_password)
    {
        // Each code counts its own wrong attempts, and the address all of them.
        let counted_as = format!("code:{code}");
        let counter = counted(&counted_as, &ctx);
        match throttle::attempt(ctx.tx().await?, &counter).await? {
            Verdict::Wait(w) => wait = Some(w),
            Verdict::Go(attempt) => {
                let hash = password::hash(new_password).await?;
                let mut tx = ctx.tx().await?;
                match residents::redeem_code(&mut tx, ctx.secrets(), &code, date_of_birth, &email, &hash)
                    .await?
                {
                    Redeemed::SignedIn(who) => {
                        attempt.refund(&mut tx).await?;
                        throttle::forgive(&mut tx, &counter).await?;
                        let cookie = residents::start_session(&mut tx, &who, user_agent(&headers)).await?;
                        audit::record_for_resident(
                            &mut tx,
                            &Actor::resident(who.resident_id, "", ctx.client_ip),
                            AuditKind::ResidentAccountSetUp,
                            who.resident_id,
                            json!({}),
                        )
                        .await?;
                        tx.commit().await?;
                        return Ok(signed_in(&ctx, &cookie));
                    }
                    Redeemed::EmailTaken => {
                        // Not a wrong guess: the code was right.
                        attempt.refund(&mut tx).await?;
                        tx.commit().await?;
                        errors.field("email", "mijn.error.email_taken");
                    }
                    Redeemed::NoMatch => {
                        audit::record(
                            &mut tx,
                            &Actor::anonymous(ctx.client_ip),
                            AuditKind::LoginFailed,
                            None,
                            json!({ "pages": "mijn", "with": "code" }),
                        )
                        .await?;
                        tx.commit().await?;
                        errors.form("mijn.error.code_no_match");
                    }
                }
            }
        }
    }
    let page = ActivatePage {
        bar: None,
        code: fields.get("code").to_owned(),
        date_of_birth: fields.get("date_of_birth").to_owned(),
        email: fields.get("email").to_owned(),
        wait: wait.as_ref().map(|w| wait_message(ctx.lang, w)),
        errors,
        l: ctx.layout(),
    };
    render_refused(&page, wait.as_ref())
}

/// Mails a one-time sign-in link to the address, when it has an account; answers the same
/// either way, so the form tells nobody which addresses have one. Asking counts on the
/// address's throttle, so the form cannot be used to flood a mailbox.
pub async fn send_link(
    State(mailer): State<Arc<Mailer>>,
    ctx: RequestContext,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    if !mailer.is_enabled() {
        return Err(AppError::NotFound);
    }
    let mut errors = fields.errors();
    let email = fields.get("link_email").trim().to_lowercase();
    if !errors.has("link_email") && !plausible_email(&email) {
        errors.field("link_email", "mijn.error.email");
    }
    let mut wait = None;
    if errors.is_empty() {
        let counted_as = format!("link:{email}");
        let counter = counted(&counted_as, &ctx);
        match throttle::attempt(ctx.tx().await?, &counter).await? {
            Verdict::Wait(w) => wait = Some(w),
            Verdict::Go(_) => {
                let mut tx = ctx.tx().await?;
                let issued = residents::issue_link(&mut tx, &email).await?;
                if let Some((_, resident_id, name)) = &issued {
                    audit::record_for_resident(
                        &mut tx,
                        &Actor::anonymous(ctx.client_ip),
                        AuditKind::ResidentLinkSent,
                        *resident_id,
                        json!({ "name": name }),
                    )
                    .await?;
                }
                tx.commit().await?;
                if let Some((token, _, name)) = issued {
                    mail_link(&mailer, &ctx, &token, &name, &email).await;
                }
                return web::render(&SignInPage {
                    email: String::new(),
                    errors,
                    wait: None,
                    bar: None,
                    mail_link: true,
                    link_sent: true,
                    l: ctx.layout(),
                });
            }
        }
    }
    let page = SignInPage {
        email: fields.get("link_email").to_owned(),
        wait: wait.as_ref().map(|w| wait_message(ctx.lang, w)),
        errors,
        bar: None,
        mail_link: true,
        link_sent: false,
        l: ctx.layout(),
    };
    render_refused(&page, wait.as_ref())
}

async fn mail_link(mailer: &Mailer, ctx: &RequestContext, token: &str, name: &str, email: &str) {
    let link = format!("{}/{}/mijn/inloglink/{token}", ctx.public_base(), ctx.tenant.slug);
    let lang = ctx.tenant.default_language;
    let minutes = residents::LINK_MINUTES.to_string();
    let args = [
        ("name", name),
        ("cooperative", ctx.tenant.name.as_str()),
        ("link", link.as_str()),
        ("minutes", minutes.as_str()),
    ];
    let subject = lang.tf("mail.mijn_link.subject", &args);
    let body = lang.tf("mail.mijn_link.body", &args).replace("\\n", "\n");
    if let Err(error) = mailer.send(name, email, &subject, body).await {
        tracing::warn!(%error, "could not mail a resident's sign-in link");
    }
}

/// The page an e-mailed link opens: a button that signs in, so that a mail scanner following
/// the link uses nothing up.
pub async fn link_form(ctx: RequestContext, Path((_, token)): Path<(String, String)>) -> AppResult<Response> {
    let mut response = web::render(&LinkPage {
        token,
        bar: None,
        l: ctx.layout(),
    })?;
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

pub async fn use_link(
    State(mailer): State<Arc<Mailer>>,
    ctx: RequestContext,
    headers: HeaderMap,
    Path((_, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let Some(who) = residents::redeem_link(&mut tx, &token).await? else {
        tx.commit().await?;
        let mut errors = FormErrors::default();
        errors.form("mijn.error.link_invalid");
        return web::render_with_status(
            StatusCode::NOT_FOUND,
            &SignInPage {
                email: String::new(),
                errors,
                wait: None,
                bar: None,
                mail_link: mailer.is_enabled(),
                link_sent: false,
                l: ctx.layout(),
            },
        );
    };
    let cookie = residents::start_session(&mut tx, &who, user_agent(&headers)).await?;
    audit::record(
        &mut tx,
        &Actor::resident(who.resident_id, "", ctx.client_ip),
        AuditKind::LoginSucceeded,
        None,
        json!({ "pages": "mijn", "with": "link" }),
    )
    .await?;
    tx.commit().await?;
    Ok(signed_in(&ctx, &cookie))
}

/// What an attempt is counted on: what was typed (prefixed by the kind of attempt, so that
/// staff logins, residents' passwords, codes and links never share a counter) and the address.
fn counted<'a>(typed: &'a str, ctx: &RequestContext) -> Counter<'a> {
    Counter::Unknown {
        email: typed,
        client_ip: ctx.client_ip,
    }
}

fn plausible_email(email: &str) -> bool {
    email.len() >= 3 && email.contains('@') && !email.contains(' ')
}

pub async fn sign_out(ctx: RequestContext, headers: HeaderMap) -> AppResult<Response> {
    let cookie = web::read_cookie(&headers, RESIDENT_COOKIE)
        .and_then(|v| crate::auth::session::SessionCookie::parse(&v))
        .filter(|cookie| cookie.tenant_id == ctx.tenant.id);
    if let Some(cookie) = cookie {
        let mut tx = ctx.tx().await?;
        residents::end_session(&mut tx, &cookie.token_hash).await?;
        tx.commit().await?;
    }
    let secure = ctx.config().secure_cookies;
    let mut response = Redirect::to(&residents::sign_in_path(&ctx.tenant.slug)).into_response();
    let set = response.headers_mut();
    set.append(header::SET_COOKIE, web::clear_cookie(RESIDENT_COOKIE, secure));
    set.append(
        header::SET_COOKIE,
        web::set_cookie(FLASH_COOKIE, "flash.logged_out", secure),
    );
    Ok(response)
}

/// A new sign-in code for the resident, shown once on a card to print or hand over.
pub async fn issue_code(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    user.require_any_hiding(CODE_ROLES)?;
    let mut tx = ctx.tx().await?;
    let name = residents::name(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let IssuedCode { code, expires_on } = residents::issue_code(&mut tx, ctx.secrets(), id, user.id).await?;
    audit::record_for_resident(
        &mut tx,
        &Actor::user(&user, ctx.client_ip),
        AuditKind::ResidentCodeIssued,
        id,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    let mut response = web::render(&CodePage {
        resident_id: id,
        resident_name: name,
        code,
        expires_on: format_date(expires_on),
        sign_in_address: format!("{}/{}/mijn/activeren", ctx.public_base(), ctx.tenant.slug),
        l: ctx.layout(),
    })?;
    // Shown once: not to be kept by the browser or anything in between.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
