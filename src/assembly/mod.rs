//! The general assembly (algemene ledenvergadering): the statute rules, meetings and their
//! agendas, who represents each member, attendance and proxies, polls, the decision list and the
//! minutes. Administrators prepare meetings and act as secretary, the chair leads them, and each
//! member organisation votes through its authorised representative. Governance never reaches
//! residents' files: nothing in this module reads residents, requests or cases.

pub mod agenda;
pub mod attendance;
pub mod decisions;
pub mod meetings;
pub mod minutes;
pub mod polls;
pub mod proposals;
pub mod representatives;
pub mod rules;
pub mod votes;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::auth::Role;
use crate::shared::choices::choice;
use crate::web::layout::NavEntry;

/// A meeting's document at its largest, and room for the form around it.
pub const UPLOAD_BODY_LIMIT: usize = agenda::MAX_DOCUMENT_BYTES + 64 * 1024;

/// The route that takes documents: it gets a larger body limit than the other routes.
pub fn upload_router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new().route(
        "/{tenant}/assembly/{id}/documents",
        post(web::documents::upload_document).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}

/// Who may read the assembly's meetings and decisions.
pub const READ_ROLES: &[Role] = &[Role::Admin, Role::Chair, Role::Member];
/// Who prepares meetings and keeps the record (the secretary's work).
pub const SECRETARY_ROLES: &[Role] = &[Role::Admin];
/// Who leads a meeting: opens and closes it and its polls.
pub const CHAIR_ROLES: &[Role] = &[Role::Chair];

/// The offices a user holds in the assembly, as their roles give them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Offices {
    /// Prepares meetings and keeps the record (an administrator).
    secretary: bool,
    /// Leads the meetings.
    chair: bool,
}

impl Offices {
    fn of(roles: &[Role]) -> Offices {
        Offices {
            secretary: roles.iter().any(|r| SECRETARY_ROLES.contains(r)),
            chair: roles.iter().any(|r| CHAIR_ROLES.contains(r)),
        }
    }

    /// Administrators and the chair see meetings still in preparation; members do not.
    fn sees_drafts(self) -> bool {
        self.secretary || self.chair
    }
}

pub const NAV: NavEntry = NavEntry {
    path: "/assembly",
    label_key: "nav.assembly",
    roles: READ_ROLES,
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/{tenant}/assembly",
            get(web::meetings::meetings).post(web::meetings::create_meeting),
        )
        .route("/{tenant}/assembly/new", get(web::meetings::new_meeting))
        .route(
            "/{tenant}/assembly/rules",
            get(web::rules::rules).post(web::rules::update_rules),
        )
        .route(
            "/{tenant}/assembly/representatives",
            get(web::representatives::representatives),
        )
        .route(
            "/{tenant}/assembly/representatives/new",
            post(web::representatives::add_representative),
        )
        .route(
            "/{tenant}/assembly/representatives/{id}/end",
            post(web::representatives::end_representative),
        )
        .route("/{tenant}/assembly/decisions", get(web::decisions::decisions))
        .route(
            "/{tenant}/assembly/decisions.csv",
            get(web::decisions::decisions_csv),
        )
        .route("/{tenant}/assembly/decisions/{id}", get(web::decisions::decision))
        .route(
            "/{tenant}/assembly/decisions/{id}/actions",
            post(web::decisions::add_action),
        )
        .route(
            "/{tenant}/assembly/decisions/{id}/appeal",
            post(web::decisions::record_appeal),
        )
        .route(
            "/{tenant}/assembly/decisions/{id}/actions/{action}",
            post(web::decisions::update_action),
        )
        .route(
            "/{tenant}/assembly/proposals/{id}/promote",
            post(web::proposals::promote_proposal),
        )
        .route(
            "/{tenant}/assembly/{id}",
            get(web::page::meeting).post(web::meetings::update_meeting),
        )
        .route("/{tenant}/assembly/{id}/edit", get(web::meetings::edit_meeting))
        .route(
            "/{tenant}/assembly/{id}/status",
            get(web::confirm::confirm_meeting_step).post(web::meetings::change_meeting_status),
        )
        .route("/{tenant}/assembly/{id}/copy", post(web::agenda::copy_agenda))
        .route("/{tenant}/assembly/{id}/items", post(web::agenda::add_item))
        .route(
            "/{tenant}/assembly/{id}/items/{item}",
            get(web::agenda::edit_item).post(web::agenda::update_item),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/move",
            post(web::agenda::move_item),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/remove",
            post(web::agenda::remove_item),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/notes",
            post(web::agenda::item_notes),
        )
        .route(
            "/{tenant}/assembly/{id}/documents/{document}",
            get(web::documents::download_document),
        )
        .route(
            "/{tenant}/assembly/{id}/attendance",
            post(web::attendance::record_attendance),
        )
        .route(
            "/{tenant}/assembly/{id}/attendance/list",
            get(web::attendance::attendance_sheet).post(web::attendance::record_sheet),
        )
        .route(
            "/{tenant}/assembly/{id}/items/{item}/polls",
            post(web::polls::open_poll),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}",
            get(web::polls::poll).post(web::polls::cast_vote),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}/close",
            get(web::confirm::confirm_close_poll).post(web::polls::close_poll),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}/declare",
            post(web::polls::declare_result),
        )
        .route(
            "/{tenant}/assembly/{id}/polls/{poll}/challenge",
            post(web::polls::challenge_result),
        )
        .route(
            "/{tenant}/assembly/{id}/minutes",
            get(web::minutes::minutes).post(web::minutes::draft_minutes),
        )
        .route(
            "/{tenant}/assembly/{id}/minutes/approve",
            post(web::minutes::approve_minutes),
        )
        .route(
            "/{tenant}/assembly/{id}/minutes/adopt",
            post(web::minutes::adopt_minutes),
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
