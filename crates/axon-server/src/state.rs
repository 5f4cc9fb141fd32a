//! `AppState`: what every handler can reach — the storage ports (never a concrete backend), the
//! configuration, the clock and the metrics.

use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use axon_domain::event::Event;
use axon_domain::model::{Activity, ActivityId, Campaign, CampaignId, Entry, Purchase};
use axon_domain::{BusinessTz, Ts};
use axon_engine::Engine;
use axon_store::{EventLog, Repo, StoreError};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub events: Arc<dyn EventLog>,
    pub repo: Arc<dyn Repo>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub limiter: Arc<RateLimiter>,
    /// activity → campaign, for enriching events without a database read per event.
    activity_campaigns: Arc<RwLock<HashMap<ActivityId, CampaignId>>>,
    /// The analytics engine: fed after every durable write, rebuilt from the store at start.
    pub engine: Arc<RwLock<Engine>>,
    /// Signs admin session cookies; fresh per process (a restart logs browsers out).
    pub session_secret: Arc<[u8; 32]>,
    /// Bumped after every change the engine sees; live dashboards wait on it.
    pub changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// The FCFS ledger (stock, holds, expiry), rebuilt from the store at start.
    pub gate: Arc<crate::gate::Gate>,
    /// Every dashboard, cohort and drop-off answer (over the engine, the store and the gate).
    pub dashboards: Arc<axon_services::dashboards::Dashboards>,
}

impl AppState {
    pub fn new(
        events: Arc<dyn EventLog>,
        repo: Arc<dyn Repo>,
        config: Config,
    ) -> Result<AppState, StoreError> {
        let map = repo
            .activities(None)?
            .into_iter()
            .map(|a| (a.id, a.campaign_id))
            .collect();
        let limiter = RateLimiter::new(config.rate_limit_per_ip);
        let engine = Arc::new(RwLock::new(Engine::new(config.tz.clone())));
        let gate = Arc::<crate::gate::Gate>::default();
        let dashboards = crate::analytics::dashboards(
            engine.clone(),
            gate.clone(),
            events.clone(),
            repo.clone(),
            config.tz.clone(),
        );
        Ok(AppState {
            events,
            repo,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(limiter),
            activity_campaigns: Arc::new(RwLock::new(map)),
            engine,
            changes: Arc::new(tokio::sync::watch::Sender::new(0)),
            session_secret: Arc::new({
                let mut s = [0u8; 32];
                getrandom::fill(&mut s)
                    .map_err(|e| StoreError::Internal(format!("no randomness: {e}")))?;
                s
            }),
            gate,
            dashboards: Arc::new(dashboards),
        })
    }

    /// Rebuilds the engine from everything stored (start-up).
    pub fn rebuild_engine(&self) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let mut engine = Engine::new(self.config.tz.clone());
        engine.begin_bulk();
        for p in self.repo.products()? {
            engine.upsert_product(&p);
        }
        for c in self.repo.campaigns()? {
            engine.upsert_campaign(&c);
        }
        for a in self.repo.activities(None)? {
            engine.upsert_activity(&a);
        }
        self.repo.all_entries(&mut |e| engine.apply_entry(&e))?;
        self.repo
            .all_purchases(&mut |p| engine.apply_purchase(&p))?;
        let replay = std::time::Instant::now();
        self.events
            .replay_core(&mut |seq, e| engine.apply_core(seq, &e))?;
        let replay_ms = replay.elapsed().as_millis();
        engine.end_bulk();
        tracing::info!(
            events = engine.event_count(),
            replay_ms,
            elapsed_ms = started.elapsed().as_millis(),
            "engine rebuilt from the store"
        );
        *self.engine.write() = engine;
        Ok(())
    }

    /// Feeds what was just made durable to the engine, so the next read sees it.
    pub fn observe(&self, events: &[(u64, Event)], entries: &[Entry], purchases: &[Purchase]) {
        let mut engine = self.engine.write();
        for (seq, e) in events {
            engine.apply_event(*seq, e);
        }
        for e in entries {
            engine.apply_entry(e);
        }
        for p in purchases {
            engine.apply_purchase(p);
        }
        drop(engine);
        self.changed();
    }

    pub fn now(&self) -> Ts {
        self.config.clock.now()
    }

    pub fn tz(&self) -> &BusinessTz {
        &self.config.tz
    }

    pub fn campaign_of(&self, activity: ActivityId) -> Option<CampaignId> {
        self.activity_campaigns.read().get(&activity).copied()
    }

    /// Keeps the enrichment map and the engine in step after an activity is saved.
    pub fn remember_activity(&self, a: &Activity) {
        self.activity_campaigns.write().insert(a.id, a.campaign_id);
        self.engine.write().upsert_activity(a);
        self.changed();
    }

    /// Tells live dashboards that something changed.
    pub fn changed(&self) {
        self.changes.send_modify(|v| *v += 1);
    }

    /// Keeps the engine in step after a product is saved.
    pub fn remember_product(&self, p: &axon_domain::model::Product) {
        self.engine.write().upsert_product(p);
    }

    /// Keeps the engine in step after a campaign is saved.
    pub fn remember_campaign(&self, c: &Campaign) {
        self.engine.write().upsert_campaign(c);
        self.changed();
    }
}
