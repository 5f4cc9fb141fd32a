//! The commit feed on the database, so every node's projector follows every node's writes.
//!
//! Each committed group with changes wrote one `axon_feed` row: its number (dense, in commit
//! order — see the writer) and its changes, with events stored as ranges of sequence numbers
//! (their bodies are in `events` already). The [`Tail`] publishes commits to this node's
//! followers strictly in feed order: its own commits as they are handed over by the writer
//! (after filling any gap from the table first), other nodes' by polling the table every
//! [`POLL`], so a write made anywhere is on every node's dashboards within a second. With a bus
//! ([`Peers`], Redis pub/sub) each node announces its commits after COMMIT and the others look
//! at once ([`Tail::look_now`]); the poll then only covers announcements lost while the bus was
//! down, and may be slower.
//!
//! A commit's number is its feed number, the same on every node, so the data versions the
//! projector derives from it (`ChangeFeed`) agree between nodes (the shared answer cache keys
//! on them). The tail starts at the head read when the store opened.
//!
//! Start-up: the tail starts from the feed number read when the store opened, and the engine is
//! rebuilt from the tables after that, so a commit in between can be seen twice. Entries,
//! purchases and catalogue rows are upserts in the engine (harmless twice); events are not, so
//! events at or below the highest sequence number the rebuild replayed are skipped.

use super::rows::{i, s, Db, SqlResult};
use super::Shared;
use crate::{Change, Commit, Peers, StoreError};
use axon_domain::event::Event;
use axon_domain::model::{Activity, Campaign, CampaignId, Entry, Product, Purchase};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use sqlx_core::query::query;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How often other nodes' commits are looked for.
pub const POLL: Duration = Duration::from_millis(200);

/// One change as stored in the feed table.
#[derive(Serialize, Deserialize)]
enum Item {
    /// Stored events `from..=to` (their bodies are in `events`).
    E(u64, u64),
    Entry(Entry),
    Purchase(Purchase),
    Product(Product),
    Campaign(Campaign),
    CampaignRemoved(CampaignId),
    Activity(Activity),
}

pub fn encode(changes: &[Change]) -> SqlResult<String> {
    let mut items: Vec<Item> = Vec::new();
    for c in changes {
        let item = match c {
            Change::Event { seq, .. } => {
                if let Some(Item::E(_, to)) = items.last_mut() {
                    if *to + 1 == *seq {
                        *to = *seq;
                        continue;
                    }
                }
                Item::E(*seq, *seq)
            }
            Change::Entry(e) => Item::Entry(e.clone()),
            Change::Purchase(p) => Item::Purchase(p.clone()),
            Change::Product(p) => Item::Product(p.clone()),
            Change::Campaign(c) => Item::Campaign(c.clone()),
            Change::CampaignRemoved(id) => Item::CampaignRemoved(*id),
            Change::Activity(a) => Item::Activity(a.clone()),
        };
        items.push(item);
    }
    serde_json::to_string(&items).map_err(|e| StoreError::Internal(e.to_string()))
}

/// A stored feed row back into changes, reading the events it names.
async fn decode(shared: &Shared, items: &str) -> SqlResult<Vec<Change>> {
    let items: Vec<Item> = serde_json::from_str(items)
        .map_err(|e| StoreError::Internal(format!("corrupt feed row: {e}")))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(match item {
            Item::E(from, to) => {
                let rows =
                    query(&shared.dialect.q(
                        "SELECT seq, body FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq",
                    ))
                    .bind(from.cast_signed())
                    .bind(to.cast_signed())
                    .fetch_all(&shared.pool)
                    .await
                    .db()?;
                for r in rows {
                    let seq = i(&r, 0)?.cast_unsigned();
                    let event: Event = serde_json::from_str(&s(&r, 1)?).map_err(|e| {
                        StoreError::Internal(format!("event {seq} is corrupt: {e}"))
                    })?;
                    out.push(Change::Event { seq, event });
                }
                continue;
            }
            Item::Entry(e) => Change::Entry(e),
            Item::Purchase(p) => Change::Purchase(p),
            Item::Product(p) => Change::Product(p),
            Item::Campaign(c) => Change::Campaign(c),
            Item::CampaignRemoved(id) => Change::CampaignRemoved(id),
            Item::Activity(a) => Change::Activity(a),
        });
    }
    Ok(out)
}

/// Publishes the database's commits to this node's followers, in feed order.
pub struct Tail {
    shared: Arc<Shared>,
    /// The feed number published last.
    last: tokio::sync::Mutex<i64>,
    /// The feed number of the newest commit published to this node's followers:
    /// `CommitFeed::committed`.
    number: AtomicU64,
    /// Told to look now (another node announced a commit).
    wake: tokio::sync::Notify,
    /// The poll interval in milliseconds.
    poll_ms: AtomicU64,
    /// Told of this node's own commits.
    peers: Mutex<Option<Arc<dyn Peers>>>,
    followers: Mutex<Vec<UnboundedSender<Arc<Commit>>>>,
    /// Events up to this sequence number are already in the engine (start-up replay).
    replayed_through: AtomicU64,
    polling: AtomicBool,
}

impl Tail {
    pub fn new(shared: Arc<Shared>, head: i64) -> Tail {
        Tail {
            shared,
            last: tokio::sync::Mutex::new(head),
            number: AtomicU64::new(head.cast_unsigned()),
            wake: tokio::sync::Notify::new(),
            poll_ms: AtomicU64::new(u64::try_from(POLL.as_millis()).unwrap_or(200)),
            peers: Mutex::new(None),
            followers: Mutex::new(Vec::new()),
            replayed_through: AtomicU64::new(0),
            polling: AtomicBool::new(false),
        }
    }

    pub fn committed(&self) -> u64 {
        self.number.load(Ordering::Acquire)
    }

    pub fn look_now(&self) {
        self.wake.notify_one();
    }

    pub fn set_poll(&self, every: Duration) {
        let ms = u64::try_from(every.as_millis()).unwrap_or(u64::MAX).max(1);
        self.poll_ms.store(ms, Ordering::Relaxed);
    }

    pub fn announce_to(&self, peers: Arc<dyn Peers>) {
        *self.peers.lock() = Some(peers);
    }

    pub fn replayed(&self, seq: u64) {
        self.replayed_through.fetch_max(seq, Ordering::AcqRel);
    }

    /// A new follower; the first one starts polling for other nodes' commits.
    pub fn follow(self: &Arc<Self>) -> UnboundedReceiver<Arc<Commit>> {
        let (tx, rx) = unbounded_channel();
        self.followers.lock().push(tx);
        if !self.polling.swap(true, Ordering::AcqRel) {
            let tail = Arc::downgrade(self);
            self.shared.rt.spawn(async move {
                loop {
                    let Some(every) = tail.upgrade().map(|t| t.poll_ms.load(Ordering::Relaxed))
                    else {
                        return;
                    };
                    let told = async {
                        match tail.upgrade() {
                            Some(t) => t.wake.notified().await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(every)) => {}
                        () = told => {}
                    }
                    let Some(tail) = tail.upgrade() else { return };
                    let mut last = tail.last.lock().await;
                    if let Err(e) = tail.catch_up(&mut last, None).await {
                        tracing::warn!(error = %e, "could not read the commit feed");
                    }
                }
            });
        }
        rx
    }

    /// The writer's own commit `seq`: publishes what came before it, then it.
    pub async fn committed_here(&self, seq: i64, changes: Vec<Change>) {
        let mut last = self.last.lock().await;
        if seq <= *last {
            return; // a poll already published it from the table
        }
        if seq > *last + 1 {
            if let Err(e) = self.catch_up(&mut last, Some(seq - 1)).await {
                tracing::warn!(error = %e, "could not read the commit feed before a local commit");
            }
        }
        self.publish(seq, changes);
        *last = seq;
        drop(last);
        let peers = self.peers.lock().clone();
        if let Some(p) = peers {
            p.committed(seq.cast_unsigned());
        }
    }

    /// Publishes stored commits after `last` (up to `until`), in order.
    async fn catch_up(&self, last: &mut i64, until: Option<i64>) -> SqlResult<()> {
        loop {
            let rows = query(&self.shared.dialect.q(
                "SELECT seq, items FROM axon_feed WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 256",
            ))
            .bind(*last)
            .bind(until.unwrap_or(i64::MAX))
            .fetch_all(&self.shared.pool)
            .await
            .db()?;
            let n = rows.len();
            for r in rows {
                let seq = i(&r, 0)?;
                if seq != *last + 1 {
                    // Numbers are dense; a hole means the row is not visible yet.
                    return Ok(());
                }
                let changes = decode(&self.shared, &s(&r, 1)?).await?;
                self.publish(seq, changes);
                *last = seq;
            }
            if n < 256 {
                return Ok(());
            }
        }
    }

    fn publish(&self, seq: i64, mut changes: Vec<Change>) {
        let through = self.replayed_through.load(Ordering::Acquire);
        if through > 0 {
            changes.retain(|c| !matches!(c, Change::Event { seq, .. } if *seq <= through));
        }
        if changes.is_empty() {
            return;
        }
        let mut followers = self.followers.lock();
        let number = seq.cast_unsigned();
        let commit = Arc::new(Commit { number, changes });
        // Counted before it is sent, so a follower that has it never reads an older number.
        self.number.store(number, Ordering::Release);
        followers.retain(|f| f.send(commit.clone()).is_ok());
    }
}
