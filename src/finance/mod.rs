//! The cooperative's money: contracts with the municipality divided into budget lines, joint
//! project pots opened by decisions of the general assembly, and the grants members get from
//! them with what they spent; flexible support paid per resident from a case. The treasurer and administrators keep the money; the chair sees
//! the totals; a member organisation sees and spends its own grants. Nobody decides on a
//! grant they applied for.

pub mod account;
pub mod agreements;
pub mod contracts;
pub mod flexible;
pub mod grants;
pub mod payments;
pub mod pots;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web::layout::NavEntry;

/// Who keeps the money: creates contracts and budget lines, decides on grants.
pub const MONEY_ROLES: &[Role] = &[Role::Treasurer, Role::Admin];
/// Who reaches the money pages at all: a member organisation for its own grants.
pub const READ_ROLES: &[Role] = &[Role::Treasurer, Role::Admin, Role::Chair, Role::Member];

pub const NAV: NavEntry = NavEntry {
    path: "/finance",
    label_key: "nav.finance",
    roles: READ_ROLES,
};

/// How a user stands towards the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Keeps the money (treasurer, administrator).
    Keeper,
    /// Sees totals: the chair, and the municipality's contact (staff of the member
    /// organisation that is the municipality), who reads its contracts and their accounts.
    Totals,
    /// Staff of a member organisation: its own grants only.
    Member,
}

impl Standing {
    /// How the user stands; nobody else reaches the money pages (403).
    pub async fn of(tx: &mut TenantTx, user: &CurrentUser) -> AppResult<Standing> {
        if MONEY_ROLES.iter().any(|r| user.has(*r)) {
            return Ok(Standing::Keeper);
        }
        if user.has(Role::Chair) {
            return Ok(Standing::Totals);
        }
        let Some(organisation) = user.organisation_id.filter(|_| user.has(Role::Member)) else {
            return Err(AppError::Forbidden);
        };
        let municipal = sqlx::query_scalar!(
            r#"SELECT kind = 'gemeente' AS "municipal!" FROM organisations WHERE tenant_id = $1 AND id = $2"#,
            tx.tenant_id(),
            organisation
        )
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or(false);
        Ok(if municipal {
            Standing::Totals
        } else {
            Standing::Member
        })
    }

    /// Contracts, their agreements and accounts are for whoever keeps or oversees the money.
    pub fn sees_totals(self) -> bool {
        matches!(self, Standing::Keeper | Standing::Totals)
    }
}

/// A receipt's upload limit, with room for the form's other fields.
pub const UPLOAD_BODY_LIMIT: usize = grants::MAX_RECEIPT_BYTES + 64 * 1024;

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/finance", get(web::overview::overview))
        .route(
            "/{tenant}/finance/contracts/new",
            get(web::contracts::new_contract).post(web::contracts::create_contract),
        )
        .route("/{tenant}/finance/contracts/{id}", get(web::contracts::contract))
        .route(
            "/{tenant}/finance/contracts/{id}/lines",
            post(web::contracts::add_line),
        )
        .route(
            "/{tenant}/finance/contracts/{id}/agreements",
            post(web::contracts::add_agreement),
        )
        .route(
            "/{tenant}/finance/contracts/{id}/payments",
            post(web::contracts::add_payment),
        )
        .route(
            "/{tenant}/finance/contracts/{id}/account",
            get(web::account::account),
        )
        .route("/{tenant}/finance/maatwerk", get(web::flexible::list))
        .route(
            "/{tenant}/finance/maatwerk/threshold",
            post(web::flexible::set_threshold),
        )
        .route(
            "/{tenant}/cases/{id}/maatwerk",
            get(web::flexible::case_support).post(web::flexible::add),
        )
        .route(
            "/{tenant}/cases/{id}/maatwerk/{entry}/decision",
            post(web::flexible::decide),
        )
        .route("/{tenant}/finance/pots/{id}", get(web::pots::pot))
        .route("/{tenant}/finance/pots/{id}/line", post(web::account::link_pot))
        .route("/{tenant}/finance/pots/{id}/grants", post(web::pots::apply))
        .route("/{tenant}/finance/grants/{id}", get(web::grants::grant))
        .route(
            "/{tenant}/finance/grants/{id}/decision",
            post(web::grants::decide),
        )
        .route(
            "/{tenant}/finance/grants/{id}/result",
            post(web::grants::report_result),
        )
        .route(
            "/{tenant}/finance/grants/{id}/expenses/{expense}/receipt",
            get(web::grants::receipt),
        )
}

/// The route that takes receipts: it gets a larger body limit than the other routes.
pub fn upload_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(
        "/{tenant}/finance/grants/{id}/expenses",
        post(web::grants::add_expense).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}
