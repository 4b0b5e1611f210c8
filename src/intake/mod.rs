//! The intake desk (loket): residents, their requests for help, and triage.
//!
//! Every read of a resident's file and every change is written to the audit log.

mod handlers;
pub mod requests;
pub mod residents;
pub mod values;

use axum::Router;
use axum::routing::{get, post};

use crate::auth::Role;
use crate::web::layout::NavEntry;

/// Who works at the desk and may open residents' files there.
pub const DESK_ROLES: &[Role] = &[Role::Desk, Role::Professional, Role::ProcessManager];

pub const DESK_NAV: NavEntry = NavEntry {
    path: "/desk",
    label_key: "nav.desk",
    roles: DESK_ROLES,
};

pub const RESIDENTS_NAV: NavEntry = NavEntry {
    path: "/residents",
    label_key: "nav.residents",
    roles: DESK_ROLES,
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/desk", get(handlers::desk))
        .route(
            "/{tenant}/residents",
            get(handlers::search).post(handlers::create_resident),
        )
        .route("/{tenant}/residents/new", get(handlers::new_resident))
        .route(
            "/{tenant}/residents/{id}",
            get(handlers::resident).post(handlers::update_resident),
        )
        .route("/{tenant}/residents/{id}/edit", get(handlers::edit_resident))
        .route("/{tenant}/residents/{id}/card", get(handlers::contact_card))
        .route("/{tenant}/residents/{id}/bsn", post(handlers::show_bsn))
        .route(
            "/{tenant}/residents/{id}/household",
            post(handlers::link_household),
        )
        .route(
            "/{tenant}/residents/{id}/requests",
            get(handlers::new_request).post(handlers::create_request),
        )
        .route("/{tenant}/requests/{id}", get(handlers::request))
        .route("/{tenant}/requests/{id}/triage", post(handlers::triage))
        .route("/{tenant}/requests/{id}/follow-up", post(handlers::follow_up))
        .route("/{tenant}/requests/{id}/resident", post(handlers::link_resident))
        .route(
            "/{tenant}/hulpvraag",
            get(handlers::online_form).post(handlers::online_submit),
        )
}

/// The words of a search, lower-cased; accents are folded by the database.
pub fn search_words(raw: &str) -> Vec<String> {
    raw.split_whitespace().map(str::to_lowercase).collect()
}
