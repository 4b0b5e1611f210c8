//! Schakel: intake, case handling, referrals and governance for Dutch social-domain
//! cooperatives. One tenant per cooperative; see README.md for the architecture.

pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod home;
pub mod tenancy;
pub mod web;

pub use app::{AppState, router};
