//! The alerts' storage: rules with their firing state, the delivery log, and the evaluator's
//! lease — the row that makes exactly one node evaluate in the scale-out mode.

use crate::{Pending, StoreError};
use async_trait::async_trait;
use axon_domain::alert::{AlertDelivery, AlertRule};
use axon_domain::Ts;

/// The name of the alert evaluator's lease row.
pub const ALERT_LEASE: &str = "alerts";

#[async_trait]
pub trait AlertRepo: Send + Sync {
    /// Stores a new rule (its id is assigned here).
    fn create_alert_rule(&self, rule: AlertRule) -> Pending<AlertRule>;
    /// Removes a rule and its delivery log; `NotFound` when there is no such rule.
    fn delete_alert_rule(&self, id: i64) -> Pending<()>;
    /// Records the evaluator's decision: firing or not, since when, and what it saw.
    fn set_alert_state(
        &self,
        id: i64,
        firing: bool,
        since: Option<Ts>,
        detail: String,
    ) -> Pending<()>;
    /// Appends one delivery attempt to the log.
    fn record_delivery(&self, d: AlertDelivery) -> Pending<AlertDelivery>;
    /// Takes or renews the lease `name` for `holder` until `until` when it is free, expired at
    /// `now`, or already `holder`'s — one conditional update, so of two nodes asking at once
    /// exactly one holds it. Answers whether `holder` holds it now.
    fn claim_lease(&self, name: &str, holder: &str, now: Ts, until: Ts) -> Pending<bool>;
    /// Every rule, oldest first.
    async fn alert_rules(&self) -> Result<Vec<AlertRule>, StoreError>;
    /// The newest `limit` delivery attempts of a rule, newest first.
    async fn deliveries(&self, rule: i64, limit: usize) -> Result<Vec<AlertDelivery>, StoreError>;
}
