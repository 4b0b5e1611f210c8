mod admin;
mod auth;
mod cli;
mod database;
mod pages;
mod tenancy;
