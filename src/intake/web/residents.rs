//! A resident's pages: registering and editing, the file with its household, the BSN shown
//! on request, and the contact card.

use crate::web::forms::{Fields, Query};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{RequestRow, actor, desk_user, form_status, load_resident, may_open_case, open_file, rows};
use crate::audit::{self, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::cases::record::CaseSummary;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::intake::household::{self, HouseholdMember};
use crate::intake::prefill;
use crate::intake::requests;
use crate::intake::residents::{self, Resident, ResidentInput, ResidentSummary};
use crate::intake::search;
use crate::intake::values::Relation;
use crate::shared::clock::local_now;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "intake/resident_form.html")]
struct ResidentFormPage {
    l: Layout,
    action: String,
    heading_key: &'static str,
    input: ResidentInput,
    /// Registering someone who lives with this resident, and what they are to them.
    household: Option<NewHouseholdMember>,
    duplicates: Vec<ResidentSummary>,
    errors: FormErrors,
}

/// A new resident who joins a registered resident's household.
struct NewHouseholdMember {
    of: Resident,
    /// The relation as chosen (a code), kept for re-display.
    relation: String,
    relations: &'static [Relation],
}

impl NewHouseholdMember {
    fn new(of: Resident, relation: &str) -> NewHouseholdMember {
        NewHouseholdMember {
            of,
            relation: relation.to_owned(),
            relations: Relation::ALL,
        }
    }
}

#[derive(Deserialize)]
pub(in crate::intake) struct NewResidentQuery {
    #[serde(default)]
    q: String,
    household_of: Option<String>,
}

/// A new resident; what was searched for fills in the form where it can. A household member
/// ("Huisgenoot toevoegen") starts with the address of the resident they live with.
pub(in crate::intake) async fn new_resident(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<NewResidentQuery>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut input = prefill::from_search(&query.q);
    let household = match query.household_of.as_deref() {
        Some(id) => {
            let mut tx = ctx.tx().await?;
            let of = open_file(
                &mut tx,
                &ctx,
                &user,
                web::parse_id(id)?,
                AuditKind::ResidentViewed,
                json!({ "household_member_form": true }),
            )
            .await?;
            tx.commit().await?;
            input.street = of.street.clone();
            input.house_number = of.house_number.clone();
            input.house_number_addition = of.house_number_addition.clone();
            input.postcode = of.postcode.clone().unwrap_or_default();
            input.place = of.place.clone();
            Some(NewHouseholdMember::new(of, ""))
        }
        None => None,
    };
    web::render(&ResidentFormPage {
        action: format!("/{}/residents", ctx.tenant.slug),
        heading_key: if household.is_some() {
            "household.add"
        } else {
            "resident.new"
        },
        input,
        household,
        duplicates: Vec::new(),
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub(in crate::intake) async fn create_resident(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let input = ResidentInput::from_fields(&fields);
    let mut errors = fields.errors();
    let mut tx = ctx.tx().await?;
    let household = match fields.get("household_of") {
        "" => None,
        id => Some(NewHouseholdMember::new(
            load_resident(&mut tx, web::parse_id(id)?).await?,
            fields.get("relation"),
        )),
    };
    let relation = household.as_ref().map(|h| Relation::parse(&h.relation));
    if relation == Some(None) {
        errors.field("relation", "household.error.relation");
    }
    let today = local_now(&mut tx).await?.date();
    let mut duplicates = Vec::new();
    if let Some(details) = input.validate(today, &mut errors) {
        let household_of = household.as_ref().map(|h| h.of.id);
        duplicates = residents::possible_duplicates(&mut tx, &details, household_of).await?;
        // Possible duplicates are shown first; registering anyway takes a confirmation.
        if duplicates.is_empty() || fields.get("confirm_new") == "yes" {
            match residents::create(&mut tx, &details, user.id).await? {
                Ok(id) => {
                    audit::record_for_resident(
                        &mut tx,
                        &actor(&ctx, &user),
                        AuditKind::ResidentCreated,
                        id,
                        json!({}),
                    )
                    .await?;
                    let next = match (&household, relation.flatten()) {
                        (Some(household), Some(relation)) => {
                            link_members(&mut tx, &ctx, &user, household.of.id, id, relation).await?;
                            (household.of.id, "flash.household_member_added")
                        }
                        _ => (id, "flash.resident_created"),
                    };
                    tx.commit().await?;
                    return Ok(web::redirect_with_flash(
                        &format!("/{}/residents/{}", ctx.tenant.slug, next.0),
                        next.1,
                    ));
                }
                Err(()) => errors.field("bsn", "resident.error.bsn_taken"),
            }
        }
    }
    tx.commit().await?;
    web::render_with_status(
        form_status(&errors),
        &ResidentFormPage {
            action: format!("/{}/residents", ctx.tenant.slug),
            heading_key: if household.is_some() {
                "household.add"
            } else {
                "resident.new"
            },
            input,
            household,
            duplicates,
            errors,
            l: ctx.layout(),
        },
    )
}

/// Links two residents as one household and records it in both files.
async fn link_members(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    resident: Uuid,
    member: Uuid,
    relation: Relation,
) -> AppResult<()> {
    household::link(tx, resident, member, relation).await?;
    for subject in [resident, member] {
        audit::record_for_resident(
            tx,
            &actor(ctx, user),
            AuditKind::HouseholdLinked,
            subject,
            json!({ "relation": relation.code() }),
        )
        .await?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "intake/resident.html")]
struct ResidentPage {
    l: Layout,
    resident: Resident,
    full_bsn: bool,
    household: Vec<HouseholdMember>,
    same_address: Vec<ResidentSummary>,
    relations: &'static [Relation],
    requests: Vec<RequestRow>,
    cases: Vec<CaseSummary>,
    may_open_case: bool,
    /// Administrators produce the resident's subject access request from here.
    may_export: bool,
    /// The desk prints who looked at the file for a resident who asks.
    may_print_views: bool,
    /// The desk and the social team hand out sign-in codes for the resident's own pages.
    may_issue_code: bool,
}

async fn render_resident(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    resident: Resident,
    full_bsn: bool,
) -> AppResult<Response> {
    let kind = if full_bsn {
        AuditKind::BsnViewed
    } else {
        AuditKind::ResidentViewed
    };
    audit::record_for_resident(&mut tx, &actor(ctx, user), kind, resident.id, json!({})).await?;
    let household = household::of_resident(&mut tx, resident.id).await?;
    let same_address = match &resident.postcode {
        Some(postcode) if !resident.house_number.is_empty() => {
            let query = search::Query::Postcode {
                postcode: postcode.clone(),
                house_number: Some(resident.house_number.clone()),
            };
            search::search(&mut tx, &query, 1)
                .await?
                .into_iter()
                .filter(|r| r.id != resident.id && !household.iter().any(|m| m.id == r.id))
                .collect()
        }
        _ => Vec::new(),
    };
    let requests = rows(requests::for_resident(&mut tx, resident.id).await?);
    let cases = crate::cases::record::summaries_for_resident(&mut tx, resident.id).await?;
    tx.commit().await?;
    web::render(&ResidentPage {
        resident,
        full_bsn,
        household,
        same_address,
        relations: Relation::ALL,
        requests,
        cases,
        may_open_case: may_open_case(user),
        may_export: user.has(Role::Admin),
        may_print_views: user.has(Role::Desk) || user.has(Role::Admin),
        may_issue_code: [Role::Desk, Role::Professional, Role::ProcessManager]
            .iter()
            .any(|role| user.has(*role)),
        l: ctx.layout(),
    })
}

pub(in crate::intake) async fn resident(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, id).await?;
    render_resident(tx, &ctx, &user, resident, false).await
}

/// The full BSN, shown on request and recorded in the audit log.
pub(in crate::intake) async fn show_bsn(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, id).await?;
    render_resident(tx, &ctx, &user, resident, true).await
}

#[derive(Template)]
#[template(path = "intake/contact_card.html")]
struct ContactCardPage {
    l: Layout,
    resident: Resident,
    household: Vec<household::HouseholdHelper>,
    tenant_name: String,
    contact: crate::tenancy::Contact,
    network: Vec<crate::cases::network::Contact>,
}

/// The meterkastkaart: who is involved and how to reach them, to print and keep at home.
pub(in crate::intake) async fn contact_card(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = open_file(
        &mut tx,
        &ctx,
        &user,
        id,
        AuditKind::ResidentViewed,
        json!({ "contact_card": true }),
    )
    .await?;
    let household = household::helpers_of_resident(&mut tx, resident.id).await?;
    let contact = crate::tenancy::contact(&mut tx).await?;
    let network = crate::cases::network::of_resident(&mut tx, resident.id).await?;
    tx.commit().await?;
    web::render(&ContactCardPage {
        network,
        resident,
        household,
        tenant_name: ctx.tenant.name.clone(),
        contact,
        l: ctx.layout(),
    })
}

pub(in crate::intake) async fn edit_resident(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    // The form shows the whole record, BSN included.
    let resident = open_file(&mut tx, &ctx, &user, id, AuditKind::BsnViewed, json!({})).await?;
    tx.commit().await?;
    web::render(&ResidentFormPage {
        action: format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
        heading_key: "resident.edit",
        input: resident.input(),
        household: None,
        duplicates: Vec::new(),
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

pub(in crate::intake) async fn update_resident(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, id).await?;
    let input = ResidentInput::from_fields(&fields);
    let mut errors = fields.errors();
    let today = local_now(&mut tx).await?.date();
    if let Some(details) = input.validate(today, &mut errors) {
        match residents::update(&mut tx, resident.id, &details).await? {
            Ok(()) => {
                audit::record_for_resident(
                    &mut tx,
                    &actor(&ctx, &user),
                    AuditKind::ResidentUpdated,
                    resident.id,
                    json!({ "fields": details.changes_from(&resident) }),
                )
                .await?;
                tx.commit().await?;
                return Ok(web::redirect_with_flash(
                    &format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
                    "flash.resident_updated",
                ));
            }
            Err(()) => errors.field("bsn", "resident.error.bsn_taken"),
        }
    }
    tx.commit().await?;
    web::render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ResidentFormPage {
            action: format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
            heading_key: "resident.edit",
            input,
            household: None,
            duplicates: Vec::new(),
            errors,
            l: ctx.layout(),
        },
    )
}

pub(in crate::intake) async fn link_household(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let user = desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let resident = load_resident(&mut tx, id).await?;
    let member = load_resident(&mut tx, web::parse_id(fields.get("member"))?).await?;
    let relation = Relation::parse(fields.get("relation")).ok_or(AppError::NotFound)?;
    if member.id == resident.id {
        return Err(AppError::NotFound);
    }
    link_members(&mut tx, &ctx, &user, resident.id, member.id, relation).await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/residents/{}", ctx.tenant.slug, resident.id),
        "flash.household_linked",
    ))
}
