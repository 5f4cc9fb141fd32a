//! Axon's application services: the protocols, written once against the ports.
//!
//! HTTP handlers (and the CLI) parse their input, call one service and serialise its answer;
//! they never see a backend. Each service is built once at start-up from [`Backends`] (the
//! ports' implementations, chosen from configuration) and [`Settings`].
//!
//! | service | owns |
//! |---|---|
//! | [`collect::Collect`] | event collection: rate limit, validation, enrichment, durable append |
//! | [`gate::Gate`] | the FCFS protocol (entry → prepare → confirm), holds' expiry, giveaways, coupons |
//! | [`purchases::Purchases`] | the one way a purchase is recorded (shop API and FCFS confirm) |
//! | [`admin::Admin`] | campaigns, activities and products: writes that the dashboards must see |
//! | [`dashboards::Dashboards`] | every widget as a typed answer, from aggregates + domain formulas |
//! | [`alerts::Alerts`] | alert rules, their one-node evaluation (a lease) and signed webhook deliveries |
//! | [`shares::Shares`] | read-only share links: created, listed, revoked, resolved from a token |
//! | [`annotations::Annotations`] | notes on moments of an activity or campaign, for charts, answers and questions |
//! | [`operations::Operations`] | the process's counters, lag and memory (`/metrics`, the operations page) |
//!
//! Nothing here feeds the analytics engine: the store publishes what each commit made durable
//! and one projector applies it. A caller that must read its own write waits for the applied
//! commit number ([`backends::Backends::caught_up`]), never for a lock.

pub mod admin;
pub mod alerts;
pub mod annotations;
pub mod backends;
pub mod collect;
pub mod counters;
pub mod dashboards;
pub mod error;
pub mod gate;
pub mod operations;
pub mod purchases;
pub mod renders;
pub mod shares;
pub mod tokens;

pub use backends::{Backends, Settings};
pub use counters::Counters;
pub use error::{Kind, ServiceError, ServiceResult};
