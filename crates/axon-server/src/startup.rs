//! Start-up: picks the backends once from configuration (embedded: SQLite for the log and the
//! relational data, the in-process engine, ledger, change feed and rate limiter), rebuilds the
//! analytics engine from the store, starts the one projector and recovers the stock gate.

use crate::config::Config;
use crate::state::AppState;
use crate::ServeError;
use axon_engine::local::{LocalChanges, LocalRateLimit};
use axon_engine::{ledger::InMemoryLedger, Engine, Projector};
use axon_ports::cache::NoCache;
use axon_ports::{CommitFeed, EventLog, Repo, StoreError};
use axon_services::Backends;
use axon_store::sqlite::SqliteStore;
use std::sync::Arc;

/// Opens the embedded store of `config.data_dir`, rebuilds the engine, starts the projector and
/// builds the state over it. Nothing is served yet, so nothing commits during start-up.
pub async fn open_state(config: Config) -> Result<AppState, ServeError> {
    let store = Arc::new(SqliteStore::open(&config.data_dir)?);
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
        stock: Arc::new(InMemoryLedger::default()),
        analytics: snapshots.clone(),
        changes,
        cache: Arc::new(NoCache),
        limits: Arc::new(LocalRateLimit::default()),
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
