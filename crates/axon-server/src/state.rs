//! `AppState`: what every handler can reach — the services (never a backend), the analytics
//! snapshots the dashboards read, the configuration and the counters.

use crate::analytics::StoreEvents;
use crate::config::Config;
use crate::readers::ReadPool;
use axon_domain::{BusinessTz, Ts};
use axon_engine::Snapshots;
use axon_services::admin::Admin;
use axon_services::alerts::Alerts;
use axon_services::annotations::Annotations;
use axon_services::collect::Collect;
use axon_services::dashboards::Dashboards;
use axon_services::gate::Gate;
use axon_services::operations::Operations;
use axon_services::purchases::Purchases;
use axon_services::renders::Renders;
use axon_services::shares::Shares;
use axon_services::{Backends, Counters, Settings};
use std::sync::Arc;

/// A per-address GCRA limiter (a full burst, then one attempt every 60 s ÷ n).
pub type LoginLimiter = governor::DefaultKeyedRateLimiter<std::net::IpAddr>;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub metrics: Arc<Counters>,
    /// The ports this node runs on (handed to the services; handlers use the services).
    pub backends: Backends,
    /// Immutable analytics snapshots, published by the projector.
    pub snapshots: Arc<Snapshots>,
    pub collect: Arc<Collect>,
    pub gate: Arc<Gate>,
    pub purchases: Arc<Purchases>,
    pub admin: Arc<Admin>,
    /// Alert rules, their evaluation (one node at a time) and webhook deliveries.
    pub alerts: Arc<Alerts>,
    /// Read-only share links of one dashboard.
    pub shares: Arc<Shares>,
    /// Notes on moments of an activity or campaign.
    pub annotations: Arc<Annotations>,
    /// Signs admin session cookies; the same across restarts and nodes (`session_key`).
    pub session_secret: Arc<[u8; 32]>,
    /// Every dashboard, cohort and drop-off answer, as typed structs.
    pub dashboards: Arc<Dashboards>,
    /// Rendered dashboard answers shared by REST callers and live viewers.
    pub renders: Arc<Renders>,
    pub operations: Arc<Operations>,
    /// Where dashboards and questions are computed (below the writers' priority).
    pub readers: Arc<ReadPool>,
    /// Set when the server shuts down: live streams end, so the drain is quick.
    pub closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// Open live streams per key and per address.
    pub streams: Arc<crate::streams::StreamSlots>,
    /// Sign-in attempts per client address (`None` = unlimited), by `governor`.
    pub login_limiter: Option<Arc<LoginLimiter>>,
    /// Bumped when a key is revoked or a session signed out here (or, heard on the Redis bus,
    /// on another node): live streams re-check at once.
    pub revocations: Arc<tokio::sync::watch::Sender<u64>>,
    /// The other nodes, told of this node's revocations (several nodes on Redis).
    pub peers: Option<Arc<dyn axon_ports::Peers>>,
    /// This node's ClickHouse follower (`AXON_CLICKHOUSE_URL`), kept running with the state.
    pub clickhouse: Option<Arc<axon_clickhouse::follow::Follower>>,
}

impl AppState {
    /// Builds the services over `backends`.
    pub fn new(
        backends: Backends,
        snapshots: Arc<Snapshots>,
        config: Config,
        session_secret: [u8; 32],
    ) -> AppState {
        let settings = Settings {
            tz: config.tz.clone(),
            clock: config.clock.clone(),
            reservation_ttl: config.reservation_ttl,
            approval_ttl: config.approval_ttl,
            rate_limit_per_ip: config.rate_limit_per_ip,
            rate_limit_per_key: config.rate_limit_per_key,
            horizon: config.horizon,
        };
        let metrics = Arc::new(Counters::default());
        let readers = Arc::new(ReadPool::new(2).expect("start the reader threads"));
        let purchases = Arc::new(Purchases::new(backends.clone(), settings.clone()));
        let renders: Arc<Renders> = Arc::default();
        let operations = Arc::new(Operations::new(
            backends.clone(),
            metrics.clone(),
            renders.clone(),
            config.clock.clone(),
        ));
        AppState {
            collect: Arc::new(Collect::new(
                backends.clone(),
                settings.clone(),
                metrics.clone(),
            )),
            gate: Arc::new(Gate::new(
                backends.clone(),
                settings,
                metrics.clone(),
                purchases.clone(),
            )),
            admin: Arc::new(Admin::new(backends.clone())),
            alerts: Arc::new(
                Alerts::new(
                    backends.clone(),
                    config.clock.clone(),
                    Arc::new(crate::webhooks::HttpTransport::new(
                        std::time::Duration::from_secs(10),
                    )),
                )
                .with_retry(config.alert_retry)
                .with_lease(config.alert_interval.saturating_mul(6)),
            ),
            shares: Arc::new(Shares::new(backends.clone(), config.clock.clone())),
            annotations: Arc::new(Annotations::new(backends.clone(), config.clock.clone())),
            renders,
            operations,
            readers,
            closing: Arc::new(tokio::sync::watch::Sender::new(false)),
            revocations: Arc::new(tokio::sync::watch::Sender::new(0)),
            streams: Arc::new(crate::streams::StreamSlots::new(
                config.streams_per_key,
                config.streams_per_ip,
            )),
            login_limiter: std::num::NonZeroU32::new(config.login_attempts_per_minute)
                .map(|n| Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(n)))),
            dashboards: Arc::new({
                let d = Dashboards::new(
                    backends.analytics.clone(),
                    backends.stock_levels(),
                    config.tz.clone(),
                )
                .with_raw_events(Arc::new(StoreEvents {
                    events: backends.events.clone(),
                    repo: backends.repo.clone(),
                }))
                .with_horizon(config.horizon);
                if backends.cache.remembers() {
                    d.with_cache(backends.cache.clone())
                } else {
                    d
                }
            }),
            peers: None,
            clickhouse: None,
            purchases,
            metrics,
            backends,
            snapshots,
            config: Arc::new(config),
            session_secret: Arc::new(session_secret),
        }
    }

    pub fn now(&self) -> Ts {
        self.config.clock.now()
    }

    /// A key was revoked or a session signed out here: this node's live streams re-check now,
    /// and so do the other nodes' when a bus connects them.
    pub fn revoked_here(&self) {
        self.revocations.send_modify(|n| *n += 1);
        if let Some(p) = &self.peers {
            p.revoked();
        }
    }

    pub fn tz(&self) -> &BusinessTz {
        &self.config.tz
    }
}
