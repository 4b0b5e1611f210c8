//! Figures for the cooperative and the municipality: the dashboard with its charts, the lists
//! behind each number, CSV exports and the annual report for the council.

pub mod charts;
pub mod dashboard;
pub mod figures;
mod handlers;
pub mod kept;
pub mod lists;
pub mod period;

use axum::Router;
use axum::routing::get;

use crate::auth::Role;
use crate::web::layout::NavEntry;

/// Who sees the dashboard.
pub const VIEW_ROLES: &[Role] = &[Role::Admin, Role::Chair, Role::ProcessManager];
/// Who may follow a number to the requests, cases or referrals behind it. The chair governs
/// and sees figures only, as the municipality does.
pub const LIST_ROLES: &[Role] = &[Role::Admin, Role::ProcessManager];

pub const NAV: NavEntry = NavEntry {
    path: "/reports",
    label_key: "nav.reports",
    roles: VIEW_ROLES,
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/reports", get(handlers::dashboard))
        .route("/{tenant}/reports/annual", get(handlers::annual))
        .route("/{tenant}/reports/export/{table}", get(handlers::export))
        .route("/{tenant}/reports/requests", get(handlers::requests))
        .route("/{tenant}/reports/cases", get(handlers::cases))
        .route("/{tenant}/reports/referrals", get(handlers::referrals))
}
