//! API tests: one binary, each test against its own server and data dir.

mod helpers;

mod admin;
mod auth;
mod collect;
mod dashboard;
mod health;
mod live;
mod query;
