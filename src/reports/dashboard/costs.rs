//! What referrals cost, per domain, per organisation and per case, against the same period a
//! year earlier.

use crate::reports::costs::{CaseCosts, CostLine, Costs};
use crate::reports::dashboard::view::{Viewpoint, series};
use crate::reports::dashboard::{Audience, Row, Section, Table};
use crate::shared::choices::Domain;

/// The rows of a table of cost lines: every key in either period, in the order given.
fn compared_lines(
    view: &Viewpoint,
    keys: &[(String, String)],
    now: &[CostLine],
    before: &[CostLine],
) -> Vec<Row> {
    let find = |lines: &[CostLine], key: &str| {
        lines
            .iter()
            .find(|l| l.key == key)
            .map_or((0, 0), |l| (l.referrals, l.cost_cents))
    };
    keys.iter()
        .map(|(key, label)| {
            let (n, cost) = find(now, key);
            let (n_before, cost_before) = find(before, key);
            Row {
                label: label.clone(),
                csv_label: label.clone(),
                cells: vec![
                    view.residents(n, None),
                    view.money(cost, n),
                    view.residents(n_before, None),
                    view.money(cost_before, n_before),
                ],
            }
        })
        .collect()
}

fn columns(view: &Viewpoint, periods: &[String]) -> Vec<String> {
    periods
        .iter()
        .flat_map(|p| {
            [
                format!("{} ({p})", view.t("reports.column.referrals")),
                format!("{} ({p})", view.t("reports.column.cost")),
            ]
        })
        .collect()
}

fn case_rows(view: &Viewpoint, now: &CaseCosts, before: &CaseCosts) -> Vec<Row> {
    let row = |key: &str, cells| Row {
        label: view.t(key),
        csv_label: view.t(key),
        cells,
    };
    let average = |c: &CaseCosts| match c.average_cents() {
        Some(cents) => view.money(cents, c.cases),
        None => view.money(0, 0),
    };
    vec![
        row(
            "reports.costs.cases_with_costs",
            vec![
                view.residents(now.cases, None),
                view.residents(before.cases, None),
            ],
        ),
        row(
            "reports.costs.total",
            vec![
                view.money(now.cost_cents, now.cases),
                view.money(before.cost_cents, before.cases),
            ],
        ),
        row("reports.costs.average", vec![average(now), average(before)]),
    ]
}

pub(super) fn costs_section(
    view: &Viewpoint,
    periods: (&Costs, &Costs),
    period: crate::reports::period::Period,
) -> Section {
    let (now, before) = periods;
    let labels = series(view, period);
    let domain_keys: Vec<(String, String)> = Domain::ALL
        .iter()
        .filter(|d| {
            let code = d.code();
            now.domains.iter().chain(&before.domains).any(|l| l.key == code)
        })
        .map(|d| (d.code().to_owned(), view.t(&d.label_key())))
        .collect();
    let mut organisation_keys: Vec<(String, String)> = Vec::new();
    for line in now.organisations.iter().chain(&before.organisations) {
        if !organisation_keys.iter().any(|(key, _)| *key == line.key) {
            organisation_keys.push((line.key.clone(), line.name.clone()));
        }
    }
    organisation_keys.sort_by_key(|(_, name)| name.to_lowercase());
    let mut tables = vec![
        Table {
            id: "costs-domain",
            title: view.t("reports.costs.per_domain"),
            label_column: view.t("reports.column.domain"),
            columns: columns(view, &labels),
            rows: compared_lines(view, &domain_keys, &now.domains, &before.domains),
            chart: None,
            note: Some(view.t("reports.costs.domain_note")),
        },
        Table {
            id: "costs-organisation",
            title: view.t("reports.costs.per_organisation"),
            label_column: view.t("reports.column.organisation"),
            columns: columns(view, &labels),
            rows: compared_lines(
                view,
                &organisation_keys,
                &now.organisations,
                &before.organisations,
            ),
            chart: None,
            note: None,
        },
        Table {
            id: "costs-case",
            title: view.t("reports.costs.per_case"),
            label_column: view.t("reports.column.measure"),
            columns: labels.clone(),
            rows: case_rows(view, &now.cases, &before.cases),
            chart: None,
            note: None,
        },
    ];
    // The dearest cases by reference, for those who may follow numbers to residents' files.
    if view.audience == Audience::Cooperative && view.sees_lists && !now.dearest.is_empty() {
        tables.push(Table {
            id: "costs-dearest",
            title: view.t("reports.costs.dearest"),
            label_column: view.t("reports.column.case"),
            columns: vec![view.t("reports.column.referrals"), view.t("reports.column.cost")],
            rows: now
                .dearest
                .iter()
                .map(|c| Row {
                    label: c.reference.clone(),
                    csv_label: c.reference.clone(),
                    cells: vec![
                        view.plain(c.referrals, None),
                        view.money(c.cost_cents, c.referrals)
                            .linked(format!("/{}/cases/{}", view.slug, c.id)),
                    ],
                })
                .collect(),
            chart: None,
            note: None,
        });
    }
    Section {
        id: "costs",
        title: view.t("reports.section.costs"),
        tables,
    }
}
