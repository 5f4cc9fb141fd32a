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

/// One durable commit: its number and its changes in write order. Numbers increase in commit
/// order: 1, 2, … on the embedded store; on a shared database the commit's feed number, the
/// same on every node (so data versions derived from it agree across nodes).
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
    /// Another node announced a commit: look for it now rather than at the next poll.
    fn look_now(&self) {}
    /// Tells `peers` about every commit this node makes durable from now on (after COMMIT);
    /// as they announce theirs too ([`CommitFeed::look_now`]), the feed then looks for other
    /// nodes' commits by itself only every `poll` (for announcements lost on the way).
    fn announce_to(&self, _peers: Arc<dyn Peers>, _poll: std::time::Duration) {}
}

/// The other nodes sharing the database, reached through a message bus (Redis pub/sub).
pub trait Peers: Send + Sync {
    /// This node made the commit with feed number `position` durable.
    fn committed(&self, position: u64);
    /// This node revoked a key or signed a session out: every node's live streams re-check.
    fn revoked(&self);
}
