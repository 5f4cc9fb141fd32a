//! The gate's port on SQLite: each acknowledging write is one writer job, so the entry, its
//! token, its coupon and its backend event commit (and fsync) together.

use super::commerce::{entry_row, purchase_row, ENTRY_SELECT, PURCHASE_SELECT};
use super::coupons::{self, coupon_row, user_coupon_row, COUPON_SELECT, USER_COUPON_SELECT};
use super::events::insert_events;
use super::rows::ts;
use super::{is_constraint, SqliteStore};
use crate::{Change, Pending, StoreError};
use crate::{
    Draw, DrawWritten, GateRepo, NewEntry, NewPurchase, TokenKind, TokenRecord, WrittenEntry,
    WrittenPurchase,
};
use axon_domain::coupon::{Coupon, UserCoupon};
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, Entry, EntryStatus, Purchase};
use axon_domain::Ts;
use rusqlite::{params, Connection, OptionalExtension, Row};

const TOKEN_SELECT: &str =
    "SELECT token, kind, entry_id, activity_id, user_id, expires_at FROM gate_tokens";

fn token_row(r: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    let kind: String = r.get(1)?;
    Ok(TokenRecord {
        token: r.get(0)?,
        kind: if kind == "APPROVAL" {
            TokenKind::Approval
        } else {
            TokenKind::Reservation
        },
        entry_id: r.get(2)?,
        activity_id: r.get(3)?,
        user_id: r.get(4)?,
        expires_at: ts(r, 5)?,
    })
}

fn get_entry(conn: &Connection, id: i64) -> Result<Option<Entry>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{ENTRY_SELECT} WHERE id = ?"))?
        .query_row([id], entry_row)
        .optional()?)
}

fn insert_token(conn: &Connection, t: &TokenRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO gate_tokens (token, kind, entry_id, activity_id, user_id, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![t.token, t.kind.as_str(), t.entry_id, t.activity_id, t.user_id, t.expires_at.0])?;
    Ok(())
}

fn write_entry(
    conn: &Connection,
    n: NewEntry,
    out: &mut Vec<Change>,
) -> Result<WrittenEntry, StoreError> {
    let e = &n.entry;
    conn.prepare_cached(
        "INSERT INTO entries (activity_id, user_id, status, ord, quantity, requested_at, processed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![e.activity_id, e.user_id, e.status.as_str(), e.order, e.quantity, e.requested_at.0,
        e.processed_at.map(|t| t.0)])
    .map_err(|err| {
        if is_constraint(&err) {
            StoreError::conflict("DUPLICATED", "this user has already entered this activity")
        } else {
            err.into()
        }
    })?;
    let mut entry = n.entry.clone();
    entry.id = conn.last_insert_rowid();
    if let Some((token, expires_at)) = n.reservation {
        insert_token(
            conn,
            &TokenRecord {
                token,
                kind: TokenKind::Reservation,
                entry_id: entry.id,
                activity_id: entry.activity_id,
                user_id: entry.user_id.clone(),
                expires_at,
            },
        )?;
    }
    let user_coupon = n
        .coupon_id
        .map(|c| {
            coupons::issue(
                conn,
                &entry.user_id,
                c,
                entry.activity_id,
                entry.requested_at,
            )
        })
        .transpose()?;
    let report = insert_events(conn, std::slice::from_ref(&n.event))?;
    let seq = report.seqs.first().copied().flatten();
    if let Some(seq) = seq {
        out.push(Change::Event {
            seq,
            event: n.event,
        });
    }
    out.push(Change::Entry(entry.clone()));
    Ok(WrittenEntry {
        entry,
        seq,
        user_coupon,
    })
}

fn purchase_by_order(conn: &Connection, order: &str) -> Result<Option<Purchase>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{PURCHASE_SELECT} WHERE order_id = ?"))?
        .query_row([order], purchase_row)
        .optional()?)
}

fn write_purchase(
    conn: &Connection,
    n: NewPurchase,
    out: &mut Vec<Change>,
) -> Result<WrittenPurchase, StoreError> {
    let p = &n.purchase;
    let order = p.order_id.clone().unwrap_or_default();
    if let Some(existing) = purchase_by_order(conn, &order)? {
        let entry = n
            .entry_id
            .map(|id| get_entry(conn, id))
            .transpose()?
            .flatten();
        return Ok(WrittenPurchase {
            purchase: existing,
            created: false,
            seq: None,
            entry,
            product: None,
        });
    }
    let mut entry = None;
    if let Some(id) = n.entry_id {
        let changed = conn
            .prepare_cached(
                "UPDATE entries SET status = 'PAID', processed_at = ?2 WHERE id = ?1 AND status = 'APPROVED'",
            )?
            .execute(params![id, p.purchased_at.0])?;
        if changed == 0 {
            return Err(StoreError::conflict(
                "ENTRY_NOT_PAYABLE",
                format!("entry {id} is no longer awaiting payment"),
            ));
        }
        entry = get_entry(conn, id)?;
    }
    if let Some(product) = p.product_id {
        let changed = conn
            .prepare_cached("UPDATE products SET stock = stock - ?2 WHERE id = ?1 AND stock >= ?2")?
            .execute(params![product, p.quantity])?;
        if changed == 0 {
            let stock: Option<i64> = conn
                .query_row("SELECT stock FROM products WHERE id = ?", [product], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(stock) = stock {
                return Err(StoreError::conflict(
                    "OUT_OF_STOCK",
                    format!(
                        "product {product} has {stock} in stock, {} requested",
                        p.quantity
                    ),
                ));
            }
        }
    }
    super::commerce::insert_purchases(conn, std::slice::from_ref(p))?;
    let purchase = purchase_by_order(conn, &order)?
        .ok_or_else(|| StoreError::Internal("the purchase vanished".into()))?;
    let mut event = n.event;
    event
        .properties
        .insert("purchaseId".into(), purchase.id.into());
    let report = insert_events(conn, std::slice::from_ref(&event))?;
    let product = match p.product_id {
        Some(id) => super::catalog::get_product(conn, id)?,
        None => None,
    };
    let seq = report.seqs.first().copied().flatten();
    if let Some(seq) = seq {
        out.push(Change::Event { seq, event });
    }
    out.extend(entry.clone().map(Change::Entry));
    out.push(Change::Purchase(purchase.clone()));
    out.extend(product.clone().map(Change::Product));
    Ok(WrittenPurchase {
        purchase,
        created: true,
        seq,
        entry,
        product,
    })
}

fn write_draw(
    conn: &Connection,
    d: &Draw,
    entries: &[Entry],
    events: &[Event],
    out: &mut Vec<Change>,
) -> Result<DrawWritten, StoreError> {
    let winners = serde_json::to_string(&d.winners).unwrap_or_default();
    conn.execute(
        "INSERT INTO draws (activity_id, seed, participants, winners, drawn_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.activity_id, d.seed.to_string(), d.participants, winners, d.drawn_at.0],
    )
    .map_err(|e| {
        if is_constraint(&e) {
            StoreError::conflict("ALREADY_DRAWN", format!("activity {} has already been drawn", d.activity_id))
        } else {
            e.into()
        }
    })?;
    super::commerce::insert_entries(conn, entries)?;
    let mut stored = Vec::with_capacity(entries.len());
    for e in entries {
        let id: i64 = conn.query_row(
            "SELECT id FROM entries WHERE activity_id = ? AND user_id = ?",
            params![e.activity_id, e.user_id],
            |r| r.get(0),
        )?;
        stored.push(Entry { id, ..e.clone() });
    }
    let report = insert_events(conn, events)?;
    let seqs: Vec<(u64, Event)> = report
        .seqs
        .iter()
        .zip(events)
        .filter_map(|(s, e)| s.map(|s| (s, e.clone())))
        .collect();
    out.extend(seqs.iter().map(|(seq, event)| Change::Event {
        seq: *seq,
        event: event.clone(),
    }));
    out.extend(stored.iter().cloned().map(Change::Entry));
    Ok((stored, seqs))
}

#[async_trait::async_trait]
impl GateRepo for SqliteStore {
    fn insert_entry(&self, e: NewEntry) -> Pending<WrittenEntry> {
        self.writer()
            .submit_changes(move |conn, out| write_entry(conn, e, out))
    }

    fn add_token(&self, t: TokenRecord) -> Pending<()> {
        self.writer().submit(move |conn| insert_token(conn, &t))
    }

    async fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("{TOKEN_SELECT} WHERE token = ?"))?
                .query_row([token], token_row)
                .optional()?)
        })
    }

    async fn open_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{TOKEN_SELECT} WHERE entry_id IN (SELECT id FROM entries WHERE status = 'APPROVED')"
            ))?;
            let rows = stmt.query_map([], token_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    async fn tokens_of_entry(&self, entry_id: i64) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{TOKEN_SELECT} WHERE entry_id = ?"))?;
            let rows = stmt.query_map([entry_id], token_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn cancel_entries(&self, ids: Vec<i64>, at: Ts) -> Pending<Vec<Entry>> {
        self.writer().submit_changes(move |conn, out| {
            let mut changed = Vec::new();
            let mut stmt = conn.prepare_cached(
                "UPDATE entries SET status = 'CANCELLED', processed_at = ?2 WHERE id = ?1 AND status = 'APPROVED'",
            )?;
            for id in ids {
                if stmt.execute(params![id, at.0])? == 1 {
                    changed.extend(get_entry(conn, id)?);
                }
            }
            out.extend(changed.iter().cloned().map(Change::Entry));
            Ok(changed)
        })
    }

    fn record_purchase(&self, p: NewPurchase) -> Pending<WrittenPurchase> {
        self.writer()
            .submit_changes(move |conn, out| write_purchase(conn, p, out))
    }

    async fn entry(&self, id: i64) -> Result<Option<Entry>, StoreError> {
        self.read(|conn| get_entry(conn, id))
    }

    async fn entry_of(
        &self,
        activity: ActivityId,
        user: &str,
    ) -> Result<Option<Entry>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "{ENTRY_SELECT} WHERE activity_id = ? AND user_id = ?"
                ))?
                .query_row(params![activity, user], entry_row)
                .optional()?)
        })
    }

    async fn purchase_of_entry(&self, entry: &Entry) -> Result<Option<Purchase>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "{PURCHASE_SELECT} WHERE activity_id = ? AND user_id = ?"
                ))?
                .query_row(params![entry.activity_id, entry.user_id], purchase_row)
                .optional()?)
        })
    }

    async fn entries_page(
        &self,
        activity: ActivityId,
        status: Option<EntryStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Entry>, i64), StoreError> {
        let status = status.map(EntryStatus::as_str);
        self.read(|conn| {
            let total: i64 = conn.query_row(
                "SELECT count(*) FROM entries WHERE activity_id = ?1 AND (?2 IS NULL OR status = ?2)",
                params![activity, status],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare_cached(&format!(
                "{ENTRY_SELECT} WHERE activity_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4"
            ))?;
            let rows = stmt.query_map(params![activity, status, limit, offset], entry_row)?;
            Ok((rows.collect::<rusqlite::Result<_>>()?, total))
        })
    }

    fn save_coupon(&self, c: Coupon) -> Pending<Coupon> {
        self.writer()
            .submit(move |conn| coupons::save_coupon(conn, &c))
    }

    fn delete_coupon(&self, id: i64) -> Pending<()> {
        self.writer()
            .submit(move |conn| coupons::delete_coupon(conn, id))
    }

    async fn coupon(&self, id: i64) -> Result<Option<Coupon>, StoreError> {
        self.read(|conn| coupons::get_coupon(conn, id))
    }

    async fn coupons(&self) -> Result<Vec<Coupon>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{COUPON_SELECT} ORDER BY id"))?;
            let rows = stmt.query_map([], coupon_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    async fn user_coupon(&self, id: i64) -> Result<Option<UserCoupon>, StoreError> {
        self.read(|conn| coupons::get_user_coupon(conn, id))
    }

    async fn user_coupons(&self, user: &str) -> Result<Vec<UserCoupon>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{USER_COUPON_SELECT} WHERE user_id = ? ORDER BY id"
            ))?;
            let rows = stmt.query_map([user], user_coupon_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn use_coupon(&self, id: i64, at: Ts) -> Pending<UserCoupon> {
        self.writer()
            .submit(move |conn| coupons::use_coupon(conn, id, at))
    }

    fn add_participant(&self, activity: ActivityId, user: String, at: Ts) -> Pending<i64> {
        self.writer().submit(move |conn| {
            conn.prepare_cached(
                "INSERT INTO giveaway_participants (activity_id, user_id, entered_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![activity, user, at.0])
            .map_err(|e| {
                if is_constraint(&e) {
                    StoreError::conflict("DUPLICATED", "this user has already entered this giveaway")
                } else {
                    e.into()
                }
            })?;
            Ok(conn.query_row(
                "SELECT count(*) FROM giveaway_participants WHERE activity_id = ?",
                [activity],
                |r| r.get(0),
            )?)
        })
    }

    async fn participants(&self, activity: ActivityId) -> Result<Vec<(String, Ts)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT user_id, entered_at FROM giveaway_participants WHERE activity_id = ? ORDER BY id",
            )?;
            let rows = stmt.query_map([activity], |r| Ok((r.get(0)?, ts(r, 1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn record_draw(
        &self,
        d: Draw,
        entries: Vec<Entry>,
        events: Vec<Event>,
    ) -> Pending<DrawWritten> {
        self.writer()
            .submit_changes(move |conn, out| write_draw(conn, &d, &entries, &events, out))
    }

    async fn draw(&self, activity: ActivityId) -> Result<Option<Draw>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT activity_id, seed, participants, winners, drawn_at FROM draws WHERE activity_id = ?",
                    [activity],
                    |r| {
                        let seed: String = r.get(1)?;
                        let winners: String = r.get(3)?;
                        Ok(Draw {
                            activity_id: r.get(0)?,
                            seed: seed.parse().unwrap_or(0),
                            participants: r.get(2)?,
                            winners: serde_json::from_str(&winners).unwrap_or_default(),
                            drawn_at: ts(r, 4)?,
                        })
                    },
                )
                .optional()?)
        })
    }
}
