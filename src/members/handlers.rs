use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::assembly::meetings::MeetingOption;
use crate::assembly::proposals::{self, Proposal, ProposalInput};
use crate::audit::{self, Actor, AuditKind, Subject};
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::groups::{
    self, CloseInput, CoordinatorOption, GroupClosed, GroupInput, GroupRow, Note, NoteInput, Viewer,
    WorkingGroup,
};
use crate::members::register::{
    self, LinkError, Organisation, OrganisationInput, OrganisationOption, OrganisationRow, StaffMember,
    StatusEntry, StatusError, StatusInput, UpdateError,
};
use crate::members::services::{self, CatalogueEntry, Provider, Service, ServiceInput, ServiceOption};
use crate::members::{MemberStatus, NameTaken, OrganisationKind, READ_ROLES};
use crate::shared::choices::Domain;
use crate::shared::clock::local_now;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

/// What a form that is not the one submitted shows: no errors.
static NO_ERRORS: FormErrors = FormErrors::new();

fn admin(user: &CurrentUser) -> AppResult<()> {
    user.require_any(&[Role::Admin])
}

async fn audit_change(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    kind: AuditKind,
    subject: Option<Subject<'_>>,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    audit::record(tx, &Actor::user(user, ctx.client_ip), kind, subject, details).await
}

/// 409 when someone else saved first, 422 for mistakes in the form, else 200.
fn form_status(errors: &FormErrors, conflict: bool) -> StatusCode {
    if conflict {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn page_number(page: Option<i64>) -> i64 {
    page.unwrap_or(1).max(1)
}

// ---------------------------------------------------------------------------------------------
// The register

#[derive(Deserialize)]
pub struct RegisterQuery {
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

pub async fn organisations(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<RegisterQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = page_number(query.page);
    let status = MemberStatus::parse(&query.status);
    let mut tx = ctx.tx().await?;
    let mut rows = register::list(&mut tx, &query.q, status, page).await?;
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
        pagination: Pagination::new(base, page, has_next),
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

pub async fn new_organisation(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let catalogue = services::list(&mut tx).await?;
    tx.commit().await?;
    let mut page = OrganisationFormPage::new(&ctx, OrganisationInput::default(), catalogue);
    page.initial = Some(StatusInput::starting(today));
    page.render()
}

pub async fn create_organisation(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let input = OrganisationInput::from_fields(&fields);
    let initial = StatusInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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

async fn load_organisation(tx: &mut TenantTx, id: &str) -> AppResult<Organisation> {
    register::find(tx, parse_id(id)?).await?.ok_or(AppError::NotFound)
}

pub async fn edit_organisation(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, &id).await?;
    let catalogue = services::list(&mut tx).await?;
    let offered = register::services_of(&mut tx, organisation.id).await?;
    tx.commit().await?;
    let input = OrganisationInput::from_organisation(&organisation, &offered);
    OrganisationFormPage::new(&ctx, input, catalogue)
        .editing(&ctx, &organisation, organisation.lock_version)
        .render()
}

pub async fn update_organisation(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, &id).await?;
    let catalogue = services::list(&mut tx).await?;
    let offered = register::services_of(&mut tx, organisation.id).await?;
    let input = OrganisationInput::from_fields(&fields);
    let version = fields.get("lock_version").parse().unwrap_or(-1);
    let mut errors = FormErrors::default();
    let mut conflict = false;
    if let Some(details) = input.validate(&catalogue, &mut errors) {
        let outcome = if version == organisation.lock_version {
            register::update(&mut tx, organisation.id, version, &details).await?
        } else {
            Err(UpdateError::Conflict)
        };
        match outcome {
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
        if self.form == form {
            &self.errors
        } else {
            &NO_ERRORS
        }
    }
}

/// What a failed form on the organisation's page brings back to it.
struct Submitted {
    form: &'static str,
    errors: FormErrors,
    conflict: bool,
    status: Option<StatusInput>,
    link_user: String,
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

async fn render_organisation(
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

pub async fn organisation(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, &id).await?;
    render_organisation(tx, &ctx, &user, organisation, Submitted::nothing()).await
}

fn back_to_organisation(ctx: &RequestContext, id: Uuid, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("/{}/members/{id}", ctx.tenant.slug), flash)
}

pub async fn change_status(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, &id).await?;
    let today = local_now(&mut tx).await?.date();
    let input = StatusInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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

pub async fn link_user(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, &id).await?;
    let chosen = fields.get("user").trim().to_owned();
    let mut errors = FormErrors::default();
    let outcome = match chosen.parse::<Uuid>() {
        Ok(user_id) => register::link_user(&mut tx, &organisation, user_id).await?,
        Err(_) => Err(LinkError::UnknownUser),
    };
    match outcome {
        Ok(linked) => {
            audit_change(
                &mut tx,
                &ctx,
                &user,
                AuditKind::MemberUpdated,
                Some(Subject {
                    id: linked.id,
                    name: &linked.name,
                }),
                json!({ "organisation_id": organisation.id, "name": organisation.name, "user_linked": true }),
            )
            .await?;
            tx.commit().await?;
            return Ok(back_to_organisation(&ctx, organisation.id, "flash.user_linked"));
        }
        Err(LinkError::UnknownUser) => errors.field("user", "organisation.error.user"),
        Err(LinkError::NotMemberStaff) => errors.field("user", "organisation.error.not_member_staff"),
        Err(LinkError::AlreadyLinked) => errors.field("user", "organisation.error.already_linked"),
        Err(LinkError::OrganisationLeft) => errors.field("user", "organisation.error.link_left"),
    }
    let submitted = Submitted {
        form: "link",
        errors,
        conflict: false,
        status: None,
        link_user: chosen,
    };
    render_organisation(tx, &ctx, &user, organisation, submitted).await
}

pub async fn unlink_user(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id, user_id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let organisation = load_organisation(&mut tx, &id).await?;
    let unlinked = register::unlink_user(&mut tx, organisation.id, parse_id(&user_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_change(
        &mut tx,
        &ctx,
        &user,
        AuditKind::MemberUpdated,
        Some(Subject {
            id: unlinked.id,
            name: &unlinked.name,
        }),
        json!({ "organisation_id": organisation.id, "name": organisation.name, "user_linked": false }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to_organisation(&ctx, organisation.id, "flash.user_unlinked"))
}

// ---------------------------------------------------------------------------------------------
// The service catalogue

#[derive(Deserialize)]
pub struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    domain: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "members/catalogue.html")]
struct CataloguePage {
    l: Layout,
    entries: Vec<CatalogueEntry>,
    q: String,
    domain: String,
    domains: &'static [Domain],
    pagination: Pagination,
    may_edit: bool,
}

pub async fn catalogue(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<CatalogueQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = page_number(query.page);
    let domain = Domain::parse(&query.domain);
    let mut tx = ctx.tx().await?;
    let mut entries = services::catalogue(&mut tx, &query.q, domain, page).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut entries, services::PAGE_SIZE);
    let domain = domain.map(Domain::code).unwrap_or_default();
    let base = format!(
        "/{}/services?q={}&domain={domain}",
        ctx.tenant.slug,
        web::query_encode(&query.q)
    );
    web::render(&CataloguePage {
        entries,
        q: query.q,
        domain: domain.to_owned(),
        domains: Domain::ALL,
        pagination: Pagination::new(base, page, has_next),
        may_edit: user.has(Role::Admin),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "members/service_form.html")]
struct ServiceFormPage {
    l: Layout,
    action: String,
    heading_key: &'static str,
    input: ServiceInput,
    domains: &'static [Domain],
    /// Who offers the service, when editing one.
    providers: Option<Vec<Provider>>,
    errors: FormErrors,
}

impl ServiceFormPage {
    fn new(ctx: &RequestContext, input: ServiceInput) -> ServiceFormPage {
        ServiceFormPage {
            action: format!("/{}/services", ctx.tenant.slug),
            heading_key: "service.new",
            input,
            domains: Domain::ALL,
            providers: None,
            errors: FormErrors::default(),
            l: ctx.layout(),
        }
    }

    fn editing(
        mut self,
        ctx: &RequestContext,
        service: &Service,
        providers: Vec<Provider>,
    ) -> ServiceFormPage {
        self.action = format!("/{}/services/{}", ctx.tenant.slug, service.id);
        self.heading_key = "service.edit";
        self.providers = Some(providers);
        self
    }

    fn render(self) -> AppResult<Response> {
        web::render_with_status(form_status(&self.errors, false), &self)
    }
}

/// The catalogue showing the service just saved.
fn back_to_catalogue(ctx: &RequestContext, name: &str, flash: &'static str) -> Response {
    web::redirect_with_flash(
        &format!("/{}/services?q={}", ctx.tenant.slug, web::query_encode(name)),
        flash,
    )
}

pub async fn new_service(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(&user)?;
    ServiceFormPage::new(&ctx, ServiceInput::default()).render()
}

pub async fn create_service(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let input = ServiceInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    if let Some(details) = input.validate(&mut errors) {
        let mut tx = ctx.tx().await?;
        match services::create(&mut tx, &details).await? {
            Ok(id) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::ServiceChanged,
                    None,
                    json!({ "service_id": id, "name": details.name, "created": true }),
                )
                .await?;
                tx.commit().await?;
                return Ok(back_to_catalogue(&ctx, &details.name, "flash.service_created"));
            }
            Err(NameTaken) => errors.field("name", "service.error.name_taken"),
        }
    }
    let mut page = ServiceFormPage::new(&ctx, input);
    page.errors = errors;
    page.render()
}

async fn load_service(tx: &mut TenantTx, id: &str) -> AppResult<Service> {
    services::find(tx, parse_id(id)?).await?.ok_or(AppError::NotFound)
}

pub async fn edit_service(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let service = load_service(&mut tx, &id).await?;
    let providers = services::providers(&mut tx, service.id).await?;
    tx.commit().await?;
    ServiceFormPage::new(&ctx, ServiceInput::from_service(&service))
        .editing(&ctx, &service, providers)
        .render()
}

pub async fn update_service(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let service = load_service(&mut tx, &id).await?;
    let providers = services::providers(&mut tx, service.id).await?;
    let input = ServiceInput::from_fields(&fields);
    let mut errors = FormErrors::default();
    if let Some(details) = input.validate(&mut errors) {
        match services::update(&mut tx, service.id, &details).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::ServiceChanged,
                    None,
                    json!({ "service_id": service.id, "name": details.name, "former_name": service.name }),
                )
                .await?;
                tx.commit().await?;
                return Ok(back_to_catalogue(&ctx, &details.name, "flash.service_updated"));
            }
            Err(NameTaken) => errors.field("name", "service.error.name_taken"),
        }
    }
    drop(tx);
    let mut page = ServiceFormPage::new(&ctx, input).editing(&ctx, &service, providers);
    page.errors = errors;
    page.render()
}

// ---------------------------------------------------------------------------------------------
// Working groups

/// Administrators see every working group; staff of a member organisation those their
/// organisation takes part in (`None`: not linked to one, so none); anyone else nothing.
fn viewer(user: &CurrentUser) -> AppResult<Option<Viewer>> {
    if user.has(Role::Admin) {
        Ok(Some(Viewer::Everyone))
    } else if user.has(Role::Member) {
        Ok(user.organisation_id.map(Viewer::Organisation))
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Deserialize)]
pub struct GroupsQuery {
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

pub async fn groups(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<GroupsQuery>,
) -> AppResult<Response> {
    let viewer = viewer(&user)?;
    let page = page_number(query.page);
    let mut rows = match viewer {
        Some(viewer) => {
            let mut tx = ctx.tx().await?;
            let rows = groups::list(&mut tx, viewer, page).await?;
            tx.commit().await?;
            rows
        }
        None => Vec::new(),
    };
    let has_next = trim_page(&mut rows, groups::PAGE_SIZE);
    web::render(&GroupsPage {
        rows,
        pagination: Pagination::new(format!("/{}/groups", ctx.tenant.slug), page, has_next),
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

pub async fn new_group(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let coordinators = groups::coordinator_choices(&mut tx, None).await?;
    let organisations = register::choices(&mut tx, &[]).await?;
    tx.commit().await?;
    GroupFormPage::new(&ctx, GroupInput::default(), coordinators, organisations).render()
}

pub async fn create_group(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let input = GroupInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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
async fn load_group(tx: &mut TenantTx, user: &CurrentUser, id: &str) -> AppResult<WorkingGroup> {
    let id = parse_id(id)?;
    let viewer = viewer(user)?.ok_or(AppError::NotFound)?;
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
        if self.form == form {
            &self.errors
        } else {
            &NO_ERRORS
        }
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

pub async fn group(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, &id).await?;
    render_group(tx, &ctx, &user, group, GroupForm::None, FormErrors::default()).await
}

pub async fn edit_group(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, &id).await?;
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

pub async fn update_group(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, &id).await?;
    let taking_part: Vec<Uuid> = groups::participants(&mut tx, group.id)
        .await?
        .iter()
        .map(|o| o.id)
        .collect();
    let coordinators = groups::coordinator_choices(&mut tx, group.coordinator_id).await?;
    let organisations = register::choices(&mut tx, &taking_part).await?;
    let input = GroupInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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

pub async fn add_note(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, &id).await?;
    let today = local_now(&mut tx).await?.date();
    let input = NoteInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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
pub async fn submit_proposal(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, &id).await?;
    if !group.is_open() {
        return Err(AppError::Forbidden);
    }
    let input = ProposalInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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

pub async fn close_group(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let group = load_group(&mut tx, &user, &id).await?;
    let today = local_now(&mut tx).await?.date();
    let input = CloseInput::from_fields(&fields);
    let mut errors = FormErrors::default();
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
