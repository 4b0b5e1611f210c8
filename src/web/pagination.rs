//! Page links for lists: every list shows one page at a time, and how many rows and pages there
//! are in all ("1–25 van 312", "pagina 1 van 13").

/// Lists count their rows up to this many and one more: past it "more than 10.000" tells
/// enough, and the count stays a short read of an index however long the list grows.
pub const COUNT_LIMIT: i64 = 10_000;

pub struct Pagination {
    /// The list's URL with its filters, without `page`.
    base: String,
    pub page: i64,
    pub has_next: bool,
    page_size: i64,
    /// The rows of the whole list, counted up to `count_limit` + 1.
    total: i64,
    count_limit: i64,
}

impl Pagination {
    /// `total` is the list's count; `has_next` comes from the page read (one row more than a
    /// page, see [`trim_page`]), so the links stay right even if the count was read a moment
    /// apart.
    pub fn new(base: String, page: i64, page_size: i64, has_next: bool, total: i64) -> Pagination {
        Pagination {
            base,
            page,
            has_next,
            page_size,
            total,
            count_limit: COUNT_LIMIT,
        }
    }

    /// For a list counted up to a lower limit than [`COUNT_LIMIT`] (and one more).
    pub fn counted_up_to(self, count_limit: i64) -> Pagination {
        Pagination { count_limit, ..self }
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn previous_href(&self) -> String {
        self.href(self.page - 1)
    }

    pub fn next_href(&self) -> String {
        self.href(self.page + 1)
    }

    fn href(&self, page: i64) -> String {
        let separator = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{separator}page={page}", self.base)
    }

    /// Whether the count stopped at its limit.
    pub fn counted_past_limit(&self) -> bool {
        self.total > self.count_limit
    }

    /// "1–25 van 312", or "van meer dan 10.000" when the count stopped at its limit.
    pub fn range_key(&self) -> &'static str {
        if self.counted_past_limit() {
            "pagination.range_more"
        } else {
            "pagination.range"
        }
    }

    /// "Pagina 1 van 13", or "van meer dan 200".
    pub fn page_of_key(&self) -> &'static str {
        if self.counted_past_limit() {
            "pagination.page_of_more"
        } else {
            "pagination.page_of"
        }
    }

    /// The number of the first row on this page ("1" of "1–25 van 312"); none on a page past the end.
    pub fn first(&self) -> Option<String> {
        let first = (self.page - 1) * self.page_size + 1;
        (first <= self.total).then(|| format_count(first))
    }

    /// The number of the last row on this page.
    pub fn last(&self) -> String {
        format_count((self.page * self.page_size).min(self.total))
    }

    /// How many rows the list has, as counted: the limit when it has more.
    pub fn total(&self) -> String {
        format_count(self.total.min(self.count_limit))
    }

    /// How many pages the list has, as counted.
    pub fn pages(&self) -> String {
        format_count(pages(self.total.min(self.count_limit), self.page_size))
    }
}

fn pages(total: i64, page_size: i64) -> i64 {
    ((total + page_size - 1) / page_size).max(1)
}

/// 12345 → "12.345", as Dutch writes numbers.
pub fn format_count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if value < 0 { format!("-{out}") } else { out }
}

/// Trims rows read with one extra (`page_size + 1`) to a page, and tells whether a next page
/// exists: that extra row.
pub fn trim_page<T>(rows: &mut Vec<T>, page_size: i64) -> bool {
    let has_next = rows.len() as i64 > page_size;
    rows.truncate(page_size as usize);
    has_next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_tells_its_rows_and_the_pages_in_all() {
        let second = Pagination::new("/l".into(), 2, 25, true, 312);
        assert_eq!(
            (
                second.first().as_deref(),
                second.last(),
                second.total(),
                second.pages()
            ),
            (Some("26"), "50".to_owned(), "312".to_owned(), "13".to_owned())
        );
        let last = Pagination::new("/l".into(), 13, 25, false, 312);
        assert_eq!(last.last(), "312");
        let empty = Pagination::new("/l".into(), 1, 25, false, 0);
        assert_eq!((empty.first(), empty.pages()), (None, "1".to_owned()));
        let long = Pagination::new("/l".into(), 1, 50, true, COUNT_LIMIT + 1);
        assert!(long.counted_past_limit());
        assert_eq!(
            (long.total(), long.pages()),
            ("10.000".to_owned(), "200".to_owned())
        );
        let search = Pagination::new("/l".into(), 1, 25, true, 201).counted_up_to(200);
        assert_eq!(
            (search.range_key(), search.total()),
            ("pagination.range_more", "200".to_owned())
        );
    }
}
