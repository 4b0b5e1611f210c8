//! "Nieuwe inwoner" from a desk search: what was typed in the one search box, spread over the
//! resident form's fields, so that "Jan de Vries" is not registered as the surname
//! "Jan de Vries".

use crate::intake::residents::ResidentInput;
use crate::intake::values::parse_postcode;
use crate::shared::format::format_date;
use crate::web::forms::parse_date;

/// Words that start a Dutch surname ("van der Berg", "'t Hart"), lowercase.
const PREFIX_WORDS: [&str; 14] = [
    "van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "in", "op", "la", "le", "du",
];

fn is_prefix_word(word: &str) -> bool {
    PREFIX_WORDS.contains(&word.to_lowercase().as_str())
}

/// "J.", "J.P.", "JP." — initials rather than a first name.
fn is_initials(word: &str) -> bool {
    word.contains('.') && word.chars().all(|c| c == '.' || c.is_alphabetic())
}

/// The resident form filled in from a search text: nine digits are a BSN; a date is the date
/// of birth; a postcode (with the house number after it) is the address; the rest is the
/// name, split into first names (or initials), prefix and surname.
pub fn from_search(text: &str) -> ResidentInput {
    let mut input = ResidentInput::default();
    let text = text.trim();
    if text.len() == 9 && text.chars().all(|c| c.is_ascii_digit()) {
        input.bsn = text.to_owned();
        return input;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut name: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let starts_with_digit = word.starts_with(|c: char| c.is_ascii_digit());
        if starts_with_digit
            && input.date_of_birth.is_empty()
            && let Some(date) = parse_date(word)
        {
            input.date_of_birth = format_date(date);
            i += 1;
            continue;
        }
        // "3931AB" or "3931 AB", perhaps followed by the house number ("12", "12a").
        let postcode = if starts_with_digit && input.postcode.is_empty() {
            parse_postcode(word).map(|postcode| (postcode, 1)).or_else(|| {
                let next = words.get(i + 1)?;
                parse_postcode(&format!("{word}{next}")).map(|postcode| (postcode, 2))
            })
        } else {
            None
        };
        if let Some((postcode, used)) = postcode {
            input.postcode = postcode;
            i += used;
            if let Some(number) = words
                .get(i)
                .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            {
                let split = number.find(|c: char| !c.is_ascii_digit()).unwrap_or(number.len());
                input.house_number = number[..split].to_owned();
                input.house_number_addition = number[split..].trim_start_matches(['-', ' ']).to_owned();
                i += 1;
            }
            continue;
        }
        name.push(word);
        i += 1;
    }
    split_name(&name.join(" "), &mut input);
    input
}

/// "Jan de Vries", "J. van der Berg", "de Vries", and the desk's "Vries, Jan de".
fn split_name(name: &str, input: &mut ResidentInput) {
    let (given, prefix, surname): (Vec<&str>, Vec<&str>, Vec<&str>) = match name.split_once(',') {
        Some((surname, rest)) => {
            let rest: Vec<&str> = rest.split_whitespace().collect();
            let first_prefix = rest
                .iter()
                .rposition(|w| !is_prefix_word(w))
                .map_or(0, |last_given| last_given + 1);
            (
                rest[..first_prefix].to_vec(),
                rest[first_prefix..].to_vec(),
                surname.split_whitespace().collect(),
            )
        }
        None => {
            let words: Vec<&str> = name.split_whitespace().collect();
            // The prefix is the first run of prefix words with a surname after it; without
            // one, the last word is the surname.
            let start = words
                .iter()
                .position(|w| is_prefix_word(w))
                .filter(|&start| words[start..].iter().any(|w| !is_prefix_word(w)));
            match start {
                Some(start) => {
                    let end = start + words[start..].iter().take_while(|w| is_prefix_word(w)).count();
                    (
                        words[..start].to_vec(),
                        words[start..end].to_vec(),
                        words[end..].to_vec(),
                    )
                }
                None => match words.split_last() {
                    Some((last, given)) => (given.to_vec(), Vec::new(), vec![*last]),
                    None => (Vec::new(), Vec::new(), Vec::new()),
                },
            }
        }
    };
    if !given.is_empty() && given.iter().all(|w| is_initials(w)) {
        input.initials = given.concat();
    } else {
        input.first_names = given.join(" ");
    }
    input.surname_prefix = prefix.join(" ");
    input.surname = surname.join(" ");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (first names, initials, prefix, surname) as filled in.
    fn name(text: &str) -> (String, String, String, String) {
        let input = from_search(text);
        (
            input.first_names,
            input.initials,
            input.surname_prefix,
            input.surname,
        )
    }

    fn owned(parts: (&str, &str, &str, &str)) -> (String, String, String, String) {
        (
            parts.0.to_owned(),
            parts.1.to_owned(),
            parts.2.to_owned(),
            parts.3.to_owned(),
        )
    }

    #[test]
    fn a_name_is_split_into_first_names_prefix_and_surname() {
        for (text, expected) in [
            ("Jan de Vries", ("Jan", "", "de", "Vries")),
            ("de vries", ("", "", "de", "vries")),
            ("Vries", ("", "", "", "Vries")),
            ("Anna Maria van der Berg", ("Anna Maria", "", "van der", "Berg")),
            ("Jan Jansen", ("Jan", "", "", "Jansen")),
            ("J.P. van Dijk", ("", "J.P.", "van", "Dijk")),
            ("Sem 't Hart", ("Sem", "", "'t", "Hart")),
            ("Ayşe Müller-Çelik", ("Ayşe", "", "", "Müller-Çelik")),
            ("Vries, Jan de", ("Jan", "", "de", "Vries")),
            ("Berg, Anna van den", ("Anna", "", "van den", "Berg")),
            // A prefix word on its own is no prefix: there is no surname after it.
            ("Jan van", ("Jan", "", "", "van")),
        ] {
            assert_eq!(name(text), owned(expected), "{text}");
        }
    }

    #[test]
    fn numbers_dates_and_postcodes_go_to_their_own_fields() {
        let input = from_search("123456782");
        assert_eq!(input.bsn, "123456782");
        assert!(input.surname.is_empty());

        let input = from_search("Jan de Vries 5-3-1950");
        assert_eq!(input.date_of_birth, "05-03-1950");
        assert_eq!(name("Jan de Vries 5-3-1950"), owned(("Jan", "", "de", "Vries")));

        let input = from_search("3931 ab 12a");
        assert_eq!(input.postcode, "3931 AB");
        assert_eq!(input.house_number, "12");
        assert_eq!(input.house_number_addition, "a");
        assert!(input.surname.is_empty());

        let input = from_search("de Vries 3931AB 7");
        assert_eq!(input.postcode, "3931 AB");
        assert_eq!(input.house_number, "7");
        assert_eq!(input.surname, "Vries");
        assert_eq!(input.surname_prefix, "de");

        assert_eq!(from_search("  ").surname, "");
    }
}
