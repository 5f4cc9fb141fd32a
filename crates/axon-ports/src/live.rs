//! The change feed live dashboards wait on: after the projector has applied a commit, it
//! publishes which scopes the commit touched and the data version it reached. An SSE stream
//! re-renders only when its own scope's version moved.
//!
//! Embedded: an in-process watch channel plus a version map (`axon-services`' `LocalChanges`);
//! several nodes: the same trait over Redis pub/sub.

use axon_domain::model::{ActivityId, CampaignId};

/// What a dashboard answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Campaign(CampaignId),
    Activity(ActivityId),
}

pub trait ChangeFeed: Send + Sync {
    /// Records that `scopes` changed at data `version` and wakes every subscriber.
    fn publish(&self, version: u64, scopes: &[Scope]);
    /// The data version at which `scope` last changed (the start-up version when it has not
    /// changed since).
    fn version_of(&self, scope: Scope) -> u64;
    /// A receiver that wakes on every publish (its value is the newest version).
    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64>;
}
