//! Dutch working-day calendar.
//!
//! Municipal terms come in two flavours: terms in working days ("answer within
//! 10 working days"), which skip weekends, the public holidays on which
//! government offices close and any extra closing days of a cooperative, and
//! statutory terms in weeks (such as the six-week Wmo investigation term),
//! which are plain calendar weeks.
//!
//! Goede Vrijdag is deliberately not a holiday: government offices stay open.

use std::collections::BTreeSet;

use time::{Date, Duration, Month, Weekday};

/// A Dutch public holiday on which government offices are closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holiday {
    Nieuwjaarsdag,
    EerstePaasdag,
    TweedePaasdag,
    Koningsdag,
    Bevrijdingsdag,
    Hemelvaartsdag,
    EerstePinksterdag,
    TweedePinksterdag,
    EersteKerstdag,
    TweedeKerstdag,
}

impl Holiday {
    pub fn dutch_name(self) -> &'static str {
        match self {
            Holiday::Nieuwjaarsdag => "Nieuwjaarsdag",
            Holiday::EerstePaasdag => "Eerste Paasdag",
            Holiday::TweedePaasdag => "Tweede Paasdag",
            Holiday::Koningsdag => "Koningsdag",
            Holiday::Bevrijdingsdag => "Bevrijdingsdag",
            Holiday::Hemelvaartsdag => "Hemelvaartsdag",
            Holiday::EerstePinksterdag => "Eerste Pinksterdag",
            Holiday::TweedePinksterdag => "Tweede Pinksterdag",
            Holiday::EersteKerstdag => "Eerste Kerstdag",
            Holiday::TweedeKerstdag => "Tweede Kerstdag",
        }
    }

    pub fn english_name(self) -> &'static str {
        match self {
            Holiday::Nieuwjaarsdag => "New Year's Day",
            Holiday::EerstePaasdag => "Easter Sunday",
            Holiday::TweedePaasdag => "Easter Monday",
            Holiday::Koningsdag => "King's Day",
            Holiday::Bevrijdingsdag => "Liberation Day",
            Holiday::Hemelvaartsdag => "Ascension Day",
            Holiday::EerstePinksterdag => "Whit Sunday",
            Holiday::TweedePinksterdag => "Whit Monday",
            Holiday::EersteKerstdag => "Christmas Day",
            Holiday::TweedeKerstdag => "Boxing Day",
        }
    }
}

/// Whether Bevrijdingsdag (5 May) closes offices.
///
/// Traditionally offices only close on it in lustrum years, but employers differ,
/// so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LiberationDay {
    /// Only in years divisible by 5 (2025, 2030, ...).
    #[default]
    LustrumYearsOnly,
    EveryYear,
}

/// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian
/// algorithm by Meeus/Jones/Butcher).
///
/// # Panics
///
/// Panics if `year` is outside the range supported by [`time::Date`].
pub fn easter_sunday(year: i32) -> Date {
    // Euclidean division keeps the arithmetic well-defined for negative years.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let month = if n / 31 == 3 { Month::March } else { Month::April };
    // `n % 31 + 1` is at most 31, so the cast cannot truncate.
    let day = (n % 31 + 1) as u8;
    Date::from_calendar_date(year, month, day).expect("year within the range of time::Date")
}

/// All public holidays of `year` that close government offices, sorted by
/// date. Holidays falling on a weekend are included as well.
///
/// # Panics
///
/// Panics if `year` is outside the range supported by [`time::Date`].
pub fn public_holidays(year: i32, liberation: LiberationDay) -> Vec<(Date, Holiday)> {
    let fixed = |month, day| Date::from_calendar_date(year, month, day).expect("valid calendar date");
    let easter = easter_sunday(year);

    let kings_day = fixed(Month::April, 27);
    // When 27 April is a Sunday, Koningsdag moves to Saturday 26 April.
    let kings_day = if kings_day.weekday() == Weekday::Sunday {
        fixed(Month::April, 26)
    } else {
        kings_day
    };

    let mut holidays = vec![
        (fixed(Month::January, 1), Holiday::Nieuwjaarsdag),
        (easter, Holiday::EerstePaasdag),
        (easter + Duration::days(1), Holiday::TweedePaasdag),
        (kings_day, Holiday::Koningsdag),
        (easter + Duration::days(39), Holiday::Hemelvaartsdag),
        (easter + Duration::days(49), Holiday::EerstePinksterdag),
        (easter + Duration::days(50), Holiday::TweedePinksterdag),
        (fixed(Month::December, 25), Holiday::EersteKerstdag),
        (fixed(Month::December, 26), Holiday::TweedeKerstdag),
    ];
    let liberation_day_off = match liberation {
        LiberationDay::LustrumYearsOnly => year.rem_euclid(5) == 0,
        LiberationDay::EveryYear => true,
    };
    if liberation_day_off {
        holidays.push((fixed(Month::May, 5), Holiday::Bevrijdingsdag));
    }
    // Hemelvaartsdag can fall before or after Koningsdag and Bevrijdingsdag,
    // so sort instead of relying on insertion order.
    holidays.sort_unstable_by_key(|&(date, _)| date);
    holidays
}

/// Public holiday dates of one year, recomputed only when a walk over dates
/// crosses into another year.
struct HolidayDates {
    liberation: LiberationDay,
    year: i32,
    dates: Vec<Date>,
}

impl HolidayDates {
    fn new(year: i32, liberation: LiberationDay) -> Self {
        let dates = public_holidays(year, liberation)
            .into_iter()
            .map(|(date, _)| date)
            .collect();
        Self {
            liberation,
            year,
            dates,
        }
    }

    fn contains(&mut self, date: Date) -> bool {
        if date.year() != self.year {
            *self = Self::new(date.year(), self.liberation);
        }
        self.dates.contains(&date)
    }
}

/// Decides which days count as working days for a cooperative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    liberation: LiberationDay,
    closing_days: BTreeSet<Date>,
}

impl WorkingCalendar {
    /// `closing_days` are extra days the cooperative is closed, such as a
    /// bridge day between a holiday and a weekend.
    pub fn new(liberation: LiberationDay, closing_days: impl IntoIterator<Item = Date>) -> Self {
        Self {
            liberation,
            closing_days: closing_days.into_iter().collect(),
        }
    }

    /// Bevrijdingsdag in lustrum years only and no extra closing days.
    pub fn dutch_default() -> Self {
        Self::new(LiberationDay::default(), [])
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        self.is_working_day_with(date, &mut HolidayDates::new(date.year(), self.liberation))
    }

    /// Like [`Self::is_working_day`], but reuses `holidays` so loops over
    /// consecutive dates compute each year's holidays once.
    fn is_working_day_with(&self, date: Date, holidays: &mut HolidayDates) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.closing_days.contains(&date)
            && !holidays.contains(date)
    }

    /// The date `days` working days after `start`. `start` itself never
    /// counts, so the result of a term starting on a holiday is the same as
    /// one starting on the preceding working day. With `days == 0` the result
    /// is `start` if it is a working day, else the next working day; the
    /// result is therefore always a working day.
    ///
    /// # Panics
    ///
    /// Panics if the result lies beyond the range of [`time::Date`].
    pub fn add_working_days(&self, start: Date, days: u32) -> Date {
        let mut holidays = HolidayDates::new(start.year(), self.liberation);
        let mut date = start;
        if days == 0 {
            while !self.is_working_day_with(date, &mut holidays) {
                date = next_day(date);
            }
            return date;
        }
        let mut remaining = days;
        while remaining > 0 {
            date = next_day(date);
            if self.is_working_day_with(date, &mut holidays) {
                remaining -= 1;
            }
        }
        date
    }

    /// The number of working days `d` with `from < d <= to`; negative (with
    /// the roles of `from` and `to` swapped) when `to` is before `from`.
    /// It is the inverse of [`Self::add_working_days`] for `days >= 1`.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut holidays = HolidayDates::new(from.year(), self.liberation);
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = next_day(date);
            if self.is_working_day_with(date, &mut holidays) {
                count += 1;
            }
        }
        count
    }
}

/// Adds calendar weeks, ignoring weekends and holidays, as statutory terms in
/// weeks (such as the six-week Wmo investigation term) require.
///
/// # Panics
///
/// Panics if the result lies beyond the range of [`time::Date`].
pub fn add_calendar_weeks(start: Date, weeks: u32) -> Date {
    start + Duration::weeks(i64::from(weeks))
}

/// The due date of a statutory term of `weeks` weeks from `start`. By the Algemene
/// termijnenwet a term that ends on a Saturday, Sunday or public holiday runs on to the next
/// day that is none of these; Bevrijdingsdag counts every year there.
pub fn statutory_due(start: Date, weeks: u32) -> Date {
    let general = WorkingCalendar::new(LiberationDay::EveryYear, []);
    general.add_working_days(add_calendar_weeks(start, weeks), 0)
}

fn next_day(date: Date) -> Date {
    date.next_day().expect("date within the range of time::Date")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn holiday_on(date: Date, liberation: LiberationDay) -> Option<Holiday> {
        public_holidays(date.year(), liberation)
            .into_iter()
            .find(|&(d, _)| d == date)
            .map(|(_, holiday)| holiday)
    }

    #[test]
    fn statutory_terms_run_on_past_weekends_and_holidays() {
        // Six weeks from Monday 17-11-2025 is Monday 29-12-2025: a working day.
        assert_eq!(statutory_due(date!(2025 - 11 - 17), 6), date!(2025 - 12 - 29));
        // Eight weeks from Thursday 06-11-2025 is Thursday 01-01-2026, New Year's Day: the
        // term runs on to Friday 02-01-2026, across the year boundary.
        assert_eq!(statutory_due(date!(2025 - 11 - 06), 8), date!(2026 - 01 - 02));
        // Ending on Saturday 05-12-2026 runs on to Monday 07-12-2026.
        assert_eq!(statutory_due(date!(2026 - 10 - 24), 6), date!(2026 - 12 - 07));
    }

    #[test]
    fn easter_sunday_known_dates() {
        assert_eq!(easter_sunday(2024), date!(2024 - 03 - 31));
        assert_eq!(easter_sunday(2025), date!(2025 - 04 - 20));
        assert_eq!(easter_sunday(2026), date!(2026 - 04 - 05));
        assert_eq!(easter_sunday(2027), date!(2027 - 03 - 28));
        assert_eq!(easter_sunday(2000), date!(2000 - 04 - 23));
        assert_eq!(easter_sunday(2038), date!(2038 - 04 - 25));
    }

    #[test]
    fn koningsdag_moves_to_saturday_when_27_april_is_sunday() {
        let lustrum = LiberationDay::LustrumYearsOnly;
        assert_eq!(date!(2025 - 04 - 27).weekday(), Weekday::Sunday);
        assert_eq!(
            holiday_on(date!(2025 - 04 - 26), lustrum),
            Some(Holiday::Koningsdag)
        );
        assert_eq!(holiday_on(date!(2025 - 04 - 27), lustrum), None);
        assert_eq!(
            holiday_on(date!(2026 - 04 - 27), lustrum),
            Some(Holiday::Koningsdag)
        );
    }

    #[test]
    fn bevrijdingsdag_depends_on_setting() {
        let bevrijdingsdag = Some(Holiday::Bevrijdingsdag);
        assert_eq!(
            holiday_on(date!(2025 - 05 - 05), LiberationDay::LustrumYearsOnly),
            bevrijdingsdag
        );
        assert_eq!(
            holiday_on(date!(2026 - 05 - 05), LiberationDay::LustrumYearsOnly),
            None
        );
        assert_eq!(
            holiday_on(date!(2026 - 05 - 05), LiberationDay::EveryYear),
            bevrijdingsdag
        );

        let lustrum = WorkingCalendar::dutch_default();
        let every_year = WorkingCalendar::new(LiberationDay::EveryYear, []);
        // 5 May 2026 is a Tuesday.
        assert!(lustrum.is_working_day(date!(2026 - 05 - 05)));
        assert!(!every_year.is_working_day(date!(2026 - 05 - 05)));
    }

    #[test]
    fn ascension_and_pentecost_2026() {
        let lustrum = LiberationDay::LustrumYearsOnly;
        assert_eq!(
            holiday_on(date!(2026 - 05 - 14), lustrum),
            Some(Holiday::Hemelvaartsdag)
        );
        assert_eq!(
            holiday_on(date!(2026 - 05 - 24), lustrum),
            Some(Holiday::EerstePinksterdag)
        );
        assert_eq!(
            holiday_on(date!(2026 - 05 - 25), lustrum),
            Some(Holiday::TweedePinksterdag)
        );
    }

    #[test]
    fn holiday_counts_and_order() {
        let holidays_2026 = public_holidays(2026, LiberationDay::LustrumYearsOnly);
        assert_eq!(holidays_2026.len(), 9);
        let holidays_2025 = public_holidays(2025, LiberationDay::LustrumYearsOnly);
        assert_eq!(holidays_2025.len(), 10);
        assert!(holidays_2025.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert_eq!(public_holidays(2026, LiberationDay::EveryYear).len(), 10);
    }

    #[test]
    fn holiday_names() {
        assert_eq!(Holiday::TweedePaasdag.dutch_name(), "Tweede Paasdag");
        assert_eq!(Holiday::TweedePaasdag.english_name(), "Easter Monday");
        assert_eq!(Holiday::Hemelvaartsdag.english_name(), "Ascension Day");
    }

    #[test]
    fn term_across_christmas_and_new_year() {
        // From Friday 18 Dec 2026: Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4),
        // Fri 25 Eerste Kerstdag, Sat 26 Tweede Kerstdag, Sun 27, Mon 28 (5),
        // Tue 29 (6), Wed 30 (7), Thu 31 (8), Fri 1 Jan 2027 Nieuwjaarsdag,
        // Sat 2, Sun 3, Mon 4 (9), Tue 5 (10).
        let calendar = WorkingCalendar::dutch_default();
        assert_eq!(
            calendar.add_working_days(date!(2026 - 12 - 18), 10),
            date!(2027 - 01 - 05)
        );
        assert_eq!(
            calendar.working_days_between(date!(2026 - 12 - 18), date!(2027 - 01 - 05)),
            10
        );
    }

    #[test]
    fn term_across_easter_2026() {
        let calendar = WorkingCalendar::dutch_default();
        // Goede Vrijdag (3 April) is a working day.
        assert_eq!(
            calendar.add_working_days(date!(2026 - 04 - 02), 1),
            date!(2026 - 04 - 03)
        );
        // Skips the weekend and Tweede Paasdag (Monday 6 April).
        assert_eq!(
            calendar.add_working_days(date!(2026 - 04 - 03), 1),
            date!(2026 - 04 - 07)
        );
    }

    #[test]
    fn term_across_easter_2027() {
        let calendar = WorkingCalendar::dutch_default();
        // Easter 2027 is 28 March: Thursday 25 March + 2 working days skips the weekend and
        // Tweede Paasdag (29 March): Friday 26, Tuesday 30.
        assert_eq!(
            calendar.add_working_days(date!(2027 - 03 - 25), 2),
            date!(2027 - 03 - 30)
        );
        assert!(!calendar.is_working_day(date!(2027 - 03 - 29)));
        // Hemelvaart 2027 is Thursday 6 May; Pinksteren 16/17 May.
        assert!(!calendar.is_working_day(date!(2027 - 05 - 06)));
        assert!(!calendar.is_working_day(date!(2027 - 05 - 17)));
    }

    #[test]
    fn zero_days_returns_start_or_next_working_day() {
        let calendar = WorkingCalendar::dutch_default();
        assert_eq!(
            calendar.add_working_days(date!(2026 - 04 - 02), 0),
            date!(2026 - 04 - 02)
        );
        // Saturday 4 April 2026 → past Easter Sunday and Monday to Tuesday.
        assert_eq!(
            calendar.add_working_days(date!(2026 - 04 - 04), 0),
            date!(2026 - 04 - 07)
        );
    }

    #[test]
    fn weekends_are_not_working_days() {
        let calendar = WorkingCalendar::dutch_default();
        assert!(!calendar.is_working_day(date!(2026 - 03 - 14)));
        assert!(!calendar.is_working_day(date!(2026 - 03 - 15)));
        assert!(calendar.is_working_day(date!(2026 - 03 - 16)));
        // From Friday 13 March, one working day is Monday 16 March.
        assert_eq!(
            calendar.add_working_days(date!(2026 - 03 - 13), 1),
            date!(2026 - 03 - 16)
        );
    }

    #[test]
    fn closing_days_are_skipped() {
        // Friday 15 May 2026, the bridge day after Hemelvaartsdag.
        let calendar = WorkingCalendar::new(LiberationDay::LustrumYearsOnly, [date!(2026 - 05 - 15)]);
        assert!(!calendar.is_working_day(date!(2026 - 05 - 15)));
        assert!(WorkingCalendar::dutch_default().is_working_day(date!(2026 - 05 - 15)));
        // From Wednesday 13 May: Thu 14 holiday, Fri 15 closed, weekend → Mon 18.
        assert_eq!(
            calendar.add_working_days(date!(2026 - 05 - 13), 1),
            date!(2026 - 05 - 18)
        );
    }

    #[test]
    fn working_days_between_round_trips_and_is_antisymmetric() {
        // Friday 2 January 2026 is a bridge day after Nieuwjaarsdag.
        let calendar = WorkingCalendar::new(LiberationDay::EveryYear, [date!(2026 - 01 - 02)]);
        let mut start = date!(2025 - 12 - 15);
        while start <= date!(2026 - 01 - 15) {
            for n in 1..=30 {
                let end = calendar.add_working_days(start, n);
                assert!(calendar.is_working_day(end));
                assert_eq!(
                    calendar.working_days_between(start, end),
                    i64::from(n),
                    "{start} + {n}"
                );
                assert_eq!(
                    calendar.working_days_between(end, start),
                    -i64::from(n),
                    "{start} + {n}"
                );
            }
            start = next_day(start);
        }
        let mut start = date!(2026 - 03 - 20);
        while start <= date!(2026 - 06 - 01) {
            for n in 1..=30 {
                let end = calendar.add_working_days(start, n);
                assert_eq!(
                    calendar.working_days_between(start, end),
                    i64::from(n),
                    "{start} + {n}"
                );
            }
            start = next_day(start);
        }
        assert_eq!(calendar.working_days_between(start, start), 0);
    }

    #[test]
    fn calendar_weeks_ignore_holidays() {
        assert_eq!(
            add_calendar_weeks(date!(2026 - 12 - 18), 6),
            date!(2027 - 01 - 29)
        );
        assert_eq!(
            add_calendar_weeks(date!(2026 - 04 - 02), 0),
            date!(2026 - 04 - 02)
        );
    }
}
