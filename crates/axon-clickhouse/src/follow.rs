//! Keeping ClickHouse up to date: a node's follower of the store's commit feed.
//!
//! On start the follower subscribes to the feed first, then catches up from the store — every
//! event above the sequence number ClickHouse is complete through, and every entry and purchase
//! as it stands, versioned at the commit it was read at ([`projection::loaded_at`]) — and then
//! writes each durable commit the feed brings, in batches (whatever arrived while the previous
//! batch was written, up to [`BATCH_COMMITS`]). A batch that fails is written again until it
//! succeeds: nothing the store committed is skipped, and writing a commit twice changes no
//! answer (the tables' keys and `FINAL`). [`Follower::written`] is the newest commit number
//! ClickHouse holds, so a reader can wait for its own writes.
//!
//! Every node follows the feed, so with several nodes on one shared database each commit is
//! written once per node (the same rows; ClickHouse folds them). A deployment that minds the
//! extra inserts points only some nodes at ClickHouse.

use crate::events::{EventRow, EventWriter};
use crate::projection::loaded_at;
use crate::{ChError, ClickHouse};
use axon_ports::feed::{Change, Commit};
use axon_ports::{EventLog, Repo, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Most commits written in one batch.
pub const BATCH_COMMITS: usize = 2000;
/// Events handed from the replay to the writer at a time while catching up.
const CATCH_UP_CHUNK: usize = 10_000;
/// Rows per round of INSERTs while catching up: ClickHouse's own block size, shared by the
/// round's [`LOAD_WRITERS`] INSERTs (each makes one part per month it spans).
const LOAD_ROUND: usize = 1_048_576;
/// INSERTs open at once while catching up, dealt the chunks in turn. ClickHouse works each
/// INSERT in a thread of its own and sorts, compresses and writes its block only at the end:
/// one INSERT leaves the second core idle while that happens, two share the work.
const LOAD_WRITERS: usize = 2;
/// Pause before a failed batch is written again.
const RETRY: Duration = Duration::from_millis(500);

/// A failure while catching up.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    ClickHouse(#[from] ChError),
    #[error("reading the store: {0}")]
    Store(#[from] StoreError),
}

/// The follower's task; dropping it stops the task.
pub struct Follower {
    written: watch::Receiver<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Follower {
    /// Catches up with the store, then follows `feed` (subscribed before this call, so no
    /// commit falls between the two). `committed` is the store's newest commit number, read
    /// after subscribing.
    pub async fn start(
        ch: ClickHouse,
        store: Arc<dyn Repo>,
        log: Arc<dyn EventLog>,
        committed: u64,
        feed: mpsc::UnboundedReceiver<Arc<Commit>>,
    ) -> Result<Follower, FollowError> {
        let started = std::time::Instant::now();
        let loaded = load_from_store(&ch, &*store, &*log, committed).await?;
        tracing::info!(
            events = loaded.events,
            committed,
            database = ch.database(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "ClickHouse caught up with the store"
        );
        let (tx, written) = watch::channel(committed);
        let task = tokio::spawn(follow(ch, feed, tx));
        Ok(Follower { written, task })
    }

    /// The newest commit number ClickHouse holds.
    pub fn written(&self) -> u64 {
        *self.written.borrow()
    }

    /// Waits until ClickHouse holds commit `number`, at most `limit`; whether it does.
    pub async fn wait_for(&self, number: u64, limit: Duration) -> bool {
        let mut rx = self.written.clone();
        tokio::time::timeout(limit, rx.wait_for(|w| *w >= number))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// What a catch-up wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loaded {
    pub events: u64,
    pub entries: u64,
    pub purchases: u64,
}

/// Writes what ClickHouse lacks of the store — the events above the sequence number it is
/// complete through ([`ClickHouse::loaded_through`]; only those are read), every entry and
/// purchase as it stands, versioned at `committed`: the follower's catch-up, and `axon
/// import`'s load into ClickHouse.
pub async fn load_from_store(
    ch: &ClickHouse,
    store: &dyn Repo,
    log: &dyn EventLog,
    committed: u64,
) -> Result<Loaded, FollowError> {
    let above = ch.loaded_through().await?;
    // The replay (synchronous for SQLite, on the caller's thread) copies each stored event's
    // JSON into chunks; a thread of its own turns them into rows and streams them into
    // ClickHouse meanwhile, no event decoded whole. The bounded channel keeps the replay at
    // most a few chunks ahead.
    let (tx, rx) = std::sync::mpsc::sync_channel::<JsonChunk>(4);
    let loader = ch.with_own_pool();
    let writer = std::thread::Builder::new()
        .name("axon-clickhouse-load".into())
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| ChError::Schema(format!("the load's runtime: {e}")))?
                .block_on(write_chunks(loader, async_chunks(rx)))
        })
        .map_err(|e| ChError::Schema(format!("the load's thread: {e}")))?;
    let mut chunk = JsonChunk::default();
    let mut stopped = false;
    let replayed = log
        .replay_json(above, &mut |seq, json| {
            if !stopped {
                chunk.push(seq, json);
                if chunk.len() == CATCH_UP_CHUNK {
                    // A writer that stopped has failed: its error is reported below.
                    stopped = tx.send(std::mem::take(&mut chunk)).is_err();
                }
            }
        })
        .await;
    if chunk.len() > 0 && !stopped {
        let _ = tx.send(chunk);
    }
    drop(tx);
    let written = tokio::task::spawn_blocking(move || writer.join())
        .await
        .map_err(|e| ChError::Schema(format!("the load's thread: {e}")))?
        .map_err(|_| ChError::Schema("the load's thread panicked".into()))??;
    replayed?;
    let version = loaded_at(committed);
    let mut entries = Vec::new();
    store
        .all_entries(&mut |e| entries.push((version, e)))
        .await?;
    ch.insert_entries(&entries).await?;
    let mut purchases = Vec::new();
    store
        .all_purchases(&mut |p| purchases.push((version, p)))
        .await?;
    ch.insert_purchases(&purchases).await?;
    Ok(Loaded {
        events: written,
        entries: entries.len() as u64,
        purchases: purchases.len() as u64,
    })
}

/// Stored events' JSON, one after another, with their sequence numbers and ends.
#[derive(Default)]
struct JsonChunk {
    text: String,
    ends: Vec<(u64, usize)>,
}

impl JsonChunk {
    fn push(&mut self, seq: u64, json: &str) {
        self.text.push_str(json);
        self.ends.push((seq, self.text.len()));
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn iter(&self) -> impl Iterator<Item = (u64, &str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(seq, end)| {
            let json = &self.text[start..end];
            start = end;
            (seq, json)
        })
    }
}

/// The chunks on an async channel, forwarded by a thread of their own: waiting for the next
/// chunk must not block the writer's runtime, which drives the open INSERTs' connections.
fn async_chunks(rx: std::sync::mpsc::Receiver<JsonChunk>) -> mpsc::Receiver<JsonChunk> {
    let (tx, chunks) = mpsc::channel(2);
    std::thread::spawn(move || {
        for chunk in rx {
            if tx.blocking_send(chunk).is_err() {
                return;
            }
        }
    });
    chunks
}

/// Streams the chunks' events into ClickHouse in rounds of [`LOAD_ROUND`] rows, each round's
/// chunks dealt in turn to [`LOAD_WRITERS`] INSERTs that end together; after each round,
/// ClickHouse is marked complete through its last event. How many events were written.
async fn write_chunks(ch: ClickHouse, mut rx: mpsc::Receiver<JsonChunk>) -> Result<u64, ChError> {
    let (mut n, mut last) = (0u64, 0u64);
    let mut round: Vec<EventWriter> = Vec::with_capacity(LOAD_WRITERS);
    let (mut dealt, mut rows) = (0usize, 0usize);
    while let Some(chunk) = rx.recv().await {
        let slot = dealt % LOAD_WRITERS;
        dealt += 1;
        if slot == round.len() {
            round.push(EventWriter::new(&ch).await?);
        }
        let w = &mut round[slot];
        for (seq, json) in chunk.iter() {
            w.write(&EventRow::from_json(seq, json)?).await?;
            last = seq;
        }
        n += chunk.len() as u64;
        rows += chunk.len();
        if rows >= LOAD_ROUND {
            end_round(&ch, &mut round, last).await?;
            (dealt, rows) = (0, 0);
        }
    }
    end_round(&ch, &mut round, last).await?;
    Ok(n)
}

/// Ends the round's INSERTs side by side, then marks ClickHouse complete through `last`.
async fn end_round(
    ch: &ClickHouse,
    round: &mut Vec<EventWriter>,
    last: u64,
) -> Result<(), ChError> {
    if round.is_empty() {
        return Ok(());
    }
    let ends: Vec<_> = round.drain(..).map(|w| tokio::spawn(w.end())).collect();
    for end in ends {
        end.await
            .map_err(|e| ChError::Schema(format!("an INSERT of the load: {e}")))??;
    }
    ch.mark_loaded(last).await
}

async fn follow(
    ch: ClickHouse,
    mut feed: mpsc::UnboundedReceiver<Arc<Commit>>,
    written: watch::Sender<u64>,
) {
    while let Some(first) = feed.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH_COMMITS {
            match feed.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        let refs: Vec<&Commit> = batch.iter().map(|c| &**c).collect();
        // The feed brings commits in order and every earlier one is written: after this batch,
        // ClickHouse is complete through its newest event.
        let through = refs
            .iter()
            .flat_map(|c| c.changes.iter())
            .filter_map(|ch| match ch {
                Change::Event { seq, .. } => Some(*seq),
                _ => None,
            })
            .max();
        loop {
            let written = async {
                ch.write_commits(&refs).await?;
                match through {
                    Some(t) => ch.mark_loaded(t).await,
                    None => Ok(()),
                }
            };
            match written.await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, commits = refs.len(), "could not write commits to ClickHouse; retrying them");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
        let newest = refs.iter().map(|c| c.number).max().unwrap_or(0);
        written.send_modify(|w| *w = (*w).max(newest));
    }
}
