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
        // Each scope's version is the number of the last commit that touched it (not the
        // batch's last), so nodes that batched the same commits differently agree on it. One
        // publish per distinct version, oldest first; every commit touches the global scope, so
        // the last publish is at the batch's last number.
        let mut newest: std::collections::BTreeMap<Scope, u64> = Default::default();
        for c in &batch {
            for s in touched(engine, std::slice::from_ref(c)) {
                newest.insert(s, c.number);
            }
        }
        let mut by_version: std::collections::BTreeMap<u64, Vec<Scope>> = Default::default();
        for (s, v) in newest {
            by_version.entry(v).or_default().push(s);
        }
        let old = self.shared.current.swap(spare);
        self.spare = Some(old);
        self.behind = batch;
        debug_assert_eq!(by_version.keys().next_back(), Some(&last));
        for (number, scopes) in &by_version {
            self.changes.publish(*number, scopes);
        }
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
        if let Some(c) = axon_ports::Catalog::campaign_of(engine, id) {
            s.insert(Scope::Campaign(c));
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

impl axon_ports::AnalyticsSource for Snapshots {
    fn snapshot(&self) -> Arc<dyn axon_ports::Snapshot> {
        self.load()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::LocalChanges;
    use axon_domain::event::Event;
    use axon_domain::model::TriggerType;
    use axon_domain::{BusinessTz, Ts};
    use serde_json::Map;

    fn view(seq: u64, user: &str) -> Change {
        let mut props = Map::new();
        props.insert("activityId".into(), 7.into());
        let mut event = Event::backend(TriggerType::PageView, user, Ts(1_000 + seq as i64), props);
        event.properties.remove("source");
        Change::Event { seq, event }
    }

    fn commit(number: u64, changes: Vec<Change>) -> Arc<Commit> {
        Arc::new(Commit { number, changes })
    }

    #[test]
    fn a_scope_is_versioned_by_the_last_commit_that_touched_it_however_commits_are_batched() {
        let elsewhere = |seq: u64| {
            let Change::Event { mut event, .. } = view(seq, "u9") else {
                unreachable!()
            };
            event.activity_id = Some(8);
            event.properties.insert("activityId".into(), 8.into());
            Change::Event { seq, event }
        };
        let changes = Arc::new(LocalChanges::starting_at(40));
        let (mut p, _snaps) = Projector::new(Engine::new(BusinessTz::default()), changes.clone());
        assert_eq!(
            changes.version_of(Scope::Activity(7)),
            40,
            "the start-up version"
        );
        p.apply(vec![
            commit(41, vec![view(41, "u1")]),
            commit(42, vec![elsewhere(42)]),
        ]);
        assert_eq!(
            changes.version_of(Scope::Activity(7)),
            41,
            "not the batch's 42"
        );
        assert_eq!(changes.version_of(Scope::Activity(8)), 42);
        assert_eq!(changes.version_of(Scope::Global), 42);
        assert_eq!(*changes.subscribe().borrow(), 42);
    }

    #[test]
    fn a_reader_keeps_its_snapshot_while_the_projector_publishes() {
        let changes = Arc::new(LocalChanges::default());
        let (mut p, snaps) = Projector::new(Engine::new(BusinessTz::default()), changes.clone());
        let held = snaps.load();
        p.apply(vec![commit(1, vec![view(1, "u1")])]);
        assert_eq!(
            held.event_count(),
            0,
            "a snapshot never changes under its reader"
        );
        assert_eq!(snaps.load().event_count(), 1);
        assert_eq!(changes.version_of(Scope::Activity(7)), 1);
        assert_eq!(changes.version_of(Scope::Global), 1);
    }

    #[test]
    fn the_next_publish_waits_only_for_readers_of_the_old_copy_and_misses_nothing() {
        let changes = Arc::new(LocalChanges::default());
        let (mut p, snaps) = Projector::new(Engine::new(BusinessTz::default()), changes.clone());
        p.apply(vec![commit(1, vec![view(1, "u1")])]);
        let held = snaps.load();
        // The spare is not read by anyone: published at once.
        p.apply(vec![commit(2, vec![view(2, "u2")])]);
        assert_eq!(snaps.load().event_count(), 2);
        let t = std::thread::spawn(move || {
            // Now the spare is the copy `held` reads: this publish waits for it to be let go.
            p.apply(vec![
                commit(3, vec![view(3, "u3")]),
                commit(4, vec![view(4, "u4")]),
            ]);
            p
        });
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(
            snaps.load().event_count(),
            2,
            "not published while the copy is read"
        );
        assert_eq!(held.event_count(), 1);
        drop(held);
        let mut p = t.join().unwrap();
        assert_eq!(snaps.load().event_count(), 4);
        // Both copies converge: each catches up on what it missed before it is published.
        p.apply(vec![commit(5, vec![view(5, "u5")])]);
        assert_eq!(snaps.load().event_count(), 5);
        p.apply(vec![commit(6, vec![view(6, "u6")])]);
        assert_eq!(snaps.load().event_count(), 6);
        assert_eq!(*changes.subscribe().borrow(), 6);
    }
}
