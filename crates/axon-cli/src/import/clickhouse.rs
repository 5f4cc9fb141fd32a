//! `axon import` into ClickHouse as well, when `AXON_CLICKHOUSE_URL` is set.

use crate::cli::Settings;
use crate::progress::rate;
use crate::serve::block;
use crate::CliError;
use axon_store::Repo;
use std::time::Instant;

/// With `AXON_CLICKHOUSE_URL`: loads what ClickHouse lacks of the store just written (the
/// same rows, already validated and deduplicated by the store), so a node starting with
/// `AXON_ANALYTICS=clickhouse` has nothing to catch up.
pub(super) fn load<S>(s: &Settings, store: &S) -> Result<(), CliError>
where
    S: Repo + axon_store::EventLog + axon_store::CommitFeed,
{
    let Some(c) = &s.config.clickhouse else {
        return Ok(());
    };
    let started = Instant::now();
    let loaded = block(async {
        let ch = axon_clickhouse::ClickHouse::open(c.url.expose(), &c.database).await?;
        axon_clickhouse::follow::load_from_store(&ch, store, store, store.committed()).await
    })?
    .map_err(|e| CliError::Import(format!("loading ClickHouse: {e}")))?;
    let rows = loaded.events + loaded.entries + loaded.purchases;
    println!(
        "loaded ClickHouse ({}): {} events, {} entries, {} purchases in {:.2} s — {:.0} rows/s",
        c.database,
        loaded.events,
        loaded.entries,
        loaded.purchases,
        started.elapsed().as_secs_f64(),
        rate(rows, started.elapsed())
    );
    Ok(())
}
