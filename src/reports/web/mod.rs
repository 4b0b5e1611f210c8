//! The report pages: the dashboard with its exports and annual report, and the lists behind
//! its numbers.

pub(super) mod dashboard;
pub(super) mod lists;
