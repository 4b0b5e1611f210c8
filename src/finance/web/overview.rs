//! The money overview: contracts and pots with their totals for those who see them; for a
//! member organisation, the pots it can apply to and its own grants.

use askama::Template;
use axum::response::Response;

use super::PageQuery;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::finance::Standing;
use crate::finance::contracts::{self, Contract};
use crate::finance::grants::{self, Grant, GrantsOf};
use crate::finance::pots::{self, Pot};
use crate::shared::money::Cents;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "finance/overview.html")]
struct OverviewPage {
    l: Layout,
    standing: Standing,
    contracts: Vec<Contract>,
    pagination: Pagination,
    pots: Vec<Pot>,
    own_grants: Vec<Grant>,
    /// Applications waiting for a decision, for whoever keeps the money.
    waiting: Vec<Grant>,
}

impl OverviewPage {
    fn keeper(&self) -> bool {
        self.standing == Standing::Keeper
    }

    fn member(&self) -> bool {
        self.standing == Standing::Member
    }

    fn pots_available(&self) -> Cents {
        self.pots.iter().fold(Cents(0), |sum, p| sum + p.available())
    }
}

pub async fn overview(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let page = query.number();
    let mut tx = ctx.tx().await?;
    let standing = Standing::of(&mut tx, &user).await?;
    let pots = pots::list(&mut tx).await?;
    let (mut contracts, total, own_grants) = match (standing, user.organisation_id) {
        (Standing::Member, Some(organisation)) => (
            Vec::new(),
            0,
            grants::list(&mut tx, GrantsOf::Member(organisation, None), 1).await?,
        ),
        _ => (
            contracts::list(&mut tx, page).await?,
            contracts::count(&mut tx).await?,
            Vec::new(),
        ),
    };
    let mut waiting = match standing {
        Standing::Keeper => grants::list(&mut tx, GrantsOf::Waiting, 1).await?,
        _ => Vec::new(),
    };
    tx.commit().await?;
    trim_page(&mut waiting, grants::PAGE_SIZE);
    let has_next = trim_page(&mut contracts, contracts::PAGE_SIZE);
    web::render(&OverviewPage {
        standing,
        contracts,
        pagination: Pagination::new(
            format!("/{}/finance?", ctx.tenant.slug),
            page,
            contracts::PAGE_SIZE,
            has_next,
            total,
        ),
        pots,
        own_grants,
        waiting,
        l: ctx.layout(),
    })
}
