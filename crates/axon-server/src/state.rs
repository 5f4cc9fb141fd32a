//! `AppState`: what every handler can reach — the storage ports (never a concrete backend), the
//! configuration, the clock and the metrics.

use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use axon_domain::model::{ActivityId, CampaignId};
use axon_domain::{BusinessTz, Ts};
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
        Ok(AppState {
            events,
            repo,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(limiter),
            activity_campaigns: Arc::new(RwLock::new(map)),
        })
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

    /// Keeps the enrichment map in step after an activity is saved.
    pub fn remember_activity(&self, activity: ActivityId, campaign: CampaignId) {
        self.activity_campaigns.write().insert(activity, campaign);
    }
}
