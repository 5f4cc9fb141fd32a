//! API tests: one binary, each test against its own server and data dir.

mod helpers;

mod admin;
mod alerts;
mod annotations;
mod auth;
mod bounds;
mod clickhouse;
mod cluster;
mod cluster_profiles;
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
mod openapi;
mod pages;
mod parquet_exports;
mod peers;
mod purchases;
mod query;
mod ratelimits;
mod redis;
mod scaleout;
mod sessions;
mod shares;
