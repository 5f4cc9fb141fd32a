//! Axon's in-memory engine: a fold over the durable log that answers every dashboard question
//! exactly and fast. No I/O and no clock reads: callers feed it what was made durable and pass
//! "now" into queries.
//!
//! Feeding order does not matter for correctness: every query recomputes from the indexed
//! records, so replaying the store at start-up and applying live writes give the same answers.

pub mod engine;
pub mod ledger;

pub use engine::Engine;
