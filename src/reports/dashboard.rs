//! The dashboard as tables (each with its chart), built from the figures for one period and the
//! same period a year earlier. The same tables feed the page, the CSV exports and the annual
//! report, so a number reads the same wherever it is shown.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::clocks::TermFigures;
use crate::cases::{Escalation, Status};
use crate::db::TenantTx;
use crate::referrals::DeclineReason;
use crate::referrals::stats::OrganisationFigures;
use crate::reports::charts::{self, Bar};
use crate::reports::figures::{self, Tally};
use crate::reports::kept::{PeriodFigures, Use};
use crate::reports::period::Period;
use crate::shared::choices::{Channel, Domain};
use crate::shared::format::format_date;
use crate::web::i18n::Lang;

/// Who the figures are for. Figures for the municipality hide counts of fewer than five
/// residents, so that nobody can be recognised, and link to no list of residents' files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Cooperative,
    Municipality,
}

/// Below this, a count of residents is not shown to the municipality.
pub const SMALL: i64 = 5;

/// Open requests have no triage yet: '' in the summary, `open` in links and labels.
const TRIAGE: [&str; 4] = ["handled_at_desk", "signposted", "to_team", ""];

pub fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

/// One number as shown, as exported and (for the chart) as a value.
pub struct Cell {
    pub text: String,
    pub csv: String,
    pub value: Option<f64>,
    pub href: Option<String>,
}

impl Cell {
    fn blank() -> Cell {
        Cell {
            text: "—".into(),
            csv: String::new(),
            value: None,
            href: None,
        }
    }
}

pub struct Row {
    pub label: String,
    /// The label in the CSV file: the same, except that months are dates (dd-mm-yyyy).
    pub csv_label: String,
    pub cells: Vec<Cell>,
}

pub struct Table {
    /// Also the name of its CSV file.
    pub id: &'static str,
    pub title: String,
    pub label_column: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub chart: Option<String>,
    pub note: Option<String>,
}

impl Table {
    /// The table as CSV, with the period it covers on every row.
    pub fn to_csv(&self, lang: Lang, period: Period) -> String {
        let mut header = vec![self.label_column.clone()];
        header.extend(self.columns.iter().cloned());
        header.push(lang.t("reports.csv.from").to_owned());
        header.push(lang.t("reports.csv.to").to_owned());
        let rows = self.rows.iter().map(|row| {
            let mut fields = vec![row.csv_label.clone()];
            fields.extend(row.cells.iter().map(|c| c.csv.clone()));
            fields.push(format_date(period.from));
            fields.push(format_date(period.to));
            fields
        });
        crate::web::csv::document(&header, rows)
    }
}

pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub tables: Vec<Table>,
}

pub struct Dashboard {
    /// When the period's dearest figures were computed, if they are kept ones (`reports::kept`).
    pub kept_at: Option<PrimitiveDateTime>,
    pub sections: Vec<Section>,
}

impl Dashboard {
    pub fn kept_at_text(&self) -> Option<String> {
        self.kept_at.map(crate::shared::format::format_timestamp)
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.sections.iter().flat_map(|s| &s.tables).find(|t| t.id == id)
    }
}

/// Everything that decides how the numbers are shown.
pub struct Viewpoint {
    pub lang: Lang,
    pub slug: String,
    pub audience: Audience,
    /// May follow a number to the list of requests, cases or referrals behind it.
    pub sees_lists: bool,
    /// May follow the assembly's numbers to its meetings and decisions.
    pub sees_assembly: bool,
}

/// 1234 → "1.234".
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if value < 0 { format!("-{out}") } else { out }
}

fn decimal(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

impl Viewpoint {
    fn t(&self, key: &str) -> String {
        self.lang.t(key).to_owned()
    }

    /// A count of residents (or their requests, cases, referrals): suppressed for the
    /// municipality when small; linked to its list when the viewer may see lists.
    fn residents(&self, count: i64, list: Option<String>) -> Cell {
        if self.audience == Audience::Municipality && (1..SMALL).contains(&count) {
            return Cell {
                text: format!("< {SMALL}"),
                csv: format!("<{SMALL}"),
                value: None,
                href: None,
            };
        }
        Cell {
            text: thousands(count),
            csv: count.to_string(),
            value: Some(count as f64),
            href: list.filter(|_| self.sees_lists && self.audience == Audience::Cooperative && count > 0),
        }
    }

    /// A count that identifies no resident (meetings, decisions, attendance).
    fn plain(&self, count: i64, href: Option<String>) -> Cell {
        Cell {
            text: thousands(count),
            csv: count.to_string(),
            value: Some(count as f64),
            href: href.filter(|_| self.sees_assembly),
        }
    }

    /// A median over `n` residents' cases or referrals.
    fn median(&self, value: Option<f64>, n: i64) -> Cell {
        match value {
            Some(_) if self.audience == Audience::Municipality && n < SMALL => Cell {
                text: format!("< {SMALL}"),
                csv: format!("<{SMALL}"),
                value: None,
                href: None,
            },
            Some(v) => Cell {
                text: decimal(v),
                csv: decimal(v),
                value: Some(v),
                href: None,
            },
            None => Cell::blank(),
        }
    }

    fn percent(&self, part: i64, whole: i64, suppressed: bool) -> Cell {
        if whole == 0 || suppressed {
            return Cell::blank();
        }
        let p = (part * 100 + whole / 2) / whole;
        Cell {
            text: format!("{p}%"),
            csv: p.to_string(),
            value: Some(p as f64),
            href: None,
        }
    }

    fn list(&self, what: &str, filter: String) -> Option<String> {
        Some(format!("/{}/reports/{what}?{filter}", self.slug))
    }
}

fn count_of(tallies: &[Tally], dimension: &str, key: &str) -> i64 {
    tallies
        .iter()
        .filter(|t| t.dimension == dimension && t.key == key)
        .map(|t| t.count)
        .sum()
}

pub enum Chart {
    Bars,
    Columns,
}

impl Viewpoint {
    /// The chart of a table: per row, the values of the cells at `cells` as the series named
    /// `series`; its description points to the table `table` that holds the numbers.
    #[allow(clippy::too_many_arguments)]
    fn chart<'a>(
        &self,
        kind: Chart,
        id: &str,
        title: &str,
        table: &str,
        series: &[String],
        rows: impl Iterator<Item = &'a Row>,
        cells: &[usize],
    ) -> String {
        let bars: Vec<Bar> = rows
            .map(|r| Bar {
                label: r.label.clone(),
                values: cells.iter().map(|&i| r.cells[i].value).collect(),
            })
            .collect();
        let description = self.lang.tf("reports.chart_description", &[("table", table)]);
        match kind {
            Chart::Bars => charts::bars(id, title, &description, series, &bars),
            Chart::Columns => charts::columns(id, title, &description, series, &bars),
        }
    }
}

fn month_label(lang: Lang, month: Date) -> String {
    format!(
        "{} {}",
        lang.t(&format!("reports.month.{}", u8::from(month.month()))),
        month.year()
    )
}

fn series(view: &Viewpoint, period: Period) -> Vec<String> {
    vec![
        period_label(view.lang, period),
        period_label(view.lang, period.year_earlier()),
    ]
}

/// "november 2026", "4e kwartaal 2026", "2026" or "01-03-2026 – 31-05-2026".
pub fn period_label(lang: Lang, period: Period) -> String {
    use crate::reports::period::PeriodKind;
    match period.kind {
        PeriodKind::Month => month_label(lang, period.from),
        PeriodKind::Quarter => lang.tf(
            "reports.quarter_label",
            &[
                (
                    "quarter",
                    &((u8::from(period.from.month()) - 1) / 3 + 1).to_string(),
                ),
                ("year", &period.from.year().to_string()),
            ],
        ),
        PeriodKind::Year => period.from.year().to_string(),
        PeriodKind::Custom => format!("{} – {}", format_date(period.from), format_date(period.to)),
    }
}

/// A category counted in the period and a year earlier, with the lists behind both counts.
struct Compared {
    label: String,
    now: i64,
    before: i64,
    list_now: Option<String>,
    list_before: Option<String>,
}

/// A table of categories counted in the period and a year earlier, with its bar chart.
fn compared(
    view: &Viewpoint,
    id: &'static str,
    title: String,
    label_column: String,
    period: Period,
    rows: Vec<Compared>,
) -> Table {
    let columns = series(view, period);
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|c| Row {
            csv_label: c.label.clone(),
            label: c.label,
            cells: vec![
                view.residents(c.now, c.list_now),
                view.residents(c.before, c.list_before),
            ],
        })
        .collect();
    let chart = view.chart(
        Chart::Bars,
        &format!("chart-{id}"),
        &title,
        &title,
        &columns,
        rows.iter(),
        &[0, 1],
    );
    Table {
        id,
        title,
        label_column,
        columns,
        rows,
        chart: Some(chart),
        note: None,
    }
}

/// Builds the dashboard for `period` (and the same period a year earlier).
pub async fn build(
    tx: &mut TenantTx,
    view: &Viewpoint,
    period: Period,
    today: Date,
) -> sqlx::Result<Dashboard> {
    let earlier = period.year_earlier();
    let requests_now = figures::requests(tx, period).await?;
    let requests_before = figures::requests(tx, earlier).await?;
    let open = figures::open_cases(tx).await?;
    let (now, kept_at) = PeriodFigures::read(tx, period, today, Use::Shown).await?;
    let (before, _) = PeriodFigures::read(tx, earlier, today, Use::Compared).await?;
    let organisations_before: Vec<_> = before.organisations.iter().map(|o| (o.id, o.received)).collect();
    let held_now = figures::meetings_held(tx, period).await?;
    let held_before = figures::meetings_held(tx, earlier).await?;
    let attendance = figures::attendance(tx, period).await?;
    let decisions = figures::decisions_per_year(tx, period.to.year().min(today.year())).await?;

    let q = period.query();
    let qe = earlier.query();
    let requests = |dimension: &str, keys: &[&str], label_prefix: &str, filter: &str| {
        keys.iter()
            .map(|key| {
                let code = if key.is_empty() { "open" } else { key };
                Compared {
                    label: view.t(&format!("{label_prefix}{code}")),
                    now: count_of(&requests_now, dimension, key),
                    before: count_of(&requests_before, dimension, key),
                    list_now: view.list("requests", format!("{q}&{filter}={code}")),
                    list_before: view.list("requests", format!("{qe}&{filter}={code}")),
                }
            })
            .collect::<Vec<_>>()
    };

    let mut triage_rows = requests("triage", &TRIAGE, "reports.triage.", "triage");
    triage_rows.push(Compared {
        label: view.t("reports.total"),
        now: count_of(&requests_now, "total", ""),
        before: count_of(&requests_before, "total", ""),
        list_now: view.list("requests", q.clone()),
        list_before: view.list("requests", qe.clone()),
    });
    let mut triage = compared(
        view,
        "requests-triage",
        view.t("reports.requests.triage"),
        view.t("reports.column.outcome"),
        period,
        triage_rows,
    );
    // Shares of the whole, beside the counts.
    let totals = (
        count_of(&requests_now, "total", ""),
        count_of(&requests_before, "total", ""),
    );
    for row in &mut triage.rows {
        let now = row.cells[0].value.map(|v| v as i64);
        let before = row.cells[1].value.map(|v| v as i64);
        let share_now = view.percent(now.unwrap_or(0), totals.0, now.is_none());
        let share_before = view.percent(before.unwrap_or(0), totals.1, before.is_none());
        row.cells.insert(1, share_now);
        row.cells.push(share_before);
    }
    triage.columns = vec![
        triage.columns[0].clone(),
        view.t("reports.column.share"),
        triage.columns[1].clone(),
        view.t("reports.column.share"),
    ];

    let requests_section = Section {
        id: "requests",
        title: view.t("reports.section.requests"),
        tables: vec![
            compared(
                view,
                "requests-domain",
                view.t("reports.requests.domain"),
                view.t("reports.column.domain"),
                period,
                requests("domain", &codes(Domain::ALL, Domain::code), "domain.", "domain"),
            ),
            compared(
                view,
                "requests-channel",
                view.t("reports.requests.channel"),
                view.t("reports.column.channel"),
                period,
                requests(
                    "channel",
                    &codes(Channel::ALL, Channel::code),
                    "channel.",
                    "channel",
                ),
            ),
            triage,
        ],
    };

    let cases_section = cases_section(
        view,
        period,
        &open,
        &now.cases_per_month,
        &before.cases_per_month,
        &now.durations,
        &before.durations,
    );
    let terms_section = terms_section(view, period, &now.terms, &before.terms);
    let referrals_section = referrals_section(
        view,
        period,
        &now.organisations,
        &organisations_before,
        &now.declines,
        &before.declines,
    );
    let youth_section = youth_section(view, &now.youth);
    let assembly_section = assembly_section(view, period, held_now, held_before, &attendance, &decisions);
    Ok(Dashboard {
        kept_at,
        sections: vec![
            requests_section,
            cases_section,
            terms_section,
            referrals_section,
            youth_section,
            assembly_section,
        ],
    })
}

fn cases_section(
    view: &Viewpoint,
    period: Period,
    open: &[Tally],
    months_now: &[Tally],
    months_before: &[Tally],
    durations_now: &figures::Durations,
    durations_before: &figures::Durations,
) -> Section {
    let now_column = vec![view.t("reports.column.open_now")];
    let single = |id: &'static str, title: String, label_column: String, rows: Vec<Row>| {
        let chart = view.chart(
            Chart::Bars,
            &format!("chart-{id}"),
            &title,
            &title,
            &now_column,
            rows.iter(),
            &[0],
        );
        Table {
            id,
            title,
            label_column,
            columns: now_column.clone(),
            rows,
            chart: Some(chart),
            note: None,
        }
    };
    let by = |dimension: &str, keys: &[&str], prefix: &str| -> Vec<Row> {
        keys.iter()
            .map(|key| {
                let label = view.t(&format!("{prefix}{key}"));
                Row {
                    csv_label: label.clone(),
                    label,
                    cells: vec![view.residents(
                        count_of(open, dimension, key),
                        view.list("cases", format!("view=open&{dimension}={key}")),
                    )],
                }
            })
            .collect()
    };
    let status = single(
        "cases-status",
        view.t("reports.cases.status"),
        view.t("reports.column.status"),
        by(
            "status",
            &codes(&Status::ALL[..Status::ALL.len() - 1], Status::code),
            "status.",
        ),
    );
    let levels = single(
        "cases-escalation",
        view.t("reports.cases.escalation"),
        view.t("reports.column.level"),
        by(
            "escalation",
            &codes(Escalation::ALL, Escalation::code),
            "escalation.",
        ),
    );

    let month_rows: Vec<Row> = period
        .months()
        .into_iter()
        .map(|month| {
            let key = month.to_string();
            let before = crate::reports::period::year_earlier(month);
            let before_key = before.to_string();
            let last = Period::around(crate::reports::period::PeriodKind::Month, month);
            let last_before = last.year_earlier();
            let list = |which: &str, p: Period| {
                view.list("cases", format!("view={which}&from={}&to={}", p.from, p.to))
            };
            let clip = |p: Period, outer: Period| Period {
                kind: p.kind,
                from: p.from.max(outer.from),
                to: p.to.min(outer.to),
            };
            let here = clip(last, period);
            let there = clip(last_before, period.year_earlier());
            Row {
                label: month_label(view.lang, month),
                csv_label: format_date(month),
                cells: vec![
                    view.residents(count_of(months_now, "new", &key), list("opened", here)),
                    view.residents(count_of(months_now, "closed", &key), list("closed", here)),
                    view.residents(count_of(months_before, "new", &before_key), list("opened", there)),
                    view.residents(
                        count_of(months_before, "closed", &before_key),
                        list("closed", there),
                    ),
                ],
            }
        })
        .collect();
    let title = view.t("reports.cases.per_month");
    let new_closed = vec![view.t("reports.column.new"), view.t("reports.column.closed")];
    let chart = view.chart(
        Chart::Columns,
        "chart-cases-month",
        &title,
        &title,
        &new_closed,
        month_rows.iter(),
        &[0, 1],
    );
    let earlier_label = period_label(view.lang, period.year_earlier());
    let per_month = Table {
        id: "cases-month",
        title,
        label_column: view.t("reports.column.month"),
        columns: vec![
            new_closed[0].clone(),
            new_closed[1].clone(),
            format!("{} ({earlier_label})", new_closed[0]),
            format!("{} ({earlier_label})", new_closed[1]),
        ],
        rows: month_rows,
        chart: Some(chart),
        note: None,
    };

    let columns = series(view, period);
    let durations = Table {
        id: "cases-durations",
        title: view.t("reports.cases.durations"),
        label_column: view.t("reports.column.measure"),
        columns: vec![
            columns[0].clone(),
            view.t("reports.column.cases"),
            columns[1].clone(),
            view.t("reports.column.cases"),
        ],
        rows: vec![
            Row {
                label: view.t("reports.cases.to_conversation"),
                csv_label: view.t("reports.cases.to_conversation"),
                cells: vec![
                    view.median(durations_now.to_conversation, durations_now.conversations),
                    view.residents(durations_now.conversations, None),
                    view.median(durations_before.to_conversation, durations_before.conversations),
                    view.residents(durations_before.conversations, None),
                ],
            },
            Row {
                label: view.t("reports.cases.to_plan"),
                csv_label: view.t("reports.cases.to_plan"),
                cells: vec![
                    view.median(durations_now.to_plan, durations_now.plans),
                    view.residents(durations_now.plans, None),
                    view.median(durations_before.to_plan, durations_before.plans),
                    view.residents(durations_before.plans, None),
                ],
            },
        ],
        chart: None,
        note: Some(view.t("reports.cases.durations_note")),
    };
    Section {
        id: "cases",
        title: view.t("reports.section.cases"),
        tables: vec![status, levels, per_month, durations],
    }
}

fn terms_section(view: &Viewpoint, period: Period, now: &[TermFigures], before: &[TermFigures]) -> Section {
    let earlier = period.year_earlier();
    let range = |p: Period| format!("from={}&to={}", p.from, p.to);
    let rows: Vec<Row> = now
        .iter()
        .map(|f| {
            let b = before.iter().find(|b| b.kind == f.kind);
            let (b_on_time, b_late) = b.map_or((0, 0), |b| (b.on_time, b.late));
            let clock = |state: &str, p: Option<Period>| {
                view.list(
                    "cases",
                    match p {
                        Some(p) => format!("view=clock&kind={}&state={state}&{}", f.kind, range(p)),
                        None => format!("view=clock&kind={}&state={state}", f.kind),
                    },
                )
            };
            let on_time = view.residents(f.on_time, clock("on_time", Some(period)));
            let late = view.residents(f.late, clock("late", Some(period)));
            let suppressed = on_time.value.is_none() || late.value.is_none();
            let label = view.t(&f.label_key());
            Row {
                csv_label: label.clone(),
                label,
                cells: vec![
                    on_time,
                    late,
                    view.percent(f.on_time, f.on_time + f.late, suppressed),
                    view.residents(b_on_time, clock("on_time", Some(earlier))),
                    view.residents(b_late, clock("late", Some(earlier))),
                    view.residents(f.overdue, clock("overdue", None)),
                ],
            }
        })
        .collect();
    let title = view.t("reports.terms.title");
    let on_time_late = vec![view.t("reports.column.on_time"), view.t("reports.column.late")];
    let chart = view.chart(
        Chart::Bars,
        "chart-terms",
        &title,
        &title,
        &on_time_late,
        rows.iter(),
        &[0, 1],
    );
    let earlier_label = period_label(view.lang, earlier);
    Section {
        id: "terms",
        title: view.t("reports.section.terms"),
        tables: vec![Table {
            id: "terms",
            title,
            label_column: view.t("reports.column.clock"),
            columns: vec![
                on_time_late[0].clone(),
                on_time_late[1].clone(),
                view.t("reports.column.on_time_share"),
                format!("{} ({earlier_label})", on_time_late[0]),
                format!("{} ({earlier_label})", on_time_late[1]),
                view.t("reports.column.overdue_now"),
            ],
            rows,
            chart: Some(chart),
            note: Some(view.t("reports.terms.note")),
        }],
    }
}

fn referrals_section(
    view: &Viewpoint,
    period: Period,
    now: &[OrganisationFigures],
    before: &[(Uuid, i64)],
    declines_now: &[Tally],
    declines_before: &[Tally],
) -> Section {
    let q = period.query();
    let qe = period.year_earlier().query();
    let rows: Vec<Row> = now
        .iter()
        .filter_map(|f| {
            let received_before = before.iter().find(|b| b.0 == f.id).map_or(0, |b| b.1);
            if f.received == 0 && received_before == 0 && f.overdue == 0 {
                return None;
            }
            let list = |state: &str, query: &str| {
                view.list(
                    "referrals",
                    format!("{query}&organisation={}&state={state}", f.id),
                )
            };
            Some(Row {
                label: f.name.clone(),
                csv_label: f.name.clone(),
                cells: vec![
                    view.residents(f.received, list("received", &q)),
                    view.residents(f.accepted, list("accepted", &q)),
                    view.residents(f.declined, list("declined", &q)),
                    view.median(f.median_accept_hours, f.accepted),
                    view.median(f.median_finish_days, f.accepted),
                    view.residents(f.overdue, list("overdue", "")),
                    view.residents(received_before, list("received", &qe)),
                ],
            })
        })
        .collect();
    // The chart shows the ten organisations that received most; the table has them all.
    let mut top: Vec<&Row> = rows.iter().collect();
    top.sort_by(|a, b| {
        b.cells[0]
            .value
            .unwrap_or(0.0)
            .total_cmp(&a.cells[0].value.unwrap_or(0.0))
    });
    top.truncate(10);
    let title = view.t("reports.referrals.title");
    let columns = series(view, period);
    let chart = view.chart(
        Chart::Bars,
        "chart-referrals",
        &view.t("reports.referrals.chart"),
        &title,
        &columns,
        top.iter().copied(),
        &[0, 6],
    );
    let organisations = Table {
        id: "referrals-organisation",
        title,
        label_column: view.t("reports.column.organisation"),
        columns: vec![
            view.t("reports.column.received"),
            view.t("reports.column.accepted"),
            view.t("reports.column.declined"),
            view.t("reports.column.accept_hours"),
            view.t("reports.column.finish_days"),
            view.t("reports.column.overdue_now"),
            format!("{} ({})", view.t("reports.column.received"), columns[1]),
        ],
        rows,
        chart: Some(chart),
        note: Some(view.t("reports.referrals.note")),
    };
    let decline_rows = DeclineReason::ALL
        .iter()
        .map(|reason| reason.code())
        .map(|reason| Compared {
            label: view.t(&format!("declinereason.{reason}")),
            now: count_of(declines_now, "decline_reason", reason),
            before: count_of(declines_before, "decline_reason", reason),
            list_now: view.list("referrals", format!("{q}&state=declined&reason={reason}")),
            list_before: view.list("referrals", format!("{qe}&state=declined&reason={reason}")),
        })
        .collect();
    let declines = compared(
        view,
        "referrals-declined",
        view.t("reports.referrals.declined"),
        view.t("reports.column.reason"),
        period,
        decline_rows,
    );
    Section {
        id: "referrals",
        title: view.t("reports.section.referrals"),
        tables: vec![organisations, declines],
    }
}

fn youth_section(view: &Viewpoint, youth: &[figures::YouthYear]) -> Section {
    let rows: Vec<Row> = youth
        .iter()
        .map(|y| Row {
            label: y.year.to_string(),
            csv_label: y.year.to_string(),
            cells: vec![view.residents(
                y.children,
                view.list("cases", format!("view=youth&year={}", y.year)),
            )],
        })
        .collect();
    let title = view.t("reports.youth.title");
    let column = vec![view.t("reports.column.children")];
    let chart = view.chart(
        Chart::Columns,
        "chart-youth",
        &title,
        &title,
        &column,
        rows.iter(),
        &[0],
    );
    Section {
        id: "youth",
        title: view.t("reports.section.youth"),
        tables: vec![Table {
            id: "youth",
            title,
            label_column: view.t("reports.column.year"),
            columns: column,
            rows,
            chart: Some(chart),
            note: Some(view.t("reports.youth.note")),
        }],
    }
}

fn assembly_section(
    view: &Viewpoint,
    period: Period,
    held_now: i64,
    held_before: i64,
    attendance: &[figures::Attendance],
    decisions: &[figures::DecisionYear],
) -> Section {
    let columns = series(view, period);
    let meetings = Table {
        id: "assembly-meetings",
        title: view.t("reports.assembly.meetings"),
        label_column: view.t("reports.column.measure"),
        columns: columns.clone(),
        rows: vec![Row {
            label: view.t("reports.assembly.held"),
            csv_label: view.t("reports.assembly.held"),
            cells: vec![
                view.plain(held_now, Some(format!("/{}/assembly", view.slug))),
                view.plain(held_before, Some(format!("/{}/assembly", view.slug))),
            ],
        }],
        chart: None,
        note: None,
    };
    let attendance_rows: Vec<Row> = attendance
        .iter()
        .map(|a| Row {
            label: a.name.clone(),
            csv_label: a.name.clone(),
            cells: vec![
                view.plain(a.attended, None),
                view.plain(a.excused, None),
                view.plain(a.held, None),
                view.percent(a.attended, a.held, false),
            ],
        })
        .collect();
    let title = view.t("reports.assembly.attendance");
    let rate = vec![view.t("reports.column.attendance_rate")];
    // Beyond a few dozen members a bar each no longer reads; the table has them all.
    let chart = (!attendance_rows.is_empty() && attendance_rows.len() <= 40 && held_now > 0).then(|| {
        view.chart(
            Chart::Bars,
            "chart-attendance",
            &title,
            &title,
            &rate,
            attendance_rows.iter(),
            &[3],
        )
    });
    let attendance = Table {
        id: "assembly-attendance",
        title,
        label_column: view.t("reports.column.organisation"),
        columns: vec![
            view.t("reports.column.attended"),
            view.t("reports.column.excused"),
            view.t("reports.column.held"),
            rate[0].clone(),
        ],
        rows: attendance_rows,
        chart,
        note: Some(view.t("reports.assembly.attendance_note")),
    };
    let decision_rows: Vec<Row> = decisions
        .iter()
        .map(|d| Row {
            label: d.year.to_string(),
            csv_label: d.year.to_string(),
            cells: vec![view.plain(d.decisions, Some(format!("/{}/assembly/decisions", view.slug)))],
        })
        .collect();
    let title = view.t("reports.assembly.decisions");
    let column = vec![view.t("reports.column.decisions")];
    let chart = view.chart(
        Chart::Columns,
        "chart-decisions",
        &title,
        &title,
        &column,
        decision_rows.iter(),
        &[0],
    );
    Section {
        id: "assembly",
        title: view.t("reports.section.assembly"),
        tables: vec![
            meetings,
            attendance,
            Table {
                id: "assembly-decisions",
                title,
                label_column: view.t("reports.column.year"),
                columns: column,
                rows: decision_rows,
                chart: Some(chart),
                note: None,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_with_dots() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1.234");
        assert_eq!(thousands(1234567), "1.234.567");
    }

    #[test]
    fn small_counts_are_hidden_from_the_municipality_only() {
        let mut view = Viewpoint {
            lang: Lang::Nl,
            slug: "demo".into(),
            audience: Audience::Municipality,
            sees_lists: true,
            sees_assembly: true,
        };
        for (count, text) in [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5")] {
            assert_eq!(view.residents(count, None).text, text);
        }
        assert_eq!(view.residents(4, None).csv, "<5");
        assert!(view.residents(12, Some("/x".into())).href.is_none());
        assert_eq!(view.median(Some(2.5), 4).text, "< 5");
        view.audience = Audience::Cooperative;
        assert_eq!(view.residents(3, None).text, "3");
        assert_eq!(view.residents(12, Some("/x".into())).href.as_deref(), Some("/x"));
        assert_eq!(view.median(Some(2.5), 1).text, "2,5");
        view.sees_lists = false;
        assert!(view.residents(12, Some("/x".into())).href.is_none());
    }
}
