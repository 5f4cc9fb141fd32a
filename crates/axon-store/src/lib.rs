//! Axon's storage: ports (traits) the server talks to, and the adapters behind them.
//!
//! The embedded adapter (`sqlite`, default feature) keeps everything in one SQLite database in
//! the data directory, in WAL mode, with every write going through one group-commit writer so
//! many concurrent requests share a transaction and its fsync. Other backends implement the same
//! traits behind their own cargo features.

#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use axon_ports::*;
