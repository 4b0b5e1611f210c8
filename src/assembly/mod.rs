//! The general assembly (algemene ledenvergadering): the statute rules, meetings and their
//! agendas, who represents each member, attendance and proxies, polls, the decision list and the
//! minutes. Administrators prepare meetings and act as secretary, the chair leads them, and each
//! member organisation votes through its authorised representative. Governance never reaches
//! residents' files: nothing in this module reads residents, requests or cases.

pub mod agenda;
pub mod attendance;
pub mod decisions;
mod handlers;
pub mod meetings;
pub mod minutes;
pub mod polls;
pub mod proposals;
pub mod representatives;
pub mod rules;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::auth::Role;
use crate::shared::choices::choice;
use crate::web::layout::NavEntry;

/// Who may read the assembly's meetings and decisions.
pub const READ_ROLES: &[Role] = &[Role::Admin, Role::Chair, Role::Member];
/// Who prepares meetings and keeps the record (the secretary's work).
pub const SECRETARY_ROLES: &[Role] = &[Role::Admin];
/// Who leads a meeting: opens and closes it and its polls.
pub const CHAIR_ROLES: &[Role] = &[Role::Chair];

pub const NAV: NavEntry = NavEntry {
    path: "/assembly",
    label_key: "nav.assembly",
    roles: READ_ROLES,
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/{tenant}/assembly",
            get(handlers::meetings).post(handlers::create_meeting),
        )
        .route("/{tenant}/assembly/new", get(handlers::new_meeting))
        .route(
            "/{tenant}/assembly/rules",
            get(handlers::rules).post(handlers::update_rules),
        )
        .route(
            "/{tenant}/assembly/representatives",
            get(handlers::representatives),
        )
        .route(
            "/{tenant}/assembly/representatives/new",
            post(handlers::add_representative),
        )
        .route(
            "/{tenant}/assembly/representatives/{id}/end",
            post(handlers::end_representative),
        )
        .route("/{tenant}/assembly/decisions", get(handlers::decisions))
        .route("/{tenant}/assembly/decisions.csv", get(handlers::decisions_csv))
        .route("/{tenant}/assembly/decisions/{id}", get(handlers::decision))
        .route(
            "/{tenant}/assembly/decisions/{id}/actions",
            post(handlers::add_action),
        )
        .route(
            "/{tenant}/assembly/decisions/{id}/appeal",
            post(handlers::record_appeal),
        )
        .route(
            "/{tenant}/assembly/decisions/{id}/actions/{action}",
            post(handlers::update_action),
        )
        .route(
            "/{tenant}/assembly/proposals/{id}/promote",
            post(handlers::promote_proposal),
        )
        .route(
            "/{tenant}/assembly/{id}",
            get(handlers::meeting).post(handlers::update_meeting),
        )
        .route("/{tenant}/assembly/{id}/edit", get(handlers::edit_meeting))
        .route(
            "/{tenant}/assembly/{id}/status",
            post(handlers::change_meeting_status),
        )
        .route("/{tenant}/assembly/{id}/copy", post(handlers::copy_agenda))
        .route("/{tenant}/assembly/{id}/items", post(handlers::add_item))
        .route(
            "/{tenant}/assembly/{id}/items/{item}",
            get(handlers::edit_item).post(handlers::update_item),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/move",
            post(handlers::move_item),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/remove",
            post(handlers::remove_item),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/notes",
            post(handlers::item_notes),
        )
        .route(
            "/{tenant}/assembly/{id}/documents",
            post(handlers::upload_document)
                .layer(DefaultBodyLimit::max(agenda::MAX_DOCUMENT_BYTES + 64 * 1024)),
        )
        .route(
            "/{tenant}/assembly/{id}/documents/{document}",
            get(handlers::download_document),
        )
        .route(
            "/{tenant}/assembly/{id}/attendance",
            post(handlers::record_attendance),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/polls",
            post(handlers::open_poll),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}",
            get(handlers::poll).post(handlers::cast_vote),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}/close",
            post(handlers::close_poll),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}/declare",
            post(handlers::declare_result),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}/challenge",
            post(handlers::challenge_result),
        )
        .route(
            "/{tenant}/assembly/{id}/minutes",
            get(handlers::minutes).post(handlers::draft_minutes),
        )
        .route(
            "/{tenant}/assembly/{id}/minutes/approve",
            post(handlers::approve_minutes),
        )
        .route(
            "/{tenant}/assembly/{id}/minutes/adopt",
            post(handlers::adopt_minutes),
        )
}

choice!(
    /// Where a meeting stands: prepared, convened (agenda published), in session, closed, and
    /// finally with its minutes adopted by a later meeting.
    MeetingStatus {
        Draft => "concept",
        Convened => "uitgeschreven",
        Open => "geopend",
        Closed => "gesloten",
        MinutesAdopted => "notulen_vastgesteld",
    }
);

choice!(
    /// What an agenda item asks of the assembly.
    ItemKind { Announcement => "mededeling", Discussion => "bespreking", Decision => "besluit" }
);

choice!(
    /// What a decision is about; the statutes set a majority per kind.
    DecisionKind {
        Ordinary => "gewoon",
        Statutes => "statutenwijziging",
        Admission => "toelating",
        Expulsion => "ontzetting",
        Notice => "opzegging",
    }
);

impl DecisionKind {
    /// Whether the decision is about one member and changes the member register.
    pub fn concerns_member(self) -> bool {
        matches!(
            self,
            DecisionKind::Admission | DecisionKind::Expulsion | DecisionKind::Notice
        )
    }
}

choice!(
    /// The share of the votes cast a proposal needs.
    Majority {
        Simple => "meerderheid",
        TwoThirds => "twee_derde",
        ThreeQuarters => "drie_kwart",
        Unanimous => "unaniem",
    }
);

choice!(
    /// How a member takes part in a meeting.
    Presence { Present => "aanwezig", Proxy => "volmacht", Excused => "afwezig_met_bericht" }
);

choice!(
    /// A vote.
    VoteChoice { For => "voor", Against => "tegen", Abstain => "onthouding" }
);
