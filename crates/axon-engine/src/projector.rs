//! The one projector: applies what the store made durable to the engine and publishes
//! immutable snapshots by a pointer swap, so readers never wait for the writer and the writer
//! never waits for readers.
//!
//! Two copies of the engine (double buffering, the left-right scheme): readers take the
//! *current* copy (`Arc` clone from an [`ArcSwap`], wait-free) and keep it as long as they need.
//! The projector applies a batch of commits to the *spare* copy, swaps it in, and replays the
//! same batch on the old copy once the last reader has let go of it. A slow reader therefore
//! delays only the next publish (freshness), never an acknowledgement: the store's writer
//! answers after its own commit and does not wait for the projector at all.
//!
//! Why not sealed chunks + an open tail: that layout is the performance issue's re-layout of
//! the engine; double buffering gives the same reader/writer independence on today's layout at
//! the price of twice the engine's memory.

use crate::engine::Engine;
use arc_swap::ArcSwap;
use axon_ports::live::{ChangeFeed, Scope};
use axon_ports::{Change, Commit};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// What readers see: the newest published engine.
pub struct Snapshots {
    current: ArcSwap<Engine>,
}

impl Snapshots {
    /// The newest snapshot; hold it as long as needed.
    pub fn load(&self) -> Arc<Engine> {
        self.current.load_full()
    }
}

/// The projector's side: the spare copy and the commits it has not seen yet.
pub struct Projector {
    shared: Arc<Snapshots>,
    spare: Option<Arc<Engine>>,
    behind: Vec<Arc<Commit>>,
    changes: Arc<dyn ChangeFeed>,
}

impl Projector {
    /// Starts from an engine rebuilt from the store (its copy becomes the spare).
    pub fn new(engine: Engine, changes: Arc<dyn ChangeFeed>) -> (Projector, Arc<Snapshots>) {
        let spare = Arc::new(engine.clone());
        let shared = Arc::new(Snapshots {
            current: ArcSwap::from_pointee(engine),
        });
        let p = Projector {
            shared: shared.clone(),
            spare: Some(spare),
            behind: Vec::new(),
            changes,
        };
        (p, shared)
    }

    /// Applies `batch` and publishes it: after this returns, new readers see every commit of
    /// the batch, and the change feed has announced the scopes it touched.
    pub fn apply(&mut self, batch: Vec<Arc<Commit>>) {
        let Some(last) = batch.last().map(|c| c.number) else {
            return;
        };
        let mut spare = self.spare.take().unwrap_or_else(|| self.shared.load());
        let engine = loop {
            // The spare was current until the last publish: wait for its readers to let go.
            match Arc::get_mut(&mut spare) {
                Some(e) => break e,
                None => std::thread::sleep(Duration::from_micros(200)),
            }
        };
        for c in self.behind.iter().chain(&batch) {
            for change in &c.changes {
                engine.apply_change(change);
            }
        }
        let scopes = touched(engine, &batch);
        let old = self.shared.current.swap(spare);
        self.spare = Some(old);
        self.behind = batch;
        self.changes.publish(last, &scopes);
    }

    /// Follows the store's commits until the feed closes (the store shut down), applying
    /// everything that arrived since the last publish in one batch.
    pub fn run(mut self, mut feed: UnboundedReceiver<Arc<Commit>>) {
        while let Some(first) = feed.blocking_recv() {
            let mut batch = vec![first];
            while let Ok(c) = feed.try_recv() {
                batch.push(c);
            }
            self.apply(batch);
        }
        tracing::debug!("commit feed closed; projector stopped");
    }
}

/// The scopes a batch touched: its activities, their campaigns, and the global scope.
fn touched(engine: &Engine, batch: &[Arc<Commit>]) -> Vec<Scope> {
    let mut s = BTreeSet::from([Scope::Global]);
    let activity = |id: i64, s: &mut BTreeSet<Scope>| {
        s.insert(Scope::Activity(id));
        if let Some(a) = engine.activity_meta(id) {
            s.insert(Scope::Campaign(a.campaign_id));
        }
    };
    for c in batch.iter().flat_map(|c| &c.changes) {
        match c {
            Change::Event { event, .. } => {
                if let Some(a) = event.activity_id {
                    activity(a, &mut s);
                }
                if let Some(c) = event.campaign_id {
                    s.insert(Scope::Campaign(c));
                }
            }
            Change::Entry(e) => activity(e.activity_id, &mut s),
            Change::Purchase(p) => {
                if let Some(a) = p.activity_id {
                    activity(a, &mut s);
                }
            }
            Change::Activity(a) => {
                activity(a.id, &mut s);
                s.insert(Scope::Campaign(a.campaign_id));
            }
            Change::Campaign(c) => {
                s.insert(Scope::Campaign(c.id));
            }
            Change::CampaignRemoved(id) => {
                s.insert(Scope::Campaign(*id));
            }
            Change::Product(p) => {
                for a in engine.activities_of_product(p.id) {
                    activity(a, &mut s);
                }
            }
        }
    }
    s.into_iter().collect()
}

impl axon_ports::CatalogSource for Snapshots {
    fn catalog(&self) -> Arc<dyn axon_ports::Catalog> {
        self.load()
    }
}
