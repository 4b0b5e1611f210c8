use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind, Subject};
use crate::auth::links;
use crate::auth::tokens::{self, Purpose};
use crate::auth::users::{self, AdminRuleError, CreateUserError, Email, UserSummary};
use crate::auth::{CurrentUser, Role, second_factor};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use crate::members::register::{self, OrganisationOption};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, Query};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserSummary>,
    q: String,
    pagination: Pagination,
}

/// Admins only; returns the admin for auditing.
fn admin(user: CurrentUser) -> AppResult<CurrentUser> {
    user.require_any(&[Role::Admin])?;
    Ok(user)
}

pub async fn list(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    admin(user)?;
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let mut found = users::list(&mut tx, &query.q, page).await?;
    let total = users::count(&mut tx, &query.q).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut found, users::PAGE_SIZE);
    let base = format!(
        "/{}/admin/users?q={}",
        ctx.tenant.slug,
        web::query_encode(&query.q)
    );
    web::render(&UsersPage {
        users: found,
        q: query.q,
        pagination: Pagination::new(base, page, users::PAGE_SIZE, has_next, total),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage {
    l: Layout,
    email: String,
    name: String,
    roles: Vec<Role>,
    all_roles: [Role; 7],
    /// The member organisations staff can be invited for, and the one chosen (as typed).
    organisations: Vec<OrganisationOption>,
    organisation: String,
    errors: FormErrors,
}

pub async fn invite_form(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(user)?;
    let mut tx = ctx.tx().await?;
    let organisations = register::choices(&mut tx, &[]).await?;
    tx.commit().await?;
    web::render(&InvitePage {
        email: String::new(),
        name: String::new(),
        roles: Vec::new(),
        all_roles: Role::ALL,
        organisations,
        organisation: String::new(),
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "admin/link.html")]
struct LinkPage {
    l: Layout,
    heading_key: &'static str,
    intro: String,
    link: String,
    mail_key: Option<&'static str>,
    user_href: String,
}

fn roles_from(fields: &Fields) -> Vec<Role> {
    let mut roles: Vec<Role> = fields.get_all("roles").filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

pub async fn invite(
    State(mailer): State<Arc<Mailer>>,
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let admin = admin(user)?;
    let name = fields.get("name").trim().to_owned();
    let roles = roles_from(&fields);
    let mut errors = fields.errors();
    let email = Email::parse(fields.get("email"));
    if email.is_none() {
        errors.field("email", "users.error.email");
    }
    if name.is_empty() {
        errors.field("name", "users.error.name");
    }
    if roles.is_empty() {
        errors.field("roles", "users.error.roles");
    }
    let mut tx = ctx.tx().await?;
    let organisations = register::choices(&mut tx, &[]).await?;
    // Staff of a member organisation see only what their organisation receives: without one
    // they could do nothing, so the organisation is part of their invitation.
    let chosen = organisations
        .iter()
        .find(|o| o.id.to_string() == fields.get("organisation"));
    match (
        roles.contains(&Role::Member),
        chosen,
        fields.get("organisation").is_empty(),
    ) {
        (true, None, _) => errors.field("organisation", "users.error.organisation"),
        (false, _, false) => errors.field("organisation", "users.error.organisation_role"),
        _ => {}
    }
    if let (Some(email), true) = (&email, errors.is_empty()) {
        match users::create_invited(&mut tx, email, &name, &roles, chosen.map(|o| o.id)).await? {
            Ok(id) => {
                let token = tokens::issue(&mut tx, id, Purpose::Invitation).await?;
                let roles_text: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                audit::record(
                    &mut tx,
                    &Actor::user(&admin, ctx.client_ip),
                    AuditKind::UserInvited,
                    Some(Subject { id, name: &name }),
                    json!({ "email": email.as_str(), "roles": roles_text, "organisation": chosen.map(|o| &o.name) }),
                )
                .await?;
                tx.commit().await?;
                return link_page(
                    &mailer,
                    &ctx,
                    Purpose::Invitation,
                    &token,
                    (id, &name, email.as_str()),
                )
                .await;
            }
            Err(CreateUserError::EmailTaken) => errors.field("email", "users.error.email_taken"),
            Err(other) => return Err(AppError::Internal(other.into())),
        }
    }
    tx.commit().await?;
    let page = InvitePage {
        email: fields.get("email").to_owned(),
        name,
        roles,
        all_roles: Role::ALL,
        organisation: fields.get("organisation").to_owned(),
        organisations,
        errors,
        l: ctx.layout(),
    };
    web::render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Shows a one-time link once, for the administrator to pass on, and emails it when mail
/// is configured.
async fn link_page(
    mailer: &Mailer,
    ctx: &RequestContext,
    purpose: Purpose,
    token: &str,
    user: (uuid::Uuid, &str, &str),
) -> AppResult<Response> {
    let (user_id, name, email) = user;
    let (heading_key, intro_key) = match purpose {
        Purpose::Invitation => ("users.link.invitation_heading", "users.link.invitation_intro"),
        Purpose::PasswordReset => ("users.link.reset_heading", "users.link.reset_intro"),
    };
    let (link, mailed) = links::deliver(mailer, ctx, purpose, token, name, email).await;
    let mail_key = match mailed {
        None => None,
        Some(true) => Some("users.link.mailed"),
        Some(false) => Some("users.link.mail_failed"),
    };
    web::render(&LinkPage {
        heading_key,
        intro: ctx.lang.tf(
            intro_key,
            &[("name", name), ("hours", &tokens::VALID_HOURS.to_string())],
        ),
        link,
        mail_key,
        user_href: format!("/{}/admin/users/{user_id}", ctx.tenant.slug),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    l: Layout,
    user: UserSummary,
    all_roles: [Role; 7],
    has_second_factor: bool,
    errors: FormErrors,
    is_self: bool,
}

async fn load_user(tx: &mut TenantTx, id: Uuid) -> AppResult<UserSummary> {
    users::find(tx, id).await?.ok_or(AppError::NotFound)
}

async fn render_user(
    mut tx: TenantTx,
    ctx: &RequestContext,
    admin: &CurrentUser,
    user: UserSummary,
    errors: FormErrors,
) -> AppResult<Response> {
    let has_second_factor = second_factor::is_enrolled(&mut tx, user.id).await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &UserPage {
            is_self: user.id == admin.id,
            user,
            all_roles: Role::ALL,
            has_second_factor,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn show(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    let admin = admin(user)?;
    let mut tx = ctx.tx().await?;
    let user = load_user(&mut tx, id).await?;
    render_user(tx, &ctx, &admin, user, FormErrors::default()).await
}

/// Records what an administrator did to a user.
async fn audit_about(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    admin: &CurrentUser,
    kind: AuditKind,
    target: &UserSummary,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    let subject = Subject {
        id: target.id,
        name: &target.name,
    };
    audit::record(
        tx,
        &Actor::user(admin, ctx.client_ip),
        kind,
        Some(subject),
        details,
    )
    .await
}

fn rule_error_key(error: AdminRuleError) -> &'static str {
    match error {
        AdminRuleError::LastAdmin => "users.error.last_admin",
        AdminRuleError::OwnAdminRole => "users.error.own_admin_role",
        AdminRuleError::SelfDeactivation => "users.error.self_deactivation",
        AdminRuleError::NoRoles => "users.error.roles",
    }
}

fn back_to_user(ctx: &RequestContext, user: &UserSummary, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("/{}/admin/users/{}", ctx.tenant.slug, user.id), flash)
}

pub async fn change_roles(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let admin = admin(user)?;
    let mut tx = ctx.tx().await?;
    let target = load_user(&mut tx, id).await?;
    let roles = roles_from(&fields);
    match users::set_roles(&mut tx, admin.id, &target, &roles).await? {
        Ok(()) => {
            let new: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            audit_about(
                &mut tx,
                &ctx,
                &admin,
                AuditKind::RolesChanged,
                &target,
                json!({ "old": target.roles, "new": new }),
            )
            .await?;
            tx.commit().await?;
            Ok(back_to_user(&ctx, &target, "flash.roles_changed"))
        }
        Err(rule) => {
            let mut errors = FormErrors::default();
            errors.field("roles", rule_error_key(rule));
            render_user(tx, &ctx, &admin, target, errors).await
        }
    }
}

async fn change_active(
    ctx: RequestContext,
    user: CurrentUser,
    id: Uuid,
    active: bool,
) -> AppResult<Response> {
    let admin = admin(user)?;
    let mut tx = ctx.tx().await?;
    let target = load_user(&mut tx, id).await?;
    match users::set_active(&mut tx, admin.id, &target, active).await? {
        Ok(()) => {
            let kind = if active {
                AuditKind::UserReactivated
            } else {
                AuditKind::UserDeactivated
            };
            audit_about(&mut tx, &ctx, &admin, kind, &target, json!({})).await?;
            tx.commit().await?;
            let flash = if active {
                "flash.user_reactivated"
            } else {
                "flash.user_deactivated"
            };
            Ok(back_to_user(&ctx, &target, flash))
        }
        Err(rule) => {
            let mut errors = FormErrors::default();
            errors.form(rule_error_key(rule));
            render_user(tx, &ctx, &admin, target, errors).await
        }
    }
}

pub async fn deactivate(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    change_active(ctx, user, id, false).await
}

pub async fn reactivate(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    change_active(ctx, user, id, true).await
}

pub async fn issue_password_reset(
    State(mailer): State<Arc<Mailer>>,
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let admin = admin(user)?;
    let mut tx = ctx.tx().await?;
    let target = load_user(&mut tx, id).await?;
    if !target.active {
        return Err(AppError::NotFound);
    }
    // An invited user who lost the link gets a fresh invitation instead.
    let purpose = if target.invited {
        Purpose::Invitation
    } else {
        Purpose::PasswordReset
    };
    let token = tokens::issue(&mut tx, target.id, purpose).await?;
    let kind = if target.invited {
        AuditKind::UserInvited
    } else {
        AuditKind::PasswordResetIssued
    };
    audit_about(&mut tx, &ctx, &admin, kind, &target, json!({})).await?;
    tx.commit().await?;
    link_page(
        &mailer,
        &ctx,
        purpose,
        &token,
        (target.id, &target.name, &target.email),
    )
    .await
}

pub async fn reset_second_factor(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let admin = admin(user)?;
    let mut tx = ctx.tx().await?;
    let target = load_user(&mut tx, id).await?;
    second_factor::remove(&mut tx, target.id).await?;
    audit_about(
        &mut tx,
        &ctx,
        &admin,
        AuditKind::SecondFactorReset,
        &target,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to_user(&ctx, &target, "flash.second_factor_reset"))
}
