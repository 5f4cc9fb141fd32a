//! Axon's in-memory engine: a fold over the durable log that answers the aggregates and catalogue
//! ports exactly and fast. No I/O and no clock reads: callers feed it what was made durable and
//! pass "now" (as windows) into reads. It computes no figures and builds no answers: the domain's
//! formulas and the dashboards service do.
//!
//! Every read recomputes from indexed records (sorted per-activity series, hour/day person
//! bitmaps, purchase timelines), so replaying the store at start-up and applying live writes
//! give the same answers, at any window to the millisecond.

pub mod aggregates;
pub mod breakdown;
pub mod catalog;
pub mod cohort;
pub mod counts;
pub mod engine;
pub mod funnel;
pub mod ledger;
pub mod local;
pub(crate) mod memo;
pub mod persons;
pub mod projector;
pub mod purchases;
pub mod series;

pub use engine::Engine;
pub use projector::{Projector, Snapshots};
