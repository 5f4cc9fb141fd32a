//! The event log with Kafka in front: appends go to the broker (202 after every delivery
//! report), reads come from the durable store the sink writes to.

use crate::KafkaOptions;
use axon_domain::event::{Event, EventCore};
use axon_domain::model::ActivityId;
use axon_domain::Ts;
use axon_ports::sink::SinkLog;
use axon_ports::{AppendReport, EventLog, EventPage, EventQuery, Pending, StoreError};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};
use rdkafka::util::Timeout;
use std::collections::HashSet;
use std::sync::Arc;

/// What the producer needs of the store: reads, and the duplicate check.
pub trait Store: EventLog + SinkLog {}
impl<T: EventLog + SinkLog> Store for T {}

/// The broker's name in errors and logs.
const BROKER: &str = "the event broker";

pub struct KafkaEvents {
    inner: Arc<Producer>,
    rt: tokio::runtime::Handle,
}

struct Producer {
    /// Replaced after a failed batch (see [`Producer::renew`]).
    producer: parking_lot::RwLock<FutureProducer>,
    config: rdkafka::config::ClientConfig,
    topic: String,
    store: Arc<dyn Store>,
    queue_timeout: std::time::Duration,
}

impl KafkaEvents {
    /// A producer with `acks=all` and idempotence on, over `store` for reads. Call from
    /// inside a tokio runtime: deliveries are awaited on it.
    pub fn new(opts: &KafkaOptions, store: Arc<dyn Store>) -> Result<KafkaEvents, StoreError> {
        let mut config = opts.client();
        config
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "2")
            .set(
                "message.timeout.ms",
                opts.delivery_timeout.as_millis().to_string(),
            );
        let producer: FutureProducer = config
            .create()
            .map_err(|e| StoreError::Internal(format!("kafka producer: {e}")))?;
        Ok(KafkaEvents {
            inner: Arc::new(Producer {
                producer: parking_lot::RwLock::new(producer),
                config,
                topic: opts.raw_topic(),
                store,
                queue_timeout: opts.delivery_timeout,
            }),
            rt: tokio::runtime::Handle::current(),
        })
    }
}

impl Producer {
    async fn publish(&self, events: Vec<Event>) -> Result<AppendReport, StoreError> {
        // Duplicates inside the batch, then those stored already, are acknowledged unsent.
        let mut seen = HashSet::new();
        let mut keyed = Vec::new();
        let mut send = vec![true; events.len()];
        for (i, e) in events.iter().enumerate() {
            if let Some(id) = &e.event_id {
                let key = (e.source().to_string(), id.clone());
                if !seen.insert(key.clone()) {
                    send[i] = false;
                } else {
                    keyed.push((i, key));
                }
            }
        }
        if !keyed.is_empty() {
            let keys: Vec<_> = keyed.iter().map(|(_, k)| k.clone()).collect();
            let stored = self.store.stored_keys(&keys).await?;
            for ((i, _), stored) in keyed.iter().zip(stored) {
                if stored {
                    send[*i] = false;
                }
            }
        }
        let producer = self.producer.read().clone();
        let mut deliveries = Vec::new();
        let mut slots = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if !send[i] {
                continue;
            }
            let body =
                serde_json::to_vec(e).map_err(|err| StoreError::Internal(err.to_string()))?;
            let key = EventCore::from(e).person_key();
            let (producer, topic, timeout) = (&producer, &self.topic, self.queue_timeout);
            deliveries.push(async move {
                let record = FutureRecord::to(topic).key(&key).payload(&body);
                producer.send(record, Timeout::After(timeout)).await
            });
            slots.push(i);
        }
        // librdkafka reports a timeout after `message.timeout.ms`; the bound here covers a report
        // that never comes (a partition without a leader may hold its queue past it).
        let bound = self.queue_timeout + self.queue_timeout / 2;
        let Ok(delivered) =
            tokio::time::timeout(bound, futures_util::future::join_all(deliveries)).await
        else {
            tracing::warn!(
                events = events.len(),
                "the broker did not report every delivery in time"
            );
            self.renew(&producer);
            return Err(StoreError::Unavailable(BROKER.into()));
        };
        let mut seqs: Vec<Option<u64>> = vec![None; events.len()];
        let mut failed = None;
        for (i, d) in slots.into_iter().zip(delivered) {
            match d {
                Ok(d) => seqs[i] = Some(d.offset.max(0).cast_unsigned()),
                Err((e, _)) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            tracing::warn!(error = %e, events = events.len(), "a batch was not fully acknowledged by the broker");
            self.renew(&producer);
            return Err(StoreError::Unavailable(BROKER.into()));
        }
        Ok(AppendReport { seqs })
    }
}

impl Producer {
    /// After a failed batch the idempotent producer's state (its producer id and sequence
    /// numbers) may no longer match the broker's — a broker that restarted refuses every later
    /// message of the old id — so the next batch goes through a new producer with a new id.
    /// Batches still in flight finish on the old one.
    fn renew(&self, failed: &FutureProducer) {
        let mut current = self.producer.write();
        if !std::ptr::eq(current.client().native_ptr(), failed.client().native_ptr()) {
            return; // another batch renewed it already
        }
        match self.config.create::<FutureProducer>() {
            Ok(p) => {
                *current = p;
                tracing::info!("the Kafka producer was renewed after a failed batch");
            }
            Err(e) => tracing::warn!(error = %e, "could not renew the Kafka producer"),
        }
    }
}

#[async_trait::async_trait]
impl EventLog for KafkaEvents {
    /// Produces the batch; answers once every event has its delivery report. The positions in
    /// the report are broker offsets (the store assigns sequence numbers when the sink writes).
    fn append(&self, events: Vec<Event>) -> Pending<AppendReport> {
        let (tx, pending) = Pending::channel();
        let me = self.inner.clone();
        self.rt.spawn(async move {
            let _ = tx.send(me.publish(events).await);
        });
        pending
    }

    async fn replay(&self, visit: &mut (dyn FnMut(u64, Event) + Send)) -> Result<u64, StoreError> {
        self.inner.store.replay(visit).await
    }

    async fn replay_core(
        &self,
        visit: &mut (dyn FnMut(u64, EventCore) + Send),
    ) -> Result<u64, StoreError> {
        self.inner.store.replay_core(visit).await
    }

    async fn query(&self, q: &EventQuery) -> Result<EventPage, StoreError> {
        self.inner.store.query(q).await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.inner.store.count().await
    }

    async fn activity_events(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Event>, StoreError> {
        self.inner.store.activity_events(activity, start, end).await
    }

    async fn activity_events_after(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>, StoreError> {
        self.inner
            .store
            .activity_events_after(activity, start, end, after, limit)
            .await
    }

    async fn last_seq(&self) -> Result<u64, StoreError> {
        self.inner.store.last_seq().await
    }
}
