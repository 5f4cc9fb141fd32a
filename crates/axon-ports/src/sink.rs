//! The broker side of the event log (scale-out mode with Kafka): what the sink consumer needs
//! from the durable event store, and the lag it reports.
//!
//! Events reach the broker first (the 202 waits for the broker's acknowledgement); a consumer
//! group then writes them to the store. Exactly-once: the store keeps, per topic partition, the
//! next offset it has not stored yet, and moves it in the same transaction that stores the
//! events, so a batch the broker delivers again (a crash before the offset commit, a rebalance)
//! is recognised by its offsets and stored nothing — whether or not its events carry an eventId.

use crate::{Pending, StoreError};
use async_trait::async_trait;
use axon_domain::event::Event;

/// One event as consumed: where it sits in the topic.
#[derive(Debug, Clone)]
pub struct Consumed {
    pub partition: i32,
    pub offset: i64,
    pub event: Event,
}

/// What one consumed batch did to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumedReport {
    /// Events stored now.
    pub stored: u64,
    /// Events whose (source, eventId) was stored already (a client's retry).
    pub duplicates: u64,
    /// Messages at or past an offset the store had already passed (a redelivery).
    pub redelivered: u64,
}

/// The durable event store as the sink consumer sees it.
#[async_trait]
pub trait SinkLog: Send + Sync {
    /// Stores the events of `topic` whose offsets the store has not passed yet and moves each
    /// partition's next offset past the batch, in one transaction.
    fn append_consumed(&self, topic: &str, batch: Vec<Consumed>) -> Pending<ConsumedReport>;
    /// The next offset to store, per partition of `topic` (partitions never stored are absent).
    async fn positions(&self, topic: &str) -> Result<Vec<(i32, i64)>, StoreError>;
    /// Which of these (source, eventId) pairs are stored already (the producer's duplicate
    /// check, so a retried batch is reported as duplicates and not sent again).
    async fn stored_keys(&self, keys: &[(String, String)]) -> Result<Vec<bool>, StoreError>;
}

/// One partition's consumer lag: the broker's end offset against the sink group's committed one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionLag {
    pub partition: i32,
    /// The offset the next message will get.
    pub end: i64,
    /// The group's committed offset (-1: nothing committed yet).
    pub committed: i64,
    /// Messages not yet consumed and written: `end - max(committed, low watermark)`.
    pub lag: i64,
}

/// The lag of the sink group, as last measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkLag {
    pub topic: String,
    pub group: String,
    pub partitions: Vec<PartitionLag>,
    /// When it was measured (ms since the epoch; 0: never).
    pub measured_at: i64,
    /// Why the last measurement failed, when it did.
    pub error: Option<String>,
    /// What this node's member of the group has done since it started.
    pub sink: SinkFigures,
    /// With FCFS commands on Kafka: what this node's member of the command group has done
    /// (`stored`: applied, `duplicates`: refused by a rule of the store).
    pub commands: Option<SinkFigures>,
}

/// One sink member's work since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkFigures {
    pub stored: u64,
    pub duplicates: u64,
    pub redelivered: u64,
    /// Messages that were not events (passed over).
    pub skipped: u64,
}

impl SinkLag {
    pub fn total(&self) -> i64 {
        self.partitions.iter().map(|p| p.lag).sum()
    }
}

/// Reports the sink group's lag (`/metrics`, `/readyz`).
pub trait LagSource: Send + Sync {
    fn lag(&self) -> SinkLag;
}
