//! The gate's port: what the FCFS gate, payments, purchases, coupons and giveaways need from
//! storage. Every write that acknowledges something is one atomic job (rows + backend event).

use crate::{Pending, StoreError};
use async_trait::async_trait;
use axon_domain::coupon::{Coupon, UserCoupon};
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, Entry, EntryStatus, Product, Purchase};
use axon_domain::Ts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Reservation,
    Approval,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Reservation => "RESERVATION",
            TokenKind::Approval => "APPROVAL",
        }
    }
}

/// A payment token as stored: a random secret bound to one entry and user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token: String,
    pub kind: TokenKind,
    pub entry_id: i64,
    pub activity_id: ActivityId,
    pub user_id: String,
    pub expires_at: Ts,
}

/// An entry admitted by the gate, written with everything that must be durable with it.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// `id` is assigned by the store.
    pub entry: Entry,
    /// The `APPROVED` event.
    pub event: Event,
    /// The reservation token of a payment hold.
    pub reservation: Option<(String, Ts)>,
    /// COUPON activities: the coupon to issue.
    pub coupon_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct WrittenEntry {
    pub entry: Entry,
    pub seq: Option<u64>,
    pub user_coupon: Option<UserCoupon>,
}

/// A purchase to record with its `PURCHASE` event; `entry_id` marks that entry PAID.
#[derive(Debug, Clone)]
pub struct NewPurchase {
    pub purchase: Purchase,
    pub event: Event,
    pub entry_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct WrittenPurchase {
    pub purchase: Purchase,
    /// False when the orderId (or the entry) was already recorded: the original is returned.
    pub created: bool,
    pub seq: Option<u64>,
    pub entry: Option<Entry>,
    /// The product after its stock decrease (for realtime stock views).
    pub product: Option<Product>,
}

/// A recorded giveaway draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub activity_id: ActivityId,
    pub seed: u64,
    pub participants: i64,
    pub winners: Vec<String>,
    pub drawn_at: Ts,
}

/// What a draw wrote: the stored entries and the sequenced `APPROVED` events.
pub type DrawWritten = (Vec<Entry>, Vec<(u64, Event)>);

#[async_trait]
pub trait GateRepo: Send + Sync {
    fn insert_entry(&self, e: NewEntry) -> Pending<WrittenEntry>;
    fn add_token(&self, t: TokenRecord) -> Pending<()>;
    async fn token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError>;
    /// Tokens of entries still APPROVED (start-up rebuild of holds).
    async fn open_tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;
    async fn tokens_of_entry(&self, entry_id: i64) -> Result<Vec<TokenRecord>, StoreError>;
    /// Marks APPROVED entries CANCELLED; returns those that changed.
    fn cancel_entries(&self, ids: Vec<i64>, at: Ts) -> Pending<Vec<Entry>>;
    /// Records a purchase idempotently (orderId, or the entry already PAID), decreasing product
    /// stock (`OUT_OF_STOCK` conflict when short).
    fn record_purchase(&self, p: NewPurchase) -> Pending<WrittenPurchase>;
    async fn entry(&self, id: i64) -> Result<Option<Entry>, StoreError>;
    async fn entry_of(&self, activity: ActivityId, user: &str)
        -> Result<Option<Entry>, StoreError>;
    async fn purchase_of_entry(&self, entry: &Entry) -> Result<Option<Purchase>, StoreError>;
    /// A page of an activity's entries, newest first, and the total.
    async fn entries_page(
        &self,
        activity: ActivityId,
        status: Option<EntryStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Entry>, i64), StoreError>;

    fn save_coupon(&self, c: Coupon) -> Pending<Coupon>;
    fn delete_coupon(&self, id: i64) -> Pending<()>;
    async fn coupon(&self, id: i64) -> Result<Option<Coupon>, StoreError>;
    async fn coupons(&self) -> Result<Vec<Coupon>, StoreError>;
    async fn user_coupon(&self, id: i64) -> Result<Option<UserCoupon>, StoreError>;
    async fn user_coupons(&self, user: &str) -> Result<Vec<UserCoupon>, StoreError>;
    /// ISSUED → USED, once (`COUPON_ALREADY_USED` conflict otherwise).
    fn use_coupon(&self, id: i64, at: Ts) -> Pending<UserCoupon>;

    /// Adds a giveaway participant (`DUPLICATED` conflict on a second entry); returns its order.
    fn add_participant(&self, activity: ActivityId, user: String, at: Ts) -> Pending<i64>;
    async fn participants(&self, activity: ActivityId) -> Result<Vec<(String, Ts)>, StoreError>;
    /// Records the draw, its winners' APPROVED entries and events and the losers' REJECTED ones
    /// (`ALREADY_DRAWN` conflict on a second draw).
    fn record_draw(&self, d: Draw, entries: Vec<Entry>, events: Vec<Event>)
        -> Pending<DrawWritten>;
    async fn draw(&self, activity: ActivityId) -> Result<Option<Draw>, StoreError>;
}
