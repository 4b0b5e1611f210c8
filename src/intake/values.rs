//! What the desk types, turned into values that are valid by construction.

use crate::shared::choices::choice;

/// A citizen service number: nine digits that pass the 11-test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bsn(String);

impl Bsn {
    pub fn parse(raw: &str) -> Option<Bsn> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .collect();
        if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // The 11-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not zero).
        let sum: i32 = digits
            .bytes()
            .map(|b| i32::from(b - b'0'))
            .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
            .map(|(digit, weight)| digit * weight)
            .sum();
        (sum != 0 && sum % 11 == 0).then_some(Bsn(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Only the last four digits, for everyone who has no reason to see the whole number.
pub fn mask_bsn(bsn: &str) -> String {
    format!("*****{}", &bsn[bsn.len().saturating_sub(4)..])
}

/// A Dutch postcode, normalised to `1234 AB`.
pub fn parse_postcode(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let (digits, letters) = compact.split_at_checked(4)?;
    let valid = digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
        && letters.len() == 2
        && letters.chars().all(|c| c.is_ascii_uppercase());
    valid.then(|| format!("{digits} {letters}"))
}

choice!(
    /// How soon something must happen.
    Urgency { Normal => "normal", Urgent => "urgent", Crisis => "crisis" }
);

impl Urgency {
    /// What choosing this urgency sets in motion, as the request form explains it.
    pub fn explanation_key(self) -> String {
        format!("request.urgency_means.{}", self.code())
    }
}

choice!(
    /// What the desk decided to do with a request.
    Triage { HandledAtDesk => "handled_at_desk", Signposted => "signposted", ToTeam => "to_team" }
);

choice!(
    /// How the follow-up call after signposting went: the figures count these.
    FollowUpResult { Worked => "gelukt", DidNotWork => "niet_gelukt", NotReached => "niet_bereikt" }
);

choice!(
    /// What a household member is to the resident.
    Relation { Partner => "partner", Child => "child", Parent => "parent", Sibling => "sibling", Other => "other" }
);

impl Relation {
    /// What the resident is to the household member: a child's parent is the parent's child.
    pub fn inverse(self) -> Relation {
        match self {
            Relation::Child => Relation::Parent,
            Relation::Parent => Relation::Child,
            other => other,
        }
    }

    /// The relation as words that follow the member's name and take the resident's name:
    /// "(Sem) is kind van {resident}".
    pub fn phrase_key(self) -> String {
        format!("household.is.{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleven_test_accepts_valid_and_refuses_invalid_numbers() {
        for valid in ["111222333", "123456782", "1112.22.333", " 999999990 "] {
            assert!(Bsn::parse(valid).is_some(), "{valid}");
        }
        for invalid in [
            "111222334",
            "12345678",
            "1234567890",
            "abcdefghi",
            "000000000",
            "",
        ] {
            assert!(Bsn::parse(invalid).is_none(), "{invalid}");
        }
        assert_eq!(mask_bsn("123456782"), "*****6782");
    }

    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(parse_postcode("3931ab").as_deref(), Some("3931 AB"));
        assert_eq!(parse_postcode(" 3931 Ab ").as_deref(), Some("3931 AB"));
        for invalid in ["0931 AB", "393 AB", "3931 A", "3931 A1", "ABCD EF", ""] {
            assert!(parse_postcode(invalid).is_none(), "{invalid}");
        }
    }

    #[test]
    fn a_household_link_reads_both_ways() {
        assert_eq!(Relation::Child.inverse(), Relation::Parent);
        assert_eq!(Relation::Parent.inverse(), Relation::Child);
        for same in [Relation::Partner, Relation::Sibling, Relation::Other] {
            assert_eq!(same.inverse(), same);
        }
    }

    #[test]
    fn choices_parse_only_their_codes() {
        assert_eq!(Triage::parse("to_team"), Some(Triage::ToTeam));
        assert_eq!(Triage::parse("nope"), None);
    }
}
