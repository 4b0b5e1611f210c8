//! The cases: where the open ones stand, opened and closed per month, how long the first steps
//! took; the legal terms kept; and the children in the cases per year.

use crate::cases::clocks::TermFigures;
use crate::cases::{Escalation, Status};
use crate::reports::dashboard::view::{Chart, Viewpoint, count_of, month_label, period_label, series};
use crate::reports::dashboard::{Row, Section, Table, codes};
use crate::reports::figures::{self, Tally};
use crate::reports::period::Period;
use crate::shared::format::format_date;

pub(super) fn cases_section(
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

pub(super) fn terms_section(
    view: &Viewpoint,
    period: Period,
    now: &[TermFigures],
    before: &[TermFigures],
) -> Section {
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

pub(super) fn youth_section(view: &Viewpoint, youth: &[figures::YouthYear]) -> Section {
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
