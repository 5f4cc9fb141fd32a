//! The gate's port on the SQL backends: each acknowledging write is one writer job, so the
//! entry, its token, its coupon and its backend event commit together (mirrors
//! `sqlite/gate.rs`). The unique keys make the invariants hold across nodes: one entry per
//! (activity, user), one purchase per orderId and per promotion entry, one draw per activity;
//! stock only ever decreases by a conditional update (`stock >= quantity`).

mod writes;
pub(super) use writes::{cancel_rows, insert_token, write_entry, write_purchase};

use super::commerce::{entry_row, purchase_row, ENTRY_SELECT, PURCHASE_SELECT};
use super::coupons::{self, coupon_row, user_coupon_row, COUPON_SELECT, USER_COUPON_SELECT};
use super::events::insert_events;
use super::rows::{args, i, s, ts, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::{Change, Pending, StoreError};
use crate::{
    Draw, DrawWritten, GateRepo, NewEntry, NewPurchase, TokenKind, TokenRecord, WrittenEntry,
    WrittenPurchase,
};
use axon_domain::coupon::{Coupon, UserCoupon};
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, Entry, EntryStatus, Purchase};
use axon_domain::Ts;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;
use sqlx_core::query_scalar::query_scalar;
use writes::*;

const TOKEN_SELECT: &str =
    "SELECT token, kind, entry_id, activity_id, user_id, expires_at FROM gate_tokens";

#[async_trait::async_trait]
impl GateRepo for SqlStore {
    fn insert_entry(&self, e: NewEntry) -> Pending<WrittenEntry> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, out| Box::pin(async move { write_entry(c, d, e, out).await }))
    }

    fn add_token(&self, t: TokenRecord) -> Pending<()> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, _| Box::pin(async move { insert_token(c, d, &t).await }))
    }

    async fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        let token = token.to_string();
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!("{TOKEN_SELECT} WHERE token = ?")))
                .bind(token)
                .fetch_optional(&sh.pool)
                .await
                .db()?
                .map(|r| token_row(&r))
                .transpose()
        })
        .await
    }

    async fn open_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(move |sh| async move {
            query(&format!(
                "{TOKEN_SELECT} WHERE entry_id IN (SELECT id FROM entries WHERE status = 'APPROVED')"
            ))
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(token_row)
            .collect()
        })
        .await
    }

    async fn tokens_of_entry(&self, entry_id: i64) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!("{TOKEN_SELECT} WHERE entry_id = ?")))
                .bind(entry_id)
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(token_row)
                .collect()
        })
        .await
    }

    fn cancel_entries(&self, ids: Vec<i64>, at: Ts) -> Pending<Vec<Entry>> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, out| Box::pin(async move { cancel_rows(c, d, ids, at, out).await }))
    }

    fn record_purchase(&self, p: NewPurchase) -> Pending<WrittenPurchase> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, out| Box::pin(async move { write_purchase(c, d, p, out).await }))
    }

    async fn entry(&self, id: i64) -> Result<Option<Entry>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            get_entry(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn entry_of(
        &self,
        activity: ActivityId,
        user: &str,
    ) -> Result<Option<Entry>, StoreError> {
        let user = user.to_string();
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{ENTRY_SELECT} WHERE activity_id = ? AND user_id = ?"
            )))
            .bind(activity)
            .bind(user)
            .fetch_optional(&sh.pool)
            .await
            .db()?
            .map(|r| entry_row(&r))
            .transpose()
        })
        .await
    }

    async fn purchase_of_entry(&self, entry: &Entry) -> Result<Option<Purchase>, StoreError> {
        let (activity, user) = (entry.activity_id, entry.user_id.clone());
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{PURCHASE_SELECT} WHERE activity_id = ? AND user_id = ?"
            )))
            .bind(activity)
            .bind(user)
            .fetch_optional(&sh.pool)
            .await
            .db()?
            .map(|r| purchase_row(&r))
            .transpose()
        })
        .await
    }

    async fn entries_page(
        &self,
        activity: ActivityId,
        status: Option<EntryStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Entry>, i64), StoreError> {
        let status = status.map(EntryStatus::as_str);
        self.read(move |sh| async move {
            let d = sh.dialect;
            let total: i64 = query_scalar(&d.q(
                "SELECT count(*) FROM entries WHERE activity_id = ? AND (? IS NULL OR status = ?)",
            ))
            .bind(activity)
            .bind(status)
            .bind(status)
            .fetch_one(&sh.pool)
            .await
            .db()?;
            let rows = query(&d.q(&format!(
                "{ENTRY_SELECT} WHERE activity_id = ? AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ? OFFSET ?"
            )))
            .bind(activity)
            .bind(status)
            .bind(status)
            .bind(limit)
            .bind(offset)
            .fetch_all(&sh.pool)
            .await
            .db()?;
            Ok((rows.iter().map(entry_row).collect::<SqlResult<_>>()?, total))
        })
        .await
    }

    fn save_coupon(&self, k: Coupon) -> Pending<Coupon> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, _| Box::pin(async move { coupons::save_coupon(c, d, &k).await }))
    }

    fn delete_coupon(&self, id: i64) -> Pending<()> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, _| Box::pin(async move { coupons::delete_coupon(c, d, id).await }))
    }

    async fn coupon(&self, id: i64) -> Result<Option<Coupon>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            coupons::get_coupon(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn coupons(&self) -> Result<Vec<Coupon>, StoreError> {
        self.read(move |sh| async move {
            query(&format!("{COUPON_SELECT} ORDER BY id"))
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(coupon_row)
                .collect()
        })
        .await
    }

    async fn user_coupon(&self, id: i64) -> Result<Option<UserCoupon>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            coupons::get_user_coupon(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn user_coupons(&self, user: &str) -> Result<Vec<UserCoupon>, StoreError> {
        let user = user.to_string();
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{USER_COUPON_SELECT} WHERE user_id = ? ORDER BY id"
            )))
            .bind(user)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(user_coupon_row)
            .collect()
        })
        .await
    }

    fn use_coupon(&self, id: i64, at: Ts) -> Pending<UserCoupon> {
        let d = self.dialect();
        self.writer()
            .submit(move |c, _| Box::pin(async move { coupons::use_coupon(c, d, id, at).await }))
    }

    fn add_participant(&self, activity: ActivityId, user: String, at: Ts) -> Pending<i64> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                query(&d.q(
                    "INSERT INTO giveaway_participants (activity_id, user_id, entered_at) VALUES (?, ?, ?)",
                ))
                .bind(activity)
                .bind(user.as_str())
                .bind(at.0)
                .execute(&mut *c)
                .await
                .map_err(|e| {
                    if super::rows::is_unique(&e) {
                        StoreError::conflict(
                            "DUPLICATED",
                            "this user has already entered this giveaway",
                        )
                    } else {
                        super::rows::db_err(e)
                    }
                })?;
                query_scalar(&d.q(
                    "SELECT count(*) FROM giveaway_participants WHERE activity_id = ?",
                ))
                .bind(activity)
                .fetch_one(&mut *c)
                .await
                .db()
            })
        })
    }

    async fn participants(&self, activity: ActivityId) -> Result<Vec<(String, Ts)>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(
                "SELECT user_id, entered_at FROM giveaway_participants WHERE activity_id = ? ORDER BY id",
            ))
            .bind(activity)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(|r| Ok((s(r, 0)?, ts(r, 1)?)))
            .collect()
        })
        .await
    }

    fn record_draw(
        &self,
        draw: Draw,
        entries: Vec<Entry>,
        events: Vec<Event>,
    ) -> Pending<DrawWritten> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move { write_draw(c, d, &draw, &entries, &events, out).await })
        })
    }

    async fn draw(&self, activity: ActivityId) -> Result<Option<Draw>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(
                "SELECT activity_id, seed, participants, winners, drawn_at FROM draws WHERE activity_id = ?",
            ))
            .bind(activity)
            .fetch_optional(&sh.pool)
            .await
            .db()?
            .map(|r| {
                Ok(Draw {
                    activity_id: i(&r, 0)?,
                    seed: s(&r, 1)?.parse().unwrap_or(0),
                    participants: i(&r, 2)?,
                    winners: serde_json::from_str(&s(&r, 3)?).unwrap_or_default(),
                    drawn_at: ts(&r, 4)?,
                })
            })
            .transpose()
        })
        .await
    }
}
