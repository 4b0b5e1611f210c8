//! The dashboard page, the annual report for the council and the CSV export of one table.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::reports::dashboard::{self, Audience, Dashboard, Viewpoint};
use crate::reports::period::{Period, PeriodErrors, PeriodKind, PeriodQuery};
use crate::reports::{LIST_ROLES, VIEW_ROLES};
use crate::shared::clock::local_now;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::Layout;

#[derive(Deserialize)]
pub struct DashboardQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    #[serde(default)]
    view: String,
}

fn sees_lists(user: &CurrentUser) -> bool {
    user.roles.iter().any(|r| LIST_ROLES.contains(r))
}

fn audience(user: &CurrentUser, view: &str) -> Audience {
    Audience::chosen(sees_lists(user), view)
}

fn viewpoint(ctx: &RequestContext, user: &CurrentUser, audience: Audience) -> Viewpoint {
    Viewpoint {
        lang: ctx.lang,
        slug: ctx.tenant.slug.clone(),
        audience,
        sees_lists: sees_lists(user),
        sees_assembly: user.roles.iter().any(|r| crate::assembly::READ_ROLES.contains(r)),
    }
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    l: Layout,
    kinds: [PeriodKind; 4],
    query: PeriodQuery,
    errors: PeriodErrors,
    /// Missing when the custom period asked for is not one.
    period: Option<Period>,
    label: String,
    earlier_label: String,
    municipality: bool,
    may_choose: bool,
    dashboard: Option<Dashboard>,
}

impl DashboardPage {
    fn kind_code(&self) -> &str {
        match self.period {
            Some(period) => period.kind.code(),
            None => PeriodKind::parse(&self.query.period).map_or(PeriodKind::Custom.code(), PeriodKind::code),
        }
    }

    fn view_suffix(&self) -> &'static str {
        if self.municipality {
            "&view=municipality"
        } else {
            ""
        }
    }

    fn href(&self, period: &Period) -> String {
        format!(
            "/{}/reports?{}{}",
            self.l.tenant_slug(),
            period.query(),
            self.view_suffix()
        )
    }

    fn export_href(&self, table: &str) -> String {
        let query = self.period.map(Period::query).unwrap_or_default();
        format!(
            "/{}/reports/export/{table}?{query}{}",
            self.l.tenant_slug(),
            self.view_suffix()
        )
    }

    // The fields of the kinds not chosen carry the period shown, so that choosing another kind
    // and pressing the button (no script needed) starts from it.
    fn at_value(&self) -> String {
        match self.period {
            Some(period) => period.start_text(),
            None => self.query.at.clone(),
        }
    }

    fn start_value(&self) -> String {
        match self.period {
            Some(period) => period.start_text(),
            None => self.query.from.clone(),
        }
    }

    fn end_value(&self) -> String {
        match self.period {
            Some(period) => period.end_text(),
            None => self.query.to.clone(),
        }
    }

    fn custom_chosen(&self) -> bool {
        self.kind_code() == PeriodKind::Custom.code()
    }
}

/// The dashboard: charts first, the table of numbers beside each.
pub async fn dashboard(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<DashboardQuery>,
) -> AppResult<Response> {
    user.require_any(VIEW_ROLES)?;
    let audience = audience(&user, &query.view);
    let view = viewpoint(&ctx, &user, audience);
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let (period, errors) = match Period::from_query(&query.period, today) {
        Ok(period) => (Some(period), PeriodErrors::default()),
        Err(errors) => (None, errors),
    };
    let dashboard = match period {
        Some(period) => Some(dashboard::build(&mut tx, &view, period, today).await?),
        None => None,
    };
    tx.commit().await?;
    let status = if period.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &DashboardPage {
            kinds: PeriodKind::ALL,
            label: period
                .map(|p| dashboard::period_label(ctx.lang, p))
                .unwrap_or_default(),
            earlier_label: period
                .map(|p| dashboard::period_label(ctx.lang, p.year_earlier()))
                .unwrap_or_default(),
            municipality: audience == Audience::Municipality,
            may_choose: view.sees_lists,
            query: query.period,
            errors,
            period,
            dashboard,
            l: ctx.layout(),
        },
    )
}

#[derive(Deserialize)]
pub struct AnnualQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "reports/annual.html")]
struct AnnualPage {
    l: Layout,
    year: i32,
    tenant_name: String,
    made_on: String,
    dashboard: Dashboard,
}

impl AnnualPage {
    fn export_href(&self, table: &str) -> String {
        format!(
            "/{}/reports/export/{table}?period=year&at={}-01-01&view=municipality",
            self.l.tenant_slug(),
            self.year
        )
    }
}

/// The annual report for the council: the figures of one year as the municipality sees them,
/// laid out to print.
pub async fn annual(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<AnnualQuery>,
) -> AppResult<Response> {
    user.require_any(VIEW_ROLES)?;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let year = query
        .year
        .filter(|y| (2000..=today.year()).contains(y))
        .unwrap_or(today.year() - 1);
    let at = time::Date::from_calendar_date(year, time::Month::January, 1).map_err(|_| AppError::NotFound)?;
    let period = Period::around(PeriodKind::Year, at);
    let mut view = viewpoint(&ctx, &user, Audience::Municipality);
    // Paper has no links to follow.
    view.sees_assembly = false;
    let dashboard = dashboard::build(&mut tx, &view, period, today).await?;
    tx.commit().await?;
    web::render(&AnnualPage {
        year,
        tenant_name: ctx.tenant.name.clone(),
        made_on: crate::shared::format::format_date(today),
        dashboard,
        l: ctx.layout(),
    })
}

/// One table of the dashboard as CSV.
pub async fn export(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, table)): Path<(String, String)>,
    Query(query): Query<DashboardQuery>,
) -> AppResult<Response> {
    user.require_any(VIEW_ROLES)?;
    let table = table.strip_suffix(".csv").unwrap_or(&table).to_owned();
    let audience = audience(&user, &query.view);
    let view = viewpoint(&ctx, &user, audience);
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let period = Period::from_query(&query.period, today).map_err(|_| AppError::NotFound)?;
    let dashboard = dashboard::build(&mut tx, &view, period, today).await?;
    tx.commit().await?;
    let found = dashboard.table(&table).ok_or(AppError::NotFound)?;
    let filename = format!("{table}-{}-{}.csv", period.start_text(), period.end_text());
    Ok(web::csv::download(&filename, found.to_csv(ctx.lang, period)))
}
