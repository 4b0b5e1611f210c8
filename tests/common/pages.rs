//! Reading what a page shows: error messages beside fields, text without tags, dates as the
//! pages write them, ids at the end of addresses.

use time::Date;

/// The message shown beside the field whose error paragraph has id `{id}-error`.
pub fn field_error(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}-error\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find("</p>")? + start;
    let inner = &html[start..end];
    let text = inner.rsplit("</span>").next().unwrap_or(inner);
    Some(text.trim().to_owned())
}

/// The text of an HTML fragment without its tags.
pub fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// A date as the pages show it, `05-03-2026`.
pub fn nl(date: Date) -> String {
    schakel::shared::format::format_date(date)
}

/// The last segment of an address, without a trailing slash or a `#fragment`: the id of what
/// a form just made.
pub fn last_segment(path: &str) -> String {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned()
}

/// The text of the element with id `id`, up to its first child tag.
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker)? + marker.len();
    let start = html[start..].find('>')? + start + 1;
    let end = html[start..].find('<')? + start;
    Some(html[start..end].trim().to_owned())
}
