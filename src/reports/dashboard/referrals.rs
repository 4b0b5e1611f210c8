//! The referrals per organisation, and why organisations declined them.

use uuid::Uuid;

use crate::referrals::DeclineReason;
use crate::referrals::stats::OrganisationFigures;
use crate::reports::dashboard::view::{Chart, Compared, Viewpoint, compared, count_of, series};
use crate::reports::dashboard::{Row, Section, Table};
use crate::reports::figures::Tally;
use crate::reports::period::Period;

pub(super) fn referrals_section(
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
