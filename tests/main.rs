//! All integration tests in one binary, so it is built and linked once.

mod api;
mod architecture;
mod browser;
mod common;
