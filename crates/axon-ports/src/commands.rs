//! The FCFS command log (scale-out mode with Kafka and Redis): the gate's durable writes as
//! commands on the broker, applied to the SQL store by a consumer group, exactly once.
//!
//! After the Redis reservation a node publishes the approval (and later the approval token, the
//! payment, the cancellation of an expired hold) to `axon.campaign-activity.command`, keyed by
//! activity and person, and answers once the broker acknowledged it. A consumer group applies
//! each batch with [`CommandLog::apply_commands`]: every command in its own savepoint, its
//! [`Outcome`] recorded under its id, and the partition offsets moved — all in one transaction,
//! so a batch delivered again applies nothing twice.

use crate::gate::{NewEntry, NewPurchase, TokenRecord};
use crate::{Pending, StoreError};
use async_trait::async_trait;
use axon_domain::Ts;
use serde::{Deserialize, Serialize};

/// One of the gate's durable writes.
#[derive(Debug, Clone)]
pub enum Command {
    /// An admitted entry with its reservation token, coupon and `APPROVED` event.
    Enter(NewEntry),
    /// An approval token (payment step 2).
    Token(TokenRecord),
    /// A purchase with its `PURCHASE` event (payment step 3, or a reported purchase).
    Pay(NewPurchase),
    /// Expired holds: these APPROVED entries become CANCELLED.
    Cancel { ids: Vec<i64>, at: Ts },
}

/// A command as consumed: where it sits in the topic, and the id its producer gave it.
#[derive(Debug, Clone)]
pub struct ConsumedCommand {
    pub partition: i32,
    pub offset: i64,
    pub id: String,
    pub command: Command,
}

/// What applying a command did, recorded under the command's id for the producer waiting on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    #[serde(rename_all = "camelCase")]
    Entered {
        entry_id: i64,
        user_coupon_id: Option<i64>,
    },
    Token,
    #[serde(rename_all = "camelCase")]
    Paid {
        purchase_id: i64,
        /// False when the orderId (or the entry) had been recorded before.
        created: bool,
    },
    /// The ids of the entries that were still APPROVED and are now CANCELLED.
    Cancelled {
        ids: Vec<i64>,
    },
    /// A rule of the store refused it (`DUPLICATED`, `OUT_OF_STOCK`, …): nothing was written.
    Refused {
        code: String,
        message: String,
    },
}

/// What one applied batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedReport {
    pub applied: u64,
    pub refused: u64,
    /// Messages at or past an offset the store had already passed (a redelivery).
    pub redelivered: u64,
}

/// The SQL store as the command consumer and the waiting producers see it.
#[async_trait]
pub trait CommandLog: Send + Sync {
    /// Applies the commands of `topic` whose offsets the store has not passed yet, records their
    /// outcomes and moves each partition's next offset past the batch, in one transaction.
    fn apply_commands(&self, topic: &str, batch: Vec<ConsumedCommand>) -> Pending<AppliedReport>;
    /// The recorded outcome of a command (`None`: not applied yet, or pruned).
    async fn outcome(&self, id: &str) -> Result<Option<Outcome>, StoreError>;
    /// Deletes the outcomes recorded before `before`; how many. An outcome is read by the node
    /// waiting on its command (seconds) and guards against a producer sending a command twice
    /// (its retries, seconds too): the consumer keeps them for [`OUTCOME_RETENTION_MS`].
    async fn prune_outcomes(&self, before: Ts) -> Result<u64, StoreError>;
}

/// How long command outcomes are kept: a week.
pub const OUTCOME_RETENTION_MS: i64 = 7 * 24 * 3_600_000;
