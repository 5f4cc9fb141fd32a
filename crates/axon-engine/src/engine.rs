//! The `Engine` facade: what the server feeds (events, entries, purchases, campaign and activity
//! metadata) and asks.

use axon_domain::event::Event;
use axon_domain::model::{Activity, Campaign, Entry, Purchase};

/// The analytics index. Wrapped by the server in a lock: writers apply after durability,
/// readers query.
#[derive(Default)]
pub struct Engine {
    events: u64,
    entries: u64,
    purchases: u64,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Applies a stored behaviour event (`seq` from the log).
    pub fn apply_event(&mut self, _seq: u64, _e: &Event) {
        self.events += 1;
    }

    /// Applies an entry as stored now (a later call for the same activity and user replaces it).
    pub fn apply_entry(&mut self, _e: &Entry) {
        self.entries += 1;
    }

    /// Applies a stored purchase (a later call with the same id replaces it).
    pub fn apply_purchase(&mut self, _p: &Purchase) {
        self.purchases += 1;
    }

    pub fn upsert_campaign(&mut self, _c: &Campaign) {}

    pub fn upsert_activity(&mut self, _a: &Activity) {}

    /// Events applied so far.
    pub fn event_count(&self) -> u64 {
        self.events
    }
}
