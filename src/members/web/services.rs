//! The service catalogue: the services member organisations offer, by domain, and the form
//! to add or edit one.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{admin, audit_change, form_status, page_number};
use crate::audit::AuditKind;
use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::services::{self, CatalogueEntry, Provider, Service, ServiceInput};
use crate::members::{NameTaken, READ_ROLES};
use crate::shared::choices::Domain;
use crate::shared::money::TariffUnit;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Deserialize)]
pub(in crate::members) struct CatalogueQuery {
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

pub(in crate::members) async fn catalogue(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<CatalogueQuery>,
) -> AppResult<Response> {
    user.require_any(READ_ROLES)?;
    let page = page_number(query.page);
    let domain = Domain::parse(&query.domain);
    let mut tx = ctx.tx().await?;
    let mut entries = services::catalogue(&mut tx, &query.q, domain, page).await?;
    let total = services::count(&mut tx, &query.q, domain).await?;
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
        pagination: Pagination::new(base, page, services::PAGE_SIZE, has_next, total),
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
    units: &'static [TariffUnit],
    /// Who offers the service, when editing one.
    providers: Option<Vec<Provider>>,
    errors: FormErrors,
}

impl ServiceFormPage {
    fn new(ctx: &RequestContext, input: ServiceInput) -> ServiceFormPage {
        ServiceFormPage {
            action: format!("/{}/services", ctx.tenant.slug),
            heading_key: "service.new",
            units: TariffUnit::ALL,
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
/// The catalogue filtered on a service's name: a name is no longer than a search may be.
fn back_to_catalogue(ctx: &RequestContext, name: &str, flash: &'static str) -> Response {
    web::redirect_with_flash(
        &format!("/{}/services?q={}", ctx.tenant.slug, web::query_encode(name)),
        flash,
    )
}

pub(in crate::members) async fn new_service(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(&user)?;
    ServiceFormPage::new(&ctx, ServiceInput::default()).render()
}

pub(in crate::members) async fn create_service(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let input = ServiceInput::from_fields(&fields);
    let mut errors = fields.errors();
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
                    json!({
                        "service_id": id,
                        "name": details.name,
                        "created": true,
                        "new": { "tariff_cents": details.tariff_cents(), "tariff_unit": details.tariff_unit() },
                    }),
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

async fn load_service(tx: &mut TenantTx, id: Uuid) -> AppResult<Service> {
    services::find(tx, id).await?.ok_or(AppError::NotFound)
}

pub(in crate::members) async fn edit_service(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let service = load_service(&mut tx, id).await?;
    let providers = services::providers(&mut tx, service.id).await?;
    tx.commit().await?;
    ServiceFormPage::new(&ctx, ServiceInput::from_service(&service))
        .editing(&ctx, &service, providers)
        .render()
}

pub(in crate::members) async fn update_service(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let service = load_service(&mut tx, id).await?;
    let providers = services::providers(&mut tx, service.id).await?;
    let input = ServiceInput::from_fields(&fields);
    let mut errors = fields.errors();
    if let Some(details) = input.validate(&mut errors) {
        match services::update(&mut tx, service.id, &details).await? {
            Ok(()) => {
                audit_change(
                    &mut tx,
                    &ctx,
                    &user,
                    AuditKind::ServiceChanged,
                    None,
                    json!({
                        "service_id": service.id,
                        "name": details.name,
                        "former_name": service.name,
                        "old": { "tariff_cents": service.tariff_cents, "tariff_unit": service.tariff_unit },
                        "new": { "tariff_cents": details.tariff_cents(), "tariff_unit": details.tariff_unit() },
                    }),
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
