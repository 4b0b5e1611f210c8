//! Pages behind one-time links (invitation, password reset) and "wachtwoord vergeten".

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, Actor, AuditKind, Subject};
use crate::auth::password::NewPassword;
use crate::auth::throttle;
use crate::auth::tokens::{self, Purpose};
use crate::auth::users::{self, Email};
use crate::error::AppResult;
use crate::mail::Mailer;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Form;
use crate::web::layout::{FormErrors, Layout};

/// The full link for `token`, emailed to its holder when mail is configured: `None` when it
/// is not, else whether sending worked.
pub async fn deliver(
    mailer: &Mailer,
    ctx: &RequestContext,
    purpose: Purpose,
    token: &str,
    name: &str,
    email: &str,
) -> (String, Option<bool>) {
    let link = format!(
        "{}/{}/{}/{token}",
        ctx.public_base(),
        ctx.tenant.slug,
        purpose.path()
    );
    if !mailer.is_enabled() {
        return (link, None);
    }
    let (subject_key, body_key) = match purpose {
        Purpose::Invitation => ("mail.invitation.subject", "mail.invitation.body"),
        Purpose::PasswordReset => ("mail.reset.subject", "mail.reset.body"),
    };
    // The recipient's language is not known yet: the cooperative's own is the best guess.
    let lang = ctx.tenant.default_language;
    let hours = tokens::VALID_HOURS.to_string();
    let args = [
        ("name", name),
        ("cooperative", ctx.tenant.name.as_str()),
        ("link", link.as_str()),
        ("hours", hours.as_str()),
    ];
    let subject = lang.tf(subject_key, &args);
    let body = lang.tf(body_key, &args).replace("\\n", "\n");
    match mailer.send(name, email, &subject, body).await {
        Ok(sent) => (link, Some(sent)),
        Err(error) => {
            tracing::error!(%error, "could not send email");
            (link, Some(false))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/set_password.html")]
struct SetPasswordPage {
    l: Layout,
    heading_key: &'static str,
    name: String,
    email: String,
    valid: bool,
    errors: FormErrors,
}

fn heading(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Invitation => "links.invitation.heading",
        Purpose::PasswordReset => "links.reset.heading",
    }
}

async fn show(ctx: RequestContext, token: String, purpose: Purpose) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let holder = tokens::holder(&mut tx, &token, purpose).await?;
    tx.commit().await?;
    let status = if holder.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    web::render_with_status(
        status,
        &SetPasswordPage {
            heading_key: heading(purpose),
            valid: holder.is_some(),
            name: holder.as_ref().map(|h| h.name.clone()).unwrap_or_default(),
            email: holder.map(|h| h.email).unwrap_or_default(),
            errors: FormErrors::default(),
            l: ctx.layout(),
        },
    )
}

pub async fn invitation_form(
    ctx: RequestContext,
    Path((_, token)): Path<(String, String)>,
) -> AppResult<Response> {
    show(ctx, token, Purpose::Invitation).await
}

pub async fn reset_form(
    ctx: RequestContext,
    Path((_, token)): Path<(String, String)>,
) -> AppResult<Response> {
    show(ctx, token, Purpose::PasswordReset).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// Checks a new password and its repetition, with a message per field.
pub fn check_new_password(
    password: &str,
    confirmation: &str,
    errors: &mut FormErrors,
) -> Option<NewPassword> {
    match NewPassword::parse(password) {
        Err(_) => {
            errors.field("password", "password.error.too_short");
            None
        }
        Ok(_) if password != confirmation => {
            errors.field("confirmation", "password.error.mismatch");
            None
        }
        Ok(new) => Some(new),
    }
}

async fn redeem(
    ctx: RequestContext,
    token: String,
    purpose: Purpose,
    form: PasswordForm,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let Some(holder) = tokens::holder(&mut tx, &token, purpose).await? else {
        tx.commit().await?;
        return show(ctx, token, purpose).await;
    };
    let mut errors = FormErrors::default();
    if let Some(password) = check_new_password(&form.password, &form.confirmation, &mut errors) {
        users::set_password(&mut tx, holder.user_id, password).await?;
        tokens::mark_used(&mut tx, &token).await?;
        // The link proves who this is: guesses made at the account no longer slow it down.
        throttle::forgive_account(&mut tx, &holder.email).await?;
        let kind = match purpose {
            Purpose::Invitation => AuditKind::InvitationAccepted,
            Purpose::PasswordReset => AuditKind::PasswordResetCompleted,
        };
        let actor = Actor::named(Some(holder.user_id), &holder.name, ctx.client_ip);
        let subject = Subject {
            id: holder.user_id,
            name: &holder.name,
        };
        audit::record(&mut tx, &actor, kind, Some(subject), json!({})).await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(&ctx.login_path(), "flash.password_set"));
    }
    tx.commit().await?;
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SetPasswordPage {
            heading_key: heading(purpose),
            valid: true,
            name: holder.name,
            email: holder.email,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn accept_invitation(
    ctx: RequestContext,
    Path((_, token)): Path<(String, String)>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    redeem(ctx, token, Purpose::Invitation, form).await
}

pub async fn reset_password(
    ctx: RequestContext,
    Path((_, token)): Path<(String, String)>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    redeem(ctx, token, Purpose::PasswordReset, form).await
}

#[derive(Template)]
#[template(path = "auth/forgotten.html")]
struct ForgottenPage {
    l: Layout,
    email: String,
    sent: bool,
    errors: FormErrors,
}

pub async fn forgotten_form(ctx: RequestContext) -> AppResult<Response> {
    web::render(&ForgottenPage {
        email: String::new(),
        sent: false,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

#[derive(Deserialize)]
pub struct ForgottenForm {
    #[serde(default)]
    email: String,
}

/// Always answers the same, whether or not the address is known. The request is recorded in
/// the audit log, where administrators see it and can send a reset link.
pub async fn forgotten(
    State(mailer): State<Arc<Mailer>>,
    ctx: RequestContext,
    Form(form): Form<ForgottenForm>,
) -> AppResult<Response> {
    let Some(email) = Email::parse(&form.email) else {
        let mut errors = FormErrors::default();
        errors.field("email", "users.error.email");
        return web::render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgottenPage {
                email: form.email,
                sent: false,
                errors,
                l: ctx.layout(),
            },
        );
    };
    let mut tx = ctx.tx().await?;
    let mut send = None;
    if let Some(user) = users::find_active_by_email(&mut tx, &email).await?
        && !user.invited
    {
        // With mail, the link goes straight to the user (at most one every few minutes, so the
        // form cannot flood a mailbox); without, administrators see the request in the log.
        let mailed =
            mailer.is_enabled() && !tokens::recently_issued(&mut tx, user.id, Purpose::PasswordReset).await?;
        if mailed {
            send = Some((
                tokens::issue(&mut tx, user.id, Purpose::PasswordReset).await?,
                user.name.clone(),
                user.email.clone(),
            ));
        }
        audit::record(
            &mut tx,
            &Actor::anonymous(ctx.client_ip),
            AuditKind::PasswordResetRequested,
            Some(Subject {
                id: user.id,
                name: &user.name,
            }),
            json!({ "emailed": mailed }),
        )
        .await?;
    }
    tx.commit().await?;
    if let Some((token, name, email)) = send {
        deliver(&mailer, &ctx, Purpose::PasswordReset, &token, &name, &email).await;
    }
    web::render(&ForgottenPage {
        email: String::new(),
        sent: true,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}
