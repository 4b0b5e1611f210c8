//! CSV the Dutch way, as Excel opens it without asking: UTF-8 with a byte order mark, `;`
//! between fields, CRLF line ends (dates are written dd-mm-yyyy by the callers).
//!
//! Every export is a [`Document`], which only [`document`] makes and only [`download`] sends,
//! so every cell passes [`field`]: text a spreadsheet would run as a formula is neutralised
//! there (OWASP, CSV injection).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV document whose every cell went through [`field`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document(String);

impl Document {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A whole document: the header line, then the rows.
pub fn document<R: AsRef<[String]>>(header: &[String], rows: impl IntoIterator<Item = R>) -> Document {
    let mut out = String::from("\u{feff}");
    push_line(&mut out, header);
    for row in rows {
        push_line(&mut out, row.as_ref());
    }
    Document(out)
}

fn push_line(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&line.join(";"));
    out.push_str("\r\n");
}

fn field(value: &str) -> String {
    let value = neutralise(value);
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
/// and LibreOffice, which may run commands or send data away; a leading `'` makes it text.
/// Plain numbers (`-3`, `+31`, `-0,8`) cannot do harm and stay numbers.
fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    let starts_formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && !is_plain_number(value) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// An optional sign, digits, and at most one decimal comma or point followed by digits.
fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (whole, fraction) = match digits.split_once([',', '.']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// A CSV download named `filename`.
pub fn download(filename: &str, document: Document) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        document.0,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("a;b"), "\"a;b\"");
        assert_eq!(field("zeg \"ja\""), "\"zeg \"\"ja\"\"\"");
        assert_eq!(field("gewoon"), "gewoon");
    }

    #[test]
    fn a_document_starts_with_a_byte_order_mark_and_ends_lines_with_crlf() {
        let doc = document(
            &["a".to_owned(), "b".to_owned()],
            [vec!["1".to_owned(), "x;y".to_owned()]],
        );
        assert_eq!(doc.as_str(), "\u{feff}a;b\r\n1;\"x;y\"\r\n");
    }

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_neutralised() {
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\t=1"), "'\t=1");
        assert_eq!(field("\r=1"), "\"'\r=1\"");
        assert_eq!(
            field("=HYPERLINK(\"x\";\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\";\"\"y\"\")\""
        );
        assert_eq!(field("-"), "'-");
        assert_eq!(field("a=1"), "a=1", "only the start counts");
    }

    #[test]
    fn numbers_keep_their_sign() {
        for number in ["-3", "+31", "-0,8", "-12.5", "42", "0"] {
            assert_eq!(field(number), number);
        }
        for not_a_number in ["-", "-,5", "-1,", "-1,2,3", "+1e5", "-1 "] {
            assert_eq!(field(not_a_number), format!("'{not_a_number}"));
        }
    }
}
