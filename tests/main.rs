//! All integration tests in one binary, so it is built and linked once.

mod api;
mod browser;
mod common;
