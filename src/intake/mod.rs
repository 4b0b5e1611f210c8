//! The intake desk (loket): residents, their requests for help, and triage.
//!
//! Every read of a resident's file and every change is written to the audit log.

pub mod household;
mod prefill;
pub mod requests;
pub mod residents;
pub mod search;
pub mod triage;
pub mod values;
mod web;

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
        .route("/{tenant}/desk", get(web::desk::desk))
        .route(
            "/{tenant}/residents",
            get(web::desk::search).post(web::residents::create_resident),
        )
        .route("/{tenant}/residents/new", get(web::residents::new_resident))
        .route(
            "/{tenant}/residents/{id}",
            get(web::residents::resident).post(web::residents::update_resident),
        )
        .route(
            "/{tenant}/residents/{id}/edit",
            get(web::residents::edit_resident),
        )
        .route("/{tenant}/residents/{id}/card", get(web::residents::contact_card))
        .route("/{tenant}/residents/{id}/bsn", post(web::residents::show_bsn))
        .route(
            "/{tenant}/residents/{id}/household",
            post(web::residents::link_household),
        )
        .route(
            "/{tenant}/residents/{id}/requests",
            get(web::requests::new_request).post(web::requests::create_request),
        )
        .route("/{tenant}/requests/{id}", get(web::requests::request))
        .route("/{tenant}/requests/{id}/triage", post(web::requests::triage))
        .route(
            "/{tenant}/requests/{id}/follow-up",
            post(web::requests::follow_up),
        )
        .route(
            "/{tenant}/requests/{id}/resident",
            post(web::requests::link_resident),
        )
        .route(
            "/{tenant}/hulpvraag",
            get(web::online::online_form).post(web::online::online_submit),
        )
}

/// The words of a search, lower-cased, split at spaces and punctuation as the database splits
/// a resident's words (`search_words`, migration 0027): "Müller-Çelik" is "müller" and "çelik".
/// Accents are folded by the database.
pub fn search_words(raw: &str) -> Vec<String> {
    raw.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
