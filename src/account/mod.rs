//! "Mijn account": every user's own password, language and sessions.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::Role;
use crate::auth::session::{self, SessionInfo};
use crate::auth::{CurrentUser, password, second_factor, users};
use crate::error::AppResult;
use crate::web::context::RequestContext;
use crate::web::forms::Form;
use crate::web::i18n::Lang;
use crate::web::ids::PathId;
use crate::web::layout::NavEntry;
use crate::web::layout::{FormErrors, Layout};
use crate::web::{self};

pub const NAV: NavEntry = NavEntry {
    path: "/account",
    label_key: "nav.account",
    roles: &Role::ALL,
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/account", get(show))
        .route("/{tenant}/account/password", post(change_password))
        .route("/{tenant}/account/language", post(change_language))
        .route("/{tenant}/account/sessions/{id}/end", post(end_session))
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    l: Layout,
    email: String,
    language: String,
    sessions: Vec<SessionInfo>,
    has_second_factor: bool,
    errors: FormErrors,
}

async fn render(ctx: &RequestContext, user: &CurrentUser, errors: FormErrors) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let current = ctx.session_hash.clone().unwrap_or_default();
    let sessions = session::list_for_user(&mut tx, user.id, &current).await?;
    let has_second_factor = second_factor::is_enrolled(&mut tx, user.id).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &AccountPage {
            email: user.email.clone(),
            language: user.language.unwrap_or(ctx.lang).code().to_owned(),
            sessions,
            has_second_factor,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn show(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    render(&ctx, &user, FormErrors::default()).await
}

#[derive(Deserialize)]
struct PasswordChange {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

async fn change_password(
    ctx: RequestContext,
    user: CurrentUser,
    Form(form): Form<PasswordChange>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mut tx = ctx.tx().await?;
    let stored = users::find_for_login(&mut tx, &user.email)
        .await?
        .map(|c| c.password_hash);
    if !password::verify(form.current, stored).await? {
        errors.field("current", "account.error.current_password");
    }
    let new = crate::auth::check_new_password(&form.password, &form.confirmation, &mut errors);
    if let (Some(new), true) = (new, errors.is_empty()) {
        users::set_password(&mut tx, user.id, new).await?;
        audit::record(
            &mut tx,
            &Actor::user(&user, ctx.client_ip),
            AuditKind::PasswordChanged,
            None,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        // Every session ended with the old password, this one too: log in with the new one.
        return Ok(web::redirect_with_flash(
            &ctx.login_path(),
            "flash.password_changed",
        ));
    }
    tx.commit().await?;
    render(&ctx, &user, errors).await
}

#[derive(Deserialize)]
struct LanguageChange {
    #[serde(default)]
    language: String,
}

async fn change_language(
    ctx: RequestContext,
    user: CurrentUser,
    Form(form): Form<LanguageChange>,
) -> AppResult<Response> {
    let Some(lang) = Lang::from_code(&form.language) else {
        let mut errors = FormErrors::default();
        errors.field("language", "account.error.language");
        return render(&ctx, &user, errors).await;
    };
    let mut tx = ctx.tx().await?;
    users::set_language(&mut tx, user.id, lang).await?;
    audit::record(
        &mut tx,
        &Actor::user(&user, ctx.client_ip),
        AuditKind::LanguageChanged,
        None,
        json!({ "old": user.language.map(Lang::code), "new": lang.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/account", ctx.tenant.slug),
        "flash.language_changed",
    ))
}

async fn end_session(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    if !session::end_for_user(&mut tx, user.id, id).await? {
        return Err(crate::error::AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &Actor::user(&user, ctx.client_ip),
        AuditKind::SessionEnded,
        None,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/account", ctx.tenant.slug),
        "flash.session_ended",
    ))
}
