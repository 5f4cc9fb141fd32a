//! Axon's storage: ports (traits) the server talks to, and the adapters behind them.
//!
//! The embedded adapter (`sqlite`, default feature) keeps everything in one SQLite database in
//! the data directory, in WAL mode, with every write going through one group-commit writer so
//! many concurrent requests share a transaction and its fsync. Other backends implement the same
//! traits behind their own cargo features: `postgres` and `mysql` (the shared-database backends in
//! [`sql`], schemas in [`postgres`] / [`mysql`]).

#[cfg(feature = "sqlite")]
pub mod sqlite;

#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub mod sql;

pub use axon_ports::*;
