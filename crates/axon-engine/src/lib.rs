//! Axon's in-memory engine: a fold over the durable log that answers every dashboard question
//! exactly and fast. No I/O and no clock reads: callers feed it what was made durable and pass
//! "now" into queries.
//!
//! Every query recomputes from indexed records (sorted per-activity series, hour/day person
//! bitmaps, purchase timelines), so replaying the store at start-up and applying live writes
//! give the same answers, at any window to the millisecond.

pub mod breakdown;
pub mod catalog;
pub mod cohort;
pub mod comparison;
pub mod dashboard;
pub mod engine;
pub mod funnel;
pub mod ledger;
pub mod local;
pub mod persons;
pub mod projector;
pub mod series;

pub use dashboard::{Query, Widget, ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS};
pub use engine::Engine;
pub use projector::{Projector, Snapshots};
