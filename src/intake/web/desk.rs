//! The desk's start page and the search for residents.

use crate::web::forms::Query;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{RequestRow, desk_user, rows};
use crate::auth::CurrentUser;
use crate::cases::record;
use crate::error::AppResult;
use crate::intake::requests::{self, FollowUp};
use crate::intake::residents::ResidentSummary;
use crate::intake::search;
use crate::shared::format::{ReferenceKind, parse_reference};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "intake/desk.html")]
struct DeskPage {
    l: Layout,
    today: Vec<RequestRow>,
    untriaged: Vec<RequestRow>,
    deadlines: Vec<RequestRow>,
    follow_ups: Vec<FollowUp>,
}

pub(in crate::intake) async fn desk(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    desk_user(user)?;
    let mut tx = ctx.tx().await?;
    let page = DeskPage {
        today: rows(requests::registered_today(&mut tx).await?),
        untriaged: rows(requests::untriaged(&mut tx).await?),
        deadlines: rows(requests::nearing_deadline(&mut tx, 7).await?),
        follow_ups: requests::open_follow_ups(&mut tx).await?,
        l: ctx.layout(),
    };
    tx.commit().await?;
    web::render(&page)
}

#[derive(Deserialize)]
pub(in crate::intake) struct SearchQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "intake/search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    searched: bool,
    results: Vec<ResidentSummary>,
    pagination: Pagination,
}

pub(in crate::intake) async fn search(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    desk_user(user)?;
    // A reference read out on the phone leads straight to its request.
    if let Some((kind, reference)) = parse_reference(&query.q) {
        let mut tx = ctx.tx().await?;
        let request = match kind {
            ReferenceKind::Request => requests::by_reference(&mut tx, &reference).await?,
            ReferenceKind::Case => record::by_reference(&mut tx, kind, &reference)
                .await?
                .map(|case| case.request_id),
        };
        tx.commit().await?;
        if let Some(id) = request {
            return Ok(Redirect::to(&format!("/{}/requests/{id}", ctx.tenant.slug)).into_response());
        }
    }
    let page = query.page.unwrap_or(1).max(1);
    let mut results = Vec::new();
    let mut total = 0;
    let parsed = search::Query::parse(&query.q);
    if let Some(parsed) = &parsed {
        let mut tx = ctx.tx().await?;
        results = search::search(&mut tx, parsed, page).await?;
        total = search::count(&mut tx, parsed).await?;
        tx.commit().await?;
    }
    let has_next = trim_page(&mut results, search::PAGE_SIZE);
    let base = format!("/{}/residents?q={}", ctx.tenant.slug, web::query_encode(&query.q));
    web::render(&SearchPage {
        searched: parsed.is_some(),
        q: query.q,
        results,
        pagination: Pagination::new(base, page, search::PAGE_SIZE, has_next, total)
            .counted_up_to(search::COUNT_LIMIT),
        l: ctx.layout(),
    })
}
