//! Figures for the cooperative and the municipality: the dashboard with its charts, the lists
//! behind each number, CSV exports and the annual report for the council.

mod charts;
pub mod costs;
mod dashboard;
pub mod figures;
pub mod kept;
mod lists;
pub mod period;
mod web;

use axum::Router;
use axum::routing::get;

use crate::auth::Role;
use crate::web::layout::NavEntry;

/// Who sees the dashboard; the treasurer for what referrals cost.
pub const VIEW_ROLES: &[Role] = &[Role::Admin, Role::Chair, Role::ProcessManager, Role::Treasurer];
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
        .route("/{tenant}/reports", get(web::dashboard::dashboard))
        .route("/{tenant}/reports/annual", get(web::dashboard::annual))
        .route("/{tenant}/reports/export/{table}", get(web::dashboard::export))
        .route("/{tenant}/reports/requests", get(web::lists::requests))
        .route("/{tenant}/reports/cases", get(web::lists::cases))
        .route("/{tenant}/reports/referrals", get(web::lists::referrals))
}
