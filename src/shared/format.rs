//! How dates and times are written: on pages the Dutch way, in PostgreSQL's JSON as it does;
//! and how a reference people type is read.

use time::{Date, PrimitiveDateTime};

/// A date the Dutch way, `05-03-2026`.
pub fn format_date(date: Date) -> String {
    format!("{:02}-{:02}-{}", date.day(), u8::from(date.month()), date.year())
}

/// A date and time the Dutch way, `05-03-2026 14:07`.
pub fn format_timestamp(at: PrimitiveDateTime) -> String {
    format!("{} {:02}:{:02}", format_date(at.date()), at.hour(), at.minute())
}

// How dates and times look in PostgreSQL's JSON (a `timestamp` is first formatted in SQL).
time::serde::format_description!(pub json_date, Date, "[year]-[month]-[day]");
time::serde::format_description!(
    pub json_timestamp,
    PrimitiveDateTime,
    "[year]-[month]-[day]T[hour]:[minute]:[second]"
);

/// A date as PostgreSQL's JSON writes it (`2026-03-05`, a time after it kept) the Dutch way
/// (`05-03-2026`); `None` for any other text.
pub fn dutch_date(value: &str) -> Option<String> {
    let (date, rest) = value.split_at_checked(10)?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let well_formed = year.len() == 4 && month.len() == 2 && day.len() == 2;
    let time_follows = rest.is_empty() || rest.starts_with(' ') || rest.starts_with('T');
    (well_formed && digits(year) && digits(month) && digits(day) && time_follows)
        .then(|| format!("{day}-{month}-{year}{}", rest.replacen('T', " ", 1)))
}

/// What a reference names, by its letter: a request (melding) or a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceKind {
    Request,
    Case,
}

/// A reference as people type it, in the form it is stored (`M-2026-0412`, migration 0023):
/// any case, dashes and spaces or none, leading zeros of the number or none (`m2026412`).
pub fn parse_reference(raw: &str) -> Option<(ReferenceKind, String)> {
    let compact: String = raw.chars().filter(|c| *c != '-' && !c.is_whitespace()).collect();
    let mut chars = compact.chars();
    let (kind, letter) = match chars.next()?.to_ascii_uppercase() {
        'M' => (ReferenceKind::Request, 'M'),
        'C' => (ReferenceKind::Case, 'C'),
        _ => return None,
    };
    let digits = chars.as_str();
    if !(5..=13).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, number) = digits.split_at(4);
    let number: u32 = number.parse().ok().filter(|n| *n > 0)?;
    Some((kind, format!("{letter}-{year}-{number:04}")))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn dates_and_times_are_written_the_dutch_way() {
        let at = datetime!(2026-03-05 14:07);
        assert_eq!(format_date(at.date()), "05-03-2026");
        assert_eq!(format_timestamp(at), "05-03-2026 14:07");
    }

    #[test]
    fn stored_dates_are_written_the_dutch_way() {
        assert_eq!(dutch_date("2026-03-05").as_deref(), Some("05-03-2026"));
        assert_eq!(
            dutch_date("2026-03-05 14:07").as_deref(),
            Some("05-03-2026 14:07")
        );
        assert_eq!(
            dutch_date("2026-03-05T14:07:00").as_deref(),
            Some("05-03-2026 14:07:00")
        );
        for other in ["2026-3-5", "06-12345678", "C-2026-0087", "2026-03-05x", "3931 AB"] {
            assert_eq!(dutch_date(other), None, "{other}");
        }
    }

    #[test]
    fn references_are_read_as_people_type_them() {
        let request = |s: &str| Some((ReferenceKind::Request, s.to_owned()));
        assert_eq!(parse_reference("M-2026-0412"), request("M-2026-0412"));
        assert_eq!(parse_reference(" m 2026 412 "), request("M-2026-0412"));
        assert_eq!(parse_reference("m20260412"), request("M-2026-0412"));
        assert_eq!(parse_reference("M-2026-12345"), request("M-2026-12345"));
        assert_eq!(
            parse_reference("c-2026-87"),
            Some((ReferenceKind::Case, "C-2026-0087".to_owned()))
        );
        for other in [
            "",
            "Mulder",
            "M-2026",
            "M-2026-0",
            "3931",
            "X-2026-0001",
            "C-2026-0x1",
        ] {
            assert_eq!(parse_reference(other), None, "{other}");
        }
    }
}
