//! Schakel: intake, case handling, referrals and governance for Dutch social-domain
//! cooperatives. One tenant per cooperative; see README.md for the architecture.

pub mod account;
pub mod admin;
pub mod app;
pub mod assembly;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod finance;
pub mod home;
pub mod intake;
pub mod jobs;
pub mod mail;
pub mod members;
pub mod portal;
pub mod referrals;
pub mod reports;
pub mod shared;
pub mod tenancy;
pub mod todos;
pub mod web;

pub use app::{AppState, router};
