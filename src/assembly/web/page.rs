//! The meeting's own page: agenda, documents, polls and attendance, with the forms on it. A
//! form on this page that fails brings the page back with what was typed.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::{load_meeting, offices, represented, status_for};
use crate::assembly::agenda::{self, AgendaItem, Document, ItemInput};
use crate::assembly::attendance::{self, AttendanceInput, AttendanceRow, Quorum};
use crate::assembly::meetings::{self, Meeting, MeetingOption};
use crate::assembly::polls::{self, Poll};
use crate::assembly::rules::{self, StatuteRules};
use crate::assembly::{DecisionKind, ItemKind, Offices, Presence, READ_ROLES};
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::members::register::OrganisationOption;
use crate::shared::clock::local_now;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

/// What a form that is not the one submitted shows: no errors.
static NO_ERRORS: FormErrors = FormErrors::new();

/// What a failed form on the meeting's page brings back to it.
#[derive(Default)]
pub(super) struct Submitted {
    pub(super) form: &'static str,
    pub(super) errors: FormErrors,
    pub(super) item: Option<ItemInput>,
    pub(super) attendance: Option<AttendanceInput>,
    /// Convening too late: the first date the meeting could be held on.
    pub(super) earliest: Option<String>,
    /// Opening a poll without quorum.
    pub(super) quorum: Option<Quorum>,
    /// An item's notes as typed, refused.
    pub(super) notes: Option<(Uuid, String)>,
}

#[derive(Template)]
#[template(path = "assembly/meeting.html")]
struct MeetingPage {
    l: Layout,
    meeting: Meeting,
    items: Vec<AgendaItem>,
    documents: Vec<Document>,
    polls: Vec<Poll>,
    attendance: Vec<AttendanceRow>,
    quorum: Quorum,
    rules: StatuteRules,
    /// Today is the date the meeting was convened for.
    on_its_date: bool,
    secretary: bool,
    chair: bool,
    represents: Vec<Uuid>,
    earlier: Vec<MeetingOption>,
    organisations: Vec<OrganisationOption>,
    item_kinds: &'static [ItemKind],
    decision_kinds: &'static [DecisionKind],
    presences: &'static [Presence],
    new_item: ItemInput,
    attendance_input: AttendanceInput,
    submitted: Submitted,
}

impl MeetingPage {
    fn offices(&self) -> Offices {
        Offices {
            secretary: self.secretary,
            chair: self.chair,
        }
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        if self.submitted.form == form {
            &self.submitted.errors
        } else {
            &NO_ERRORS
        }
    }

    /// An item's notes as the secretary typed them when they were refused, else as stored,
    /// with the message for them.
    fn notes_of<'a>(&'a self, item: &'a AgendaItem) -> (&'a str, Option<&'static str>) {
        match &self.submitted.notes {
            Some((id, typed)) if *id == item.id => (typed, self.submitted.errors.for_field("notes")),
            _ => (&item.notes, None),
        }
    }

    fn documents_of(&self, item: &AgendaItem) -> Vec<&Document> {
        self.documents
            .iter()
            .filter(|d| d.agenda_item_id == Some(item.id))
            .collect()
    }

    /// Every document of the meeting for "Stukken": the whole meeting's first, then each agenda
    /// item's in agenda order, with the item it belongs to.
    fn all_documents(&self) -> Vec<(Option<&AgendaItem>, &Document)> {
        let general = self
            .documents
            .iter()
            .filter(|d| d.agenda_item_id.is_none())
            .map(|d| (None, d));
        let of_items = self
            .items
            .iter()
            .flat_map(|item| self.documents_of(item).into_iter().map(move |d| (Some(item), d)));
        general.chain(of_items).collect()
    }

    fn polls_of(&self, item: &AgendaItem) -> Vec<&Poll> {
        self.polls
            .iter()
            .filter(|p| p.agenda_item_id == item.id)
            .collect()
    }

    /// Whether the chair may open a poll on the item now.
    fn may_open_poll(&self, item: &AgendaItem) -> bool {
        let last_challenged = self.polls_of(item).last().map(|p| p.challenged_at.is_some());
        self.chair && polls::may_open(self.meeting.status(), item.decision_kind(), last_challenged).is_ok()
    }

    /// The agenda may change while the meeting is being prepared.
    fn may_edit_agenda(&self) -> bool {
        self.secretary && self.meeting.is_draft()
    }

    /// Whether the user keeps the attendance list now.
    fn may_record_attendance(&self) -> bool {
        attendance::may_record(self.meeting.status(), self.offices(), false)
    }

    fn may_register_own(&self, row: &AttendanceRow) -> bool {
        self.represents.contains(&row.organisation_id)
            && attendance::may_record(self.meeting.status(), Offices::default(), true)
    }

    fn own_rows(&self) -> Vec<&AttendanceRow> {
        self.attendance
            .iter()
            .filter(|r| self.may_register_own(r))
            .collect()
    }

    fn voting_rows(&self) -> Vec<&AttendanceRow> {
        self.attendance.iter().filter(|r| r.has_vote()).collect()
    }

    fn is_typed_organisation(&self, id: &Uuid) -> bool {
        self.new_item.organisation == id.to_string()
    }

    fn is_typed_parent(&self, id: &Uuid) -> bool {
        self.new_item.parent == id.to_string()
    }

    fn top_level_items(&self) -> Vec<&AgendaItem> {
        self.items.iter().filter(|i| !i.is_sub_item()).collect()
    }
}

pub(super) async fn render_meeting(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    meeting: Meeting,
    submitted: Submitted,
) -> AppResult<Response> {
    let items = agenda::items(&mut tx, meeting.id).await?;
    let documents = agenda::documents(&mut tx, meeting.id).await?;
    let polls = polls::of_meeting(&mut tx, meeting.id).await?;
    let rules = rules::find(&mut tx).await?;
    let attendance = attendance::list(&mut tx, meeting.id).await?;
    let quorum = attendance::quorum(&mut tx, meeting.id, None, rules.quorum_percent).await?;
    let represents = represented(&mut tx, user).await?;
    let on_its_date = local_now(&mut tx).await?.date() == meeting.starts_at.date();
    let offices = offices(user);
    let (earlier, organisations) = if offices.secretary && meeting.is_draft() {
        (
            meetings::earlier(&mut tx, &meeting).await?,
            agenda::subjects(&mut tx, None).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    tx.commit().await?;
    let status = if submitted.form == "status" && submitted.earliest.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status_for(&submitted.errors)
    };
    web::render_with_status(
        status,
        &MeetingPage {
            items,
            documents,
            polls,
            attendance,
            quorum,
            rules,
            on_its_date,
            secretary: offices.secretary,
            chair: offices.chair,
            represents,
            earlier,
            organisations,
            item_kinds: ItemKind::ALL,
            decision_kinds: DecisionKind::ALL,
            presences: Presence::ALL,
            new_item: submitted.item.clone().unwrap_or_default(),
            attendance_input: submitted.attendance.clone().unwrap_or_default(),
            meeting,
            submitted,
            l: ctx.layout(),
        },
    )
}

pub async fn meeting(ctx: RequestContext, user: CurrentUser, PathId(id): PathId) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, id, &user).await?;
    render_meeting(tx, &ctx, &user, meeting, Submitted::default()).await
}
