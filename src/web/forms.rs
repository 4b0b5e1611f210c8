//! Turning what people type into values: forgiving about form, strict about meaning.

use time::Date;
use time::macros::format_description;

/// A date as Dutch people write it (`5-3-2026`, `05-03-2026`) or in ISO form (`2026-03-05`).
pub fn parse_date(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if let Ok(date) = Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        return Some(date);
    }
    let parts: Vec<&str> = raw.split(['-', '/', '.']).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// A date field was filled in with something that is not a date.
#[derive(Debug)]
pub struct NotADate;

/// An optional date: `Ok(None)` when left empty.
pub fn parse_optional_date(raw: &str) -> Result<Option<Date>, NotADate> {
    match raw.trim() {
        "" => Ok(None),
        filled => parse_date(filled).map(Some).ok_or(NotADate),
    }
}

/// The fields of a submitted form, in order, with repeated names kept (checkbox groups).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs)
    }

    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A whole number within bounds.
pub fn parse_in_range(raw: &str, min: i32, max: i32) -> Option<i32> {
    raw.trim().parse().ok().filter(|n| (min..=max).contains(n))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn dates_are_read_the_dutch_way_and_the_iso_way() {
        assert_eq!(parse_date("5-3-2026"), Some(date!(2026 - 03 - 05)));
        assert_eq!(parse_date(" 05-03-2026 "), Some(date!(2026 - 03 - 05)));
        assert_eq!(parse_date("05/03/2026"), Some(date!(2026 - 03 - 05)));
        assert_eq!(parse_date("2026-03-05"), Some(date!(2026 - 03 - 05)));
        assert_eq!(parse_date("31-02-2026"), None);
        assert_eq!(parse_date("morgen"), None);
    }
}
