//! The period a dashboard shows: a month, a quarter, a year or dates of one's own choosing, and
//! the same period a year earlier to compare with.

use serde::Deserialize;
use time::{Date, Month};

use crate::shared::format::format_date;
use crate::web::forms::parse_date;

/// The longest custom period: figures per month stay readable up to five years.
const MAX_CUSTOM_DAYS: i64 = 5 * 366;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
    Custom,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 4] = [
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
        PeriodKind::Custom,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Custom => "custom",
        }
    }

    pub fn parse(code: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("reports.period.{}", self.code())
    }
}

/// From and to, both inclusive, in Europe/Amsterdam days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: Date,
    pub to: Date,
}

/// The period as the dashboard's form and links send it.
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    pub period: String,
    /// Any day inside a month, quarter or year (ISO), as the previous/next links send it.
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// What is wrong with a custom period, per field.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PeriodErrors {
    pub at: Option<&'static str>,
    pub from: Option<&'static str>,
    pub to: Option<&'static str>,
}

impl PeriodErrors {
    pub fn is_empty(&self) -> bool {
        self.at.is_none() && self.from.is_none() && self.to.is_none()
    }
}

fn first_of_month(year: i32, month: Month) -> Date {
    Date::from_calendar_date(year, month, 1).expect("the first of a month exists")
}

fn last_of_month(year: i32, month: Month) -> Date {
    let (year, month) = if month == Month::December {
        (year + 1, Month::January)
    } else {
        (year, month.next())
    };
    first_of_month(year, month)
        .previous_day()
        .expect("a day before the first exists")
}

/// The same day a year earlier; 29 February becomes the 28th.
pub fn year_earlier(date: Date) -> Date {
    let day = date.day().min(date.month().length(date.year() - 1));
    Date::from_calendar_date(date.year() - 1, date.month(), day).expect("the day exists")
}

impl Period {
    /// The month, quarter or year around `at`.
    pub fn around(kind: PeriodKind, at: Date) -> Period {
        let (year, month) = (at.year(), at.month());
        let (from, to) = match kind {
            PeriodKind::Month | PeriodKind::Custom => {
                (first_of_month(year, month), last_of_month(year, month))
            }
            PeriodKind::Quarter => {
                let first = (u8::from(month) - 1) / 3 * 3 + 1;
                let first = Month::try_from(first).expect("a quarter starts in a month");
                (
                    first_of_month(year, first),
                    last_of_month(year, first.nth_next(2)),
                )
            }
            PeriodKind::Year => (
                first_of_month(year, Month::January),
                last_of_month(year, Month::December),
            ),
        };
        let kind = if kind == PeriodKind::Custom {
            PeriodKind::Month
        } else {
            kind
        };
        Period { kind, from, to }
    }

    /// The last whole month, quarter or year before the one `today` is in: the figures of a
    /// period a few days old would look like a collapse.
    pub fn last_complete(kind: PeriodKind, today: Date) -> Period {
        let current = Period::around(kind, today);
        Period::around(kind, current.from.previous_day().expect("a day before exists"))
    }

    /// The period asked for, or the last complete one of the kind when no day was given (the
    /// last month when nothing was asked); errors only for a custom period that is not one.
    pub fn from_query(query: &PeriodQuery, today: Date) -> Result<Period, PeriodErrors> {
        let kind = PeriodKind::parse(&query.period).unwrap_or(PeriodKind::Month);
        let mut errors = PeriodErrors::default();
        if kind != PeriodKind::Custom {
            return match query.at.trim() {
                "" => Ok(Period::last_complete(kind, today)),
                at => match parse_date(at) {
                    Some(at) => Ok(Period::around(kind, at)),
                    None => {
                        errors.at = Some("reports.error.date");
                        Err(errors)
                    }
                },
            };
        }
        let from = parse_date(&query.from);
        let to = parse_date(&query.to);
        if from.is_none() {
            errors.from = Some("reports.error.date");
        }
        if to.is_none() {
            errors.to = Some("reports.error.date");
        }
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.to = Some("reports.error.to_before_from");
            } else if (to - from).whole_days() > MAX_CUSTOM_DAYS {
                errors.to = Some("reports.error.too_long");
            }
        }
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok(Period {
                kind: PeriodKind::Custom,
                from,
                to,
            }),
            _ => Err(errors),
        }
    }

    /// The same period a year earlier.
    pub fn year_earlier(self) -> Period {
        let to = match self.kind {
            // Whole months stay whole: February ends on its own last day.
            PeriodKind::Month | PeriodKind::Quarter | PeriodKind::Year => {
                last_of_month(self.to.year() - 1, self.to.month())
            }
            PeriodKind::Custom => year_earlier(self.to),
        };
        Period {
            kind: self.kind,
            from: year_earlier(self.from),
            to,
        }
    }

    /// The period before and after this one, for month, quarter and year.
    pub fn previous(self) -> Option<Period> {
        (self.kind != PeriodKind::Custom)
            .then(|| Period::around(self.kind, self.from.previous_day().expect("a day before exists")))
    }

    pub fn next(self) -> Option<Period> {
        (self.kind != PeriodKind::Custom)
            .then(|| Period::around(self.kind, self.to.next_day().expect("a day after exists")))
    }

    /// The first day of every month the period touches, in order.
    pub fn months(self) -> Vec<Date> {
        let mut months = Vec::new();
        let mut month = first_of_month(self.from.year(), self.from.month());
        while month <= self.to {
            months.push(month);
            month = last_of_month(month.year(), month.month())
                .next_day()
                .expect("a day after exists");
        }
        months
    }

    /// The whole months inside the period, as the first day of the first and the first day
    /// after the last; equal when no whole month fits.
    pub fn whole_months(self) -> (Date, Date) {
        let start = if self.from.day() == 1 {
            self.from
        } else {
            last_of_month(self.from.year(), self.from.month())
                .next_day()
                .expect("a day after exists")
        };
        let end = first_of_month(self.to.year(), self.to.month());
        let end = if self.to == last_of_month(self.to.year(), self.to.month()) {
            self.to.next_day().expect("a day after exists")
        } else {
            end
        };
        (start, end.max(start))
    }

    /// The query string that selects this period.
    pub fn query(self) -> String {
        match self.kind {
            PeriodKind::Custom => format!("period=custom&from={}&to={}", self.from, self.to),
            kind => format!("period={}&at={}", kind.code(), self.from),
        }
    }

    /// The first day, as shown.
    pub fn start_text(self) -> String {
        format_date(self.from)
    }

    /// The last day, as shown.
    pub fn end_text(self) -> String {
        format_date(self.to)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn query(period: &str, at: &str, from: &str, to: &str) -> PeriodQuery {
        PeriodQuery {
            period: period.into(),
            at: at.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn presets_cover_whole_months_quarters_and_years() {
        let at = date!(2024 - 02 - 10);
        assert_eq!(
            Period::around(PeriodKind::Month, at),
            Period {
                kind: PeriodKind::Month,
                from: date!(2024 - 02 - 01),
                to: date!(2024 - 02 - 29)
            }
        );
        let quarter = Period::around(PeriodKind::Quarter, date!(2026 - 11 - 23));
        assert_eq!(
            (quarter.from, quarter.to),
            (date!(2026 - 10 - 01), date!(2026 - 12 - 31))
        );
        let year = Period::around(PeriodKind::Year, at);
        assert_eq!(
            (year.from, year.to),
            (date!(2024 - 01 - 01), date!(2024 - 12 - 31))
        );
        assert_eq!(year.months().len(), 12);
        assert_eq!(
            quarter.months(),
            vec![
                date!(2026 - 10 - 01),
                date!(2026 - 11 - 01),
                date!(2026 - 12 - 01)
            ]
        );
    }

    #[test]
    fn a_year_earlier_keeps_whole_months_whole() {
        let february = Period::around(PeriodKind::Month, date!(2024 - 02 - 10)).year_earlier();
        assert_eq!(
            (february.from, february.to),
            (date!(2023 - 02 - 01), date!(2023 - 02 - 28))
        );
        let february = Period::around(PeriodKind::Month, date!(2025 - 02 - 10)).year_earlier();
        assert_eq!(february.to, date!(2024 - 02 - 29));
        let custom = Period {
            kind: PeriodKind::Custom,
            from: date!(2024 - 02 - 29),
            to: date!(2024 - 03 - 15),
        };
        assert_eq!(custom.year_earlier().from, date!(2023 - 02 - 28));
    }

    #[test]
    fn previous_and_next_step_a_whole_period() {
        let quarter = Period::around(PeriodKind::Quarter, date!(2026 - 01 - 05));
        assert_eq!(quarter.previous().unwrap().from, date!(2025 - 10 - 01));
        assert_eq!(quarter.next().unwrap().from, date!(2026 - 04 - 01));
        let back = query("quarter", &quarter.from.to_string(), "", "");
        assert_eq!(quarter.query(), format!("period=quarter&at={}", back.at));
        assert_eq!(Period::from_query(&back, date!(2020 - 01 - 01)).unwrap(), quarter);
    }

    #[test]
    fn whole_months_leave_out_the_ragged_ends() {
        let year = Period::around(PeriodKind::Year, date!(2025 - 05 - 05));
        assert_eq!(
            year.whole_months(),
            (date!(2025 - 01 - 01), date!(2026 - 01 - 01))
        );
        let custom = Period {
            kind: PeriodKind::Custom,
            from: date!(2025 - 01 - 15),
            to: date!(2025 - 04 - 10),
        };
        assert_eq!(
            custom.whole_months(),
            (date!(2025 - 02 - 01), date!(2025 - 04 - 01))
        );
        let inside = Period {
            kind: PeriodKind::Custom,
            from: date!(2025 - 01 - 15),
            to: date!(2025 - 01 - 20),
        };
        assert_eq!(
            inside.whole_months(),
            (date!(2025 - 02 - 01), date!(2025 - 02 - 01))
        );
    }

    #[test]
    fn a_custom_period_needs_two_dates_in_order_and_not_too_far_apart() {
        let today = date!(2026 - 11 - 23);
        assert_eq!(
            Period::from_query(&PeriodQuery::default(), today).unwrap(),
            Period::around(PeriodKind::Month, date!(2026 - 10 - 01))
        );
        let custom = Period::from_query(&query("custom", "", "1-3-2026", "2026-05-31"), today).unwrap();
        assert_eq!(
            (custom.kind, custom.from, custom.to),
            (PeriodKind::Custom, date!(2026 - 03 - 01), date!(2026 - 05 - 31))
        );
        let errors = Period::from_query(&query("custom", "", "31-02-2026", ""), today).unwrap_err();
        assert_eq!(
            errors,
            PeriodErrors {
                at: None,
                from: Some("reports.error.date"),
                to: Some("reports.error.date")
            }
        );
        let errors = Period::from_query(&query("month", "morgen", "", ""), today).unwrap_err();
        assert_eq!(errors.at, Some("reports.error.date"));
        let errors = Period::from_query(&query("custom", "", "10-03-2026", "01-03-2026"), today).unwrap_err();
        assert_eq!(errors.to, Some("reports.error.to_before_from"));
        let errors = Period::from_query(&query("custom", "", "01-01-2000", "01-01-2026"), today).unwrap_err();
        assert_eq!(errors.to, Some("reports.error.too_long"));
    }

    #[test]
    fn without_a_day_the_last_complete_period_is_shown() {
        let today = date!(2026 - 01 - 05);
        let month = Period::from_query(&query("", "", "", ""), today).unwrap();
        assert_eq!(
            (month.from, month.to),
            (date!(2025 - 12 - 01), date!(2025 - 12 - 31))
        );
        let quarter = Period::from_query(&query("quarter", "", "", ""), today).unwrap();
        assert_eq!(
            (quarter.from, quarter.to),
            (date!(2025 - 10 - 01), date!(2025 - 12 - 31))
        );
        let year = Period::from_query(&query("year", "", "", ""), today).unwrap();
        assert_eq!(year.from, date!(2025 - 01 - 01));
        let chosen = Period::from_query(&query("month", "2026-01-02", "", ""), today).unwrap();
        assert_eq!(chosen.from, date!(2026 - 01 - 01), "a chosen day is kept");
    }
}
