//! Referrals (doorverwijzingen): from a case, the lead asks one member organisation, or every
//! organisation offering a service, to take on part of the support. Only what the resident
//! consented to share is sent (the consent ledger); the organisation's staff pick it up in
//! their inbox, report back, and every step is timestamped, attributed and visible on the case.

pub mod consent;
pub mod costs;
pub mod inbox;
pub mod lead_contact;
pub mod notifications;
pub mod referral;
pub mod stats;
mod target;
pub mod waiting;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};

use crate::auth::Role;
use crate::referrals::inbox::KeptInboxes;
use crate::shared::choices::choice;
use crate::web::layout::NavEntry;

choice!(
    /// Where a referral stands.
    ReferralStatus {
        Sent => "verstuurd",
        Accepted => "geaccepteerd",
        Declined => "afgewezen",
        Started => "gestart",
        Finished => "afgerond",
        Returned => "teruggegeven",
        Withdrawn => "ingetrokken",
    }
);

impl ReferralStatus {
    /// Still waiting for, or being worked on by, the organisation.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReferralStatus::Sent | ReferralStatus::Accepted | ReferralStatus::Started
        )
    }
}

choice!(
    /// Why an organisation does not take a referral on.
    DeclineReason {
        NoCapacity => "geen_capaciteit",
        NotOurOffer => "past_niet",
        Unreachable => "niet_bereikbaar",
        ResidentUnwilling => "wil_niet",
        Other => "anders",
    }
);

choice!(
    /// How a finished referral turned out.
    Outcome { Succeeded => "geslaagd", Failed => "niet_geslaagd" }
);

/// Who sees the referral overview and the organisations' figures.
pub const OVERVIEW_ROLES: &[Role] = &[Role::Admin, Role::ProcessManager];

pub const INBOX_NAV: NavEntry = NavEntry {
    path: waiting::INBOX_PATH,
    label_key: "nav.inbox",
    roles: &[Role::Member],
};

pub const OVERVIEW_NAV: NavEntry = NavEntry {
    path: "/referrals/overview",
    label_key: "nav.referral_overview",
    roles: OVERVIEW_ROLES,
};

pub const NOTIFICATIONS_NAV: NavEntry = NavEntry {
    path: waiting::NOTIFICATIONS_PATH,
    label_key: "nav.notifications",
    roles: &Role::ALL,
};

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<KeptInboxes>: FromRef<S>,
{
    Router::new()
        .route("/{tenant}/inbox", get(web::inbox::inbox))
        .route("/{tenant}/referrals/overview", get(web::overview::overview))
        .route(
            "/{tenant}/referrals/{id}",
            get(web::member_referral::member_referral),
        )
        .route(
            "/{tenant}/referrals/{id}/accept",
            post(web::member_referral::accept),
        )
        .route(
            "/{tenant}/referrals/{id}/decline",
            post(web::member_referral::decline),
        )
        .route(
            "/{tenant}/referrals/{id}/start",
            post(web::member_referral::start),
        )
        .route(
            "/{tenant}/referrals/{id}/finish",
            post(web::member_referral::finish),
        )
        .route(
            "/{tenant}/referrals/{id}/return",
            post(web::member_referral::give_back),
        )
        .route(
            "/{tenant}/referrals/{id}/notes",
            post(web::member_referral::member_note),
        )
        .route(
            "/{tenant}/cases/{id}/referrals",
            get(web::case_referrals::referral_form).post(web::case_referrals::send),
        )
        .route(
            "/{tenant}/cases/{id}/referrals/{referral}",
            get(web::case_referrals::case_referral),
        )
        .route(
            "/{tenant}/cases/{id}/referrals/{referral}/withdraw",
            post(web::case_referrals::withdraw),
        )
        .route(
            "/{tenant}/cases/{id}/referrals/{referral}/notes",
            post(web::case_referrals::lead_note),
        )
        .route(
            "/{tenant}/notifications",
            get(web::notifications::notifications).post(web::notifications::notifications_read),
        )
}
