//! Running a cooperative without a command line: users, invitations, settings, residents'
//! requests to see their data, and the retention of files past their term.
//! Every page here is for administrators only.

pub mod privacy;
mod privacy_search;
pub mod retention;
mod settings;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};

use crate::auth::Role;
use crate::mail::Mailer;
use crate::web::layout::NavEntry;

pub use settings::working_calendar;

pub const USERS_NAV: NavEntry = NavEntry {
    path: "/admin/users",
    label_key: "nav.users",
    roles: &[Role::Admin],
};

pub const PRIVACY_NAV: NavEntry = NavEntry {
    path: "/admin/privacy",
    label_key: "nav.privacy",
    roles: &[Role::Admin],
};

pub const SETTINGS_NAV: NavEntry = NavEntry {
    path: "/admin/settings",
    label_key: "nav.settings",
    roles: &[Role::Admin],
};

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Mailer>: FromRef<S>,
{
    Router::new()
        .route("/{tenant}/admin/users", get(users::list).post(users::invite))
        .route("/{tenant}/admin/users/new", get(users::invite_form))
        .route("/{tenant}/admin/users/{id}", get(users::show))
        .route("/{tenant}/admin/users/{id}/roles", post(users::change_roles))
        .route("/{tenant}/admin/users/{id}/deactivate", post(users::deactivate))
        .route("/{tenant}/admin/users/{id}/reactivate", post(users::reactivate))
        .route(
            "/{tenant}/admin/users/{id}/password-reset",
            post(users::issue_password_reset),
        )
        .route(
            "/{tenant}/admin/users/{id}/second-factor/reset",
            post(users::reset_second_factor),
        )
        .route(
            "/{tenant}/admin/settings",
            get(settings::show).post(settings::save),
        )
        .route(
            "/{tenant}/admin/settings/closing-days",
            post(settings::add_closing_day),
        )
        .route(
            "/{tenant}/admin/settings/closing-days/{day}/delete",
            post(settings::remove_closing_day),
        )
        .route(
            "/{tenant}/admin/settings/destinations",
            post(settings::add_destination),
        )
        .route(
            "/{tenant}/admin/settings/destinations/{id}/toggle",
            post(settings::toggle_destination),
        )
        .route("/{tenant}/admin/privacy", get(privacy_search::search))
        .route("/{tenant}/admin/residents/{id}/privacy", get(privacy::page))
        .route(
            "/{tenant}/admin/residents/{id}/privacy.json",
            get(privacy::download),
        )
}
