//! Entries and purchases.

use super::rows::{dec, opt_ts, ts, wire};
use super::SqliteStore;
use crate::CommerceRepo;
use crate::{Pending, StoreError};
use axon_domain::model::{ActivityId, Entry, EntryStatus, Purchase, PurchaseType};
use rusqlite::{params, Connection, Row};

pub(super) const ENTRY_SELECT: &str = "SELECT id, activity_id, user_id, status, ord, quantity, requested_at, processed_at FROM entries";
pub(super) const PURCHASE_SELECT: &str =
    "SELECT id, user_id, product_id, activity_id, purchase_type, price, quantity, purchased_at, order_id FROM purchases";

pub(super) fn entry_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: r.get(0)?,
        activity_id: r.get(1)?,
        user_id: r.get(2)?,
        status: wire(r, 3, EntryStatus::parse)?,
        order: r.get(4)?,
        quantity: r.get(5)?,
        requested_at: ts(r, 6)?,
        processed_at: opt_ts(r, 7)?,
    })
}

pub(super) fn purchase_row(r: &Row<'_>) -> rusqlite::Result<Purchase> {
    Ok(Purchase {
        id: r.get(0)?,
        user_id: r.get(1)?,
        product_id: r.get(2)?,
        activity_id: r.get(3)?,
        purchase_type: wire(r, 4, PurchaseType::parse)?,
        price: dec(r, 5)?,
        quantity: r.get(6)?,
        purchased_at: ts(r, 7)?,
        order_id: r.get(8)?,
    })
}

pub(crate) fn insert_entries(conn: &Connection, entries: &[Entry]) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(
                "INSERT INTO entries (activity_id, user_id, status, ord, quantity, requested_at, processed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(activity_id, user_id) DO UPDATE SET status = excluded.status, ord = excluded.ord,
                   quantity = excluded.quantity, requested_at = excluded.requested_at, processed_at = excluded.processed_at",
            )?;
    for e in entries {
        stmt.execute(params![
            e.activity_id,
            e.user_id,
            e.status.as_str(),
            e.order,
            e.quantity,
            e.requested_at.0,
            e.processed_at.map(|t| t.0)
        ])?;
    }
    Ok(entries.len())
}

pub(crate) fn insert_purchases(
    conn: &Connection,
    purchases: &[Purchase],
) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(
                "INSERT INTO purchases (id, user_id, product_id, activity_id, purchase_type, price, quantity, purchased_at, order_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, product_id = excluded.product_id,
                   activity_id = excluded.activity_id, purchase_type = excluded.purchase_type, price = excluded.price,
                   quantity = excluded.quantity, purchased_at = excluded.purchased_at, order_id = excluded.order_id",
            )?;
    let mut profile = conn.prepare_cached(
                "INSERT INTO user_profiles (user_id, last_purchase_at) VALUES (?1, ?2)
                 ON CONFLICT(user_id) DO UPDATE SET last_purchase_at =
                   max(coalesce(last_purchase_at, excluded.last_purchase_at), excluded.last_purchase_at)",
            )?;
    for p in purchases {
        let id = (p.id != 0).then_some(p.id);
        stmt.execute(params![
            id,
            p.user_id,
            p.product_id,
            p.activity_id,
            p.purchase_type.as_str(),
            p.price.0,
            p.quantity,
            p.purchased_at.0,
            p.order_id
        ])
        .map_err(|e| {
            if super::is_constraint(&e) {
                StoreError::conflict(
                    "DUPLICATE_PURCHASE",
                    format!(
                        "purchase {} repeats a promotion purchase or an orderId",
                        p.id
                    ),
                )
            } else {
                e.into()
            }
        })?;
        profile.execute(params![p.user_id, p.purchased_at.0])?;
    }
    Ok(purchases.len())
}

#[async_trait::async_trait]
impl CommerceRepo for SqliteStore {
    fn upsert_entries(&self, entries: Vec<Entry>) -> Pending<usize> {
        self.writer()
            .submit(move |conn| insert_entries(conn, &entries))
    }

    fn upsert_purchases(&self, purchases: Vec<Purchase>) -> Pending<usize> {
        self.writer()
            .submit(move |conn| insert_purchases(conn, &purchases))
    }

    async fn entries(&self, activity: ActivityId) -> Result<Vec<Entry>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{ENTRY_SELECT} WHERE activity_id = ? ORDER BY id DESC"
            ))?;
            let rows = stmt.query_map([activity], entry_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    async fn all_entries(&self, visit: &mut (dyn FnMut(Entry) + Send)) -> Result<(), StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{ENTRY_SELECT} ORDER BY id"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                visit(entry_row(r)?);
            }
            Ok(())
        })
    }

    async fn all_purchases(
        &self,
        visit: &mut (dyn FnMut(Purchase) + Send),
    ) -> Result<(), StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{PURCHASE_SELECT} ORDER BY id"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                visit(purchase_row(r)?);
            }
            Ok(())
        })
    }

    async fn purchases_of_user(&self, user_id: &str) -> Result<Vec<Purchase>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{PURCHASE_SELECT} WHERE user_id = ? ORDER BY purchased_at, id"
            ))?;
            let rows = stmt.query_map([user_id], purchase_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
