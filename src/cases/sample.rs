//! Filled in by the sample branch.
