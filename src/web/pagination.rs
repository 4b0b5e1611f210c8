//! Page links for lists: every list shows one page at a time.

pub struct Pagination {
    /// The list's URL with its filters, without `page`.
    base: String,
    pub page: i64,
    pub has_next: bool,
}

impl Pagination {
    pub fn new(base: String, page: i64, has_next: bool) -> Pagination {
        Pagination { base, page, has_next }
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
}

/// Trims rows read with one extra (`page_size + 1`) to a page, and tells whether a next page
/// exists: that extra row.
pub fn trim_page<T>(rows: &mut Vec<T>, page_size: i64) -> bool {
    let has_next = rows.len() as i64 > page_size;
    rows.truncate(page_size as usize);
    has_next
}
