use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::assembly::agenda::{self, AgendaItem, Document, ItemInput};
use crate::assembly::attendance::{self, AttendanceInput, AttendanceRow, Quorum};
use crate::assembly::decisions::{self, ACTION_STATUSES, Action, ActionInput, Decision, Expulsion};
use crate::assembly::meetings::{self, Meeting, MeetingInput, MeetingOption, MeetingRow, StatusError};
use crate::assembly::minutes::{self, Approver, Minutes};
use crate::assembly::polls::{self, Ballot, CastError, NamedVote, OpenError, Poll, Voter};
use crate::assembly::proposals;
use crate::assembly::representatives::{self, Candidate, MandateInput, Representative};
use crate::assembly::rules::{self, MAJORITY_FIELDS, RulesInput, StatuteRules};
use crate::assembly::{
    CHAIR_ROLES, DecisionKind, ItemKind, Majority, MeetingStatus, Presence, READ_ROLES, SECRETARY_ROLES,
    VoteChoice,
};
use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::register::{self, OrganisationOption};
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date};
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

/// What a form that is not the one submitted shows: no errors.
static NO_ERRORS: FormErrors = FormErrors::new();

fn is_secretary(user: &CurrentUser) -> bool {
    user.roles.iter().any(|r| SECRETARY_ROLES.contains(r))
}

fn is_chair(user: &CurrentUser) -> bool {
    user.roles.iter().any(|r| CHAIR_ROLES.contains(r))
}

/// Administrators and the chair see meetings still in preparation; members do not.
fn sees_drafts(user: &CurrentUser) -> bool {
    is_secretary(user) || is_chair(user)
}

async fn audit_change(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    audit::record(tx, &Actor::user(user, ctx.client_ip), kind, None, details).await
}

fn page_number(page: Option<i64>) -> i64 {
    page.unwrap_or(1).max(1)
}

fn meeting_path(ctx: &RequestContext, id: Uuid) -> String {
    format!("/{}/assembly/{id}", ctx.tenant.slug)
}

fn status_for(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

async fn load_meeting(tx: &mut TenantTx, id: &str, user: &CurrentUser) -> AppResult<Meeting> {
    meetings::find(tx, parse_id(id)?, sees_drafts(user))
        .await?
        .ok_or(AppError::NotFound)
}

/// The meeting locked for a change, as the user may see it.
async fn lock_meeting(tx: &mut TenantTx, id: &str, user: &CurrentUser) -> AppResult<Meeting> {
    let meeting = meetings::lock(tx, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    if meeting.is_draft() && !sees_drafts(user) {
        return Err(AppError::NotFound);
    }
    Ok(meeting)
}

/// The members the user represents today.
async fn represented(tx: &mut TenantTx, user: &CurrentUser) -> AppResult<Vec<Uuid>> {
    if !user.has(Role::Member) {
        return Ok(Vec::new());
    }
    let today = local_now(tx).await?.date();
    Ok(representatives::represented_by(tx, user.id, today).await?)
}

// ---------------------------------------------------------------------------------------------
// Meetings

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "assembly/meetings.html")]
struct MeetingsPage {
    l: Layout,
    rows: Vec<MeetingRow>,
    pagination: Pagination,
    may_prepare: bool,
    representing: Vec<String>,
}

pub async fn meetings(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = page_number(query.page);
    let mut tx = ctx.tx().await?;
    let mut rows = meetings::list(&mut tx, sees_drafts(&user), page).await?;
    let represents = represented(&mut tx, &user).await?;
    let names = register::choices(&mut tx, &represents).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, meetings::PAGE_SIZE);
    web::render(&MeetingsPage {
        rows,
        pagination: Pagination::new(format!("/{}/assembly?", ctx.tenant.slug), page, has_next),
        may_prepare: is_secretary(&user),
        representing: names
            .into_iter()
            .filter(|o| represents.contains(&o.id))
            .map(|o| o.name)
            .collect(),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "assembly/meeting_form.html")]
struct MeetingFormPage {
    l: Layout,
    action: String,
    back: String,
    heading_key: &'static str,
    input: MeetingInput,
    lock_version: Option<i32>,
    errors: FormErrors,
    conflict: bool,
}

impl MeetingFormPage {
    fn render(self) -> AppResult<Response> {
        let status = if self.conflict {
            StatusCode::CONFLICT
        } else {
            status_for(&self.errors)
        };
        web::render_with_status(status, &self)
    }
}

pub async fn new_meeting(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    MeetingFormPage {
        action: format!("/{}/assembly", ctx.tenant.slug),
        back: format!("/{}/assembly", ctx.tenant.slug),
        heading_key: "meeting.new",
        input: MeetingInput::new_meeting(),
        lock_version: None,
        errors: FormErrors::default(),
        conflict: false,
        l: ctx.layout(),
    }
    .render()
}

pub async fn create_meeting(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let input = MeetingInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    if let Some(details) = input.validate(&mut errors) {
        let mut tx = ctx.tx().await?;
        let id = meetings::create(&mut tx, &details, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::MeetingChanged,
            json!({ "meeting_id": id, "created": details.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &meeting_path(&ctx, id),
            "flash.meeting_created",
        ));
    }
    MeetingFormPage {
        action: format!("/{}/assembly", ctx.tenant.slug),
        back: format!("/{}/assembly", ctx.tenant.slug),
        heading_key: "meeting.new",
        input,
        lock_version: None,
        errors,
        conflict: false,
        l: ctx.layout(),
    }
    .render()
}

pub async fn edit_meeting(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    tx.commit().await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    MeetingFormPage {
        action: meeting_path(&ctx, meeting.id),
        back: meeting_path(&ctx, meeting.id),
        heading_key: "meeting.edit",
        input: MeetingInput::from_meeting(&meeting),
        lock_version: Some(meeting.lock_version),
        errors: FormErrors::default(),
        conflict: false,
        l: ctx.layout(),
    }
    .render()
}

pub async fn update_meeting(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    // Once convened, the date and place are what members were told.
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let input = MeetingInput::from_fields(&fields);
    let version = fields.get("lock_version").parse().unwrap_or(-1);
    let mut errors = FormErrors::default();
    let mut conflict = false;
    if let Some(details) = input.validate(&mut errors) {
        match meetings::update(&mut tx, meeting.id, version, &details).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MeetingChanged,
                    json!({ "meeting_id": meeting.id, "updated": details.title }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &meeting_path(&ctx, meeting.id),
                    "flash.meeting_updated",
                ));
            }
            Err(meetings::Conflict) => {
                conflict = true;
                errors.form("meeting.error.conflict");
            }
        }
    }
    drop(tx);
    MeetingFormPage {
        action: meeting_path(&ctx, meeting.id),
        back: meeting_path(&ctx, meeting.id),
        heading_key: "meeting.edit",
        input,
        lock_version: Some(if conflict { meeting.lock_version } else { version }),
        errors,
        conflict,
        l: ctx.layout(),
    }
    .render()
}

/// What a failed form on the meeting's page brings back to it.
#[derive(Default)]
struct Submitted {
    form: &'static str,
    errors: FormErrors,
    item: Option<ItemInput>,
    attendance: Option<AttendanceInput>,
    /// Convening too late: the first date the meeting could be held on.
    earliest: Option<String>,
    /// Opening a poll without quorum.
    quorum: Option<Quorum>,
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
    fn errors_for(&self, form: &str) -> &FormErrors {
        if self.submitted.form == form {
            &self.submitted.errors
        } else {
            &NO_ERRORS
        }
    }

    fn documents_of(&self, item: &AgendaItem) -> Vec<&Document> {
        self.documents
            .iter()
            .filter(|d| d.agenda_item_id == Some(item.id))
            .collect()
    }

    fn meeting_documents(&self) -> Vec<&Document> {
        self.documents
            .iter()
            .filter(|d| d.agenda_item_id.is_none())
            .collect()
    }

    fn polls_of(&self, item: &AgendaItem) -> Vec<&Poll> {
        self.polls
            .iter()
            .filter(|p| p.agenda_item_id == item.id)
            .collect()
    }

    /// Whether the chair may open a poll on the item now.
    fn may_open_poll(&self, item: &AgendaItem) -> bool {
        self.chair
            && self.meeting.is_open()
            && item.is_decision()
            && self
                .polls_of(item)
                .last()
                .is_none_or(|p| p.challenged_at.is_some())
    }

    /// The agenda may change while the meeting is being prepared.
    fn may_edit_agenda(&self) -> bool {
        self.secretary && self.meeting.is_draft()
    }

    /// Attendance is kept from the convening until the close; members register their own
    /// before the meeting opens.
    fn may_record_attendance(&self) -> bool {
        (self.secretary || self.chair)
            && matches!(
                self.meeting.status(),
                MeetingStatus::Convened | MeetingStatus::Open
            )
    }

    fn may_register_own(&self, row: &AttendanceRow) -> bool {
        self.meeting.status() == MeetingStatus::Convened && self.represents.contains(&row.organisation_id)
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

async fn render_meeting(
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
    let secretary = is_secretary(user);
    let (earlier, organisations) = if secretary && meeting.is_draft() {
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
            secretary,
            chair: is_chair(user),
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

pub async fn meeting(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    render_meeting(tx, &ctx, &user, meeting, Submitted::default()).await
}

pub async fn change_meeting_status(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin, Role::Chair])?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    let to = MeetingStatus::parse(fields.get("to")).ok_or(AppError::NotFound)?;
    // Administrators convene; the chair opens and closes.
    let allowed = match to {
        MeetingStatus::Convened => is_secretary(&user),
        MeetingStatus::Open | MeetingStatus::Closed => is_chair(&user),
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let rules = rules::find(&mut tx).await?;
    let today = local_now(&mut tx).await?.date();
    let result = if to == MeetingStatus::Convened {
        meetings::convene(&mut tx, &meeting, today, rules.notice_days, user.id).await?
    } else {
        meetings::set_status(&mut tx, &meeting, to, Some(user.id)).await?
    };
    let mut submitted = Submitted {
        form: "status",
        ..Submitted::default()
    };
    match result {
        Ok(()) => {
            let changes = if to == MeetingStatus::Closed {
                Some(decisions::apply_to_register(&mut tx, &meeting, rules.appeal_days, user.id).await?)
            } else {
                None
            };
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::MeetingChanged,
                json!({
                    "meeting_id": meeting.id,
                    "status": to.code(),
                    "register": changes.as_ref().map(|c| json!({
                        "admitted": c.admitted, "suspended": c.suspended, "resigned": c.resigned,
                    })),
                }),
            )
            .await?;
            tx.commit().await?;
            let flash = match to {
                MeetingStatus::Convened => "flash.meeting_convened",
                MeetingStatus::Open => "flash.meeting_opened",
                _ => "flash.meeting_closed",
            };
            return Ok(web::redirect_with_flash(&meeting_path(&ctx, meeting.id), flash));
        }
        Err(StatusError::TooLate { earliest, .. }) => {
            submitted.earliest = Some(format_date(earliest));
            submitted.errors.form("meeting.error.too_late");
        }
        Err(StatusError::EmptyAgenda) => submitted.errors.form("meeting.error.empty_agenda"),
        Err(StatusError::PollOpen) => submitted.errors.form("meeting.error.poll_open"),
        Err(StatusError::NotAllowed) => submitted.errors.form("meeting.error.status"),
    }
    let conflict = matches!(result, Err(StatusError::NotAllowed | StatusError::PollOpen));
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    let response = render_meeting(tx, &ctx, &user, meeting, submitted).await?;
    Ok(if conflict {
        with_status(response, StatusCode::CONFLICT)
    } else {
        response
    })
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

// ---------------------------------------------------------------------------------------------
// The agenda

pub async fn add_item(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let input = ItemInput::from_fields(&fields);
    let items = agenda::items(&mut tx, meeting.id).await?;
    let organisations: Vec<Uuid> = agenda::subjects(&mut tx, None)
        .await?
        .iter()
        .map(|o| o.id)
        .collect();
    let mut errors = FormErrors::default();
    if let Some(details) = input.validate(&items, &organisations, &mut errors) {
        let item_id = agenda::add(&mut tx, meeting.id, &details, None).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AgendaChanged,
            json!({ "meeting_id": meeting.id, "added": item_id, "title": details.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#agenda", meeting_path(&ctx, meeting.id)),
            "flash.item_added",
        ));
    }
    let submitted = Submitted {
        form: "item",
        errors,
        item: Some(input),
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}

async fn load_item(tx: &mut TenantTx, meeting: &Meeting, item: &str) -> AppResult<AgendaItem> {
    agenda::find(tx, meeting.id, parse_id(item)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// The meeting (locked) and one of its items, to change while the meeting is being prepared:
/// once convened, the agenda is what members were sent.
async fn item_in_preparation(
    tx: &mut TenantTx,
    id: &str,
    item: &str,
    user: &CurrentUser,
) -> AppResult<(Meeting, AgendaItem)> {
    let meeting = lock_meeting(tx, id, user).await?;
    let item = load_item(tx, &meeting, item).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    Ok((meeting, item))
}

#[derive(Template)]
#[template(path = "assembly/item_form.html")]
struct ItemFormPage {
    l: Layout,
    meeting: Meeting,
    item: AgendaItem,
    input: ItemInput,
    organisations: Vec<OrganisationOption>,
    item_kinds: &'static [ItemKind],
    decision_kinds: &'static [DecisionKind],
    errors: FormErrors,
}

impl ItemFormPage {
    fn is_typed_organisation(&self, id: &Uuid) -> bool {
        self.input.organisation == id.to_string()
    }
}

pub async fn edit_item(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, item)): Path<(String, String, String)>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    let item = load_item(&mut tx, &meeting, &item).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let organisations = agenda::subjects(&mut tx, item.organisation_id).await?;
    tx.commit().await?;
    web::render(&ItemFormPage {
        input: ItemInput::from_item(&item),
        meeting,
        item,
        organisations,
        item_kinds: ItemKind::ALL,
        decision_kinds: DecisionKind::ALL,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub async fn update_item(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, item)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let (meeting, item) = item_in_preparation(&mut tx, &id, &item, &user).await?;
    let mut input = ItemInput::from_fields(&fields);
    // An item keeps its level; moving it under another is removing and adding it.
    input.parent = item.parent_id.map(|p| p.to_string()).unwrap_or_default();
    let items = agenda::items(&mut tx, meeting.id).await?;
    let organisations = agenda::subjects(&mut tx, item.organisation_id).await?;
    let ids: Vec<Uuid> = organisations.iter().map(|o| o.id).collect();
    let mut errors = FormErrors::default();
    if let Some(details) = input.validate(&items, &ids, &mut errors) {
        agenda::update(&mut tx, &item, &details).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AgendaChanged,
            json!({ "meeting_id": meeting.id, "updated": item.id, "title": details.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#item-{}", meeting_path(&ctx, meeting.id), item.id),
            "flash.item_updated",
        ));
    }
    drop(tx);
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ItemFormPage {
            meeting,
            item,
            input,
            organisations,
            item_kinds: ItemKind::ALL,
            decision_kinds: DecisionKind::ALL,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn move_item(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, item)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let (meeting, item) = item_in_preparation(&mut tx, &id, &item, &user).await?;
    let up = fields.get("direction") == "up";
    agenda::move_item(&mut tx, meeting.id, &item, up).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AgendaChanged,
        json!({ "meeting_id": meeting.id, "moved": item.id, "up": up }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("{}#item-{}", meeting_path(&ctx, meeting.id), item.id),
        "flash.item_moved",
    ))
}

pub async fn remove_item(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, item)): Path<(String, String, String)>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let (meeting, item) = item_in_preparation(&mut tx, &id, &item, &user).await?;
    match agenda::remove(&mut tx, meeting.id, &item).await? {
        Ok(()) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::AgendaChanged,
                json!({ "meeting_id": meeting.id, "removed": item.id, "title": item.title }),
            )
            .await?;
            tx.commit().await?;
            Ok(web::redirect_with_flash(
                &format!("{}#agenda", meeting_path(&ctx, meeting.id)),
                "flash.item_removed",
            ))
        }
        Err(agenda::InUse) => {
            let mut submitted = Submitted {
                form: "agenda",
                ..Submitted::default()
            };
            submitted.errors.form("item.error.in_use");
            let response = render_meeting(tx, &ctx, &user, meeting, submitted).await?;
            Ok(with_status(response, StatusCode::CONFLICT))
        }
    }
}

pub async fn item_notes(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, item)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    let item = load_item(&mut tx, &meeting, &item).await?;
    // Notes are what was said: typed during the meeting or after it, until the minutes are adopted.
    if !matches!(meeting.status(), MeetingStatus::Open | MeetingStatus::Closed) {
        return Err(AppError::Forbidden);
    }
    let notes = fields.get("notes").trim();
    agenda::set_notes(&mut tx, item.id, notes).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AgendaChanged,
        json!({ "meeting_id": meeting.id, "notes": item.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("{}#item-{}", meeting_path(&ctx, meeting.id), item.id),
        "flash.notes_saved",
    ))
}

pub async fn copy_agenda(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let earlier = meetings::earlier(&mut tx, &meeting).await?;
    let from = parse_id(fields.get("from"))
        .ok()
        .filter(|from| earlier.iter().any(|m| m.id == *from));
    let Some(from) = from else {
        let mut submitted = Submitted {
            form: "copy",
            ..Submitted::default()
        };
        submitted.errors.field("from", "meeting.error.copy_from");
        return render_meeting(tx, &ctx, &user, meeting, submitted).await;
    };
    match agenda::copy(&mut tx, meeting.id, from).await? {
        Ok(()) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::AgendaChanged,
                json!({ "meeting_id": meeting.id, "copied_from": from }),
            )
            .await?;
            tx.commit().await?;
            Ok(web::redirect_with_flash(
                &format!("{}#agenda", meeting_path(&ctx, meeting.id)),
                "flash.agenda_copied",
            ))
        }
        Err(agenda::InUse) => Err(AppError::Forbidden),
    }
}

/// The document form: an optional item and one PDF, read from a multipart body.
async fn read_document_form(mut multipart: Multipart) -> AppResult<(String, Option<(String, Vec<u8>)>)> {
    let mut item = String::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::NotFound)? {
        match field.name().unwrap_or_default() {
            "document" => {
                let filename = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| AppError::NotFound)?;
                if !bytes.is_empty() {
                    file = Some((filename, bytes.to_vec()));
                }
            }
            "item" => item = field.text().await.map_err(|_| AppError::NotFound)?,
            _ => {}
        }
    }
    Ok((item, file))
}

pub async fn upload_document(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let (item, file) = read_document_form(multipart).await?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    if meeting.is_held() {
        return Err(AppError::Forbidden);
    }
    let item_id = match item.as_str() {
        "" => None,
        raw => Some(load_item(&mut tx, &meeting, raw).await?.id),
    };
    let mut errors = FormErrors::default();
    match &file {
        None => errors.field("document", "document.error.missing"),
        Some((_, content)) if content.len() > agenda::MAX_DOCUMENT_BYTES => {
            errors.field("document", "document.error.too_large")
        }
        Some((_, content)) if !agenda::is_pdf(content) => errors.field("document", "document.error.not_pdf"),
        Some(_) => {}
    }
    if let (true, Some((filename, content))) = (errors.is_empty(), &file) {
        let name = if filename.trim().is_empty() {
            "document.pdf"
        } else {
            filename.as_str()
        };
        let document_id = agenda::add_document(&mut tx, meeting.id, item_id, name, content, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AgendaChanged,
            json!({ "meeting_id": meeting.id, "document": document_id, "filename": name }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#documents", meeting_path(&ctx, meeting.id)),
            "flash.document_added",
        ));
    }
    let submitted = Submitted {
        form: "document",
        errors,
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}

pub async fn download_document(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, document)): Path<(String, String, String)>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    let document = agenda::document(&mut tx, meeting.id, parse_id(&document)?)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let disposition = format!(
        "inline; filename=\"{}\"; filename*=UTF-8''{}",
        document
            .filename
            .replace(|c: char| !c.is_ascii() || c == '\\' || c == '"', "_"),
        web::query_encode(&document.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, document.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        document.content,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Attendance

pub async fn record_attendance(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    // The lock keeps the proxy limits true while two people record at once.
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    let input = AttendanceInput::from_fields(&fields);
    let represents = represented(&mut tx, &user).await?;
    let own = input
        .organisation
        .parse::<Uuid>()
        .is_ok_and(|o| represents.contains(&o));
    // The secretary keeps the list, or the chair while leading the meeting; before it opens,
    // a representative registers its own member.
    let keeper = is_secretary(&user) || is_chair(&user);
    let allowed = match meeting.status() {
        MeetingStatus::Convened => keeper || own,
        MeetingStatus::Open => keeper,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let rules = rules::find(&mut tx).await?;
    let rows = attendance::list(&mut tx, meeting.id).await?;
    let mut errors = FormErrors::default();
    if let Some(change) = input.validate(&rows, &rules, &mut errors) {
        attendance::record(&mut tx, meeting.id, &change, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AttendanceRecorded,
            json!({
                "meeting_id": meeting.id,
                "organisation_id": change.organisation_id,
                "presence": change.presence.code(),
                "proxy_holder_id": change.proxy_holder_id,
            }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}#attendance", meeting_path(&ctx, meeting.id)),
            "flash.attendance_recorded",
        ));
    }
    let submitted = Submitted {
        form: "attendance",
        errors,
        attendance: Some(input),
        ..Submitted::default()
    };
    render_meeting(tx, &ctx, &user, meeting, submitted).await
}

// ---------------------------------------------------------------------------------------------
// Polls

pub async fn open_poll(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, item)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    let item = load_item(&mut tx, &meeting, &item).await?;
    let rules = rules::find(&mut tx).await?;
    let secret = fields.get("secret") == "on";
    let mut submitted = Submitted {
        form: "poll",
        ..Submitted::default()
    };
    match polls::open(&mut tx, &meeting, &item, secret, &rules, user.id).await? {
        Ok(poll_id) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::PollChanged,
                json!({ "meeting_id": meeting.id, "item": item.id, "opened": poll_id, "secret": secret }),
            )
            .await?;
            tx.commit().await?;
            return Ok(web::redirect_with_flash(
                &format!("{}/polls/{poll_id}", meeting_path(&ctx, meeting.id)),
                "flash.poll_opened",
            ));
        }
        Err(OpenError::NoQuorum(quorum)) => {
            submitted.quorum = Some(quorum);
            submitted.errors.form("poll.error.no_quorum");
        }
        Err(OpenError::NotInSession) => submitted.errors.form("poll.error.not_in_session"),
        Err(OpenError::NotADecision) => submitted.errors.form("poll.error.not_a_decision"),
        Err(OpenError::AlreadyVoted) => submitted.errors.form("poll.error.already_voted"),
    }
    let response = render_meeting(tx, &ctx, &user, meeting, submitted).await?;
    Ok(with_status(response, StatusCode::CONFLICT))
}

#[derive(Template)]
#[template(path = "assembly/poll.html")]
struct PollPage {
    l: Layout,
    meeting: Meeting,
    item: AgendaItem,
    poll: Poll,
    ballots: Vec<Ballot>,
    named: Vec<NamedVote>,
    electorate_at_close: i64,
    chair: bool,
    choices: &'static [VoteChoice],
    decision: Option<Decision>,
    errors: FormErrors,
}

async fn render_poll(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    meeting: Meeting,
    poll: Poll,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let item = load_item(&mut tx, &meeting, &poll.agenda_item_id.to_string()).await?;
    let represents = represented(&mut tx, user).await?;
    let secretary = is_secretary(user);
    let ballots = if poll.is_open() {
        polls::ballots_for(&mut tx, poll.id, &represents, secretary).await?
    } else {
        Vec::new()
    };
    // Results, and who voted what, only once the poll is closed; never for a secret poll.
    let named = if poll.is_open() || poll.secret {
        Vec::new()
    } else {
        polls::named_votes(&mut tx, poll.id).await?
    };
    let (_, electorate_at_close) = polls::electorate_counts(&mut tx, poll.id).await?;
    let decision = decisions::list(&mut tx, Some(meeting.id), 1)
        .await?
        .into_iter()
        .find(|d| d.agenda_item_id == item.id);
    tx.commit().await?;
    web::render_with_status(
        status,
        &PollPage {
            meeting,
            item,
            poll,
            ballots,
            named,
            electorate_at_close,
            chair: is_chair(user),
            choices: VoteChoice::ALL,
            decision,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn load_poll(tx: &mut TenantTx, meeting: &Meeting, poll: &str) -> AppResult<Poll> {
    polls::find(tx, meeting.id, parse_id(poll)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn poll(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, poll)): Path<(String, String, String)>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    let poll = load_poll(&mut tx, &meeting, &poll).await?;
    render_poll(
        tx,
        &ctx,
        &user,
        meeting,
        poll,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn cast_vote(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(meeting_id, poll_id): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Member, Role::Admin])?;
    let voter = Voter {
        user_id: user.id,
        secretary: is_secretary(&user),
    };
    let organisation = fields.get("organisation").parse::<Uuid>().ok();
    let choice = VoteChoice::parse(fields.get("choice"));
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match (organisation, choice) {
        (Some(organisation), Some(choice)) => {
            let mut tx = ctx.tx().await?;
            match polls::cast(&mut tx, meeting_id, poll_id, organisation, choice, &voter).await? {
                None => return Err(AppError::NotFound),
                Some(Ok(())) => {
                    tx.commit().await?;
                    return Ok(web::redirect_with_flash(
                        &format!("/{}/assembly/{meeting_id}/polls/{poll_id}", ctx.tenant.slug),
                        "flash.vote_cast",
                    ));
                }
                Some(Err(CastError::Closed)) => {
                    status = StatusCode::CONFLICT;
                    errors.form("poll.error.closed");
                }
                Some(Err(CastError::AlreadyVoted)) => {
                    status = StatusCode::CONFLICT;
                    errors.form("poll.error.secret_final");
                }
                Some(Err(CastError::NotAuthorised)) => return Err(AppError::Forbidden),
                Some(Err(CastError::NotInElectorate)) => errors.field("organisation", "poll.error.no_vote"),
            }
        }
        (organisation, choice) => {
            if organisation.is_none() {
                errors.field("organisation", "poll.error.no_vote");
            }
            if choice.is_none() {
                errors.field("choice", "poll.error.choice");
            }
        }
    }
    // Nothing of a refused vote is kept: the page is read in a transaction of its own.
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &meeting_id.to_string(), &user).await?;
    let poll = load_poll(&mut tx, &meeting, &poll_id.to_string()).await?;
    render_poll(tx, &ctx, &user, meeting, poll, errors, status).await
}

/// The chair's steps on a poll: close it, declare its result, or record that the result is
/// challenged (which opens a re-vote).
async fn chair_step(
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
    poll: &str,
    step: &str,
    note: &str,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, id, user).await?;
    let poll = load_poll(&mut tx, &meeting, poll).await?;
    let mut target = poll.id;
    let done = match step {
        "close" => polls::close(&mut tx, poll.id, user.id).await?,
        "declare" => {
            let declared = polls::declare(&mut tx, poll.id, user.id).await?;
            if declared {
                let closed = load_poll(&mut tx, &meeting, &poll.id.to_string()).await?;
                let item = load_item(&mut tx, &meeting, &poll.agenda_item_id.to_string()).await?;
                decisions::record(&mut tx, &meeting, &closed, &item.title, &item.proposal).await?;
            }
            declared
        }
        _ => {
            if !meeting.is_open() || note.is_empty() {
                let mut errors = FormErrors::default();
                if note.is_empty() {
                    errors.field("note", "poll.error.challenge_note");
                } else {
                    errors.form("poll.error.not_in_session");
                }
                return render_poll(
                    tx,
                    ctx,
                    user,
                    meeting,
                    poll,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            let challenged = polls::challenge(&mut tx, poll.id, note).await?;
            if challenged {
                let item = load_item(&mut tx, &meeting, &poll.agenda_item_id.to_string()).await?;
                let rules = rules::find(&mut tx).await?;
                match polls::open(&mut tx, &meeting, &item, poll.secret, &rules, user.id).await? {
                    Ok(revote) => target = revote,
                    Err(OpenError::NoQuorum(_)) => {
                        let mut errors = FormErrors::default();
                        errors.form("poll.error.no_quorum");
                        drop(tx);
                        let mut tx = ctx.tx().await?;
                        let meeting = load_meeting(&mut tx, id, user).await?;
                        let poll = load_poll(&mut tx, &meeting, &poll.id.to_string()).await?;
                        return render_poll(tx, ctx, user, meeting, poll, errors, StatusCode::CONFLICT).await;
                    }
                    Err(_) => return Err(AppError::Forbidden),
                }
            }
            challenged
        }
    };
    if !done {
        let mut errors = FormErrors::default();
        errors.form("poll.error.step");
        let poll = load_poll(&mut tx, &meeting, &poll.id.to_string()).await?;
        return render_poll(tx, ctx, user, meeting, poll, errors, StatusCode::CONFLICT).await;
    }
    audit_change(
        &mut tx,
        ctx,
        user,
        AuditKind::PollChanged,
        json!({ "meeting_id": meeting.id, "poll": poll.id, "step": step, "revote": (target != poll.id).then_some(target) }),
    )
    .await?;
    tx.commit().await?;
    let flash = match step {
        "close" => "flash.poll_closed",
        "declare" => "flash.result_declared",
        _ => "flash.revote_opened",
    };
    Ok(web::redirect_with_flash(
        &format!("{}/polls/{target}", meeting_path(ctx, meeting.id)),
        flash,
    ))
}

pub async fn close_poll(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, poll)): Path<(String, String, String)>,
) -> AppResult<Response> {
    chair_step(&ctx, &user, &id, &poll, "close", "").await
}

pub async fn declare_result(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, poll)): Path<(String, String, String)>,
) -> AppResult<Response> {
    chair_step(&ctx, &user, &id, &poll, "declare", "").await
}

pub async fn challenge_result(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, poll)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    chair_step(&ctx, &user, &id, &poll, "challenge", fields.get("note").trim()).await
}

// ---------------------------------------------------------------------------------------------
// Minutes

#[derive(Template)]
#[template(path = "assembly/minutes.html")]
struct MinutesPage {
    l: Layout,
    meeting: Meeting,
    minutes: Option<Minutes>,
    secretary: bool,
    chair: bool,
    adopt_in: Vec<MeetingOption>,
    errors: FormErrors,
}

async fn render_minutes(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    meeting: Meeting,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let minutes = minutes::latest(&mut tx, meeting.id).await?;
    // Members read adopted minutes only.
    let minutes = minutes.filter(|m| sees_drafts(user) || m.is_adopted());
    let adopt_in = if is_chair(user) {
        meetings::open_after(&mut tx, &meeting).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    web::render_with_status(
        status,
        &MinutesPage {
            meeting,
            minutes,
            secretary: is_secretary(user),
            chair: is_chair(user),
            adopt_in,
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn minutes(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = load_meeting(&mut tx, &id, &user).await?;
    render_minutes(tx, &ctx, &user, meeting, FormErrors::default(), StatusCode::OK).await
}

pub async fn draft_minutes(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    if meeting.status() != MeetingStatus::Closed {
        return Err(AppError::Forbidden);
    }
    let rules = rules::find(&mut tx).await?;
    match minutes::draft(&mut tx, &meeting, &rules, user.id).await? {
        Ok(version) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::MinutesChanged,
                json!({ "meeting_id": meeting.id, "drafted": version }),
            )
            .await?;
            tx.commit().await?;
            Ok(web::redirect_with_flash(
                &format!("{}/minutes", meeting_path(&ctx, meeting.id)),
                "flash.minutes_drafted",
            ))
        }
        Err(minutes::Adopted) => Err(AppError::Forbidden),
    }
}

pub async fn approve_minutes(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin, Role::Chair])?;
    let approver = match fields.get("as") {
        "chair" if is_chair(&user) => Approver::Chair,
        "secretary" if is_secretary(&user) => Approver::Secretary,
        _ => return Err(AppError::Forbidden),
    };
    let version: i32 = fields.get("version").parse().unwrap_or(0);
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    if minutes::approve(&mut tx, meeting.id, version, approver, user.id).await? {
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::MinutesChanged,
            json!({ "meeting_id": meeting.id, "approved": version, "as": fields.get("as") }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("{}/minutes", meeting_path(&ctx, meeting.id)),
            "flash.minutes_approved",
        ));
    }
    let mut errors = FormErrors::default();
    errors.form("minutes.error.version");
    render_minutes(tx, &ctx, &user, meeting, errors, StatusCode::CONFLICT).await
}

pub async fn adopt_minutes(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(CHAIR_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, &id, &user).await?;
    let candidates = meetings::open_after(&mut tx, &meeting).await?;
    let in_meeting = parse_id(fields.get("in_meeting"))
        .ok()
        .filter(|m| candidates.iter().any(|c| c.id == *m));
    let mut errors = FormErrors::default();
    match in_meeting {
        None => errors.field("in_meeting", "minutes.error.in_meeting"),
        Some(in_meeting) => {
            if minutes::adopt(&mut tx, meeting.id, in_meeting).await? {
                meetings::set_status(&mut tx, &meeting, MeetingStatus::MinutesAdopted, Some(user.id))
                    .await?
                    .map_err(|_| AppError::Forbidden)?;
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MinutesChanged,
                    json!({ "meeting_id": meeting.id, "adopted_in": in_meeting }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("{}/minutes", meeting_path(&ctx, meeting.id)),
                    "flash.minutes_adopted",
                ));
            }
            errors.form("minutes.error.not_approved");
        }
    }
    render_minutes(tx, &ctx, &user, meeting, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

// ---------------------------------------------------------------------------------------------
// Decisions

#[derive(Template)]
#[template(path = "assembly/decisions.html")]
struct DecisionsPage {
    l: Layout,
    rows: Vec<Decision>,
    pagination: Pagination,
}

pub async fn decisions(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = page_number(query.page);
    let mut tx = ctx.tx().await?;
    let mut rows = decisions::list(&mut tx, None, page).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, decisions::PAGE_SIZE);
    web::render(&DecisionsPage {
        rows,
        pagination: Pagination::new(
            format!("/{}/assembly/decisions?", ctx.tenant.slug),
            page,
            has_next,
        ),
        l: ctx.layout(),
    })
}

pub async fn decisions_csv(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    // The whole list, a page at a time.
    let mut all = Vec::new();
    for page in 1.. {
        let mut rows = decisions::list(&mut tx, None, page).await?;
        let more = trim_page(&mut rows, decisions::PAGE_SIZE);
        all.extend(rows);
        if !more {
            break;
        }
    }
    tx.commit().await?;
    Ok(web::csv::download("besluitenlijst.csv", decisions::to_csv(&all)))
}

#[derive(Template)]
#[template(path = "assembly/decision.html")]
struct DecisionPage {
    l: Layout,
    decision: Decision,
    expulsion: Option<Expulsion>,
    actions: Vec<Action>,
    may_edit: bool,
    action: ActionInput,
    statuses: [&'static str; 3],
    errors: FormErrors,
}

async fn render_decision(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    decision: Decision,
    action: ActionInput,
    errors: FormErrors,
) -> AppResult<Response> {
    let expulsion = decisions::expulsion(&mut tx, decision.id).await?;
    let actions = decisions::actions(&mut tx, decision.id).await?;
    tx.commit().await?;
    web::render_with_status(
        status_for(&errors),
        &DecisionPage {
            decision,
            expulsion,
            actions,
            may_edit: is_secretary(user),
            action,
            statuses: ACTION_STATUSES,
            errors,
            l: ctx.layout(),
        },
    )
}

async fn load_decision(tx: &mut TenantTx, id: &str) -> AppResult<Decision> {
    decisions::find(tx, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn decision(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, &id).await?;
    render_decision(
        tx,
        &ctx,
        &user,
        decision,
        ActionInput::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn add_action(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, &id).await?;
    let input = ActionInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    if let Some(action) = input.validate(&mut errors) {
        decisions::add_action(&mut tx, decision.id, &action, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::DecisionChanged,
            json!({ "decision_id": decision.id, "action": action.description }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/assembly/decisions/{}#actions", ctx.tenant.slug, decision.id),
            "flash.action_added",
        ));
    }
    render_decision(tx, &ctx, &user, decision, input, errors).await
}

/// The expelled member appealed: recorded by an administrator, within the term of appeal.
pub async fn record_appeal(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, &id).await?;
    let mut errors = FormErrors::default();
    match parse_date(fields.get("appealed_on")) {
        Some(on) if decisions::record_appeal(&mut tx, decision.id, on).await? => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::DecisionChanged,
                json!({ "decision_id": decision.id, "appealed_on": format_date(on) }),
            )
            .await?;
            tx.commit().await?;
            return Ok(web::redirect_with_flash(
                &format!(
                    "/{}/assembly/decisions/{}#expulsion",
                    ctx.tenant.slug, decision.id
                ),
                "flash.appeal_recorded",
            ));
        }
        _ => errors.field("appealed_on", "expulsion.error.appealed_on"),
    }
    render_decision(tx, &ctx, &user, decision, ActionInput::default(), errors).await
}

pub async fn update_action(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, action)): Path<(String, String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let status = fields.get("status");
    if !ACTION_STATUSES.contains(&status) {
        return Err(AppError::NotFound);
    }
    let mut tx = ctx.tx().await?;
    let decision = load_decision(&mut tx, &id).await?;
    let action_id = parse_id(&action)?;
    if !decisions::set_action_status(&mut tx, decision.id, action_id, status, user.id).await? {
        return Err(AppError::NotFound);
    }
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::DecisionChanged,
        json!({ "decision_id": decision.id, "action_id": action_id, "status": status }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/assembly/decisions/{}#actions", ctx.tenant.slug, decision.id),
        "flash.action_updated",
    ))
}

// ---------------------------------------------------------------------------------------------
// Statute rules

#[derive(Template)]
#[template(path = "assembly/rules.html")]
struct RulesPage {
    l: Layout,
    input: RulesInput,
    majorities: &'static [Majority],
    fields: [(&'static str, DecisionKind); 5],
    may_edit: bool,
    errors: FormErrors,
}

pub async fn rules(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let rules = rules::find(&mut tx).await?;
    tx.commit().await?;
    web::render(&RulesPage {
        input: RulesInput::from_rules(&rules),
        majorities: Majority::ALL,
        fields: MAJORITY_FIELDS,
        may_edit: is_secretary(&user),
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub async fn update_rules(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let input = RulesInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    if let Some(new_rules) = input.validate(&mut errors) {
        let mut tx = ctx.tx().await?;
        let old = rules::find(&mut tx).await?;
        rules::update(&mut tx, &new_rules, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::AssemblyRulesChanged,
            json!({ "before": format!("{old:?}"), "after": format!("{new_rules:?}") }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/assembly/rules", ctx.tenant.slug),
            "flash.rules_saved",
        ));
    }
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &RulesPage {
            input,
            majorities: Majority::ALL,
            fields: MAJORITY_FIELDS,
            may_edit: true,
            errors,
            l: ctx.layout(),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Representatives

#[derive(Template)]
#[template(path = "assembly/representatives.html")]
struct RepresentativesPage {
    l: Layout,
    rows: Vec<Representative>,
    pagination: Pagination,
    candidates: Vec<Candidate>,
    input: MandateInput,
    errors: FormErrors,
}

async fn render_representatives(
    mut tx: TenantTx,
    ctx: &RequestContext,
    page: i64,
    input: Option<MandateInput>,
    errors: FormErrors,
) -> AppResult<Response> {
    let today = local_now(&mut tx).await?.date();
    let mut rows = representatives::list(&mut tx, page).await?;
    let candidates = representatives::candidates(&mut tx).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, representatives::PAGE_SIZE);
    web::render_with_status(
        status_for(&errors),
        &RepresentativesPage {
            rows,
            pagination: Pagination::new(
                format!("/{}/assembly/representatives?", ctx.tenant.slug),
                page,
                has_next,
            ),
            candidates,
            input: input.unwrap_or_else(|| MandateInput::starting(today)),
            errors,
            l: ctx.layout(),
        },
    )
}

pub async fn representatives(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let tx = ctx.tx().await?;
    render_representatives(tx, &ctx, page_number(query.page), None, FormErrors::default()).await
}

pub async fn add_representative(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let input = MandateInput::from_fields(&fields);
    let mut tx = ctx.tx().await?;
    let candidates = representatives::candidates(&mut tx).await?;
    let mut errors = FormErrors::default();
    if let Some(mandate) = input.validate(&candidates, &mut errors) {
        let organisation_id = representatives::add(&mut tx, &mandate, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::RepresentativeChanged,
            json!({ "organisation_id": organisation_id, "user_id": mandate.user_id, "from": format_date(mandate.valid_from) }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/assembly/representatives", ctx.tenant.slug),
            "flash.representative_added",
        ));
    }
    render_representatives(tx, &ctx, 1, Some(input), errors).await
}

pub async fn end_representative(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    if !representatives::end(&mut tx, id, today).await? {
        return Err(AppError::NotFound);
    }
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::RepresentativeChanged,
        json!({ "representative_id": id, "ended": format_date(today) }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/assembly/representatives", ctx.tenant.slug),
        "flash.representative_ended",
    ))
}

// ---------------------------------------------------------------------------------------------
// Working groups' proposals

pub async fn promote_proposal(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(proposal_id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    user.require_any(SECRETARY_ROLES)?;
    let mut tx = ctx.tx().await?;
    let meeting = lock_meeting(&mut tx, fields.get("meeting"), &user).await?;
    if !meeting.is_draft() {
        return Err(AppError::Forbidden);
    }
    let (title, proposal, topic) = proposals::unpromoted(&mut tx, proposal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = agenda::ItemDetails {
        parent_id: None,
        kind: ItemKind::Decision,
        title,
        description: format!("Voorstel van werkatelier {topic}"),
        proposal,
        decision_kind: Some(DecisionKind::Ordinary),
        organisation_id: None,
        reasons: String::new(),
    };
    let item_id = agenda::add(&mut tx, meeting.id, &details, Some(proposal_id)).await?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::AgendaChanged,
        json!({ "meeting_id": meeting.id, "added": item_id, "proposal_id": proposal_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("{}#item-{item_id}", meeting_path(&ctx, meeting.id)),
        "flash.proposal_promoted",
    ))
}
