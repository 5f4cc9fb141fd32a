//! Entries and purchases on the SQL backends (mirrors `sqlite/commerce.rs`).

use super::rows::{dec, i, oi, os, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::CommerceRepo;
use crate::{Pending, StoreError};
use axon_domain::model::{ActivityId, Entry, EntryStatus, Purchase, PurchaseType};
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

pub(super) const ENTRY_SELECT: &str = "SELECT id, activity_id, user_id, status, ord, quantity, requested_at, processed_at FROM entries";
pub(super) const PURCHASE_SELECT: &str =
    "SELECT id, user_id, product_id, activity_id, purchase_type, price, quantity, purchased_at, order_id FROM purchases";

pub(super) fn entry_row(r: &AnyRow) -> SqlResult<Entry> {
    Ok(Entry {
        id: i(r, 0)?,
        activity_id: i(r, 1)?,
        user_id: s(r, 2)?,
        status: wire(r, 3, EntryStatus::parse)?,
        order: i(r, 4)?,
        quantity: i(r, 5)?,
        requested_at: ts(r, 6)?,
        processed_at: ots(r, 7)?,
    })
}

pub(super) fn purchase_row(r: &AnyRow) -> SqlResult<Purchase> {
    Ok(Purchase {
        id: i(r, 0)?,
        user_id: s(r, 1)?,
        product_id: oi(r, 2)?,
        activity_id: oi(r, 3)?,
        purchase_type: wire(r, 4, PurchaseType::parse)?,
        price: dec(r, 5)?,
        quantity: i(r, 6)?,
        purchased_at: ts(r, 7)?,
        order_id: os(r, 8)?,
    })
}

/// Inserts or replaces entries by (activityId, userId).
pub(crate) async fn insert_entries(
    c: &mut AnyConnection,
    d: Dialect,
    entries: &[Entry],
) -> SqlResult<usize> {
    for e in entries {
        let updated = query(&d.q(
            "UPDATE entries SET status = ?, ord = ?, quantity = ?, requested_at = ?, processed_at = ?
             WHERE activity_id = ? AND user_id = ?",
        ))
        .bind(e.status.as_str())
        .bind(e.order)
        .bind(e.quantity)
        .bind(e.requested_at.0)
        .bind(e.processed_at.map(|t| t.0))
        .bind(e.activity_id)
        .bind(e.user_id.as_str())
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
        if updated == 0 {
            query(&d.q(
                "INSERT INTO entries (activity_id, user_id, status, ord, quantity, requested_at, processed_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            ))
            .bind(e.activity_id)
            .bind(e.user_id.as_str())
            .bind(e.status.as_str())
            .bind(e.order)
            .bind(e.quantity)
            .bind(e.requested_at.0)
            .bind(e.processed_at.map(|t| t.0))
            .execute(&mut *c)
            .await
            .db()?;
        }
    }
    Ok(entries.len())
}

/// Inserts or replaces purchases by id (`id == 0` takes the next id), keeping each buyer's
/// `last_purchase_at` the latest; a repeated orderId or promotion purchase is refused.
pub(crate) async fn insert_purchases(
    c: &mut AnyConnection,
    d: Dialect,
    purchases: &[Purchase],
) -> SqlResult<usize> {
    for p in purchases {
        let duplicate = |e: sqlx_core::Error| {
            if super::rows::is_unique(&e) {
                StoreError::conflict(
                    "DUPLICATE_PURCHASE",
                    format!(
                        "purchase {} repeats a promotion purchase or an orderId",
                        p.id
                    ),
                )
            } else {
                super::rows::db_err(e)
            }
        };
        let mut id = p.id;
        let mut updated = 0;
        if id != 0 {
            updated = query(&d.q(
                "UPDATE purchases SET user_id = ?, product_id = ?, activity_id = ?, purchase_type = ?, price = ?,
                   quantity = ?, purchased_at = ?, order_id = ? WHERE id = ?",
            ))
            .bind(p.user_id.as_str())
            .bind(p.product_id)
            .bind(p.activity_id)
            .bind(p.purchase_type.as_str())
            .bind(p.price.0)
            .bind(p.quantity)
            .bind(p.purchased_at.0)
            .bind(p.order_id.as_deref())
            .bind(id)
            .execute(&mut *c)
            .await
            .map_err(duplicate)?
            .rows_affected();
        } else {
            id = super::rows::next_id(c, "purchases", "id").await?;
        }
        if updated == 0 {
            query(&d.q(
                "INSERT INTO purchases (id, user_id, product_id, activity_id, purchase_type, price, quantity, purchased_at, order_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ))
            .bind(id)
            .bind(p.user_id.as_str())
            .bind(p.product_id)
            .bind(p.activity_id)
            .bind(p.purchase_type.as_str())
            .bind(p.price.0)
            .bind(p.quantity)
            .bind(p.purchased_at.0)
            .bind(p.order_id.as_deref())
            .execute(&mut *c)
            .await
            .map_err(duplicate)?;
        }
        let touched = query(&d.q(
            "UPDATE user_profiles SET last_purchase_at = GREATEST(COALESCE(last_purchase_at, ?), ?) WHERE user_id = ?",
        ))
        .bind(p.purchased_at.0)
        .bind(p.purchased_at.0)
        .bind(p.user_id.as_str())
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
        if touched == 0 {
            query(&d.q("INSERT INTO user_profiles (user_id, last_purchase_at) VALUES (?, ?)"))
                .bind(p.user_id.as_str())
                .bind(p.purchased_at.0)
                .execute(&mut *c)
                .await
                .db()?;
        }
    }
    Ok(purchases.len())
}

#[async_trait::async_trait]
impl CommerceRepo for SqlStore {
    fn upsert_entries(&self, entries: Vec<Entry>) -> Pending<usize> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, _| Box::pin(async move { insert_entries(c, d, &entries).await }))
    }

    fn upsert_purchases(&self, purchases: Vec<Purchase>) -> Pending<usize> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, _| Box::pin(async move { insert_purchases(c, d, &purchases).await }))
    }

    async fn entries(&self, activity: ActivityId) -> Result<Vec<Entry>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{ENTRY_SELECT} WHERE activity_id = ? ORDER BY id DESC"
            )))
            .bind(activity)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(entry_row)
            .collect()
        })
        .await
    }

    async fn all_entries(&self, visit: &mut (dyn FnMut(Entry) + Send)) -> Result<(), StoreError> {
        self.stream(format!("{ENTRY_SELECT} ORDER BY id"), entry_row, visit)
            .await
            .map(|_| ())
    }

    async fn all_purchases(
        &self,
        visit: &mut (dyn FnMut(Purchase) + Send),
    ) -> Result<(), StoreError> {
        self.stream(
            format!("{PURCHASE_SELECT} ORDER BY id"),
            purchase_row,
            visit,
        )
        .await
        .map(|_| ())
    }

    async fn purchases_of_user(&self, user_id: &str) -> Result<Vec<Purchase>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{PURCHASE_SELECT} WHERE user_id = ? ORDER BY purchased_at, id"
            )))
            .bind(user_id)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(purchase_row)
            .collect()
        })
        .await
    }
}
