//! API tests: one binary, each test against its own server and data dir.

mod helpers;

mod admin;
mod auth;
mod bounds;
mod collect;
mod connections;
mod coupons;
mod dashboard;
mod exports;
mod filters;
mod gate;
mod gate_support;
mod hardening;
mod health;
mod live;
mod pages;
mod peers;
mod purchases;
mod query;
mod ratelimits;
mod scaleout;
mod sessions;
