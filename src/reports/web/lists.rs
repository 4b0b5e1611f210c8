//! The lists behind the numbers: the requests, cases and referrals a count stands for.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::cases::{ClockKind, Escalation, Status};
use crate::error::{AppError, AppResult};
use crate::referrals::DeclineReason;
use crate::reports::LIST_ROLES;
use crate::reports::dashboard::{self, codes};
use crate::reports::lists::{
    self, CaseFilter, CaseRow, ReferralFilter, ReferralRow, ReferralState, RequestFilter, RequestRow,
};
use crate::reports::period::{Period, PeriodKind, PeriodQuery};
use crate::shared::choices::{Channel, Domain};
use crate::shared::clock::local_now;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, parse_id};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    page: Option<i64>,
    domain: Option<String>,
    channel: Option<String>,
    triage: Option<String>,
    view: Option<String>,
    status: Option<String>,
    escalation: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    year: Option<i32>,
    organisation: Option<String>,
    reason: Option<String>,
}

/// The query string of a list without its page, for the page links.
fn list_base(ctx: &RequestContext, what: &str) -> String {
    let query: Vec<&str> = ctx
        .query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("page="))
        .collect();
    format!("/{}/reports/{what}?{}", ctx.tenant.slug, query.join("&"))
}

fn one_of(value: &Option<String>, allowed: &[&str]) -> AppResult<Option<String>> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
        Some(_) => Err(AppError::NotFound),
    }
}

fn list_period(query: &ListQuery, today: time::Date) -> AppResult<Period> {
    Period::from_query(&query.period, today).map_err(|_| AppError::NotFound)
}

#[derive(Template)]
#[template(path = "reports/requests.html")]
struct RequestsPage {
    l: Layout,
    heading: String,
    back: String,
    rows: Vec<RequestRow>,
    pagination: Pagination,
}

pub async fn requests(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.require_any(LIST_ROLES)?;
    let filter = RequestFilter {
        domain: one_of(&query.domain, &codes(Domain::ALL, Domain::code))?,
        channel: one_of(&query.channel, &codes(Channel::ALL, Channel::code))?,
        triage: one_of(
            &query.triage,
            &["handled_at_desk", "signposted", "to_team", "open"],
        )?,
    };
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let period = list_period(&query, today)?;
    let mut rows = lists::requests(&mut tx, period, &filter, page).await?;
    let total = lists::count_requests(&mut tx, period, &filter).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, lists::PAGE_SIZE);
    let lang = ctx.lang;
    let what = match (&filter.domain, &filter.channel, &filter.triage) {
        (Some(d), _, _) => lang.t(&format!("domain.{d}")).to_owned(),
        (_, Some(c), _) => lang.t(&format!("channel.{c}")).to_owned(),
        (_, _, Some(t)) => lang.t(&format!("reports.triage.{t}")).to_owned(),
        _ => lang.t("reports.total").to_owned(),
    };
    web::render(&RequestsPage {
        heading: lang.tf(
            "reports.list.requests",
            &[
                ("what", &what),
                ("period", &dashboard::period_label(lang, period)),
            ],
        ),
        back: format!("/{}/reports?{}", ctx.tenant.slug, period.query()),
        rows,
        pagination: Pagination::new(
            list_base(&ctx, "requests"),
            page,
            lists::PAGE_SIZE,
            has_next,
            total,
        ),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "reports/cases.html")]
struct CasesPage {
    l: Layout,
    heading: String,
    back: String,
    with_due: bool,
    rows: Vec<CaseRow>,
    pagination: Pagination,
}

pub async fn cases(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.require_any(LIST_ROLES)?;
    let page = query.page.unwrap_or(1).max(1);
    let lang = ctx.lang;
    let mut tx = ctx.tx().await?;
    let range = |q: &ListQuery| -> AppResult<Period> {
        let from = crate::web::forms::parse_date(&q.period.from).ok_or(AppError::NotFound)?;
        let to = crate::web::forms::parse_date(&q.period.to).ok_or(AppError::NotFound)?;
        Ok(Period {
            kind: PeriodKind::Custom,
            from,
            to,
        })
    };
    let (filter, heading, back_period) = match query.view.as_deref() {
        Some("open") => {
            let status = one_of(&query.status, &codes(Status::ALL, Status::code))?;
            let escalation = one_of(&query.escalation, &codes(Escalation::ALL, Escalation::code))?;
            let what = match (&status, &escalation) {
                (Some(s), _) => lang.t(&format!("status.{s}")).to_owned(),
                (_, Some(e)) => lang.t(&format!("escalation.{e}")).to_owned(),
                _ => String::new(),
            };
            (
                CaseFilter::Open { status, escalation },
                lang.tf("reports.list.open_cases", &[("what", &what)]),
                None,
            )
        }
        Some(which @ ("opened" | "closed")) => {
            let period = range(&query)?;
            let label = dashboard::period_label(lang, period);
            if which == "opened" {
                (
                    CaseFilter::Opened(period),
                    lang.tf("reports.list.opened", &[("period", &label)]),
                    Some(period),
                )
            } else {
                (
                    CaseFilter::Closed(period),
                    lang.tf("reports.list.closed", &[("period", &label)]),
                    Some(period),
                )
            }
        }
        Some("clock") => {
            let kind =
                one_of(&query.kind, &codes(ClockKind::ALL, ClockKind::code))?.ok_or(AppError::NotFound)?;
            let (filter, period) = match query.state.as_deref() {
                Some(state @ ("on_time" | "late")) => {
                    let period = range(&query)?;
                    let on_time = state == "on_time";
                    (
                        CaseFilter::Decided {
                            kind: kind.clone(),
                            period,
                            on_time,
                        },
                        Some(period),
                    )
                }
                Some("overdue") => (CaseFilter::Overdue(kind.clone()), None),
                _ => return Err(AppError::NotFound),
            };
            let heading = lang.tf(
                &format!(
                    "reports.list.clock.{}",
                    query.state.as_deref().unwrap_or_default()
                ),
                &[
                    ("clock", lang.t(&format!("clockkind.{kind}"))),
                    (
                        "period",
                        &period
                            .map(|p| dashboard::period_label(lang, p))
                            .unwrap_or_default(),
                    ),
                ],
            );
            (filter, heading, period)
        }
        Some("youth") => {
            let year = query
                .year
                .filter(|y| (2000..=2100).contains(y))
                .ok_or(AppError::NotFound)?;
            (
                CaseFilter::Youth(year),
                lang.tf("reports.list.youth", &[("year", &year.to_string())]),
                None,
            )
        }
        _ => return Err(AppError::NotFound),
    };
    let with_due = matches!(filter, CaseFilter::Decided { .. } | CaseFilter::Overdue(_));
    let mut rows = lists::cases(&mut tx, &filter, page).await?;
    let total = lists::count_cases(&mut tx, &filter).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, lists::PAGE_SIZE);
    let back = match back_period {
        Some(p) => format!(
            "/{}/reports?{}",
            ctx.tenant.slug,
            Period {
                kind: PeriodKind::Custom,
                ..p
            }
            .query()
        ),
        None => format!("/{}/reports", ctx.tenant.slug),
    };
    web::render(&CasesPage {
        heading,
        back,
        with_due,
        rows,
        pagination: Pagination::new(list_base(&ctx, "cases"), page, lists::PAGE_SIZE, has_next, total),
        l: ctx.layout(),
    })
}

#[derive(Template)]
#[template(path = "reports/referrals.html")]
struct ReferralsPage {
    l: Layout,
    heading: String,
    back: String,
    rows: Vec<ReferralRow>,
    pagination: Pagination,
}

pub async fn referrals(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    user.require_any(LIST_ROLES)?;
    let page = query.page.unwrap_or(1).max(1);
    let state_filter =
        ReferralState::parse(query.state.as_deref().unwrap_or("received")).ok_or(AppError::NotFound)?;
    let filter = ReferralFilter {
        organisation: match query.organisation.as_deref() {
            None | Some("") => None,
            Some(id) => Some(parse_id(id)?),
        },
        state: state_filter,
        reason: one_of(&query.reason, &codes(DeclineReason::ALL, DeclineReason::code))?,
    };
    let lang = ctx.lang;
    let mut tx = ctx.tx().await?;
    let today = local_now(&mut tx).await?.date();
    let period = list_period(&query, today)?;
    let organisation = match filter.organisation {
        Some(id) => Some(
            crate::members::register::find(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound)?
                .name,
        ),
        None => None,
    };
    let mut rows = lists::referrals(&mut tx, period, &filter, page).await?;
    let total = lists::count_referrals(&mut tx, period, &filter).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut rows, lists::PAGE_SIZE);
    let mut heading = lang.tf(
        &format!("reports.list.referrals.{}", state_filter.code()),
        &[("period", &dashboard::period_label(lang, period))],
    );
    if let Some(name) = organisation {
        heading = format!("{heading} — {name}");
    }
    if let Some(reason) = &filter.reason {
        heading = format!("{heading} — {}", lang.t(&format!("declinereason.{reason}")));
    }
    web::render(&ReferralsPage {
        heading,
        back: format!("/{}/reports?{}", ctx.tenant.slug, period.query()),
        rows,
        pagination: Pagination::new(
            list_base(&ctx, "referrals"),
            page,
            lists::PAGE_SIZE,
            has_next,
            total,
        ),
        l: ctx.layout(),
    })
}

impl ReferralsPage {
    fn href(&self, row: &ReferralRow) -> String {
        format!(
            "/{}/cases/{}/referrals/{}",
            self.l.tenant_slug(),
            row.case_id,
            row.id
        )
    }
}
