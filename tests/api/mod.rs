mod account;
mod admin;
mod auth;
mod cli;
mod database;
mod intake;
mod pages;
mod tenancy;
pub mod two_factor;
