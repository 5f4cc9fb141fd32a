//! The idempotent producer both topics share: `acks=all`, idempotence on, and a batch answered
//! only once every record has its delivery report.

use crate::KafkaOptions;
use axon_ports::StoreError;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};
use rdkafka::util::Timeout;

/// The broker's name in errors and logs.
pub(crate) const BROKER: &str = "the event broker";

pub(crate) struct Publisher {
    /// Replaced after a failed batch (see [`Publisher::renew`]).
    producer: parking_lot::RwLock<FutureProducer>,
    config: rdkafka::config::ClientConfig,
    queue_timeout: std::time::Duration,
}

impl Publisher {
    pub(crate) fn new(opts: &KafkaOptions) -> Result<Publisher, StoreError> {
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
        Ok(Publisher {
            producer: parking_lot::RwLock::new(producer),
            config,
            queue_timeout: opts.delivery_timeout,
        })
    }

    /// Sends `(key, payload)` records to `topic`; their offsets once every one is acknowledged,
    /// `StoreError::Unavailable` when any is not (nothing may be acknowledged then).
    pub(crate) async fn send(
        &self,
        topic: &str,
        records: &[(String, Vec<u8>)],
    ) -> Result<Vec<i64>, StoreError> {
        let producer = self.producer.read().clone();
        let timeout = self.queue_timeout;
        let deliveries = records.iter().map(|(key, body)| {
            let producer = &producer;
            async move {
                let record = FutureRecord::to(topic).key(key).payload(body);
                producer.send(record, Timeout::After(timeout)).await
            }
        });
        // librdkafka reports a timeout after `message.timeout.ms`; the bound here covers a report
        // that never comes (a partition without a leader may hold its queue past it).
        let bound = timeout + timeout / 2;
        let Ok(delivered) =
            tokio::time::timeout(bound, futures_util::future::join_all(deliveries)).await
        else {
            tracing::warn!(
                topic,
                records = records.len(),
                "the broker did not report every delivery in time"
            );
            self.renew(&producer);
            return Err(StoreError::Unavailable(BROKER.into()));
        };
        let mut offsets = Vec::with_capacity(records.len());
        for d in delivered {
            match d {
                Ok(d) => offsets.push(d.offset),
                Err((e, _)) => {
                    tracing::warn!(error = %e, topic, records = records.len(), "a batch was not fully acknowledged by the broker");
                    self.renew(&producer);
                    return Err(StoreError::Unavailable(BROKER.into()));
                }
            }
        }
        Ok(offsets)
    }

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
