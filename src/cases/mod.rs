//! Case handling by the social team: the queue, the lead (regisseur), the status workflow,
//! the kitchen-table conversation, the support plan, the resident's network, the journal,
//! escalation, tasks and the statutory clocks.
//!
//! Who sees a case: its lead, the professionals involved and process managers see all of it;
//! another professional of the team after stating a reason (audited), or freely while the
//! case has no lead (the team's shared intake), except for a "zeer vertrouwelijk" case; desk staff see only that a case exists and who leads it; member
//! organisations and governance roles never. Every view and change is audited.

pub mod access;
pub mod clocks;
pub mod conversations;
pub mod document;
pub mod journal;
mod lead;
pub mod network;
pub mod overview;
pub mod plan;
pub mod queue;
pub mod record;
mod web;
mod workflow;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post};

use crate::auth::Role;
use crate::cases::document::CaseDocuments;
use crate::cases::queue::KeptQueues;
use crate::shared::choices::choice;
use crate::web::layout::NavEntry;

/// The social team: they handle cases.
pub const TEAM_ROLES: &[Role] = &[Role::Professional, Role::ProcessManager];

/// Who may assign a lead to a case (besides a professional taking one).
pub const ASSIGNING_ROLES: &[Role] = &[Role::ProcessManager, Role::Admin];

/// A journal entry with its largest attachments, and room for the form around them.
pub const UPLOAD_BODY_LIMIT: usize = journal::MAX_ATTACHMENTS * journal::MAX_ATTACHMENT_BYTES + 64 * 1024;

/// The one route that takes files: it gets a larger body limit than every other route.
pub fn upload_router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<CaseDocuments>: FromRef<S>,
{
    Router::new().route(
        "/{tenant}/cases/{id}/journal/entries",
        post(web::journal::add_journal_entry).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}

pub const TEAM_NAV: NavEntry = NavEntry {
    path: "/team",
    label_key: "nav.team",
    roles: &[Role::Professional, Role::ProcessManager, Role::Admin],
};

pub const MONITOR_NAV: NavEntry = NavEntry {
    path: "/team/monitor",
    label_key: "nav.monitor",
    roles: &[Role::ProcessManager, Role::Admin],
};

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<CaseDocuments>: FromRef<S>,
    Arc<KeptQueues>: FromRef<S>,
{
    Router::new()
        .route("/{tenant}/team", get(web::queue::queue))
        .route("/{tenant}/team/monitor", get(web::queue::monitor))
        .route("/{tenant}/team/terms", get(web::queue::terms))
        .route("/{tenant}/cases/{id}", get(web::page::case_page))
        .route("/{tenant}/cases/{id}/tab/{part}", get(web::page::case_part))
        .route("/{tenant}/cases/{id}/access", post(web::page::request_access))
        .route("/{tenant}/cases/{id}/lead", post(web::steer::change_lead))
        .route("/{tenant}/cases/{id}/members", post(web::steer::add_member))
        .route("/{tenant}/cases/{id}/status", post(web::steer::change_status))
        .route(
            "/{tenant}/cases/{id}/escalation",
            post(web::steer::change_escalation),
        )
        .route(
            "/{tenant}/cases/{id}/confidentiality",
            post(web::steer::change_confidentiality),
        )
        .route(
            "/{tenant}/cases/{id}/conversations",
            post(web::conversations::schedule_conversation),
        )
        .route(
            "/{tenant}/cases/{id}/conversations/{conversation}",
            get(web::conversations::conversation_form).post(web::conversations::record_conversation),
        )
        .route("/{tenant}/cases/{id}/plan", get(web::plan::plan_page))
        .route("/{tenant}/cases/{id}/plan/dates", post(web::plan::plan_dates))
        .route("/{tenant}/cases/{id}/plan/goals", post(web::plan::add_goal))
        .route(
            "/{tenant}/cases/{id}/plan/goals/{goal}/actions",
            post(web::plan::add_action),
        )
        .route(
            "/{tenant}/cases/{id}/plan/goals/{goal}/result",
            post(web::plan::goal_result),
        )
        .route("/{tenant}/cases/{id}/plan/agree", post(web::plan::agree_plan))
        .route("/{tenant}/cases/{id}/network", post(web::network::add_contact))
        .route(
            "/{tenant}/cases/{id}/network/{contact}/remove",
            post(web::network::remove_contact),
        )
        .route("/{tenant}/cases/{id}/journal", get(web::journal::journal_page))
        .route("/{tenant}/cases/{id}/history", get(web::page::history_page))
        .route(
            "/{tenant}/cases/{id}/ouders",
            get(web::guardians::guardians_page).post(web::guardians::set_guardian),
        )
        .route(
            "/{tenant}/cases/{id}/attachments/{attachment}",
            get(web::journal::attachment),
        )
        .route("/{tenant}/cases/{id}/tasks", post(web::tasks::add_task))
        .route(
            "/{tenant}/cases/{id}/tasks/{task}/done",
            post(web::tasks::finish_task),
        )
        .route("/{tenant}/cases/{id}/clocks", post(web::clocks::clock_action))
        .route(
            "/{tenant}/cases/{id}/consents",
            get(web::consent::consent_form).post(web::consent::record_consent),
        )
        .route(
            "/{tenant}/cases/{id}/consents/{consent}/withdraw",
            post(web::consent::withdraw_consent),
        )
}

choice!(
    /// Where a case stands in the workflow.
    Status {
        Registered => "aangemeld",
        Investigating => "in_onderzoek",
        PlanAgreed => "plan_vastgesteld",
        InProgress => "in_uitvoering",
        Evaluating => "evaluatie",
        Closed => "afgesloten",
    }
);

impl Status {
    /// The steps the workflow allows from here. Closing is possible from every open state
    /// (a resident may move away at any time); reopening is a separate step with a reason.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Registered => &[Investigating, Closed],
            Investigating => &[PlanAgreed, Closed],
            PlanAgreed => &[InProgress, Closed],
            InProgress => &[Evaluating, Closed],
            Evaluating => &[InProgress, Closed],
            Closed => &[Investigating],
        }
    }

    pub fn allows(self, to: Status) -> bool {
        self.next().contains(&to)
    }

    /// The step the case is ready for, offered as one click on its overview: into
    /// investigation once a conversation report is recorded, to "plan vastgesteld" once a
    /// plan is agreed. The workflow still checks the step when it is taken.
    pub fn suggested(self, conversation_reported: bool, plan_agreed: bool) -> Option<Status> {
        match self {
            Status::Registered if conversation_reported => Some(Status::Investigating),
            Status::Investigating if plan_agreed => Some(Status::PlanAgreed),
            _ => None,
        }
    }
}

choice!(
    /// The parts of a case page, each its own URL: the overview with the next step first,
    /// then one tab per part of the work.
    CasePart {
        Overview => "overview",
        Conversations => "conversations",
        Plan => "plan",
        Journal => "journal",
        Referrals => "referrals",
        Terms => "terms",
        Network => "network",
    }
);

impl CasePart {
    /// The address of this part of a case page; the overview is the case's own address.
    pub fn path(self, tenant_slug: &str, case_id: uuid::Uuid) -> String {
        match self {
            CasePart::Overview => format!("/{tenant_slug}/cases/{case_id}"),
            part => format!("/{tenant_slug}/cases/{case_id}/tab/{}", part.code()),
        }
    }
}

choice!(
    /// Why a case was closed.
    ClosingResult {
        GoalReached => "doel_bereikt",
        Moved => "verhuisd",
        Died => "overleden",
        HelpedElsewhere => "elders_geholpen",
        StoppedOnRequest => "gestopt_op_verzoek",
        Other => "anders",
    }
);

choice!(
    /// How intensely a case is coordinated.
    Escalation { Normal => "normaal", Raised => "opgeschaald", CareAndSafety => "zorg_en_veiligheid" }
);

choice!(
    /// Who may see a case besides those involved.
    Confidentiality {
        Normal => "normaal",
        Confidential => "vertrouwelijk",
        HighlyConfidential => "zeer_vertrouwelijk",
    }
);

choice!(
    /// What kind of journal entry.
    EntryKind { Note => "notitie", Call => "telefoon", Visit => "huisbezoek", Consultation => "overleg", Message => "bericht" }
);

impl EntryKind {
    /// What staff write; a message is written by the resident on their own pages.
    pub const WRITTEN_BY_STAFF: &'static [EntryKind] = &[
        EntryKind::Note,
        EntryKind::Call,
        EntryKind::Visit,
        EntryKind::Consultation,
    ];
}

choice!(
    /// Who carries out an action of the support plan.
    Performer {
        Resident => "inwoner",
        Network => "netwerk",
        Professional => "professional",
        MemberOrganisation => "lidorganisatie",
    }
);

choice!(
    /// How a goal turned out at evaluation.
    GoalResult { Reached => "behaald", PartlyReached => "deels_behaald", NotReached => "niet_behaald" }
);

choice!(
    /// How a person or organisation in the resident's network relates to them.
    NetworkRelation {
        Partner => "partner",
        Family => "familie",
        Neighbour => "buur",
        Buddy => "maatje",
        Friend => "vriend",
        GeneralPractitioner => "huisarts",
        MemberOrganisation => "lidorganisatie",
        School => "school",
        DistrictNurse => "wijkverpleging",
        Other => "anders",
    }
);

impl NetworkRelation {
    /// Informal relations (family, neighbours, volunteers) versus professionals.
    pub fn is_formal(self) -> bool {
        matches!(
            self,
            NetworkRelation::GeneralPractitioner
                | NetworkRelation::MemberOrganisation
                | NetworkRelation::School
                | NetworkRelation::DistrictNurse
        )
    }
}

choice!(
    /// The statutory clocks of a case.
    ClockKind {
        WmoInvestigation => "wmo_investigation",
        WmoDecision => "wmo_decision",
        JeugdDecision => "jeugd_decision",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_goes_forward_and_closes_from_anywhere() {
        assert!(Status::Registered.allows(Status::Investigating));
        assert!(!Status::Registered.allows(Status::InProgress));
        assert!(Status::Evaluating.allows(Status::InProgress));
        for status in Status::ALL {
            assert_eq!(status.allows(Status::Closed), *status != Status::Closed);
        }
        assert_eq!(Status::Closed.next(), &[Status::Investigating]);
    }

    #[test]
    fn the_next_status_is_suggested_once_its_conditions_are_met() {
        assert_eq!(Status::Registered.suggested(false, false), None);
        assert_eq!(
            Status::Registered.suggested(true, false),
            Some(Status::Investigating)
        );
        assert_eq!(Status::Investigating.suggested(true, false), None);
        assert_eq!(
            Status::Investigating.suggested(true, true),
            Some(Status::PlanAgreed)
        );
        for status in Status::ALL {
            if let Some(next) = status.suggested(true, true) {
                assert!(status.allows(next));
            }
        }
        assert_eq!(Status::PlanAgreed.suggested(true, true), None);
    }
}
