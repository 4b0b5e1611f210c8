//! The register of member organisations: the list, an organisation's page with its
//! membership status, and the form to add or edit one.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{admin, audit_change, errors_of, form_status, page_number};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::register::{
    self, Organisation, OrganisationInput, OrganisationRow, StaffMember, StatusEntry, StatusError,
    StatusInput, UpdateError,
};
use crate::members::services::{self, ServiceOption};
use crate::members::{MemberStatus, NameTaken, OrganisationKind, READ_ROLES};
use crate::shared::clock::local_now;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Deserialize)]
pub(in crate::members) struct RegisterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "members/register.html")]
struct RegisterPage {
    l: Layout,
    rows: Vec<OrganisationRow>,
    q: String,
    status: String,
    statuses: &'static [MemberStatus],
    pagination: Pagination,
    may_edit: bool,
}

pub(in crate::members) async fn organisations(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<RegisterQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = page_number(query.page);
    let status = MemberStatus::parse(&query.status);
    let mut tx = ctx.tx().await?;
    let mut rows = register::list(&mut tx, &query.q, status, page).await?;
    let total = register::count(&mut tx, &query.q, status).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, register::PAGE_SIZE);
    let base = format!(
        "/{}/members?q={}&status={}",
        ctx.tenant.slug,
        web::query_encode(&query.q),
        status.map(MemberStatus::code).unwrap_or_default()
    );
    web::render(&RegisterPage {
        rows,
        q: query.q,
        status: status.map(MemberStatus::code).unwrap_or_default().to_owned(),
        statuses: MemberStatus::ALL,
        pagination: Pagination::new(base, page, register::PAGE_SIZE, has_next, total),
        may_edit: user.has(Role::Admin),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "members/organisation_form.html")]
struct OrganisationFormPage {
    l: Layout,
    action: String,
    back: String,
    heading_key: &'static str,
    input: OrganisationInput,
    /// The first status, asked only of a new organisation.
    initial: Option<StatusInput>,
    /// The version the form started from, when editing.
    lock_version: Option<i32>,
    catalogue: Vec<ServiceOption>,
    kinds: &'static [OrganisationKind],
    initial_statuses: [MemberStatus; 2],
    errors: FormErrors,
    conflict: bool,
}

impl OrganisationFormPage {
    fn new(
        ctx: &RequestContext,
        input: OrganisationInput,
        catalogue: Vec<ServiceOption>,
    ) -> OrganisationFormPage {
        OrganisationFormPage {
            action: format!("/{}/members", ctx.tenant.slug),
            back: format!("/{}/members", ctx.tenant.slug),
            heading_key: "organisation.new",
            input,
            initial: None,
            lock_version: None,
            catalogue,
            kinds: OrganisationKind::ALL,
            initial_statuses: [MemberStatus::Aspirant, MemberStatus::Member],
            errors: FormErrors::default(),
            conflict: false,
            l: ctx.layout(),
        }
    }

    fn editing(
        mut self,
        ctx: &RequestContext,
        organisation: &Organisation,
        version: i32,
    ) -> OrganisationFormPage {
        let path = format!("/{}/members/{}", ctx.tenant.slug, organisation.id);
        self.action = path.clone();
        self.back = path;
        self.heading_key = "organisation.edit";
        self.lock_version = Some(version);
        self
    }

    fn render(self) -> AppResult<Response> {
        web::render_with_status(form_status(&self.errors, self.conflict), &self)
    }
}

pub(in crate::members) async fn new_organisation(
    ctx: RequestContext,
    user: CurrentUser,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let catalogue = services::list(&mut tx).await?;
    tx.commit().await?;
    let mut page = OrganisationFormPage::new(&ctx, OrganisationInput::default(), catalogue);
    page.initial = Some(StatusInput::starting(today));
    page.render()
}

pub(in crate::members) async fn create_organisation(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let input = OrganisationInput::from_fields(&fields);
    let initial = StatusInput::from_fields(&fields);
    let mut errors = fields.errors();
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let catalogue = services::list(&mut tx).await?;
    let details = input.validate(&catalogue, &mut errors);
    let first_status = initial.validate_initial(today, &mut errors);
    if let (Some(details), Some(first_status)) = (details, first_status) {
        match register::create(&mut tx, &details, &first_status, Some(user.id)).await? {
            Ok(id) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MemberCreated,
                    None,
                    json!({
                        "organisation_id": id,
                        "name": details.name,
                        "kind": details.kind.code(),
                        "status": first_status.status.code(),
                    }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("/{}/members/{id}", ctx.tenant.slug),
                    "flash.organisation_created",
                ));
            }
            Err(NameTaken) => errors.field("name", "organisation.error.name_taken"),
        }
    }
    // Not committed: nothing of a refused form is stored.
    drop(tx);
    let mut page = OrganisationFormPage::new(&ctx, input, catalogue);
    page.initial = Some(initial);
    page.errors = errors;
    page.render()
}

pub(super) async fn load_organisation(tx: &mut TenantTx, id: Uuid) -> AppResult<Organisation> {
    register::find(tx, id).await?.ok_or(AppError::NotFound)
}

pub(in crate::members) async fn edit_organisation(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, id).await?;
    let catalogue = services::list(&mut tx).await?;
    let offered = register::services_of(&mut tx, organisation.id).await?;
    tx.commit().await?;
    let input = OrganisationInput::from_organisation(&organisation, &offered);
    OrganisationFormPage::new(&ctx, input, catalogue)
        .editing(&ctx, &organisation, organisation.lock_version)
        .render()
}

pub(in crate::members) async fn update_organisation(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, id).await?;
    let catalogue = services::list(&mut tx).await?;
    let offered = register::services_of(&mut tx, organisation.id).await?;
    let input = OrganisationInput::from_fields(&fields);
    let version = fields.get("lock_version").parse().unwrap_or(-1);
    let mut errors = fields.errors();
    let mut conflict = false;
    if let Some(details) = input.validate(&catalogue, &mut errors) {
        match register::update(&mut tx, &organisation, version, &details).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MemberUpdated,
                    None,
                    json!({
                        "organisation_id": organisation.id,
                        "name": details.name,
                        "changed": details.changes_from(&organisation, &offered),
                    }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("/{}/members/{}", ctx.tenant.slug, organisation.id),
                    "flash.organisation_updated",
                ));
            }
            Err(UpdateError::NameTaken) => errors.field("name", "organisation.error.name_taken"),
            Err(UpdateError::Conflict) => {
                conflict = true;
                errors.form("organisation.error.conflict");
            }
        }
    }
    drop(tx);
    // After a conflict the form carries the current version: saving again is a deliberate
    // choice to overwrite, made after seeing the message.
    let shown_version = if conflict {
        organisation.lock_version
    } else {
        version
    };
    let mut page =
        OrganisationFormPage::new(&ctx, input, catalogue).editing(&ctx, &organisation, shown_version);
    page.errors = errors;
    page.conflict = conflict;
    page.render()
}

#[derive(Template)]
#[template(path = "members/organisation.html")]
struct OrganisationPage {
    l: Layout,
    organisation: Organisation,
    services: Vec<ServiceOption>,
    history: Vec<StatusEntry>,
    staff: Vec<StaffMember>,
    candidates: Vec<StaffMember>,
    may_edit: bool,
    statuses: &'static [MemberStatus],
    status: StatusInput,
    link_user: String,
    /// The form submitted, when it is shown again with its errors.
    form: &'static str,
    errors: FormErrors,
}

impl OrganisationPage {
    fn errors_for(&self, form: &str) -> &FormErrors {
        errors_of(self.form, &self.errors, form)
    }
}

/// What a failed form on the organisation's page brings back to it.
pub(super) struct Submitted {
    pub(super) form: &'static str,
    pub(super) errors: FormErrors,
    pub(super) conflict: bool,
    pub(super) status: Option<StatusInput>,
    pub(super) link_user: String,
}

impl Submitted {
    fn nothing() -> Submitted {
        Submitted {
            form: "",
            errors: FormErrors::default(),
            conflict: false,
            status: None,
            link_user: String::new(),
        }
    }
}

pub(super) async fn render_organisation(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    organisation: Organisation,
    submitted: Submitted,
) -> AppResult<Response> {
    let may_edit = user.has(Role::Admin);
    let today = local_now(&mut tx).await?.date();
    let services = register::services_of(&mut tx, organisation.id).await?;
    let history = register::status_history(&mut tx, organisation.id).await?;
    // Who works for the organisation is the administrators' business.
    let (staff, candidates) = if may_edit {
        (
            register::staff(&mut tx, organisation.id).await?,
            register::link_candidates(&mut tx).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    tx.commit().await?;
    let status = form_status(&submitted.errors, submitted.conflict);
    web::render_with_status(
        status,
        &OrganisationPage {
            organisation,
            services,
            history,
            staff,
            candidates,
            may_edit,
            statuses: MemberStatus::ALL,
            status: submitted.status.unwrap_or_else(|| StatusInput::starting(today)),
            link_user: submitted.link_user,
            form: submitted.form,
            errors: submitted.errors,
            l: ctx.layout(),
        },
    )
}

pub(in crate::members) async fn organisation(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, id).await?;
    render_organisation(tx, &ctx, &user, organisation, Submitted::nothing()).await
}

pub(super) fn back_to_organisation(ctx: &RequestContext, id: Uuid, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("/{}/members/{id}", ctx.tenant.slug), flash)
}

pub(in crate::members) async fn change_status(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, id).await?;
    let today = local_now(&mut tx).await?.date();
    let input = StatusInput::from_fields(&fields);
    let mut errors = fields.errors();
    let mut conflict = false;
    if let Some(change) = input.validate(today, &mut errors) {
        match register::change_status(&mut tx, &organisation, &change, Some(user.id)).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::MemberStatusChanged,
                    None,
                    json!({
                        "organisation_id": organisation.id,
                        "name": organisation.name,
                        "from": organisation.status,
                        "to": change.status.code(),
                        "effective_on": change.effective_on.to_string(),
                        "note": change.note,
                    }),
                )
                .await?;
                tx.commit().await?;
                return Ok(back_to_organisation(
                    &ctx,
                    organisation.id,
                    "flash.member_status_changed",
                ));
            }
            Err(StatusError::Unchanged) => errors.field("status", "organisation.error.status_unchanged"),
            Err(StatusError::BeforeCurrent) => {
                errors.field("effective_on", "organisation.error.before_current")
            }
            Err(StatusError::Conflict) => {
                conflict = true;
                errors.form("organisation.error.status_conflict");
            }
        }
    }
    let submitted = Submitted {
        form: "status",
        errors,
        conflict,
        status: Some(input),
        link_user: String::new(),
    };
    render_organisation(tx, &ctx, &user, organisation, submitted).await
}
