//! Turning what people type into values: forgiving about form, strict about meaning.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use time::Date;
use time::macros::format_description;

use crate::error::AppError;
use crate::web::layout::FormErrors;

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

/// How long a field's text may be, and whether it may span lines. Every text field of
/// every form has one (by its name, [`limit_of`]); the database backs each up with a
/// `CHECK (char_length(…) <= …)` on the column it is stored in (migration 0019).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// What people type as a code: initials, house numbers, a BSN, a postcode (20, one line).
    Code,
    /// A telephone number (30, one line).
    Phone,
    /// Names, titles, places, and every field not named in [`FIELD_LIMITS`] (200, one line).
    Name,
    /// An e-mail address (254, the longest SMTP allows; one line).
    Email,
    /// A long line: a web address, a list of places (1,000, one line).
    LongLine,
    /// A short text: a reason, a note, a description (1,000, lines allowed).
    Short,
    /// A long text: a report, a journal entry, a question for help (20,000, lines allowed).
    Long,
}

impl Limit {
    /// The most characters (not bytes) the field may hold.
    pub const fn chars(self) -> usize {
        match self {
            Limit::Code => 20,
            Limit::Phone => 30,
            Limit::Name => 200,
            Limit::Email => 254,
            Limit::LongLine | Limit::Short => 1_000,
            Limit::Long => 20_000,
        }
    }

    /// Whether line breaks are part of the text. A one-line field (an `<input>`) cannot send
    /// them from a browser, so there they are refused like any other control character.
    pub const fn multiline(self) -> bool {
        matches!(self, Limit::Short | Limit::Long)
    }

    fn message_key(self) -> &'static str {
        match self {
            Limit::Code => "form.error.max_20",
            Limit::Phone => "form.error.max_30",
            Limit::Name => "form.error.max_200",
            Limit::Email => "form.error.max_254",
            Limit::LongLine | Limit::Short => "form.error.max_1000",
            Limit::Long => "form.error.max_20000",
        }
    }
}

/// The text fields of Schakel's forms whose limit is not [`Limit::Name`], by field name. Forms
/// name the same kind of text the same way everywhere (`reason`, `note`, `body`, `email`), so
/// one list serves every form; a new kind of text gets its line here.
const FIELD_LIMITS: &[(&str, Limit)] = &[
    // One line, short.
    ("bsn", Limit::Code),
    ("decision_number", Limit::Code),
    ("house_number", Limit::Code),
    ("house_number_addition", Limit::Code),
    ("initials", Limit::Code),
    ("preferred_language", Limit::Code),
    ("postcode", Limit::Code),
    ("contact_phone", Limit::Phone),
    ("phone", Limit::Phone),
    ("contact_email", Limit::Email),
    ("email", Limit::Email),
    ("link_email", Limit::Email),
    // Names and titles: the default, listed so that their messages stand beside them.
    ("commissioner", Limit::Name),
    ("contact_name", Limit::Name),
    ("first_names", Limit::Name),
    ("name", Limit::Name),
    ("owner", Limit::Name),
    ("performer_name", Limit::Name),
    ("place", Limit::Name),
    ("pot_name", Limit::Name),
    ("project", Limit::Name),
    ("provider_name", Limit::Name),
    ("referrer", Limit::Name),
    ("resident_name", Limit::Name),
    ("role", Limit::Name),
    ("street", Limit::Name),
    ("surname", Limit::Name),
    ("surname_prefix", Limit::Name),
    ("title", Limit::Name),
    ("topic", Limit::Name),
    ("areas", Limit::LongLine),
    ("next", Limit::LongLine),
    ("video_url", Limit::LongLine),
    // Short texts.
    ("confirmation", Limit::Short),
    ("contact_address", Limit::Short),
    ("current", Limit::Short),
    ("description", Limit::Short),
    ("expected_result", Limit::Short),
    ("follow_up_outcome", Limit::Short),
    ("note", Limit::Short),
    ("outcome_reason", Limit::Short),
    ("over_commitment", Limit::Short),
    ("override_reason", Limit::Short),
    ("participants", Limit::Short),
    ("password", Limit::Short),
    ("proxy_note", Limit::Short),
    ("purpose", Limit::Short),
    ("reason", Limit::Short),
    ("result_note", Limit::Short),
    // Long texts.
    ("body", Limit::Long),
    ("conditions", Limit::Long),
    ("daytime", Limit::Long),
    ("finances", Limit::Long),
    ("health", Limit::Long),
    ("housing", Limit::Long),
    ("notes", Limit::Long),
    ("outcome", Limit::Long),
    ("parenting", Limit::Long),
    ("proposal", Limit::Long),
    ("question", Limit::Long),
    ("reasons", Limit::Long),
    ("remarks", Limit::Long),
    ("report", Limit::Long),
    ("result", Limit::Long),
    ("safety", Limit::Long),
    ("social_network", Limit::Long),
    ("summary", Limit::Long),
    ("wishes", Limit::Long),
];

/// The limit of the field `name`, with the name as the list spells it (for its message).
/// Anything unlisted (codes, dates, ids, choices) is held to one line of [`Limit::Name`]. A
/// field of a table form names its row after a dot (`proxy_note.<id>`) and has the limit of
/// its kind.
pub fn limit_of(name: &str) -> (Option<&'static str>, Limit) {
    let kind = name.split_once('.').map_or(name, |(kind, _)| kind);
    FIELD_LIMITS
        .iter()
        .find(|(listed, _)| *listed == kind)
        .map_or((None, Limit::Name), |(listed, limit)| (Some(*listed), *limit))
}

/// Whether `c` may not be stored: a control character (NUL included, which PostgreSQL refuses
/// in text), other than a tab anywhere and a line break where lines are allowed.
fn forbidden(c: char, multiline: bool) -> bool {
    c.is_control() && c != '\t' && !(multiline && (c == '\n' || c == '\r'))
}

/// The fields of a submitted form, in order, with repeated names kept (checkbox groups).
///
/// Every value passes the checks of its field's [`Limit`] on the way in, before a handler
/// sees it: forbidden control characters are taken out (so what is shown again is clean), an
/// over-long text is kept as typed; each finding becomes a message beside its field through
/// [`Fields::errors`], with which a handler starts its form's messages.
#[derive(Debug, Default)]
pub struct Fields {
    pairs: Vec<(String, String)>,
    problems: FormErrors,
    /// The same findings by the field's full name, for a table form's rows.
    problems_by_name: Vec<(String, &'static str)>,
}

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        Vec::<(String, String)>::deserialize(deserializer).map(Fields::from_pairs)
    }
}

impl Fields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        let mut problems = FormErrors::default();
        let mut problems_by_name = Vec::new();
        let pairs = pairs
            .into_iter()
            .map(|(name, value)| {
                let (listed, limit) = limit_of(&name);
                let mut report = |key| {
                    problems_by_name.push((name.clone(), key));
                    match listed {
                        Some(field) => problems.field(field, key),
                        None => problems.form(key),
                    }
                };
                let value = if value.chars().any(|c| forbidden(c, limit.multiline())) {
                    report("form.error.control_characters");
                    value
                        .chars()
                        .filter(|c| !forbidden(*c, limit.multiline()))
                        .collect()
                } else {
                    value
                };
                if value.chars().count() > limit.chars() {
                    report(limit.message_key());
                }
                (name, value)
            })
            .collect();
        Fields {
            pairs,
            problems,
            problems_by_name,
        }
    }

    /// The first finding of the checks on the way in for the field named exactly `name`: what
    /// a table form shows beside that row's field.
    pub fn problem(&self, name: &str) -> Option<&'static str> {
        self.problems_by_name
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, key)| *key)
    }

    /// The messages of the checks every field passed on the way in: the start of a form's
    /// messages, so that a form with a forbidden character or an over-long text is refused
    /// (422) with the message beside the field and nothing stored.
    pub fn errors(&self) -> FormErrors {
        self.problems.clone()
    }

    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A form sent as multipart: its text fields, checked as [`Fields`] are, and the non-empty
/// files sent under `file_field`, with the name the browser gave each.
pub async fn read_multipart(
    mut multipart: axum::extract::Multipart,
    file_field: &str,
) -> Result<(Fields, Vec<(String, Vec<u8>)>), crate::error::AppError> {
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await?;
            if !bytes.is_empty() {
                files.push((filename, bytes.to_vec()));
            }
        } else {
            let value = field.text().await?;
            fields.push((name, value));
        }
    }
    Ok((Fields::from_pairs(fields), files))
}

/// Whether a query-string parameter would be refused: a forbidden control character (line
/// breaks included) in its name or value, or a value longer than its [`Limit`] allows.
fn refused(name: &str, value: &str) -> bool {
    let too_long = value.chars().count() > limit_of(name).1.chars();
    too_long || name.chars().chain(value.chars()).any(|c| forbidden(c, false))
}

/// The parameters of the query string, like axum's `Query`, but a control character or an
/// over-long value (a search is a [`Limit::Name`]: 200 characters) in any of them answers 422
/// with the layout's page before the handler runs: a search for a NUL byte is a mistake.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        if form_urlencoded::parse(raw.as_bytes()).any(|(name, value)| refused(&name, &value)) {
            return Err(AppError::InvalidInput.into_response());
        }
        let axum::extract::Query(value) =
            axum::extract::Query::try_from_uri(&parts.uri).map_err(IntoResponse::into_response)?;
        Ok(Query(value))
    }
}

/// A form read into a typed struct (the few forms outside the domains: login, password,
/// language), like axum's `Form`, but refused as a whole with 422 and the layout's page when a
/// field holds a forbidden character or more than its [`Limit`] allows.
pub struct Form<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(fields) = axum::Form::<Fields>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !fields.problems.is_empty() {
            return Err(AppError::InvalidInput.into_response());
        }
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields.pairs)
            .finish();
        serde_urlencoded::from_str(&encoded)
            .map(Form)
            .map_err(|_| (StatusCode::UNPROCESSABLE_ENTITY, "unreadable form").into_response())
    }
}

/// A file name as a browser sent it, safe to store and to send back in a header: the last
/// path segment, without control characters or quotes, at most 200 characters (the start and
/// the extension kept), or `fallback` when nothing is left.
pub fn clean_filename(raw: &str, fallback: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let cleaned = cleaned.trim();
    let max = Limit::Name.chars();
    if cleaned.is_empty() {
        return fallback.to_owned();
    }
    if cleaned.chars().count() <= max {
        return cleaned.to_owned();
    }
    let extension = match cleaned.rsplit_once('.') {
        Some((_, extension)) if extension.chars().count() <= 10 => extension,
        _ => "",
    };
    let keep = max - extension.chars().count() - usize::from(!extension.is_empty());
    let start: String = cleaned.chars().take(keep).collect();
    if extension.is_empty() {
        start
    } else {
        format!("{}.{extension}", start.trim_end())
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

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn control_characters_are_taken_out_and_reported_beside_their_field() {
        let form = fields(&[("surname", "Jan\0sen"), ("remarks", "een\r\nregel\tmet tab\u{7}")]);
        assert_eq!(form.get("surname"), "Jansen");
        assert_eq!(form.get("remarks"), "een\r\nregel\tmet tab");
        let errors = form.errors();
        assert_eq!(errors.for_field("surname"), Some("form.error.control_characters"));
        assert_eq!(errors.for_field("remarks"), Some("form.error.control_characters"));
    }

    #[test]
    fn one_line_fields_refuse_line_breaks_and_long_texts_keep_them() {
        let form = fields(&[("title", "twee\nregels"), ("body", "twee\nregels")]);
        assert_eq!(form.get("title"), "tweeregels");
        assert!(form.errors().has("title"));
        assert!(!form.errors().has("body"));
    }

    #[test]
    fn every_field_has_its_maximum_counted_in_characters() {
        let form = fields(&[
            ("surname", &"é".repeat(200)),
            ("place", &"x".repeat(201)),
            ("email", &"x".repeat(255)),
            ("body", &"x".repeat(20_000)),
            ("unlisted_code", &"x".repeat(201)),
        ]);
        let errors = form.errors();
        assert!(!errors.has("surname"), "200 characters of two bytes each fit");
        assert_eq!(errors.for_field("place"), Some("form.error.max_200"));
        assert_eq!(errors.for_field("email"), Some("form.error.max_254"));
        assert!(!errors.has("body"));
        assert_eq!(
            form.get("place").len(),
            201,
            "an over-long text is shown again as typed"
        );
        let whole_form: Vec<_> = errors
            .iter()
            .filter(|e| e.field.is_none())
            .map(|e| e.message_key)
            .collect();
        assert_eq!(
            whole_form,
            ["form.error.max_200"],
            "an unlisted field is named in the summary"
        );
    }

    #[test]
    fn a_table_form_row_has_the_limit_of_its_kind_and_its_own_finding() {
        let form = fields(&[
            ("proxy_note.row-a", &"x".repeat(1_000)),
            ("proxy_note.row-b", &"x".repeat(1_001)),
            ("proxy_note.row-c", "regel\nvolgende\u{7}"),
        ]);
        assert_eq!(form.problem("proxy_note.row-a"), None);
        assert_eq!(form.problem("proxy_note.row-b"), Some("form.error.max_1000"));
        assert_eq!(
            form.problem("proxy_note.row-c"),
            Some("form.error.control_characters")
        );
        assert_eq!(
            form.get("proxy_note.row-c"),
            "regel\nvolgende",
            "a line break is allowed"
        );
        assert!(form.errors().has("proxy_note"));
    }

    #[test]
    fn file_names_lose_paths_quotes_and_control_characters_and_keep_their_extension() {
        assert_eq!(
            clean_filename("C:\\Users\\x\\brief \"1\".pdf", "bijlage"),
            "brief 1.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd", "bijlage"), "passwd");
        assert_eq!(clean_filename("", "bijlage"), "bijlage");
        assert_eq!(clean_filename("a\0b.pdf", "bijlage"), "ab.pdf");
        let long = clean_filename(&format!("{}.pdf", "x".repeat(300)), "bijlage");
        assert_eq!(long.chars().count(), 200);
        assert!(long.ends_with("x.pdf"));
    }
}
