//! Axon's domain: the vocabulary every other crate speaks.
//!
//! Pure code only — no HTTP, no storage, no clock reads. Entities and enums carry the exact wire
//! spellings of SPEC §1; time, periods and money follow the conventions there; filters (§3.3) and
//! the event schema (§2.1) are parsed and validated here once, at the boundary.

pub mod activity;
pub mod coupon;
pub mod dimension;
pub mod draw;
pub mod error;
pub mod event;
pub mod field;
pub mod filter;
pub mod horizon;
pub mod metrics;
#[macro_use]
pub mod model;
// After `model`: it uses the `wire_enum!` macro declared there.
pub mod alert;
pub mod annotation;
pub mod money;
pub mod period;
pub mod share;
pub mod status;
pub mod time;

pub use error::DomainError;
pub use horizon::Horizon;
pub use money::Dec2;
pub use time::{BusinessTz, Clock, ManualClock, SystemClock, Ts};
