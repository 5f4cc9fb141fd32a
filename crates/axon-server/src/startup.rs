//! Start-up: picks the backends once from configuration, rebuilds the analytics engine from the
//! store, starts the one projector and recovers the stock gate.
//!
//! Embedded (no `AXON_DATABASE_URL`): SQLite in the data dir for the log and the relational data.
//! Shared database (`postgres://…`, `mysql://…`): the same ports on that database, its commit
//! feed tailed so this node's engine follows every node's writes, and the FCFS stock gate on that
//! database (`axon_store::sql::stock`) — the in-process ledger serves the embedded mode only.
//! With `AXON_REDIS_URL` the FCFS stock gate is Redis's instead (`axon_redis`: one Lua script
//! per decision, rebuilt from the store when Redis lost it), whichever store keeps the entries.
//! Either way: the in-process engine, change feed and rate limiter.

use crate::config::Config;
use crate::state::AppState;
use crate::ServeError;
use axon_engine::local::{GovernorRateLimit, LocalChanges};
use axon_engine::{ledger::InMemoryLedger, Engine, Projector};
use axon_ports::cache::NoCache;
use axon_ports::stock::StockGate;
use axon_ports::{CommitFeed, EventLog, Repo, StoreError};
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
            assemble(store, stock, config).await
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
            assemble(store, stock, config).await
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

async fn assemble<S>(
    store: Arc<S>,
    stock: Arc<dyn StockGate>,
    config: Config,
) -> Result<AppState, ServeError>
where
    S: Repo + EventLog + CommitFeed + 'static,
{
    let engine = rebuild_engine(&*store, &*store, &config).await?;
    let changes = Arc::new(LocalChanges::default());
    let (projector, snapshots) = Projector::new(engine, changes.clone());
    let feed = store.follow();
    std::thread::Builder::new()
        .name("axon-projector".into())
        .spawn(move || projector.run(feed))?;
    let backends = Backends {
        events: store.clone(),
        repo: store.clone(),
        commits: store,
        stock,
        analytics: snapshots.clone(),
        changes,
        cache: Arc::new(NoCache),
        limits: Arc::new(GovernorRateLimit::new(config.clock.clone())),
    };
    let secret = crate::session_key::signing_key(&config)?;
    let state = AppState::new(backends, snapshots, config, secret);
    state.gate.recover_if_needed().await?;
    Ok(state)
}

/// Rebuilds the engine from everything stored.
pub async fn rebuild_engine(
    repo: &dyn Repo,
    events: &dyn EventLog,
    config: &Config,
) -> Result<Engine, StoreError> {
    let started = std::time::Instant::now();
    let mut engine = Engine::new(config.tz.clone());
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
    events
        .replay_core(&mut |seq, e| engine.apply_core(seq, &e))
        .await?;
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
