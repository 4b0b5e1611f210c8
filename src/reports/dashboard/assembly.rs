//! The assembly: meetings held, each member's attendance, decisions per year.

use crate::reports::dashboard::view::{Chart, Viewpoint, series};
use crate::reports::dashboard::{Row, Section, Table};
use crate::reports::figures;
use crate::reports::period::Period;

pub(super) fn assembly_section(
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
