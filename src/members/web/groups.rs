//! Working groups: the list, a group's page with its notes, proposals and closing, and the
//! form to add or edit one.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{admin, audit_change, errors_of, form_status, page_number};
use crate::assembly::meetings::MeetingOption;
use crate::assembly::proposals::{self, Proposal, ProposalInput};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::groups::{
    self, CloseInput, CoordinatorOption, GroupClosed, GroupInput, GroupRow, Note, NoteInput, Viewer,
    WorkingGroup,
};
use crate::members::register::{self, OrganisationOption};
use crate::shared::clock::local_now;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Deserialize)]
pub(in crate::members) struct GroupsQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "members/groups.html")]
struct GroupsPage {
    l: Layout,
    rows: Vec<GroupRow>,
    pagination: Pagination,
    may_edit: bool,
}

pub(in crate::members) async fn groups(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<GroupsQuery>,
) -> AppResult<Response> {
    let viewer = Viewer::of(&user)?;
    let page = page_number(query.page);
    let (mut rows, total) = match viewer {
        Some(viewer) => {
            let mut tx = ctx.tx().await?;
            let rows = groups::list(&mut tx, viewer, page).await?;
            let total = groups::count(&mut tx, viewer).await?;
            tx.commit().await?;
            (rows, total)
        }
        None => (Vec::new(), 0),
    };
    let has_next = trim_page(&mut rows, groups::PAGE_SIZE);
    web::render(&GroupsPage {
        rows,
        pagination: Pagination::new(
            format!("/{}/groups", ctx.tenant.slug),
            page,
            groups::PAGE_SIZE,
            has_next,
            total,
        ),
        may_edit: user.has(Role::Admin),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "members/group_form.html")]
struct GroupFormPage {
    l: Layout,
    action: String,
    back: String,
    heading_key: &'static str,
    input: GroupInput,
    coordinators: Vec<CoordinatorOption>,
    organisations: Vec<OrganisationOption>,
    errors: FormErrors,
}

impl GroupFormPage {
    fn new(
        ctx: &RequestContext,
        input: GroupInput,
        coordinators: Vec<CoordinatorOption>,
        organisations: Vec<OrganisationOption>,
    ) -> GroupFormPage {
        GroupFormPage {
            action: format!("/{}/groups", ctx.tenant.slug),
            back: format!("/{}/groups", ctx.tenant.slug),
            heading_key: "group.new",
            input,
            coordinators,
            organisations,
            errors: FormErrors::default(),
            l: ctx.layout(),
        }
    }

    fn editing(mut self, ctx: &RequestContext, group: &WorkingGroup) -> GroupFormPage {
        let path = format!("/{}/groups/{}", ctx.tenant.slug, group.id);
        self.action = path.clone();
        self.back = path;
        self.heading_key = "group.edit";
        self
    }

    fn render(self) -> AppResult<Response> {
        web::render_with_status(form_status(&self.errors, false), &self)
    }
}

pub(in crate::members) async fn new_group(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let coordinators = groups::coordinator_choices(&mut tx, None).await?;
    let organisations = register::choices(&mut tx, &[]).await?;
    tx.commit().await?;
    GroupFormPage::new(&ctx, GroupInput::default(), coordinators, organisations).render()
}

pub(in crate::members) async fn create_group(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let input = GroupInput::from_fields(&fields);
    let mut errors = fields.errors();
    let mut tx = ctx.tx().await?;
    let coordinators = groups::coordinator_choices(&mut tx, None).await?;
    let organisations = register::choices(&mut tx, &[]).await?;
    if let Some(details) = input.validate(&coordinators, &organisations, &mut errors) {
        let id = groups::create(&mut tx, &details).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::WorkingGroupChanged,
            None,
            json!({ "working_group_id": id, "topic": details.topic, "created": true }),
        )
        .await?;
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/groups/{id}", ctx.tenant.slug),
            "flash.group_created",
        ));
    }
    tx.commit().await?;
    let mut page = GroupFormPage::new(&ctx, input, coordinators, organisations);
    page.errors = errors;
    page.render()
}

/// The working group, if this user may see it; anything else is not found.
async fn load_group(tx: &mut TenantTx, user: &CurrentUser, id: Uuid) -> AppResult<WorkingGroup> {
    let viewer = Viewer::of(user)?.ok_or(AppError::NotFound)?;
    groups::find(tx, id, viewer).await?.ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "members/group.html")]
struct GroupPage {
    l: Layout,
    group: WorkingGroup,
    participants: Vec<OrganisationOption>,
    notes: Vec<Note>,
    may_edit: bool,
    note: NoteInput,
    close: CloseInput,
    proposals: Vec<Proposal>,
    proposal: ProposalInput,
    /// Meetings in preparation a proposal can be promoted to (administrators only).
    meetings: Vec<MeetingOption>,
    form: &'static str,
    errors: FormErrors,
}

impl GroupPage {
    fn errors_for(&self, form: &str) -> &FormErrors {
        errors_of(self.form, &self.errors, form)
    }
}

/// What a failed form on the working group's page brings back to it.
enum GroupForm {
    None,
    Note(NoteInput),
    Close(CloseInput),
    Proposal(ProposalInput),
}

async fn render_group(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    group: WorkingGroup,
    submitted: GroupForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let today = local_now(&mut tx).await?.date();
    let participants = groups::participants(&mut tx, group.id).await?;
    let notes = groups::notes(&mut tx, group.id).await?;
    let proposals = proposals::of_group(&mut tx, group.id).await?;
    let meetings = if user.has(Role::Admin) {
        proposals::meetings_in_preparation(&mut tx).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let (mut note, mut close, mut proposal) = (
        NoteInput::starting(today),
        CloseInput::starting(today),
        ProposalInput::default(),
    );
    let form = match submitted {
        GroupForm::None => "",
        GroupForm::Note(typed) => {
            note = typed;
            "note"
        }
        GroupForm::Close(typed) => {
            close = typed;
            "close"
        }
        GroupForm::Proposal(typed) => {
            proposal = typed;
            "proposal"
        }
    };
    web::render_with_status(
        form_status(&errors, false),
        &GroupPage {
            group,
            participants,
            notes,
            may_edit: user.has(Role::Admin),
            note,
            close,
            proposals,
            proposal,
            meetings,
            form,
            errors,
            l: ctx.layout(),
        },
    )
}

pub(in crate::members) async fn group(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, id).await?;
    render_group(tx, &ctx, &user, group, GroupForm::None, FormErrors::default()).await
}

pub(in crate::members) async fn edit_group(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, id).await?;
    let participants = groups::participants(&mut tx, group.id).await?;
    let taking_part: Vec<Uuid> = participants.iter().map(|o| o.id).collect();
    let coordinators = groups::coordinator_choices(&mut tx, group.coordinator_id).await?;
    let organisations = register::choices(&mut tx, &taking_part).await?;
    tx.commit().await?;
    let input = GroupInput::from_group(&group, &participants);
    GroupFormPage::new(&ctx, input, coordinators, organisations)
        .editing(&ctx, &group)
        .render()
}

fn back_to_group(ctx: &RequestContext, id: Uuid, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("/{}/groups/{id}", ctx.tenant.slug), flash)
}

pub(in crate::members) async fn update_group(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, id).await?;
    let taking_part: Vec<Uuid> = groups::participants(&mut tx, group.id)
        .await?
        .iter()
        .map(|o| o.id)
        .collect();
    let coordinators = groups::coordinator_choices(&mut tx, group.coordinator_id).await?;
    let organisations = register::choices(&mut tx, &taking_part).await?;
    let input = GroupInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some(details) = input.validate(&coordinators, &organisations, &mut errors) {
        match groups::update(&mut tx, group.id, &details).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::WorkingGroupChanged,
                    None,
                    json!({ "working_group_id": group.id, "topic": details.topic, "updated": true }),
                )
                .await?;
                tx.commit().await?;
                return Ok(back_to_group(&ctx, group.id, "flash.group_updated"));
            }
            Err(GroupClosed) => errors.form("group.error.closed"),
        }
    }
    tx.commit().await?;
    let mut page = GroupFormPage::new(&ctx, input, coordinators, organisations).editing(&ctx, &group);
    page.errors = errors;
    page.render()
}

pub(in crate::members) async fn add_note(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, id).await?;
    let today = local_now(&mut tx).await?.date();
    let input = NoteInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some((met_on, body)) = input.validate(today, &mut errors) {
        match groups::add_note(&mut tx, group.id, met_on, &body, user.id).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::WorkingGroupChanged,
                    None,
                    json!({ "working_group_id": group.id, "topic": group.topic, "note_of": met_on.to_string() }),
                )
                .await?;
                tx.commit().await?;
                return Ok(back_to_group(&ctx, group.id, "flash.group_note_added"));
            }
            Err(GroupClosed) => errors.form("group.error.closed"),
        }
    }
    render_group(tx, &ctx, &user, group, GroupForm::Note(input), errors).await
}

/// A working group submits a proposal to the general assembly: its administrators, or staff
/// of an organisation taking part.
pub(in crate::members) async fn submit_proposal(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, id).await?;
    if !group.is_open() {
        return Err(AppError::Forbidden);
    }
    let input = ProposalInput::from_fields(&fields);
    let mut errors = fields.errors();
    if input.validate(&mut errors) {
        let proposal_id = proposals::submit(&mut tx, group.id, &input, user.id).await?;
        audit_change(
            &mut tx,
            &ctx,
            &user,
            AuditKind::WorkingGroupChanged,
            None,
            json!({ "working_group_id": group.id, "proposal_id": proposal_id, "title": input.title }),
        )
        .await?;
        tx.commit().await?;
        return Ok(back_to_group(&ctx, group.id, "flash.proposal_submitted"));
    }
    render_group(tx, &ctx, &user, group, GroupForm::Proposal(input), errors).await
}

pub(in crate::members) async fn close_group(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, id).await?;
    let today = local_now(&mut tx).await?.date();
    let input = CloseInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some((closed_on, outcome)) = input.validate(today, &mut errors) {
        match groups::close(&mut tx, group.id, closed_on, &outcome).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::WorkingGroupChanged,
                    None,
                    json!({
                        "working_group_id": group.id,
                        "topic": group.topic,
                        "closed_on": closed_on.to_string(),
                        "outcome": outcome,
                    }),
                )
                .await?;
                tx.commit().await?;
                return Ok(back_to_group(&ctx, group.id, "flash.group_closed"));
            }
            Err(GroupClosed) => errors.form("group.error.closed"),
        }
    }
    render_group(tx, &ctx, &user, group, GroupForm::Close(input), errors).await
}
