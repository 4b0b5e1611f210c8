//! The member register: the cooperative's member organisations, the services they offer (a
//! tenant-wide catalogue by domain and area), their staff, their membership status with its
//! history, and the working groups (werkateliers) they take part in. Administrators keep it;
//! the social team reads it to find who can help.

pub mod groups;
pub mod register;
pub mod services;
mod web;

use axum::Router;
use axum::routing::{get, post};

use crate::auth::Role;
use crate::shared::choices::choice;
use crate::web::layout::NavEntry;

/// Who may read the register and the service catalogue; only administrators change them.
pub const READ_ROLES: &[Role] = &[Role::Admin, Role::Professional, Role::ProcessManager, Role::Chair];

pub const MEMBERS_NAV: NavEntry = NavEntry {
    path: "/members",
    label_key: "nav.members",
    roles: READ_ROLES,
};

pub const SERVICES_NAV: NavEntry = NavEntry {
    path: "/services",
    label_key: "nav.services",
    roles: READ_ROLES,
};

pub const GROUPS_NAV: NavEntry = NavEntry {
    path: "/groups",
    label_key: "nav.groups",
    roles: &[Role::Admin, Role::Member],
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/{tenant}/members",
            get(web::register::organisations).post(web::register::create_organisation),
        )
        .route("/{tenant}/members/new", get(web::register::new_organisation))
        .route(
            "/{tenant}/members/{id}",
            get(web::register::organisation).post(web::register::update_organisation),
        )
        .route(
            "/{tenant}/members/{id}/edit",
            get(web::register::edit_organisation),
        )
        .route(
            "/{tenant}/members/{id}/status",
            post(web::register::change_status),
        )
        .route("/{tenant}/members/{id}/users", post(web::staff::link_user))
        .route(
            "/{tenant}/members/{id}/users/{user}/unlink",
            post(web::staff::unlink_user),
        )
        .route(
            "/{tenant}/services",
            get(web::services::catalogue).post(web::services::create_service),
        )
        .route("/{tenant}/services/new", get(web::services::new_service))
        .route(
            "/{tenant}/services/{id}",
            get(web::services::edit_service).post(web::services::update_service),
        )
        .route(
            "/{tenant}/groups",
            get(web::groups::groups).post(web::groups::create_group),
        )
        .route("/{tenant}/groups/new", get(web::groups::new_group))
        .route(
            "/{tenant}/groups/{id}",
            get(web::groups::group).post(web::groups::update_group),
        )
        .route("/{tenant}/groups/{id}/edit", get(web::groups::edit_group))
        .route("/{tenant}/groups/{id}/notes", post(web::groups::add_note))
        .route(
            "/{tenant}/groups/{id}/proposals",
            post(web::groups::submit_proposal),
        )
        .route("/{tenant}/groups/{id}/close", post(web::groups::close_group))
}

choice!(
    /// What kind of organisation a member is.
    OrganisationKind {
        ElderlyCare => "ouderenzorg",
        YouthCare => "jeugdhulp",
        HomeHelp => "thuishulp",
        Welfare => "welzijn",
        Church => "kerk",
        Volunteers => "vrijwilligers",
        Municipality => "gemeente",
        GeneralPractitioners => "huisartsen",
        Housing => "wonen",
        Other => "anders",
    }
);

choice!(
    /// Where a member stands in the cooperative. Staff of an organisation that has left
    /// (opgezegd, ontzet) can no longer log in; its history stays.
    /// A member is suspended (geschorst) while it may appeal against its expulsion.
    MemberStatus {
        Aspirant => "aspirant",
        Member => "lid",
        Suspended => "geschorst",
        Resigned => "opgezegd",
        Expelled => "ontzet",
    }
);

impl MemberStatus {
    /// Whether the organisation is still part of the cooperative: its staff can log in.
    pub fn is_current(self) -> bool {
        matches!(
            self,
            MemberStatus::Aspirant | MemberStatus::Member | MemberStatus::Suspended
        )
    }
}

/// Another organisation (or service) of this cooperative already has this name.
#[derive(Debug, PartialEq, Eq)]
pub struct NameTaken;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_members_that_left_are_not_current() {
        let current: Vec<_> = MemberStatus::ALL.iter().filter(|s| s.is_current()).collect();
        assert_eq!(
            current,
            [
                &MemberStatus::Aspirant,
                &MemberStatus::Member,
                &MemberStatus::Suspended
            ]
        );
        assert_eq!(OrganisationKind::Church.label_key(), "organisationkind.kerk");
        assert_eq!(MemberStatus::parse("ontzet"), Some(MemberStatus::Expelled));
    }
}
