//! The commit feed: what each durable commit made durable, in commit order. The store publishes
//! it after COMMIT and before it answers the writers; one projector applies it to the analytics
//! engine, so no request handler ever feeds the engine.

use axon_domain::event::Event;
use axon_domain::model::{Activity, Campaign, CampaignId, Entry, Product, Purchase};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

/// One durable change.
#[derive(Debug, Clone)]
pub enum Change {
    /// A stored event (duplicates are not repeated here).
    Event {
        seq: u64,
        event: Event,
    },
    /// An entry as stored now (inserted or its status changed).
    Entry(Entry),
    /// A newly recorded purchase.
    Purchase(Purchase),
    Product(Product),
    Campaign(Campaign),
    CampaignRemoved(CampaignId),
    Activity(Activity),
}

/// One durable commit: its number (1, 2, … per store) and its changes in write order.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    pub number: u64,
    pub changes: Vec<Change>,
}

/// The source of commits.
pub trait CommitFeed: Send + Sync {
    /// The number of the newest durable commit (0 before the first).
    fn committed(&self) -> u64;
    /// Follows the commits made from now on, in order. Called once per follower at start-up,
    /// after the follower has replayed what was stored.
    fn follow(&self) -> UnboundedReceiver<Arc<Commit>>;
}
