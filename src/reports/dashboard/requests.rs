//! The requests at the desk: per domain, per channel, how the desk handled them, and whether
//! signposting worked as the follow-up calls found.

use crate::intake::values::FollowUpResult;
use crate::reports::dashboard::view::{Compared, Viewpoint, compared, count_of};
use crate::reports::dashboard::{Section, Table, codes};
use crate::reports::figures::Tally;
use crate::reports::period::Period;
use crate::shared::choices::{Channel, Domain};

/// Open requests have no triage yet: '' in the summary, `open` in links and labels.
const TRIAGE: [&str; 4] = ["handled_at_desk", "signposted", "to_team", ""];

/// `requests` and `follow_ups` each hold the period's tallies and those of the year before.
pub(super) fn requests_section(
    view: &Viewpoint,
    period: Period,
    (requests_now, requests_before): (&[Tally], &[Tally]),
    follow_ups: (&[Tally], &[Tally]),
) -> Section {
    let q = period.query();
    let qe = period.year_earlier().query();
    let requests = |dimension: &str, keys: &[&str], label_prefix: &str, filter: &str| {
        keys.iter()
            .map(|key| {
                let code = if key.is_empty() { "open" } else { key };
                Compared {
                    label: view.t(&format!("{label_prefix}{code}")),
                    now: count_of(requests_now, dimension, key),
                    before: count_of(requests_before, dimension, key),
                    list_now: view.list("requests", format!("{q}&{filter}={code}")),
                    list_before: view.list("requests", format!("{qe}&{filter}={code}")),
                }
            })
            .collect::<Vec<_>>()
    };

    let mut triage_rows = requests("triage", &TRIAGE, "reports.triage.", "triage");
    triage_rows.push(Compared {
        label: view.t("reports.total"),
        now: count_of(requests_now, "total", ""),
        before: count_of(requests_before, "total", ""),
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
        count_of(requests_now, "total", ""),
        count_of(requests_before, "total", ""),
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

    Section {
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
            follow_up_table(view, period, follow_ups),
        ],
    }
}

/// The follow-up calls recorded, per result, with their total.
fn follow_up_table(view: &Viewpoint, period: Period, (now, before): (&[Tally], &[Tally])) -> Table {
    let mut rows: Vec<Compared> = FollowUpResult::ALL
        .iter()
        .map(|result| Compared {
            label: view.t(&result.label_key()),
            now: count_of(now, "follow_up", result.code()),
            before: count_of(before, "follow_up", result.code()),
            list_now: None,
            list_before: None,
        })
        .collect();
    rows.push(Compared {
        label: view.t("reports.total"),
        now: now.iter().map(|t| t.count).sum(),
        before: before.iter().map(|t| t.count).sum(),
        list_now: None,
        list_before: None,
    });
    compared(
        view,
        "requests-follow-up",
        view.t("reports.requests.follow_up"),
        view.t("reports.column.follow_up"),
        period,
        rows,
    )
}
