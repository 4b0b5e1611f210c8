//! Amounts of money: whole euro cents, never a float. Read as people type them ("1.234,56",
//! "1234.50", "€ 20.000") and written the Dutch way ("€ 1.234,56").

use std::fmt;

use crate::shared::choices::choice;

/// An amount in euro cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub i64);

/// The largest amount a form accepts: a hundred million euro.
const MAX: i64 = 10_000_000_000;

/// Why a typed amount was refused; each has its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    Missing,
    NotAnAmount,
    Negative,
    TooManyDecimals,
    TooLarge,
}

impl AmountError {
    /// The message when a number of units (hours, weeks) was typed wrong.
    pub fn units_message_key(self) -> &'static str {
        match self {
            AmountError::Missing => "units.error.missing",
            AmountError::TooManyDecimals => "units.error.decimals",
            _ => "units.error.not_a_number",
        }
    }

    pub fn message_key(self) -> &'static str {
        match self {
            AmountError::Missing => "money.error.missing",
            AmountError::NotAnAmount => "money.error.not_an_amount",
            AmountError::Negative => "money.error.negative",
            AmountError::TooManyDecimals => "money.error.decimals",
            AmountError::TooLarge => "money.error.too_large",
        }
    }
}

impl Cents {
    /// Reads a positive amount as typed. Dutch and English writing are both understood: the
    /// last separator followed by one or two digits is the decimal one ("1.234,5" and
    /// "1234.50"); a separator followed by three digits groups thousands ("20.000" is twenty
    /// thousand, as a Dutch reader means it).
    pub fn parse(raw: &str) -> Result<Cents, AmountError> {
        let text: String = raw
            .trim()
            .trim_start_matches('€')
            .trim_start_matches("EUR")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let text = text.strip_suffix(",-").unwrap_or(&text);
        if text.is_empty() {
            return Err(AmountError::Missing);
        }
        if text.starts_with('-') {
            return Err(AmountError::Negative);
        }
        if !text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            return Err(AmountError::NotAnAmount);
        }
        let (whole, fraction) = match text.rfind(['.', ',']) {
            Some(at) => {
                let after = &text[at + 1..];
                let before = &text[..at];
                let other = if text.as_bytes()[at] == b'.' { ',' } else { '.' };
                // "1.234" is grouping; "1.234.567,8" has the decimal comma last; "0,125"
                // groups nothing.
                if after.len() == 3
                    && !before.contains(other)
                    && !before.is_empty()
                    && !before.starts_with('0')
                {
                    (text, "")
                } else {
                    (before, after)
                }
            }
            None => (text, ""),
        };
        if fraction.len() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        if fraction.contains(['.', ',']) {
            return Err(AmountError::NotAnAmount);
        }
        let digits = grouped_digits(whole).ok_or(AmountError::NotAnAmount)?;
        if digits.is_empty() && fraction.is_empty() {
            return Err(AmountError::NotAnAmount);
        }
        let euros: i64 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| AmountError::TooLarge)?
        };
        let cents: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| AmountError::NotAnAmount)? * 10,
            _ => fraction.parse().map_err(|_| AmountError::NotAnAmount)?,
        };
        let total = euros
            .checked_mul(100)
            .and_then(|e| e.checked_add(cents))
            .ok_or(AmountError::TooLarge)?;
        if total > MAX {
            return Err(AmountError::TooLarge);
        }
        Ok(Cents(total))
    }

    /// The amount as a form shows it again: "1234,56".
    pub fn for_input(self) -> String {
        format!("{},{:02}", self.0 / 100, (self.0 % 100).abs())
    }

    /// The amount as a spreadsheet in a Dutch locale reads a number: "-1234,56".
    pub fn for_csv(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{},{:02}", self.0.abs() / 100, self.0.abs() % 100)
    }
}

/// The digits of a whole-euro part, with thousands grouped by one kind of separator in groups
/// of three ("1.234.567", "1,234"), or none when the grouping is not right.
fn grouped_digits(whole: &str) -> Option<String> {
    let separator = whole.chars().find(|c| *c == '.' || *c == ',');
    let Some(separator) = separator else {
        return Some(whole.to_owned());
    };
    let groups: Vec<&str> = whole.split(separator).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..]
        .iter()
        .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
    (first_ok && rest_ok && groups[0].chars().all(|c| c.is_ascii_digit())).then(|| groups.concat())
}

/// "€ 1.234,56"; a negative amount "-€ 1.234,56".
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        write!(f, "{sign}€ {grouped},{:02}", abs % 100)
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, other: Cents) -> Cents {
        Cents(self.0 + other.0)
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;
    fn sub(self, other: Cents) -> Cents {
        Cents(self.0 - other.0)
    }
}

choice!(
    /// What a service's tariff is charged per.
    TariffUnit { Referral => "verwijzing", Hour => "uur", Week => "week" }
);

impl TariffUnit {
    /// Whether whoever finishes a referral says how many were delivered; a tariff per
    /// referral is one.
    pub fn counts_units(self) -> bool {
        self != TariffUnit::Referral
    }
}

/// Units delivered, in hundredths ("1,5" hours is 150): exact like money, read and written
/// the same way without the euro sign.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Units(pub i64);

impl Units {
    pub const ONE: Units = Units(100);

    pub fn parse(raw: &str) -> Result<Units, AmountError> {
        Cents::parse(raw).map(|c| Units(c.0))
    }
}

/// "12", "1,5", "2,25".
impl fmt::Display for Units {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, part) = (self.0 / 100, self.0 % 100);
        match part {
            0 => write!(f, "{whole}"),
            p if p % 10 == 0 => write!(f, "{whole},{}", p / 10),
            p => write!(f, "{whole},{p:02}"),
        }
    }
}

/// What `units` cost at `tariff`, to the cent (half a cent rounds up).
pub fn cost(tariff: Cents, units: Units) -> Cents {
    Cents((tariff.0 * units.0 + 50) / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_and_english_writing_are_both_read_right() {
        let cases = [
            ("1234.50", 123_450),
            ("1.234,5", 123_450),
            ("1.234,56", 123_456),
            ("1,234.56", 123_456),
            ("€ 20.000", 2_000_000),
            ("20.000,-", 2_000_000),
            ("455000", 45_500_000),
            ("€ 455.000,00", 45_500_000),
            ("0,99", 99),
            (",5", 50),
            ("12", 1_200),
            ("1.234.567,89", 123_456_789),
        ];
        for (typed, cents) in cases {
            assert_eq!(Cents::parse(typed), Ok(Cents(cents)), "{typed}");
        }
    }

    #[test]
    fn letters_negatives_and_a_third_decimal_are_refused() {
        assert_eq!(Cents::parse(""), Err(AmountError::Missing));
        assert_eq!(Cents::parse("twintig"), Err(AmountError::NotAnAmount));
        assert_eq!(Cents::parse("12a"), Err(AmountError::NotAnAmount));
        assert_eq!(Cents::parse("-5"), Err(AmountError::Negative));
        assert_eq!(Cents::parse("1,2345"), Err(AmountError::TooManyDecimals));
        assert_eq!(Cents::parse("0,125"), Err(AmountError::TooManyDecimals));
        assert_eq!(Cents::parse("1.234,567"), Err(AmountError::TooManyDecimals));
        assert_eq!(Cents::parse("12.34.5"), Err(AmountError::NotAnAmount));
        assert_eq!(Cents::parse("1.23.456"), Err(AmountError::NotAnAmount));
        assert_eq!(Cents::parse("1.0"), Ok(Cents(100)));
        assert_eq!(Cents::parse("99999999999999999999"), Err(AmountError::TooLarge));
        assert_eq!(Cents::parse("100000001"), Err(AmountError::TooLarge));
    }

    #[test]
    fn amounts_are_written_the_dutch_way() {
        assert_eq!(Cents(123_456).to_string(), "€ 1.234,56");
        assert_eq!(Cents(45_500_000).to_string(), "€ 455.000,00");
        assert_eq!(Cents(5).to_string(), "€ 0,05");
        assert_eq!(Cents(-123_456).to_string(), "-€ 1.234,56");
        assert_eq!(Cents(-123_456).for_csv(), "-1234,56");
        assert_eq!(Cents(2_000_000).for_input(), "20000,00");
    }

    #[test]
    fn units_cost_their_tariff_to_the_cent() {
        assert_eq!(Units::parse("1,5"), Ok(Units(150)));
        assert_eq!(Units::parse("12"), Ok(Units(1_200)));
        assert_eq!(Units(150).to_string(), "1,5");
        assert_eq!(Units(225).to_string(), "2,25");
        assert_eq!(Units(1_200).to_string(), "12");
        assert_eq!(cost(Cents(4_550), Units(150)), Cents(6_825));
        assert_eq!(cost(Cents(3_333), Units(50)), Cents(1_667));
        assert_eq!(cost(Cents(125_000), Units::ONE), Cents(125_000));
        assert!(TariffUnit::Hour.counts_units());
        assert!(!TariffUnit::Referral.counts_units());
    }
}
