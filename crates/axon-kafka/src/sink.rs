//! The sink consumer group: `axon.event.raw` into the durable event store, exactly once.
//!
//! Each node runs one member of the group. A member takes what the broker has (up to
//! [`MAX_BATCH`] messages, waiting at most [`GATHER`] after the first), writes it with its
//! offsets through [`SinkLog::append_consumed`] — retrying the same batch until the store takes
//! it — and only then commits the next offsets to the broker. A crash between the two redelivers
//! the batch, which the store recognises by its offsets; a rebalance that hands a partition to
//! another node does the same. A message that is not an event (nothing Axon produced) is logged
//! and passed over.

use crate::rejoin::{MemberContext, Watch};
use crate::KafkaOptions;
use axon_domain::event::Event;
use axon_ports::sink::{Consumed, SinkLog};
use axon_ports::StoreError;
use futures_util::future::BoxFuture;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Most messages written in one transaction.
pub const MAX_BATCH: usize = 5000;
/// How long a batch keeps gathering after its first message.
pub const GATHER: Duration = Duration::from_millis(5);
/// Pause before a failed write is tried again.
const RETRY: Duration = Duration::from_millis(500);

/// What the sink has done since the node started (`/metrics`).
#[derive(Debug, Default)]
pub struct SinkCounters {
    pub stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub redelivered: AtomicU64,
    pub skipped: AtomicU64,
}

impl SinkCounters {
    pub fn figures(&self) -> axon_ports::sink::SinkFigures {
        axon_ports::sink::SinkFigures {
            stored: self.stored.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            redelivered: self.redelivered.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
        }
    }
}

pub struct Sink {
    pub counters: Arc<SinkCounters>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sink {
    /// Joins the group and starts consuming on the current runtime.
    pub fn start(opts: &KafkaOptions, store: Arc<dyn SinkLog>) -> Result<Sink, StoreError> {
        let topic = opts.raw_topic();
        let group = Group::join(opts, &opts.group_id(), &topic)?;
        let counters = Arc::new(SinkCounters::default());
        let (c, t) = (counters.clone(), topic.clone());
        let write: Write<Consumed> = Arc::new(move |batch: Vec<Consumed>| {
            let (store, topic, c) = (store.clone(), t.clone(), c.clone());
            Box::pin(async move {
                let r = store.append_consumed(&topic, batch).await?;
                c.stored.fetch_add(r.stored, Ordering::Relaxed);
                c.duplicates.fetch_add(r.duplicates, Ordering::Relaxed);
                c.redelivered.fetch_add(r.redelivered, Ordering::Relaxed);
                Ok(())
            })
        });
        let task = tokio::spawn(run(group, decode_event, write, counters.clone()));
        Ok(Sink { counters, task })
    }
}

/// Writes one decoded batch to the store (retried by the caller until it succeeds).
pub(crate) type Write<T> =
    Arc<dyn Fn(Vec<T>) -> BoxFuture<'static, Result<(), StoreError>> + Send + Sync>;
/// Decodes one message (its partition, offset, payload); an error passes it over.
pub(crate) type Decode<T> = fn(i32, i64, Option<&[u8]>) -> Result<T, String>;

fn decode_event(partition: i32, offset: i64, payload: Option<&[u8]>) -> Result<Consumed, String> {
    let event =
        serde_json::from_slice::<Event>(payload.ok_or("no payload")?).map_err(|e| e.to_string())?;
    Ok(Consumed {
        partition,
        offset,
        event,
    })
}

/// A member of `group` subscribed to `topic`: manual commits, earliest offsets, a short
/// session and short fetch waits.
fn member(
    opts: &KafkaOptions,
    group: &str,
    topic: &str,
    watch: &Arc<Watch>,
) -> Result<StreamConsumer<MemberContext>, StoreError> {
    let consumer: StreamConsumer<MemberContext> = opts
        .client()
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("isolation.level", "read_committed")
        // A member that died is replaced within seconds, not the default 45 s.
        .set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "1000")
        .set("fetch.error.backoff.ms", "100")
        // A fetch waits at most this long for new messages (librdkafka's default is 500 ms,
        // which a broker that holds fetches for the full wait adds to every event's way to
        // the dashboards).
        .set("fetch.wait.max.ms", "20")
        .create_with_context(MemberContext(watch.clone()))
        .map_err(|e| StoreError::Internal(format!("kafka consumer: {e}")))?;
    consumer
        .subscribe(&[topic])
        .map_err(|e| StoreError::Internal(format!("kafka subscribe: {e}")))?;
    Ok(consumer)
}

/// This node's member of a group: its consumer, and how to join again.
pub(crate) struct Group {
    opts: KafkaOptions,
    group: String,
    topic: String,
    consumer: StreamConsumer<MemberContext>,
    watch: Arc<Watch>,
}

impl Group {
    /// Joins `group` on `topic`, its assignments watched ([`crate::rejoin`]).
    pub(crate) fn join(opts: &KafkaOptions, group: &str, topic: &str) -> Result<Group, StoreError> {
        let watch = Watch::new(group);
        Ok(Group {
            consumer: member(opts, group, topic, &watch)?,
            watch,
            opts: opts.clone(),
            group: group.to_string(),
            topic: topic.to_string(),
        })
    }

    /// Leaves the group (closing the consumer sends LeaveGroup) and joins it as a new member.
    async fn rejoin(&mut self) {
        loop {
            match member(&self.opts, &self.group, &self.topic, &self.watch) {
                Ok(fresh) => {
                    let old = std::mem::replace(&mut self.consumer, fresh);
                    // Closing waits for the broker: off the runtime's threads.
                    let _ = tokio::task::spawn_blocking(move || drop(old)).await;
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, group = self.group, "could not join the group again; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }
}

/// A member's loop: gather a batch, write it (retrying until the store takes it), commit;
/// join again when the group watch asks.
pub(crate) async fn run<T: Clone + Send + 'static>(
    mut group: Group,
    decode: Decode<T>,
    write: Write<T>,
    counters: Arc<SinkCounters>,
) {
    let topic = group.topic.clone();
    loop {
        let gathered = tokio::select! {
            g = gather(&group.consumer, decode, &counters) => Some(g),
            () = group.watch.rejoin() => None,
        };
        let Some(gathered) = gathered else {
            group.rejoin().await;
            continue;
        };
        let consumer = &group.consumer;
        let (batch, next) = match gathered {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, topic, "could not consume; trying again");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if !batch.is_empty() {
            loop {
                match write(batch.clone()).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, topic, messages = batch.len(), "could not store a consumed batch; retrying it");
                        tokio::time::sleep(RETRY).await;
                    }
                }
            }
        }
        commit(consumer, &topic, &next);
    }
}

/// One batch: the decoded messages, and the next offset per partition it covers.
async fn gather<T>(
    consumer: &StreamConsumer<MemberContext>,
    decode: Decode<T>,
    counters: &SinkCounters,
) -> Result<(Vec<T>, BTreeMap<i32, i64>), rdkafka::error::KafkaError> {
    let mut batch = Vec::new();
    let mut next = BTreeMap::new();
    let first = consumer.recv().await?;
    let deadline = tokio::time::Instant::now() + GATHER;
    take(&first, decode, &mut batch, &mut next, counters);
    drop(first);
    while batch.len() < MAX_BATCH {
        match tokio::time::timeout_at(deadline, consumer.recv()).await {
            Ok(Ok(m)) => take(&m, decode, &mut batch, &mut next, counters),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "consumer error while gathering a batch");
                break;
            }
            Err(_) => break,
        }
    }
    Ok((batch, next))
}

fn take<M: Message, T>(
    m: &M,
    decode: Decode<T>,
    batch: &mut Vec<T>,
    next: &mut BTreeMap<i32, i64>,
    counters: &SinkCounters,
) {
    next.insert(m.partition(), m.offset() + 1);
    match decode(m.partition(), m.offset(), m.payload()) {
        Ok(item) => batch.push(item),
        Err(why) => {
            counters.skipped.fetch_add(1, Ordering::Relaxed);
            tracing::error!(topic = m.topic(), partition = m.partition(), offset = m.offset(), error = %why,
                "a message Axon did not produce; passed over");
        }
    }
}

/// Commits the next offsets (asynchronously: the store's offsets are the guard, the broker's
/// only the restart point, so a lost commit costs a redelivery and nothing else).
fn commit(consumer: &StreamConsumer<MemberContext>, topic: &str, next: &BTreeMap<i32, i64>) {
    let mut tpl = TopicPartitionList::new();
    for (part, offset) in next {
        if let Err(e) = tpl.add_partition_offset(topic, *part, Offset::Offset(*offset)) {
            tracing::warn!(error = %e, "bad offset to commit");
            return;
        }
    }
    if tpl.count() > 0 {
        if let Err(e) = consumer.commit(&tpl, CommitMode::Async) {
            tracing::warn!(error = %e, "offset commit failed; the next batch commits again");
        }
    }
}
