//! The event log with Kafka in front: appends go to the broker (202 after every delivery
//! report), reads come from the durable store the sink writes to.

use crate::produce::Publisher;
use crate::KafkaOptions;
use axon_domain::event::{Event, EventCore};
use axon_domain::model::ActivityId;
use axon_domain::Ts;
use axon_ports::sink::SinkLog;
use axon_ports::{AppendReport, EventLog, EventPage, EventQuery, Pending, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

/// What the producer needs of the store: reads, and the duplicate check.
pub trait Store: EventLog + SinkLog {}
impl<T: EventLog + SinkLog> Store for T {}

pub struct KafkaEvents {
    inner: Arc<Producer>,
    rt: tokio::runtime::Handle,
}

struct Producer {
    publisher: Publisher,
    topic: String,
    store: Arc<dyn Store>,
}

impl KafkaEvents {
    /// A producer with `acks=all` and idempotence on, over `store` for reads. Call from
    /// inside a tokio runtime: deliveries are awaited on it.
    pub fn new(opts: &KafkaOptions, store: Arc<dyn Store>) -> Result<KafkaEvents, StoreError> {
        Ok(KafkaEvents {
            inner: Arc::new(Producer {
                publisher: Publisher::new(opts)?,
                topic: opts.raw_topic(),
                store,
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
        let mut records = Vec::new();
        let mut slots = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if !send[i] {
                continue;
            }
            let body =
                serde_json::to_vec(e).map_err(|err| StoreError::Internal(err.to_string()))?;
            records.push((EventCore::from(e).person_key(), body));
            slots.push(i);
        }
        let offsets = self.publisher.send(&self.topic, &records).await?;
        let mut seqs: Vec<Option<u64>> = vec![None; events.len()];
        for (i, offset) in slots.into_iter().zip(offsets) {
            seqs[i] = Some(offset.max(0).cast_unsigned());
        }
        Ok(AppendReport { seqs })
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

    async fn replay_json(
        &self,
        after: u64,
        visit: &mut (dyn for<'j> FnMut(u64, &'j str) + Send),
    ) -> Result<u64, StoreError> {
        self.inner.store.replay_json(after, visit).await
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
