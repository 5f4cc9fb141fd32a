//! Start-up: picks the backends once from configuration, rebuilds the analytics engine from the
//! store, starts the one projector and recovers the stock gate.
//!
//! Embedded (no `AXON_DATABASE_URL`): SQLite in the data dir for the log and the relational data.
//! Shared database (`postgres://…`, `mysql://…`): the same ports on that database, its commit
//! feed tailed so this node's engine follows every node's writes, and the FCFS stock gate on that
//! database (`axon_store::sql::stock`) — the in-process ledger serves the embedded mode only.
//! With `AXON_REDIS_URL` the FCFS stock gate is Redis's instead (`axon_redis`: one Lua script
//! per decision, rebuilt from the store when Redis lost it), whichever store keeps the entries.
//! Either way: the in-process engine and change feed.
//!
//! A shared database with `AXON_REDIS_URL` also gets the rest of the scale-out on Redis, over
//! one more connection ([`axon_redis::RedisLink`]): the bus (each node announces its commits
//! and revocations; the others' tails look at once and their live streams re-check), the
//! shared answer cache, the eligibility cache and the shared rate limits (falling back to this
//! node's own limiter while Redis is away). Otherwise the caches keep nothing and the rate
//! limiter is this node's.

use crate::config::Config;
use crate::state::AppState;
use crate::ServeError;
use axon_engine::local::{GovernorRateLimit, LocalChanges};
use axon_engine::{ledger::InMemoryLedger, Engine, Projector};
use axon_ports::cache::{AnswerCache, NoCache};
use axon_ports::eligibility::{NoProfileCache, ProfileCache};
use axon_ports::ratelimit::RateLimit;
use axon_ports::stock::StockGate;
use axon_ports::{CommitFeed, EventLog, GateRepo, Peers, Repo, StoreError};
use axon_services::Backends;
use axon_store::sql::{Dialect, SqlStore};
use axon_store::sqlite::SqliteStore;
use std::sync::Arc;

/// The shared-database backend a URL names (`None`: not a supported URL).
pub fn backend_of(url: &str) -> Option<&'static str> {
    Dialect::of_url(url).map(Dialect::name)
}

/// Opens the configured store, rebuilds the engine, starts the projector and builds the state
/// over it. Nothing is served yet, so nothing commits on this node during start-up.
pub async fn open_state(config: Config) -> Result<AppState, ServeError> {
    match config.database_url.as_ref().map(|u| u.expose().to_string()) {
        None => {
            let store = Arc::new(SqliteStore::open(&config.data_dir)?);
            let stock = match redis_gate(&config)? {
                Some(r) => r,
                None => Arc::new(InMemoryLedger::default()),
            };
            assemble(store, stock, config, false, None).await
        }
        Some(url) => {
            let store = Arc::new(SqlStore::open(&url)?);
            tracing::info!(
                backend = store.dialect().name(),
                url = %axon_store::sql::redact(&url),
                "using the shared database"
            );
            // The FCFS stock gate is the database's too (never this node's in-process ledger),
            // so any node may take entries and confirms.
            let stock: Arc<dyn StockGate> = match redis_gate(&config)? {
                Some(r) => r,
                None => store.clone(),
            };
            let kafka = match &config.kafka {
                Some(opts) => {
                    // FCFS commands go through the command topic when the reservation is on
                    // Redis (issue 14): the seat is taken there, the approval is on the broker
                    // before the answer, and the command group writes it to this database.
                    let commands: Option<Arc<dyn axon_kafka::commands::CommandStore>> =
                        config.redis_url.as_ref().map(|_| store.clone() as _);
                    let k = axon_kafka::Kafka::start(
                        opts,
                        store.clone(),
                        commands,
                        config.clock.clone(),
                    )
                    .await?;
                    tracing::info!(
                        brokers = %opts.brokers,
                        topic = %opts.raw_topic(),
                        group = %opts.group_id(),
                        "behaviour events go through Kafka; this node's sink stores them"
                    );
                    Some(Arc::new(k))
                }
                None => None,
            };
            assemble(store, stock, config, true, kafka).await
        }
    }
}

/// The Redis stock gate when `AXON_REDIS_URL` is set.
fn redis_gate(config: &Config) -> Result<Option<Arc<dyn StockGate>>, ServeError> {
    let Some(url) = &config.redis_url else {
        return Ok(None);
    };
    let gate = axon_redis::RedisGate::connect(url.expose(), config.redis.clone())
        .map_err(|e| ServeError::Store(StoreError::Internal(e.to_string())))?;
    tracing::info!(
        url = %axon_redis::redact(url.expose()),
        prefix = %config.redis.prefix,
        "the FCFS stock gate is on Redis"
    );
    Ok(Some(Arc::new(gate)))
}

/// The Redis side of several nodes on one database: the bus, the caches, the rate limits.
struct Cluster {
    bus: Arc<axon_redis::RedisBus>,
    cache: Arc<dyn AnswerCache>,
    limits: Arc<dyn RateLimit>,
    profiles: Arc<dyn ProfileCache>,
    /// Bumped for every revocation heard from another node (and on every reconnection).
    heard: tokio::sync::watch::Receiver<u64>,
}

fn cluster<S: CommitFeed + 'static>(
    config: &Config,
    store: &Arc<S>,
    local: Arc<dyn RateLimit>,
) -> Result<Option<Cluster>, ServeError> {
    let Some(url) = &config.redis_url else {
        return Ok(None);
    };
    let link = axon_redis::RedisLink::connect(url.expose(), &config.redis.prefix)
        .map_err(|e| ServeError::Store(StoreError::Internal(e.to_string())))?;
    let (heard_tx, heard) = tokio::sync::watch::channel(0u64);
    let feed = Arc::downgrade(store);
    let bus = axon_redis::RedisBus::start(&link, move |h| {
        use axon_redis::Heard;
        if matches!(h, Heard::Commit(_) | Heard::Connected) {
            if let Some(f) = feed.upgrade() {
                f.look_now();
            }
        }
        if matches!(h, Heard::Revoked | Heard::Connected) {
            heard_tx.send_modify(|n| *n += 1);
        }
    });
    store.announce_to(bus.clone(), config.bus_poll);
    tracing::info!(
        node = bus.node(),
        "the bus, the caches and the rate limits are on Redis"
    );
    Ok(Some(Cluster {
        bus,
        cache: Arc::new(axon_redis::RedisCache::new(link.clone())),
        limits: Arc::new(axon_redis::RedisRateLimit::new(link.clone(), local)),
        profiles: Arc::new(axon_redis::RedisProfiles::new(link)),
        heard,
    }))
}

/// `kafka`: this node's Kafka side (shared database only), when Kafka is configured.
async fn assemble<S>(
    store: Arc<S>,
    stock: Arc<dyn StockGate>,
    config: Config,
    shared_database: bool,
    kafka: Option<Arc<axon_kafka::Kafka>>,
) -> Result<AppState, ServeError>
where
    S: Repo + EventLog + CommitFeed + 'static,
{
    let engine = rebuild_engine(&*store, &*store, &config).await?;
    // Versions are commit numbers; the engine holds everything up to the current one.
    let changes = Arc::new(LocalChanges::starting_at(store.committed()));
    let (projector, snapshots) = Projector::new(engine, changes.clone());
    let feed = store.follow();
    std::thread::Builder::new()
        .name("axon-projector".into())
        .spawn(move || projector.run(feed))?;
    let clickhouse = match &config.clickhouse {
        Some(c) => Some(start_clickhouse(c, &store).await?),
        None => None,
    };
    let analytics: Arc<dyn axon_ports::aggregates::AnalyticsSource> =
        match (&clickhouse, config.analytics) {
            (Some((ch, follower)), crate::Analytics::ClickHouse) => {
                tracing::info!("the dashboards' aggregates are answered by ClickHouse");
                Arc::new(axon_clickhouse::snapshot::ClickHouseSource::new(
                    ch.clone(),
                    follower.clone(),
                    snapshots.clone(),
                    changes.clone(),
                )?)
            }
            _ => snapshots.clone(),
        };
    let local: Arc<dyn RateLimit> = Arc::new(GovernorRateLimit::new(config.clock.clone()));
    let cluster = if shared_database {
        cluster(&config, &store, local.clone())?
    } else {
        None
    };
    let backends = Backends {
        events: kafka
            .as_ref()
            .map_or_else(|| store.clone() as Arc<dyn EventLog>, |k| k.events.clone()),
        broker: kafka
            .clone()
            .map(|k| k as Arc<dyn axon_ports::sink::LagSource>),
        fcfs: kafka.as_ref().and_then(|k| k.gate.clone()).map_or_else(
            || store.clone() as Arc<dyn GateRepo>,
            |g| g as Arc<dyn GateRepo>,
        ),
        repo: store.clone(),
        commits: store,
        stock,
        analytics,
        changes,
        cache: cluster.as_ref().map_or_else(
            || Arc::new(NoCache) as Arc<dyn AnswerCache>,
            |c| c.cache.clone(),
        ),
        limits: cluster.as_ref().map_or(local, |c| c.limits.clone()),
        profiles: cluster.as_ref().map_or_else(
            || Arc::new(NoProfileCache) as Arc<dyn ProfileCache>,
            |c| c.profiles.clone(),
        ),
    };
    let secret = crate::session_key::signing_key(&config)?;
    let mut state = AppState::new(backends, snapshots, config, secret);
    state.clickhouse = clickhouse.map(|(_, f)| f);
    if let Some(c) = cluster {
        state.peers = Some(c.bus.clone() as Arc<dyn Peers>);
        let (revocations, mut heard) = (state.revocations.clone(), c.heard);
        tokio::spawn(async move {
            while heard.changed().await.is_ok() {
                revocations.send_modify(|n| *n += 1);
            }
        });
    }
    state.gate.recover_if_needed().await?;
    Ok(state)
}

/// Opens ClickHouse (migrations applied) and starts this node's follower of the commit feed:
/// subscribed first, then caught up from the store (`axon_clickhouse::follow`).
async fn start_clickhouse<S>(
    c: &crate::ClickHouseConfig,
    store: &Arc<S>,
) -> Result<
    (
        axon_clickhouse::ClickHouse,
        Arc<axon_clickhouse::follow::Follower>,
    ),
    ServeError,
>
where
    S: Repo + EventLog + CommitFeed + 'static,
{
    use axon_clickhouse::follow::{FollowError, Follower};
    let ch = axon_clickhouse::ClickHouse::open(c.url.expose(), &c.database)
        .await
        .map_err(FollowError::from)?;
    let feed = store.follow();
    let follower = Follower::start(
        ch.clone(),
        store.clone() as Arc<dyn Repo>,
        store.clone() as Arc<dyn EventLog>,
        store.committed(),
        feed,
    )
    .await?;
    tracing::info!(database = %c.database, "ClickHouse follows the store's commits");
    Ok((ch, Arc::new(follower)))
}

/// Rebuilds the engine from everything stored.
pub async fn rebuild_engine(
    repo: &dyn Repo,
    events: &dyn EventLog,
    config: &Config,
) -> Result<Engine, StoreError> {
    let started = std::time::Instant::now();
    // With ClickHouse answering the aggregates the engine keeps only the catalogue, entries and
    // purchases: its memory does not grow with the event log, and start-up reads no events.
    let clickhouse = config.analytics == crate::Analytics::ClickHouse;
    let mut engine = if clickhouse {
        Engine::catalogue_only(config.tz.clone())
    } else {
        Engine::new(config.tz.clone())
    };
    engine.begin_bulk();
    for p in repo.products().await? {
        engine.upsert_product(&p);
    }
    for c in repo.campaigns().await? {
        engine.upsert_campaign(&c);
    }
    for a in repo.activities(None).await? {
        engine.upsert_activity(&a);
    }
    repo.all_entries(&mut |e| engine.apply_entry(&e)).await?;
    repo.all_purchases(&mut |p| engine.apply_purchase(&p))
        .await?;
    let replay = std::time::Instant::now();
    if !clickhouse {
        events
            .replay_core(&mut |seq, e| engine.apply_core(seq, &e))
            .await?;
    }
    let replay_ms = replay.elapsed().as_millis();
    engine.end_bulk();
    tracing::info!(
        events = engine.event_count(),
        replay_ms,
        elapsed_ms = started.elapsed().as_millis(),
        "engine rebuilt from the store"
    );
    Ok(engine)
}
