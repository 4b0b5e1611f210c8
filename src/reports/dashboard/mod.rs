//! The dashboard as tables (each with its chart), built from the figures for one period and the
//! same period a year earlier. The same tables feed the page, the CSV exports and the annual
//! report, so a number reads the same wherever it is shown.

mod assembly;
mod cases;
mod costs;
mod referrals;
mod requests;
mod view;

use time::{Date, PrimitiveDateTime};

use crate::db::TenantTx;
use crate::reports::figures;
use crate::reports::kept::{PeriodFigures, Use};
use crate::reports::period::Period;
use crate::shared::format::format_date;
use crate::web::i18n::Lang;

use assembly::assembly_section;
use cases::{cases_section, terms_section, youth_section};
use costs::costs_section;
use referrals::referrals_section;
use requests::requests_section;
pub use view::{Viewpoint, period_label};

/// Who the figures are for. Figures for the municipality hide counts of fewer than five
/// residents, so that nobody can be recognised, and link to no list of residents' files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Cooperative,
    Municipality,
}

impl Audience {
    /// Who may follow the numbers to their lists chooses (`asked`); anyone else, such as the
    /// chair, who governs, sees what the municipality sees.
    pub fn chosen(sees_lists: bool, asked: &str) -> Audience {
        if asked == "municipality" || !sees_lists {
            Audience::Municipality
        } else {
            Audience::Cooperative
        }
    }
}

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
    /// The cell linking to `href`.
    fn linked(self, href: String) -> Cell {
        Cell {
            href: Some(href),
            ..self
        }
    }

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
    pub fn to_csv(&self, lang: Lang, period: Period) -> crate::web::csv::Document {
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
    let follow_ups_now = figures::follow_ups(tx, period).await?;
    let follow_ups_before = figures::follow_ups(tx, earlier).await?;
    let open = figures::open_cases(tx).await?;
    let (now, kept_at) = PeriodFigures::read(tx, period, today, Use::Shown).await?;
    let (before, _) = PeriodFigures::read(tx, earlier, today, Use::Compared).await?;
    let organisations_before: Vec<_> = before.organisations.iter().map(|o| (o.id, o.received)).collect();
    let held_now = figures::meetings_held(tx, period).await?;
    let held_before = figures::meetings_held(tx, earlier).await?;
    let attendance = figures::attendance(tx, period).await?;
    let decisions = figures::decisions_per_year(tx, period.to.year().min(today.year())).await?;
    let costs_now = crate::reports::costs::of(tx, period).await?;
    let costs_before = crate::reports::costs::of(tx, earlier).await?;

    let requests_section = requests_section(
        view,
        period,
        (&requests_now, &requests_before),
        (&follow_ups_now, &follow_ups_before),
    );

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
    let costs_section = costs_section(view, (&costs_now, &costs_before), period);
    Ok(Dashboard {
        kept_at,
        sections: vec![
            requests_section,
            cases_section,
            terms_section,
            referrals_section,
            costs_section,
            youth_section,
            assembly_section,
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_who_sees_the_lists_sees_the_cooperative_figures() {
        assert_eq!(Audience::chosen(true, ""), Audience::Cooperative);
        assert_eq!(Audience::chosen(true, "municipality"), Audience::Municipality);
        assert_eq!(Audience::chosen(false, ""), Audience::Municipality);
        assert_eq!(Audience::chosen(false, "cooperative"), Audience::Municipality);
    }
}
