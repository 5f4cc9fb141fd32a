//! Keeping ClickHouse up to date: a node's follower of the store's commit feed.
//!
//! On start the follower subscribes to the feed first, then catches up from the store — every
//! event whose sequence number is above the highest in ClickHouse, and every entry and purchase
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

use crate::projection::loaded_at;
use crate::{ChError, ClickHouse};
use axon_domain::event::Event;
use axon_ports::feed::Commit;
use axon_ports::{EventLog, Repo, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Most commits written in one batch.
pub const BATCH_COMMITS: usize = 2000;
/// Events per insert while catching up.
const CATCH_UP_CHUNK: usize = 50_000;
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

/// Writes what ClickHouse lacks of the store (events above its highest sequence number, every
/// entry and purchase as it stands, versioned at `committed`): the follower's catch-up, and
/// `axon import`'s load into ClickHouse.
pub async fn load_from_store(
    ch: &ClickHouse,
    store: &dyn Repo,
    log: &dyn EventLog,
    committed: u64,
) -> Result<Loaded, FollowError> {
    let above = ch.max_seq().await?;
    // The replay visits synchronously; chunks go to a task that inserts them meanwhile.
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<(u64, Event)>>();
    let writer = {
        let ch = ch.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            while let Some(chunk) = rx.recv().await {
                ch.insert_events(&chunk).await?;
                n += chunk.len() as u64;
            }
            Ok::<u64, ChError>(n)
        })
    };
    let mut chunk = Vec::with_capacity(CATCH_UP_CHUNK);
    let replayed = log
        .replay(&mut |seq, e| {
            if seq > above {
                chunk.push((seq, e));
                if chunk.len() == CATCH_UP_CHUNK {
                    let _ = tx.send(std::mem::take(&mut chunk));
                }
            }
        })
        .await;
    if !chunk.is_empty() {
        let _ = tx.send(chunk);
    }
    drop(tx);
    let written = writer
        .await
        .map_err(|e| ChError::Schema(format!("the catch-up writer: {e}")))??;
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
        loop {
            match ch.write_commits(&refs).await {
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
