//! Closing the loop, for process managers: what waits past its answer date, and each
//! organisation's figures for a year.

use crate::web::forms::Query;
use askama::Template;
use axum::response::Response;
use time::{Date, Month};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::referrals::OVERVIEW_ROLES;
use crate::referrals::stats::{self, OrganisationFigures, OverdueReferral};
use crate::referrals::web::PageQuery;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "referrals/overview.html")]
struct OverviewPage {
    l: Layout,
    year: i32,
    figures: Vec<OrganisationFigures>,
    overdue: Vec<OverdueReferral>,
    pagination: Pagination,
}

pub async fn overview(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(OVERVIEW_ROLES)?;
    let page = query.page();
    let mut tx = ctx.tx().await?;
    let year = match query.year {
        Some(year) if (2000..=2100).contains(&year) => year,
        _ => crate::shared::clock::local_now(&mut tx).await?.year(),
    };
    let from = Date::from_calendar_date(year, Month::January, 1).map_err(|_| AppError::NotFound)?;
    let to = Date::from_calendar_date(year, Month::December, 31).map_err(|_| AppError::NotFound)?;
    let figures = stats::per_organisation(&mut tx, from, to).await?;
    let mut overdue = stats::overdue(&mut tx, page).await?;
    let total = stats::count_overdue(&mut tx).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut overdue, stats::PAGE_SIZE);
    web::render(&OverviewPage {
        pagination: Pagination::new(
            format!("/{}/referrals/overview?year={year}", ctx.tenant.slug),
            page,
            stats::PAGE_SIZE,
            has_next,
            total,
        ),
        year,
        figures,
        overdue,
        l: ctx.layout(),
    })
}
