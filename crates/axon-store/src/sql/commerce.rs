//! Entries and purchases on the SQL backends (mirrors `sqlite/commerce.rs`).

use super::rows::{dec, i, oi, os, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::CommerceRepo;
use crate::{Pending, StoreError};
use axon_domain::model::{ActivityId, Entry, EntryStatus, Purchase, PurchaseType};
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;
use std::collections::{HashMap, HashSet};

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

/// Rows per multi-row statement (≤ 9 parameters each).
const BULK_ROWS: usize = 1000;

/// Inserts or replaces entries by (activityId, userId), many rows per statement (the later of
/// two rows for one key wins, as when they are written one by one).
pub(crate) async fn insert_entries(
    c: &mut AnyConnection,
    d: Dialect,
    entries: &[Entry],
) -> SqlResult<usize> {
    let mut last: HashMap<(ActivityId, &str), usize> = HashMap::with_capacity(entries.len());
    for (k, e) in entries.iter().enumerate() {
        last.insert((e.activity_id, e.user_id.as_str()), k);
    }
    let rows: Vec<&Entry> = entries
        .iter()
        .enumerate()
        .filter(|(k, e)| last.get(&(e.activity_id, e.user_id.as_str())) == Some(k))
        .map(|(_, e)| e)
        .collect();
    // (activity_id, user_id) is the only unique key these columns can hit (id is generated).
    let upsert = d.upsert(
        "activity_id, user_id",
        &["status", "ord", "quantity", "requested_at", "processed_at"],
    );
    for chunk in rows.chunks(BULK_ROWS) {
        let values = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = d.q(&format!(
            "INSERT INTO entries (activity_id, user_id, status, ord, quantity, requested_at, processed_at) VALUES {values}{upsert}"
        )).into_owned();
        let mut q = query(&sql);
        for e in chunk {
            q = q
                .bind(e.activity_id)
                .bind(e.user_id.as_str())
                .bind(e.status.as_str())
                .bind(e.order)
                .bind(e.quantity)
                .bind(e.requested_at.0)
                .bind(e.processed_at.map(|t| t.0));
        }
        q.execute(&mut *c).await.db()?;
    }
    Ok(entries.len())
}

fn purchase_conflict(e: sqlx_core::Error, what: &str) -> StoreError {
    if super::rows::is_unique(&e) {
        StoreError::conflict(
            "DUPLICATE_PURCHASE",
            format!("{what} repeats a promotion purchase or an orderId"),
        )
    } else {
        super::rows::db_err(e)
    }
}

/// Inserts or replaces purchases by id (`id == 0` takes the next id), keeping each buyer's
/// `last_purchase_at` the latest; a repeated orderId or promotion purchase is refused.
///
/// New ids go in as multi-row plain `INSERT`s (so any other unique key they hit is refused,
/// exactly as one by one); ids already stored are updated one by one (a re-import).
pub(crate) async fn insert_purchases(
    c: &mut AnyConnection,
    d: Dialect,
    purchases: &[Purchase],
) -> SqlResult<usize> {
    let mut next = None;
    let mut rows: Vec<Purchase> = Vec::with_capacity(purchases.len());
    let mut at: HashMap<i64, usize> = HashMap::new();
    for p in purchases {
        let mut p = p.clone();
        if p.id == 0 {
            let id = match next {
                Some(n) => n,
                None => super::rows::next_id(c, "purchases", "id").await?,
            };
            // Later explicit ids in this batch may be larger; never reuse one of them.
            let id = id.max(purchases.iter().map(|q| q.id).max().unwrap_or(0) + 1);
            next = Some(id + 1);
            p.id = id;
        }
        match at.get(&p.id) {
            Some(&k) => rows[k] = p,
            None => {
                at.insert(p.id, rows.len());
                rows.push(p);
            }
        }
    }
    let mut fresh = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(BULK_ROWS) {
        let ids = vec!["?"; chunk.len()].join(", ");
        let sql = d
            .q(&format!("SELECT id FROM purchases WHERE id IN ({ids})"))
            .into_owned();
        let mut q = sqlx_core::query_scalar::query_scalar::<_, i64>(&sql);
        for p in chunk {
            q = q.bind(p.id);
        }
        let stored: HashSet<i64> = q.fetch_all(&mut *c).await.db()?.into_iter().collect();
        for p in chunk {
            if stored.contains(&p.id) {
                query(&d.q(
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
                .bind(p.id)
                .execute(&mut *c)
                .await
                .map_err(|e| purchase_conflict(e, &format!("purchase {}", p.id)))?;
            } else {
                fresh.push(p);
            }
        }
    }
    for chunk in fresh.chunks(BULK_ROWS) {
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = d.q(&format!(
            "INSERT INTO purchases (id, user_id, product_id, activity_id, purchase_type, price, quantity, purchased_at, order_id) VALUES {values}"
        )).into_owned();
        let mut q = query(&sql);
        for p in chunk {
            q = q
                .bind(p.id)
                .bind(p.user_id.as_str())
                .bind(p.product_id)
                .bind(p.activity_id)
                .bind(p.purchase_type.as_str())
                .bind(p.price.0)
                .bind(p.quantity)
                .bind(p.purchased_at.0)
                .bind(p.order_id.as_deref());
        }
        let first = chunk.first().map_or(0, |p| p.id);
        q.execute(&mut *c).await.map_err(|e| {
            purchase_conflict(e, &format!("a purchase of the batch from id {first}"))
        })?;
    }
    // Each buyer's latest purchase, merged into the profile (created when missing).
    let mut latest: HashMap<&str, i64> = HashMap::new();
    for p in purchases {
        let t = latest.entry(p.user_id.as_str()).or_insert(p.purchased_at.0);
        *t = (*t).max(p.purchased_at.0);
    }
    let mut latest: Vec<(&str, i64)> = latest.into_iter().collect();
    latest.sort_unstable();
    let keep = match d {
        Dialect::Postgres => " ON CONFLICT (user_id) DO UPDATE SET last_purchase_at = GREATEST(COALESCE(user_profiles.last_purchase_at, EXCLUDED.last_purchase_at), EXCLUDED.last_purchase_at)",
        Dialect::MySql => " ON DUPLICATE KEY UPDATE last_purchase_at = GREATEST(COALESCE(last_purchase_at, VALUES(last_purchase_at)), VALUES(last_purchase_at))",
    };
    for chunk in latest.chunks(BULK_ROWS) {
        let values = vec!["(?, ?)"; chunk.len()].join(", ");
        let sql = d
            .q(&format!(
                "INSERT INTO user_profiles (user_id, last_purchase_at) VALUES {values}{keep}"
            ))
            .into_owned();
        let mut q = query(&sql);
        for (user, t) in chunk {
            q = q.bind(*user).bind(*t);
        }
        q.execute(&mut *c).await.db()?;
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
