//! The sink consumer group: `axon.event.raw` into the durable event store, exactly once.
//!
//! Each node runs one member of the group. A member takes what the broker has (up to
//! [`MAX_BATCH`] messages, waiting at most [`GATHER`] after the first), writes it with its
//! offsets through [`SinkLog::append_consumed`] — retrying the same batch until the store takes
//! it — and only then commits the next offsets to the broker. A crash between the two redelivers
//! the batch, which the store recognises by its offsets; a rebalance that hands a partition to
//! another node does the same. A message that is not an event (nothing Axon produced) is logged
//! and passed over.

use crate::KafkaOptions;
use axon_domain::event::Event;
use axon_ports::sink::{Consumed, SinkLog};
use axon_ports::StoreError;
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
        let consumer: StreamConsumer = opts
            .client()
            .set("group.id", opts.group_id())
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
            .create()
            .map_err(|e| StoreError::Internal(format!("kafka consumer: {e}")))?;
        let topic = opts.raw_topic();
        consumer
            .subscribe(&[&topic])
            .map_err(|e| StoreError::Internal(format!("kafka subscribe: {e}")))?;
        let counters = Arc::new(SinkCounters::default());
        let task = tokio::spawn(run(consumer, topic, store, counters.clone()));
        Ok(Sink { counters, task })
    }
}

async fn run(
    consumer: StreamConsumer,
    topic: String,
    store: Arc<dyn SinkLog>,
    counters: Arc<SinkCounters>,
) {
    loop {
        let (batch, next) = match gather(&consumer, &counters).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "the sink could not consume; trying again");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if !batch.is_empty() {
            write(&*store, &topic, batch, &counters).await;
        }
        commit(&consumer, &topic, &next);
    }
}

/// One batch: the events, and the next offset per partition it covers.
async fn gather(
    consumer: &StreamConsumer,
    counters: &SinkCounters,
) -> Result<(Vec<Consumed>, BTreeMap<i32, i64>), rdkafka::error::KafkaError> {
    let mut batch = Vec::new();
    let mut next = BTreeMap::new();
    let first = consumer.recv().await?;
    let deadline = tokio::time::Instant::now() + GATHER;
    take(&first, &mut batch, &mut next, counters);
    drop(first);
    while batch.len() < MAX_BATCH {
        match tokio::time::timeout_at(deadline, consumer.recv()).await {
            Ok(Ok(m)) => take(&m, &mut batch, &mut next, counters),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "consumer error while gathering a batch");
                break;
            }
            Err(_) => break,
        }
    }
    Ok((batch, next))
}

fn take<M: Message>(
    m: &M,
    batch: &mut Vec<Consumed>,
    next: &mut BTreeMap<i32, i64>,
    counters: &SinkCounters,
) {
    next.insert(m.partition(), m.offset() + 1);
    match m.payload().map(serde_json::from_slice::<Event>) {
        Some(Ok(event)) => batch.push(Consumed {
            partition: m.partition(),
            offset: m.offset(),
            event,
        }),
        other => {
            counters.skipped.fetch_add(1, Ordering::Relaxed);
            let why = match other {
                Some(Err(e)) => e.to_string(),
                _ => "no payload".to_string(),
            };
            tracing::error!(partition = m.partition(), offset = m.offset(), error = %why,
                "a message on the event topic is not an event; passed over");
        }
    }
}

async fn write(store: &dyn SinkLog, topic: &str, batch: Vec<Consumed>, counters: &SinkCounters) {
    loop {
        match store.append_consumed(topic, batch.clone()).await {
            Ok(r) => {
                counters.stored.fetch_add(r.stored, Ordering::Relaxed);
                counters
                    .duplicates
                    .fetch_add(r.duplicates, Ordering::Relaxed);
                counters
                    .redelivered
                    .fetch_add(r.redelivered, Ordering::Relaxed);
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, events = batch.len(), "the sink could not store a batch; retrying it");
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Commits the next offsets (asynchronously: the store's offsets are the guard, the broker's
/// only the restart point, so a lost commit costs a redelivery and nothing else).
fn commit(consumer: &StreamConsumer, topic: &str, next: &BTreeMap<i32, i64>) {
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
