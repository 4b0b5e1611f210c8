//! How the numbers are shown: to whom (small counts hidden from the municipality), with which
//! links, in which words, and as which chart.

use time::Date;

use crate::reports::charts::{self, Bar};
use crate::reports::dashboard::{Audience, Cell, Row, Table};
use crate::reports::figures::Tally;
use crate::reports::period::Period;
use crate::shared::format::format_date;
use crate::shared::money::Cents;
use crate::web::i18n::Lang;
use crate::web::pagination::format_count as thousands;

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

/// Below this, a count of residents is not shown to the municipality.
const SMALL: i64 = 5;

fn decimal(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

impl Viewpoint {
    pub(super) fn t(&self, key: &str) -> String {
        self.lang.t(key).to_owned()
    }

    /// A count of residents (or their requests, cases, referrals): suppressed for the
    /// municipality when small; linked to its list when the viewer may see lists.
    pub(super) fn residents(&self, count: i64, list: Option<String>) -> Cell {
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
    pub(super) fn plain(&self, count: i64, href: Option<String>) -> Cell {
        Cell {
            text: thousands(count),
            csv: count.to_string(),
            value: Some(count as f64),
            href: href.filter(|_| self.sees_assembly),
        }
    }

    /// A median over `n` residents' cases or referrals.
    pub(super) fn median(&self, value: Option<f64>, n: i64) -> Cell {
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

    /// An amount over `n` residents' referrals or cases: suppressed for the municipality when
    /// few. Exact: no value for a chart.
    pub(super) fn money(&self, cents: i64, n: i64) -> Cell {
        if self.audience == Audience::Municipality && (1..SMALL).contains(&n) {
            return Cell {
                text: format!("< {SMALL}"),
                csv: format!("<{SMALL}"),
                value: None,
                href: None,
            };
        }
        let amount = Cents(cents);
        Cell {
            text: amount.to_string(),
            csv: amount.for_csv(),
            value: None,
            href: None,
        }
    }

    pub(super) fn percent(&self, part: i64, whole: i64, suppressed: bool) -> Cell {
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

    pub(super) fn list(&self, what: &str, filter: String) -> Option<String> {
        Some(format!("/{}/reports/{what}?{filter}", self.slug))
    }
}

pub(super) fn count_of(tallies: &[Tally], dimension: &str, key: &str) -> i64 {
    tallies
        .iter()
        .filter(|t| t.dimension == dimension && t.key == key)
        .map(|t| t.count)
        .sum()
}

pub(super) enum Chart {
    Bars,
    Columns,
}

impl Viewpoint {
    /// The chart of a table: per row, the values of the cells at `cells` as the series named
    /// `series`; its description points to the table `table` that holds the numbers.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn chart<'a>(
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

pub(super) fn month_label(lang: Lang, month: Date) -> String {
    format!(
        "{} {}",
        lang.t(&format!("reports.month.{}", u8::from(month.month()))),
        month.year()
    )
}

pub(super) fn series(view: &Viewpoint, period: Period) -> Vec<String> {
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
pub(super) struct Compared {
    pub label: String,
    pub now: i64,
    pub before: i64,
    pub list_now: Option<String>,
    pub list_before: Option<String>,
}

/// A table of categories counted in the period and a year earlier, with its bar chart.
pub(super) fn compared(
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
