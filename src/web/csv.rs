//! CSV the Dutch way, as Excel opens it without asking: UTF-8 with a byte order mark, `;`
//! between fields, CRLF line ends (dates are written dd-mm-yyyy by the callers).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A whole document: the header line, then the rows.
pub fn document<R: AsRef<[String]>>(header: &[String], rows: impl IntoIterator<Item = R>) -> String {
    let mut out = String::from("\u{feff}");
    push_line(&mut out, header);
    for row in rows {
        push_line(&mut out, row.as_ref());
    }
    out
}

fn push_line(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&line.join(";"));
    out.push_str("\r\n");
}

fn field(value: &str) -> String {
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// A CSV download named `filename`.
pub fn download(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
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
        assert_eq!(doc, "\u{feff}a;b\r\n1;\"x;y\"\r\n");
    }
}
