//! The team's queue, the stall monitor and the terms report.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Date;

use crate::auth::{CurrentUser, Role};
use crate::cases::ASSIGNING_ROLES;
use crate::cases::clocks;
use crate::cases::queue::{self, KeptQueues, Listed, Sort, Tab};
use crate::cases::record::{self, Colleague};
use crate::error::{AppError, AppResult};
use crate::shared::clock::local_now;
use crate::shared::format::parse_reference;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};

#[derive(Deserialize)]
pub struct QueueQuery {
    tab: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
    /// A reference to go to (`C-2026-0087`, or the request's `M-2026-0412`).
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "cases/queue.html")]
struct QueuePage {
    l: Layout,
    tabs: [Tab; 5],
    tab: Tab,
    sort: Sort,
    rows: Listed,
    pagination: Pagination,
    q: String,
    /// Set when `q` named no case of the cooperative.
    not_found: bool,
}

impl QueuePage {
    fn tab_href(&self, tab: &Tab) -> String {
        format!(
            "/{}/team?tab={}&sort={}",
            self.l.tenant_slug(),
            tab.code(),
            self.sort.code()
        )
    }

    fn sort_href(&self, sort: &str) -> String {
        format!(
            "/{}/team?tab={}&sort={sort}",
            self.l.tenant_slug(),
            self.tab.code()
        )
    }
}

pub async fn queue(
    State(queues): State<Arc<KeptQueues>>,
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Professional, Role::ProcessManager, Role::Admin])?;
    let tab = query
        .tab
        .as_deref()
        .and_then(Tab::parse)
        .unwrap_or_else(|| Tab::first_for(&user));
    let sort = query
        .sort
        .as_deref()
        .and_then(Sort::parse)
        .unwrap_or(Sort::Deadline);
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let q = query.q.trim().to_owned();
    if let Some((kind, reference)) = parse_reference(&q)
        && let Some(case) = record::by_reference(&mut tx, kind, &reference).await?
    {
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/{}/cases/{}", ctx.tenant.slug, case.id)).into_response());
    }
    let queue::TabPage { mut rows, total } = queues
        .page(&mut tx, tab, sort, user.id, user.has(Role::ProcessManager), page)
        .await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, queue::PAGE_SIZE);
    let base = format!(
        "/{}/team?tab={}&sort={}",
        ctx.tenant.slug,
        tab.code(),
        sort.code()
    );
    web::render(&QueuePage {
        tabs: Tab::ALL,
        tab,
        sort,
        rows: Listed::for_viewer(rows, &user),
        pagination: Pagination::new(base, page, queue::PAGE_SIZE, has_next, total),
        not_found: !q.is_empty(),
        q,
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "cases/monitor.html")]
struct MonitorPage {
    l: Layout,
    sections: Vec<MonitorSection>,
    colleagues: Vec<Colleague>,
    may_open_cases: bool,
}

/// One list of the monitor.
struct MonitorSection {
    id: &'static str,
    title_key: &'static str,
    /// What resolves a row: `assign`, `handover`, `evaluate` or `refer`.
    action: &'static str,
    rows: Listed,
}

/// "Regie op regie": where cases stall, each row with the action that resolves it.
pub async fn monitor(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    user.require_any(ASSIGNING_ROLES)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let calendar = crate::admin::working_calendar(&mut tx).await?;
    let monitor = queue::monitor(&mut tx, &calendar, today, user.id, user.has(Role::ProcessManager)).await?;
    let colleagues = record::colleagues(&mut tx).await?;
    tx.commit().await?;
    let section = |id, title_key, action, rows| MonitorSection {
        id,
        title_key,
        action,
        rows: Listed::for_viewer(rows, &user),
    };
    let sections = vec![
        section("unassigned", "monitor.unassigned", "assign", monitor.unassigned),
        section("crisis", "monitor.crisis", "assign", monitor.crisis),
        section("quiet", "monitor.quiet", "handover", monitor.quiet),
        section(
            "evaluation",
            "monitor.evaluation",
            "evaluate",
            monitor.evaluation_due,
        ),
        section(
            "declined",
            "monitor.declined_twice",
            "refer",
            monitor.declined_twice,
        ),
    ];
    web::render(&MonitorPage {
        sections,
        colleagues,
        may_open_cases: user.has(Role::ProcessManager),
        l: ctx.layout(),
    })
}

#[derive(Deserialize)]
pub struct TermsQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "cases/terms.html")]
struct TermsPage {
    l: Layout,
    year: i32,
    figures: Vec<clocks::TermFigures>,
}

/// Per law: how many decisions (and investigation reports) were on time in a year.
pub async fn terms(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<TermsQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::ProcessManager, Role::Admin, Role::Professional])?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let year = query
        .year
        .filter(|y| (2000..=today.year() + 1).contains(y))
        .unwrap_or(today.year());
    let from = Date::from_calendar_date(year, time::Month::January, 1).map_err(|_| AppError::NotFound)?;
    let to = Date::from_calendar_date(year, time::Month::December, 31).map_err(|_| AppError::NotFound)?;
    let mut figures = clocks::term_figures(&mut tx, from, to).await?;
    clocks::count_open(&mut tx, &mut figures, clocks::Now::All).await?;
    tx.commit().await?;
    web::render(&TermsPage {
        year,
        figures,
        l: ctx.layout(),
    })
}
