//! FCFS commands over Kafka (`axon.campaign-activity.command`, with Redis as the stock gate):
//! the gate's durable writes go to the broker, a consumer group applies them to the SQL store.
//!
//! [`KafkaGate`] is the gate's repository with the broker in front. After the Redis reservation
//! the entry is published (key = activity and person, so one seat's commands stay in order) and
//! the entry is answered once the broker acknowledged it; an approval token likewise. A payment
//! and a cancellation are published and then awaited: their answers need what the store decided
//! (the purchase id, which entries were still APPROVED), which the consumer records under the
//! command's id in the same transaction as its writes and offsets.
//!
//! Reads see every acknowledged command: a lookup that finds nothing (a token just issued, an
//! entry just admitted on another node) first waits until the consumer group has applied every
//! command the broker held when the lookup began (the topic's end offsets against the offsets
//! the store moved with its writes), then reads again.
//!
//! [`Applier`] is this node's member of the group `{prefix}axon-commands`.

mod wire;

use crate::sink::{self, SinkCounters, Write};
use crate::{produce::Publisher, KafkaOptions};
use async_trait::async_trait;
use axon_domain::coupon::{Coupon, UserCoupon};
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, Entry, EntryStatus, Purchase};
use axon_domain::Clock;
use axon_domain::Ts;
use axon_ports::commands::{Command, CommandLog, ConsumedCommand, Outcome, OUTCOME_RETENTION_MS};
use axon_ports::sink::SinkLog;
use axon_ports::{
    Draw, DrawWritten, GateRepo, NewEntry, NewPurchase, Pending, StoreError, TokenRecord,
    WrittenEntry, WrittenPurchase,
};
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use wire::{command_id, decode, key_of, Envelope};

/// What the command side needs of the store.
pub trait CommandStore: GateRepo + CommandLog + SinkLog {}
impl<T: GateRepo + CommandLog + SinkLog> CommandStore for T {}

/// The group applying commands (without the prefix).
pub const GROUP: &str = "axon-commands";
/// Between two looks at the store while waiting for the consumer.
const POLL: Duration = Duration::from_millis(5);
/// Longest one broker call may take.
const CALL: Duration = Duration::from_secs(3);

/// Between two prunings of old command outcomes.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// This node's member of the command group, and the pruning of outcomes older than
/// [`OUTCOME_RETENTION_MS`] (every node prunes; deleting what another node deleted is nothing).
pub struct Applier {
    pub counters: Arc<SinkCounters>,
    task: tokio::task::JoinHandle<()>,
    pruner: tokio::task::JoinHandle<()>,
}

impl Drop for Applier {
    fn drop(&mut self) {
        self.task.abort();
        self.pruner.abort();
    }
}

/// Deletes the outcomes older than the retention, now and every [`PRUNE_EVERY`].
async fn prune(store: Arc<dyn CommandLog>, clock: Arc<dyn Clock>) {
    loop {
        let before = Ts(clock.now().0.saturating_sub(OUTCOME_RETENTION_MS));
        match store.prune_outcomes(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "pruned command outcomes older than a week"),
            Err(e) => tracing::warn!(error = %e, "could not prune command outcomes"),
        }
        tokio::time::sleep(PRUNE_EVERY).await;
    }
}

impl Applier {
    pub fn start(
        opts: &KafkaOptions,
        store: Arc<dyn CommandLog>,
        clock: Arc<dyn Clock>,
    ) -> Result<Applier, StoreError> {
        let pruner = tokio::spawn(prune(store.clone(), clock));
        let topic = opts.command_topic();
        let group = format!("{}{GROUP}", opts.prefix);
        let member = sink::Group::join(opts, &group, &topic)?;
        let counters = Arc::new(SinkCounters::default());
        let (c, t) = (counters.clone(), topic.clone());
        let write: Write<ConsumedCommand> = Arc::new(move |batch| {
            let (store, topic, c) = (store.clone(), t.clone(), c.clone());
            Box::pin(async move {
                let r = store.apply_commands(&topic, batch).await?;
                use std::sync::atomic::Ordering::Relaxed;
                c.stored.fetch_add(r.applied, Relaxed);
                c.duplicates.fetch_add(r.refused, Relaxed);
                c.redelivered.fetch_add(r.redelivered, Relaxed);
                Ok(())
            })
        });
        let task = tokio::spawn(sink::run(member, decode, write, counters.clone()));
        Ok(Applier {
            counters,
            task,
            pruner,
        })
    }
}

/// The gate's repository with the command topic in front of its writes.
pub struct KafkaGate {
    store: Arc<dyn CommandStore>,
    publisher: Arc<Publisher>,
    topic: String,
    /// Reads the topic's end offsets (blocking calls, made on the blocking pool).
    ends: Arc<BaseConsumer>,
    /// Longest a write or a read waits for the consumer group.
    wait: Duration,
    rt: tokio::runtime::Handle,
}

impl KafkaGate {
    /// Call from inside a tokio runtime.
    pub fn new(opts: &KafkaOptions, store: Arc<dyn CommandStore>) -> Result<KafkaGate, StoreError> {
        let ends: BaseConsumer = opts
            .client()
            .set("group.id", format!("{}{GROUP}", opts.prefix))
            .set("enable.auto.commit", "false")
            .create()
            .map_err(|e| StoreError::Internal(format!("kafka offsets client: {e}")))?;
        Ok(KafkaGate {
            store,
            publisher: Arc::new(Publisher::new(opts)?),
            topic: opts.command_topic(),
            ends: Arc::new(ends),
            wait: opts.delivery_timeout,
            rt: tokio::runtime::Handle::current(),
        })
    }
}

/// What a write needs, cloned into its task.
#[derive(Clone)]
struct Side {
    store: Arc<dyn CommandStore>,
    publisher: Arc<Publisher>,
    topic: String,
    ends: Arc<BaseConsumer>,
    wait: Duration,
}

impl KafkaGate {
    fn side(&self) -> Side {
        Side {
            store: self.store.clone(),
            publisher: self.publisher.clone(),
            topic: self.topic.clone(),
            ends: self.ends.clone(),
            wait: self.wait,
        }
    }

    /// Runs `f` on the runtime and answers through a [`Pending`].
    fn spawn<T, F>(&self, f: impl FnOnce(Side) -> F) -> Pending<T>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (tx, pending) = Pending::channel();
        let fut = f(self.side());
        self.rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        pending
    }
}

fn unavailable(why: &str) -> StoreError {
    tracing::warn!(why, "the FCFS command consumer did not answer in time");
    StoreError::Unavailable("the FCFS command consumer".into())
}

impl Side {
    /// Publishes the command; its id once the broker acknowledged it.
    async fn publish(&self, c: Command) -> Result<String, StoreError> {
        let id = command_id();
        let key = key_of(&c);
        let body = serde_json::to_vec(&Envelope {
            id: id.clone(),
            command: c.into(),
        })
        .map_err(|e| StoreError::Internal(e.to_string()))?;
        self.publisher.send(&self.topic, &[(key, body)]).await?;
        Ok(id)
    }

    /// Waits for the consumer to record the command's outcome; a refusal as its error.
    async fn outcome(&self, id: &str) -> Result<Outcome, StoreError> {
        let until = tokio::time::Instant::now() + self.wait;
        loop {
            match self.store.outcome(id).await? {
                Some(Outcome::Refused { code, message }) => {
                    return Err(StoreError::conflict(refusal_code(&code), message))
                }
                Some(o) => return Ok(o),
                None if tokio::time::Instant::now() >= until => {
                    return Err(unavailable("an outcome"))
                }
                None => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Waits until the store has applied every command the broker held when this began.
    async fn caught_up(&self) -> Result<(), StoreError> {
        let (ends, topic) = (self.ends.clone(), self.topic.clone());
        let ends = tokio::task::spawn_blocking(move || end_offsets(&ends, &topic))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
            .map_err(|e| {
                tracing::warn!(error = %e, "could not read the command topic's end offsets");
                StoreError::Unavailable(crate::produce::BROKER.into())
            })?;
        let until = tokio::time::Instant::now() + self.wait;
        loop {
            let at: BTreeMap<i32, i64> = self
                .store
                .positions(&self.topic)
                .await?
                .into_iter()
                .collect();
            if ends
                .iter()
                .all(|(p, end)| *end == 0 || at.get(p).is_some_and(|a| a >= end))
            {
                return Ok(());
            }
            if tokio::time::Instant::now() >= until {
                return Err(unavailable("the topic's end"));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// The refusals a command may meet in the store, by their wire codes.
const REFUSALS: &[&str] = &[
    "DUPLICATED",
    "DUPLICATE_PURCHASE",
    "ENTRY_NOT_PAYABLE",
    "OUT_OF_STOCK",
    "UNKNOWN_COUPON",
    "COUPON_ALREADY_USED",
    "NOT_FOUND",
];

/// A recorded refusal's code as the static code the API answers with.
fn refusal_code(code: &str) -> &'static str {
    REFUSALS
        .iter()
        .copied()
        .find(|c| *c == code)
        .unwrap_or("COMMAND_REFUSED")
}

/// Every partition's end offset (the offset the next message will get).
fn end_offsets(c: &BaseConsumer, topic: &str) -> Result<Vec<(i32, i64)>, String> {
    crate::lag::partitions_of(c, topic)?
        .into_iter()
        .map(|p| {
            c.fetch_watermarks(topic, p, CALL)
                .map(|(_, end)| (p, end))
                .map_err(|e| format!("watermarks of partition {p}: {e}"))
        })
        .collect()
}

impl KafkaGate {
    /// Reads once; when that finds nothing, waits for the consumer and reads again.
    async fn seen<T, F, Fut>(&self, read: F) -> Result<Option<T>, StoreError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, StoreError>>,
    {
        if let Some(v) = read().await? {
            return Ok(Some(v));
        }
        self.side().caught_up().await?;
        read().await
    }
}

#[async_trait]
impl GateRepo for KafkaGate {
    /// Answered once the broker acknowledged the entry; the entry's id is assigned when the
    /// consumer applies it (0 here). A COUPON entry waits for that, to answer its coupon.
    fn insert_entry(&self, e: NewEntry) -> Pending<WrittenEntry> {
        self.spawn(move |side| async move {
            let coupon = e.coupon_id.is_some();
            let entry = e.entry.clone();
            let id = side.publish(Command::Enter(e)).await?;
            if !coupon {
                return Ok(WrittenEntry {
                    entry,
                    seq: None,
                    user_coupon: None,
                });
            }
            let Outcome::Entered {
                entry_id,
                user_coupon_id,
            } = side.outcome(&id).await?
            else {
                return Err(StoreError::Internal(
                    "an entry's outcome is not an entry".into(),
                ));
            };
            let user_coupon = match user_coupon_id {
                Some(uc) => side.store.user_coupon(uc).await?,
                None => None,
            };
            Ok(WrittenEntry {
                entry: Entry {
                    id: entry_id,
                    ..entry
                },
                seq: None,
                user_coupon,
            })
        })
    }

    fn add_token(&self, t: TokenRecord) -> Pending<()> {
        self.spawn(move |side| async move {
            side.publish(Command::Token(t)).await?;
            Ok(())
        })
    }

    async fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.seen(|| self.store.token(token)).await
    }

    async fn open_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        // The gate is rebuilt from these: every acknowledged command first.
        self.side().caught_up().await?;
        self.store.open_tokens().await
    }

    async fn tokens_of_entry(&self, entry_id: i64) -> Result<Vec<TokenRecord>, StoreError> {
        // A second prepare must see the approval token the first one was answered with.
        self.side().caught_up().await?;
        self.store.tokens_of_entry(entry_id).await
    }

    /// Awaited: the sweeper gives the units back only after the entries are cancelled.
    fn cancel_entries(&self, ids: Vec<i64>, at: Ts) -> Pending<Vec<Entry>> {
        self.spawn(move |side| async move {
            let id = side.publish(Command::Cancel { ids, at }).await?;
            let Outcome::Cancelled { ids } = side.outcome(&id).await? else {
                return Err(StoreError::Internal(
                    "a cancellation's outcome is not one".into(),
                ));
            };
            let mut changed = Vec::with_capacity(ids.len());
            for id in ids {
                changed.extend(side.store.entry(id).await?);
            }
            Ok(changed)
        })
    }

    /// Awaited: the answer carries the purchase id the store assigned.
    fn record_purchase(&self, p: NewPurchase) -> Pending<WrittenPurchase> {
        self.spawn(move |side| async move {
            let (purchase, entry_id) = (p.purchase.clone(), p.entry_id);
            let id = side.publish(Command::Pay(p)).await?;
            let Outcome::Paid {
                purchase_id,
                created,
            } = side.outcome(&id).await?
            else {
                return Err(StoreError::Internal(
                    "a payment's outcome is not one".into(),
                ));
            };
            let entry = match entry_id {
                Some(e) => side.store.entry(e).await?,
                None => None,
            };
            let purchase = match &entry {
                Some(e) if !created => side.store.purchase_of_entry(e).await?.unwrap_or(Purchase {
                    id: purchase_id,
                    ..purchase
                }),
                _ => Purchase {
                    id: purchase_id,
                    ..purchase
                },
            };
            Ok(WrittenPurchase {
                purchase,
                created,
                seq: None,
                entry,
                product: None,
            })
        })
    }

    async fn entry(&self, id: i64) -> Result<Option<Entry>, StoreError> {
        self.seen(|| self.store.entry(id)).await
    }

    async fn entry_of(
        &self,
        activity: ActivityId,
        user: &str,
    ) -> Result<Option<Entry>, StoreError> {
        self.seen(|| self.store.entry_of(activity, user)).await
    }

    async fn purchase_of_entry(&self, entry: &Entry) -> Result<Option<Purchase>, StoreError> {
        if entry.status != EntryStatus::Paid {
            return self.store.purchase_of_entry(entry).await;
        }
        self.seen(|| self.store.purchase_of_entry(entry)).await
    }

    async fn entries_page(
        &self,
        activity: ActivityId,
        status: Option<EntryStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Entry>, i64), StoreError> {
        self.store
            .entries_page(activity, status, offset, limit)
            .await
    }

    fn save_coupon(&self, c: Coupon) -> Pending<Coupon> {
        self.store.save_coupon(c)
    }
    fn delete_coupon(&self, id: i64) -> Pending<()> {
        self.store.delete_coupon(id)
    }
    async fn coupon(&self, id: i64) -> Result<Option<Coupon>, StoreError> {
        self.store.coupon(id).await
    }
    async fn coupons(&self) -> Result<Vec<Coupon>, StoreError> {
        self.store.coupons().await
    }
    async fn user_coupon(&self, id: i64) -> Result<Option<UserCoupon>, StoreError> {
        self.store.user_coupon(id).await
    }
    async fn user_coupons(&self, user: &str) -> Result<Vec<UserCoupon>, StoreError> {
        self.store.user_coupons(user).await
    }
    fn use_coupon(&self, id: i64, at: Ts) -> Pending<UserCoupon> {
        self.store.use_coupon(id, at)
    }
    fn add_participant(&self, activity: ActivityId, user: String, at: Ts) -> Pending<i64> {
        self.store.add_participant(activity, user, at)
    }
    async fn participants(&self, activity: ActivityId) -> Result<Vec<(String, Ts)>, StoreError> {
        self.store.participants(activity).await
    }
    fn record_draw(
        &self,
        d: Draw,
        entries: Vec<Entry>,
        events: Vec<Event>,
    ) -> Pending<DrawWritten> {
        self.store.record_draw(d, entries, events)
    }
    async fn draw(&self, activity: ActivityId) -> Result<Option<Draw>, StoreError> {
        self.store.draw(activity).await
    }
}
