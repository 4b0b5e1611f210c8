//! How dates and times are written: on pages the Dutch way, in PostgreSQL's JSON as it does.

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
}
