//! Entries and purchases as they stand, and the store's commits written to ClickHouse.
//!
//! Entries change (APPROVED → PAID or CANCELLED) and purchases may be written again, so their
//! tables keep the row with the highest version per key, and every read goes through `FINAL`.
//! A version orders the store's commits: the commit number in the high bits and the change's
//! position in its commit below, so the later of two writes of one entry always wins, whatever
//! order the inserts arrive in. State loaded at start-up is versioned just above every change of
//! the commit it was read at ([`CAUGHT_UP`]), so a feed commit at or below that number that
//! arrives after the load cannot undo it.

use crate::events::EventRow;
use crate::{ChError, ClickHouse};
use axon_domain::model::{Entry, Purchase, PurchaseType};
use axon_ports::feed::{Change, Commit};
use clickhouse::Row;
use serde::Serialize;

/// Bits of a version below the commit number.
const POSITION_BITS: u32 = 21;
/// The position of state loaded at a commit (above every change's position).
pub const CAUGHT_UP: u64 = (1 << POSITION_BITS) - 1;

/// The version of the change at `position` in commit `number`.
pub fn version(number: u64, position: u64) -> u64 {
    (number << POSITION_BITS) | (position + 1).min(CAUGHT_UP - 1)
}

/// The version of state read when commit `number` was the newest.
pub fn loaded_at(number: u64) -> u64 {
    (number << POSITION_BITS) | CAUGHT_UP
}

#[derive(Debug, Row, Serialize)]
struct EntryRow<'a> {
    activity_id: i64,
    user_id: &'a str,
    id: i64,
    status: &'a str,
    quantity: i64,
    requested_at: i64,
    version: u64,
}

#[derive(Debug, Row, Serialize)]
struct PurchaseRow<'a> {
    id: i64,
    user_id: &'a str,
    activity_id: i64,
    product_id: i64,
    promo: u8,
    revenue: i64,
    purchased_at: i64,
    version: u64,
}

impl ClickHouse {
    /// Writes entries as they stand, each with its version.
    pub async fn insert_entries(&self, entries: &[(u64, Entry)]) -> Result<(), ChError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut insert = self.client().insert::<EntryRow<'_>>("entries").await?;
        for (version, e) in entries {
            insert
                .write(&EntryRow {
                    activity_id: e.activity_id,
                    user_id: &e.user_id,
                    id: e.id,
                    status: e.status.as_str(),
                    quantity: e.quantity,
                    requested_at: e.requested_at.0,
                    version: *version,
                })
                .await?;
        }
        Ok(insert.end().await?)
    }

    /// Writes purchases, each with its version.
    pub async fn insert_purchases(&self, purchases: &[(u64, Purchase)]) -> Result<(), ChError> {
        if purchases.is_empty() {
            return Ok(());
        }
        let mut insert = self.client().insert::<PurchaseRow<'_>>("purchases").await?;
        for (version, p) in purchases {
            insert
                .write(&PurchaseRow {
                    id: p.id,
                    user_id: &p.user_id,
                    activity_id: p.activity_id.unwrap_or(0),
                    product_id: p.product_id.unwrap_or(0),
                    promo: u8::from(p.purchase_type == PurchaseType::CampaignActivity),
                    revenue: p.revenue().0,
                    purchased_at: p.purchased_at.0,
                    version: *version,
                })
                .await?;
        }
        Ok(insert.end().await?)
    }

    /// Writes what some commits changed: events, entries and purchases (the catalogue stays in
    /// the store). Writing the same commits again changes no answer.
    pub async fn write_commits(&self, commits: &[&Commit]) -> Result<(), ChError> {
        let (mut events, mut entries, mut purchases) = (Vec::new(), Vec::new(), Vec::new());
        for c in commits {
            for (i, change) in c.changes.iter().enumerate() {
                let v = version(c.number, i as u64);
                match change {
                    Change::Event { seq, event } => events.push(EventRow::of(*seq, event)),
                    Change::Entry(e) => entries.push((v, e.clone())),
                    Change::Purchase(p) => purchases.push((v, p.clone())),
                    _ => {}
                }
            }
        }
        self.insert_event_rows(events).await?;
        self.insert_entries(&entries).await?;
        self.insert_purchases(&purchases).await
    }
}
