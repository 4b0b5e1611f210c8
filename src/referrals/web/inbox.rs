//! The member organisation's inbox: new referrals, the ones this person took on, the ones
//! waiting for their report, and the organisation's finished ones.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::referrals::inbox::{self, Counts, InboxRow, InboxState, KeptInboxes, Tab};
use crate::referrals::web::{PageQuery, organisation_of};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "referrals/inbox.html")]
struct InboxPage {
    l: Layout,
    tabs: [Tab; 4],
    tab: Tab,
    counts: Counts,
    rows: Vec<InboxRow>,
    pagination: Pagination,
}

pub async fn inbox(
    State(inboxes): State<Arc<KeptInboxes>>,
    inbox_state: Option<Extension<InboxState>>,
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let organisation_id = organisation_of(&user)?;
    let tab = query.tab.as_deref().and_then(Tab::parse).unwrap_or(Tab::New);
    let page = query.page();
    let mut tx = ctx.tx().await?;
    // Read with the session, for the navigation; a member's session always has it.
    let Extension(inbox_state) = inbox_state.ok_or(AppError::Forbidden)?;
    let mut rows = inboxes
        .page(&mut tx, inbox_state.version, tab, organisation_id, user.id, page)
        .await?;
    let counts = inbox_state.counts;
    // The tab's count was read with the session, as the tabs show it; the finished tab is not.
    let total = match counts.of(&tab) {
        Some(total) => total,
        None => inbox::count_done(&mut tx, organisation_id).await?,
    };
    tx.commit().await?;
    let has_next = trim_page(&mut rows, inbox::PAGE_SIZE);
    let base = format!("/{}/inbox?tab={}", ctx.tenant.slug, tab.code());
    web::render(&InboxPage {
        tabs: Tab::ALL,
        tab,
        counts,
        rows,
        pagination: Pagination::new(base, page, inbox::PAGE_SIZE, has_next, total),
        l: ctx.layout(),
    })
}
