//! The ports' implementations a node runs on, chosen once at start-up, and the settings the
//! services read.

use axon_domain::{BusinessTz, Clock, Ts};
use axon_ports::aggregates::{AnalyticsSource, StockLevels};
use axon_ports::cache::AnswerCache;
use axon_ports::eligibility::ProfileCache;
use axon_ports::live::ChangeFeed;
use axon_ports::ratelimit::RateLimit;
use axon_ports::stock::StockGate;
use axon_ports::{CommitFeed, EventLog, GateRepo, Repo};
use std::sync::Arc;
use std::time::Duration;

/// Every port, as trait objects.
#[derive(Clone)]
pub struct Backends {
    pub events: Arc<dyn EventLog>,
    /// With Kafka: the sink consumer group's lag and this node's sink figures.
    pub broker: Option<Arc<dyn axon_ports::sink::LagSource>>,
    pub repo: Arc<dyn Repo>,
    /// The gate's writes and the reads that must see them: `repo` itself, or with FCFS
    /// commands on Kafka the command topic in front of it.
    pub fcfs: Arc<dyn GateRepo>,
    /// What the store made durable, in commit order (the projector follows it).
    pub commits: Arc<dyn CommitFeed>,
    pub stock: Arc<dyn StockGate>,
    /// The newest analytics snapshot: aggregates and the catalogue (campaign/activity/product
    /// metadata) as of the same commit.
    pub analytics: Arc<dyn AnalyticsSource>,
    /// Which scopes changed at which data version (live dashboards, read-your-writes).
    pub changes: Arc<dyn ChangeFeed>,
    pub cache: Arc<dyn AnswerCache>,
    pub limits: Arc<dyn RateLimit>,
    /// Filter inputs per person and activity, so an entry needs no profile read (Redis).
    pub profiles: Arc<dyn ProfileCache>,
}

/// Longest a caller waits for the projector to apply its own write.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(2);

impl Backends {
    /// Waits until the projector has applied every commit made so far, so the caller reads its
    /// own write. Bounded: past the limit it logs and goes on (the write is durable either way).
    pub async fn caught_up(&self) {
        let target = self.commits.committed();
        let mut rx = self.changes.subscribe();
        let wait = rx.wait_for(|applied| *applied >= target);
        if tokio::time::timeout(CATCH_UP_LIMIT, wait).await.is_err() {
            tracing::warn!(target, "the projector is behind; answering without it");
        }
    }

    /// The stock gate's levels, for readers that only need them (the realtime widget).
    pub fn stock_levels(&self) -> Arc<dyn StockLevels> {
        Arc::new(Levels(self.stock.clone()))
    }

    /// The newest commit number and the one the projector has applied (`/readyz`, metrics).
    pub fn projection(&self) -> (u64, u64) {
        (self.commits.committed(), *self.changes.subscribe().borrow())
    }
}

/// The stock gate seen as its levels only.
struct Levels(Arc<dyn StockGate>);

impl StockLevels for Levels {
    fn remaining(&self, activity: axon_domain::model::ActivityId, limit: Option<i64>) -> i64 {
        self.0.remaining(activity, limit)
    }

    fn held(&self, activity: axon_domain::model::ActivityId) -> i64 {
        self.0.held(activity)
    }
}

/// What the services need to know about the deployment.
#[derive(Clone)]
pub struct Settings {
    pub tz: BusinessTz,
    pub clock: Arc<dyn Clock>,
    pub reservation_ttl: Duration,
    pub approval_ttl: Duration,
    /// Collection requests per second per client address (0 = unlimited).
    pub rate_limit_per_ip: u32,
    /// Collection requests per second per sender key (0 = unlimited).
    pub rate_limit_per_key: u32,
    /// Where accepted dates may lie.
    pub horizon: axon_domain::Horizon,
}

impl Settings {
    pub fn now(&self) -> Ts {
        self.clock.now()
    }
}

/// A duration as milliseconds, saturating.
pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
