//! Who is using Schakel: users and their roles, passwords, sessions, login and logout.

mod devices;
mod handlers;
pub mod links;
pub mod password;
mod resident_pages;
pub mod residents;
pub mod second_factor;
pub mod secrets;
pub mod session;
pub mod throttle;
pub mod tokens;
mod two_factor_pages;
pub mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use uuid::Uuid;

use crate::error::AppError;
use crate::mail::Mailer;
use crate::web::context::RequestContext;
use crate::web::i18n::Lang;
pub use links::check_new_password;
pub use session::Stage;

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Mailer>: FromRef<S>,
{
    Router::new()
        .route("/{tenant}/login", get(handlers::login_form).post(handlers::login))
        .route("/{tenant}/logout", post(handlers::logout))
        .route(
            "/{tenant}/login/code",
            get(two_factor_pages::code_form).post(two_factor_pages::check_code),
        )
        .route(
            "/{tenant}/account/two-factor",
            get(two_factor_pages::enrol_form).post(two_factor_pages::confirm_enrolment),
        )
        .route(
            "/{tenant}/password-forgotten",
            get(links::forgotten_form).post(links::forgotten),
        )
        .route(
            "/{tenant}/invitation/{token}",
            get(links::invitation_form).post(links::accept_invitation),
        )
        .route(
            "/{tenant}/password-reset/{token}",
            get(links::reset_form).post(links::reset_password),
        )
        .route(
            "/{tenant}/mijn/inloggen",
            get(resident_pages::sign_in_form).post(resident_pages::sign_in),
        )
        .route(
            "/{tenant}/mijn/activeren",
            get(resident_pages::activate_form).post(resident_pages::activate),
        )
        .route("/{tenant}/mijn/uitloggen", post(resident_pages::sign_out))
        .route("/{tenant}/mijn/inloglink", post(resident_pages::send_link))
        .route(
            "/{tenant}/mijn/inloglink/{token}",
            get(resident_pages::link_form).post(resident_pages::use_link),
        )
        .route(
            "/{tenant}/residents/{id}/inlogcode",
            post(resident_pages::issue_code),
        )
}

/// What a user may do. A user holds one or more roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Baliemedewerker: registers requests at the desk.
    Desk,
    /// Professional of the social team.
    Professional,
    /// Procesmanager zorg en veiligheid: coordinates the heaviest cases.
    ProcessManager,
    /// Staff of a member organisation.
    Member,
    /// Beheerder / secretariaat of the cooperative.
    Admin,
    /// Voorzitter: chairs the general assembly.
    Chair,
    /// Penningmeester: keeps the cooperative's money.
    Treasurer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Desk,
        Role::Professional,
        Role::ProcessManager,
        Role::Member,
        Role::Admin,
        Role::Chair,
        Role::Treasurer,
    ];

    /// The name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Desk => "desk",
            Role::Professional => "professional",
            Role::ProcessManager => "process_manager",
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Chair => "chair",
            Role::Treasurer => "treasurer",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Desk => "role.desk",
            Role::Professional => "role.professional",
            Role::ProcessManager => "role.process_manager",
            Role::Member => "role.member",
            Role::Admin => "role.admin",
            Role::Chair => "role.chair",
            Role::Treasurer => "role.treasurer",
        }
    }
}

/// The logged-in user of this request. Extracting it from a request without a session sends
/// the visitor to the login page, and back here afterwards.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub language: Option<Lang>,
    /// The member organisation a `member` user works for.
    pub organisation_id: Option<Uuid>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Forbidden unless the user holds at least one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if self.roles.iter().any(|role| roles.contains(role)) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Like [`CurrentUser::require_any`], for residents' files and cases: a member
    /// organisation's staff are told nothing is there (404), since even a refusal would confirm
    /// to someone outside the cooperative's staff that a file exists.
    pub fn require_any_hiding(&self, roles: &[Role]) -> Result<(), AppError> {
        let outsider = self.has(Role::Member)
            && self
                .roles
                .iter()
                .all(|role| matches!(role, Role::Member | Role::Chair));
        match self.require_any(roles) {
            Err(_) if outsider => Err(AppError::NotFound),
            checked => checked,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestContext::from_request_parts(parts, state).await?;
        if let Some(user) = &ctx.user {
            return Ok(user.clone());
        }
        // A resident signed in on their own pages has no business on a staff page.
        if ctx.pending.is_none() && residents::carries_resident_cookie(parts, ctx.tenant.id) {
            return Err(AppError::Forbidden);
        }
        let login_path = match &ctx.pending {
            Some((_, Stage::NeedsCode)) => format!("/{}/login/code", ctx.tenant.slug),
            Some((_, Stage::NeedsEnrolment)) => format!("/{}/account/two-factor", ctx.tenant.slug),
            _ => ctx.login_path_returning_here(),
        };
        Err(AppError::LoginRequired { login_path })
    }
}

/// A user whose password was accepted but whose second factor is still due (or who is fully
/// logged in and sets up a second factor of their own accord).
pub struct LoginInProgress {
    pub user: CurrentUser,
    pub stage: Stage,
}

impl<S: Send + Sync> FromRequestParts<S> for LoginInProgress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestContext::from_request_parts(parts, state).await?;
        match (&ctx.user, &ctx.pending) {
            (Some(user), _) => Ok(LoginInProgress {
                user: user.clone(),
                stage: Stage::Active,
            }),
            (None, Some((user, stage))) => Ok(LoginInProgress {
                user: user.clone(),
                stage: *stage,
            }),
            (None, None) if residents::carries_resident_cookie(parts, ctx.tenant.id) => {
                Err(AppError::Forbidden)
            }
            (None, None) => Err(AppError::LoginRequired {
                login_path: ctx.login_path(),
            }),
        }
    }
}
