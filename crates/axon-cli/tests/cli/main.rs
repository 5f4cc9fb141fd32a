//! Tests of the `axon` binary as a user runs it: a real child process over a temp data dir.

mod clickhouse;
mod cluster;
mod config;
mod demo;
mod durability;
mod gate_crash;
mod helpers;
mod import;
mod kafka;
mod loadtest;
mod mcp;
mod mixedbench;
mod schema_fuzz;
mod ui;
