//! Axon's ports: the traits every backend implements and the value types they exchange.
//!
//! Services depend on these traits only; a backend (embedded SQLite + in-process engine and
//! ledger today; PostgreSQL/MySQL, Redis, Kafka and ClickHouse in the scale-out mode) is chosen
//! once at start-up and handed to the services as `Arc<dyn …>`. This crate depends on nothing
//! but `axon-domain`, so an adapter crate and the services never depend on each other.
//!
//! | port | what it is for |
//! |---|---|
//! | [`alerts`] | alert rules, their delivery log and the evaluator's lease |
//! | [`shares`] | share links (by token hash) and annotations (by scope and time) |
//! | [`store`] | the append-only event log, listing stored events, the relational repos, bulk load |
//! | [`gate`] | the durable side of the FCFS gate: entries, tokens, purchases, coupons, draws |
//! | [`stock`] | the stock gate: reserve, commit, abort, confirm, claim expired holds, recovery |
//! | [`feed`] | what each commit made durable, in order: the projector's input |
//! | [`live`] | the change feed live dashboards wait on (per-scope data versions) |
//! | [`cache`] | the answer cache (a no-op embedded; Redis in the scale-out mode) |
//! | [`ratelimit`] | collection rate limits shared by every node |
//! | [`commands`] | the FCFS command log on the broker: the gate's writes applied exactly once |
//! | [`sink`] | the broker's sink consumer: events stored with their offsets, exactly once; its lag |
//! | [`aggregates`] | raw analytic aggregates (numbers, never JSON) and the snapshots that hold them |
//! | [`catalog`] | campaign/activity/product metadata as of one snapshot |
//!
//! Reads that a network backend would serve are `async` (`async_trait`, so the traits stay
//! object-safe); writes return a [`Pending`] that resolves once the write is durable.

pub mod aggregates;
pub mod alerts;
pub mod blocking;
pub mod cache;
pub mod catalog;
pub mod commands;
pub mod eligibility;
pub mod error;
pub mod feed;
pub mod gate;
pub mod live;
pub mod pending;
pub mod ratelimit;
pub mod shares;
pub mod sink;
pub mod stock;
pub mod store;

pub use aggregates::{AnalyticsSource, Snapshot};
pub use alerts::AlertRepo;
pub use async_trait::async_trait;
pub use catalog::Catalog;
pub use error::StoreError;
pub use feed::{Change, Commit, CommitFeed, Peers};
pub use gate::*;
pub use pending::Pending;
pub use shares::{AnnotationRepo, ShareRepo};
pub use store::*;
