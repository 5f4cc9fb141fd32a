//! The ports: what the rest of Axon may ask of storage. Handlers see only these traits.
//!
//! Reads are synchronous and cheap (indexed lookups); writes return a [`Pending`] that resolves
//! once the write is durable, so an HTTP answer can wait for it without blocking a thread.

use crate::{Pending, StoreError};
use async_trait::async_trait;
use axon_domain::event::{Event, EventCore};
use axon_domain::model::{
    Activity, ActivityId, ActivityStatus, ApiKey, Campaign, CampaignId, Entry, EventDefinition,
    Product, ProductId, Purchase, TriggerType, UserProfile,
};
use axon_domain::Ts;

/// The outcome of appending one batch: sequence numbers of the stored events (`None` for a
/// duplicate that was acknowledged but not stored again).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppendReport {
    pub seqs: Vec<Option<u64>>,
}

impl AppendReport {
    pub fn accepted(&self) -> usize {
        self.seqs.iter().filter(|s| s.is_some()).count()
    }

    pub fn duplicates(&self) -> usize {
        self.seqs.len() - self.accepted()
    }
}

/// Filters for listing stored events newest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub activity_id: Option<ActivityId>,
    pub trigger_type: Option<TriggerType>,
    pub user_id: Option<String>,
    /// Only events with a sequence number below this cursor.
    pub before: Option<u64>,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<(u64, Event)>,
    /// All events matching the filters (ignoring the cursor).
    pub total: u64,
    /// Cursor for the next page, when there is one.
    pub next_before: Option<u64>,
}

/// The append-only event log: the source of truth.
#[async_trait]
pub trait EventLog: Send + Sync {
    /// Appends durably; duplicates (same source and eventId as a stored event, or earlier in the
    /// same batch) are acknowledged but stored once.
    fn append(&self, events: Vec<Event>) -> Pending<AppendReport>;
    /// Visits every stored event in append order.
    async fn replay(&self, visit: &mut (dyn FnMut(u64, Event) + Send)) -> Result<u64, StoreError>;
    /// Visits every stored event with a sequence number above `after`, in append order, as its
    /// JSON (the serde form of [`Event`]), for bulk copies that re-encode events (the ClickHouse
    /// load); how many. A store that keeps that JSON passes it on undecoded and reads only the
    /// events asked for; this default encodes what [`EventLog::replay`] decodes.
    async fn replay_json(
        &self,
        after: u64,
        visit: &mut (dyn for<'j> FnMut(u64, &'j str) + Send),
    ) -> Result<u64, StoreError> {
        let (mut failed, mut n) = (None, 0);
        self.replay(&mut |seq, e| {
            if seq > after {
                n += 1;
                match serde_json::to_string(&e) {
                    Ok(json) => visit(seq, &json),
                    Err(err) => failed = Some(StoreError::Internal(err.to_string())),
                }
            }
        })
        .await?;
        failed.map_or(Ok(n), Err)
    }
    /// Visits every stored event's analytic core in append order (fast start-up).
    async fn replay_core(
        &self,
        visit: &mut (dyn FnMut(u64, EventCore) + Send),
    ) -> Result<u64, StoreError>;
    async fn query(&self, q: &EventQuery) -> Result<EventPage, StoreError>;
    async fn count(&self) -> Result<u64, StoreError>;
    /// Every stored event of an activity with occurredAt in `[start, end)` (breakdowns).
    async fn activity_events(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Event>, StoreError>;
    /// One page of the same events for a streamed export: those with a sequence number above
    /// `after`, in sequence order, at most `limit`, each with its sequence number (the cursor of
    /// the next page). Served by the `(activity_id, seq)` index, so every page costs its size.
    async fn activity_events_after(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>, StoreError>;
    /// The highest sequence number stored (0 when empty); cheap, used by readiness checks.
    async fn last_seq(&self) -> Result<u64, StoreError>;
}

#[async_trait]
pub trait CampaignRepo: Send + Sync {
    /// Inserts (`id == 0` assigns the next id) or replaces by id. Duplicate name →
    /// `CAMPAIGN_NAME_TAKEN`.
    fn save_campaign(&self, c: Campaign) -> Pending<Campaign>;
    /// Deletes a campaign without activities (else `CAMPAIGN_HAS_ACTIVITIES`).
    fn delete_campaign(&self, id: CampaignId) -> Pending<()>;
    async fn campaign(&self, id: CampaignId) -> Result<Option<Campaign>, StoreError>;
    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError>;
}

#[async_trait]
pub trait ActivityRepo: Send + Sync {
    /// Inserts (`id == 0` assigns the next id) or replaces by id; the campaign must exist.
    fn save_activity(&self, a: Activity) -> Pending<Activity>;
    /// Changes the status only if it is still `expected` (no lost updates).
    fn set_activity_status(
        &self,
        id: ActivityId,
        expected: ActivityStatus,
        to: ActivityStatus,
        at: Ts,
    ) -> Pending<Activity>;
    async fn activity(&self, id: ActivityId) -> Result<Option<Activity>, StoreError>;
    async fn activities(&self, campaign: Option<CampaignId>) -> Result<Vec<Activity>, StoreError>;
}

#[async_trait]
pub trait CatalogRepo: Send + Sync {
    fn upsert_product(&self, p: Product) -> Pending<Product>;
    async fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError>;
    async fn products(&self) -> Result<Vec<Product>, StoreError>;
    fn upsert_profile(&self, p: UserProfile) -> Pending<UserProfile>;
    async fn profile(&self, user_id: &str) -> Result<Option<UserProfile>, StoreError>;
    /// The stored profiles among `user_ids`.
    async fn profiles(&self, user_ids: &[String]) -> Result<Vec<UserProfile>, StoreError>;
    fn upsert_definition(&self, d: EventDefinition) -> Pending<EventDefinition>;
    fn delete_definition(&self, id: i64) -> Pending<()>;
    async fn definition(&self, id: i64) -> Result<Option<EventDefinition>, StoreError>;
    async fn definitions(&self) -> Result<Vec<EventDefinition>, StoreError>;
}

#[async_trait]
pub trait KeyRepo: Send + Sync {
    fn create_key(&self, k: ApiKey) -> Pending<ApiKey>;
    fn revoke_key(&self, id: i64, at: Ts) -> Pending<ApiKey>;
    async fn keys(&self) -> Result<Vec<ApiKey>, StoreError>;
    async fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError>;
}

#[async_trait]
pub trait CommerceRepo: Send + Sync {
    /// Inserts or replaces entries by (activityId, userId) — the bulk path used by import.
    fn upsert_entries(&self, entries: Vec<Entry>) -> Pending<usize>;
    /// Inserts or replaces purchases by id — the bulk path used by import.
    fn upsert_purchases(&self, purchases: Vec<Purchase>) -> Pending<usize>;
    async fn entries(&self, activity: ActivityId) -> Result<Vec<Entry>, StoreError>;
    async fn all_entries(&self, visit: &mut (dyn FnMut(Entry) + Send)) -> Result<(), StoreError>;
    async fn all_purchases(
        &self,
        visit: &mut (dyn FnMut(Purchase) + Send),
    ) -> Result<(), StoreError>;
    async fn purchases_of_user(&self, user_id: &str) -> Result<Vec<Purchase>, StoreError>;
}

/// An event reduced to its stored columns and rendered JSON, so a bulk producer does that work
/// (and frees the parsed event) on its own thread while the writer only inserts.
#[derive(Debug, Clone)]
pub struct EncodedEvent {
    pub source: String,
    pub event_id: Option<String>,
    pub trigger_type: &'static str,
    pub occurred_at: i64,
    pub received_at: i64,
    pub activity_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    pub session_id: Option<String>,
    pub bot: bool,
    pub body: String,
}

impl EncodedEvent {
    pub fn new(e: Event) -> Result<EncodedEvent, StoreError> {
        let body =
            serde_json::to_string(&e).map_err(|err| StoreError::Internal(err.to_string()))?;
        Ok(EncodedEvent {
            source: e.source().to_string(),
            trigger_type: e.trigger_type.as_str(),
            occurred_at: e.occurred_at.0,
            received_at: e.received_at.0,
            activity_id: e.activity_id,
            campaign_id: e.campaign_id,
            bot: e.bot,
            event_id: e.event_id,
            user_id: e.user_id,
            anonymous_id: e.anonymous_id,
            session_id: e.session_id,
            body,
        })
    }
}

/// One chunk of a bulk load (`axon import`), in dependency order: campaigns before activities
/// before the rows that refer to them.
#[derive(Debug)]
pub enum BulkChunk {
    Products(Vec<Product>),
    Campaigns(Vec<Campaign>),
    Activities(Vec<Activity>),
    Entries(Vec<Entry>),
    Purchases(Vec<Purchase>),
    Events(Vec<EncodedEvent>),
    /// The producer found a bad row: everything loaded so far is rolled back.
    Abort(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkReport {
    pub products: u64,
    pub campaigns: u64,
    pub activities: u64,
    pub entries: u64,
    pub purchases: u64,
    pub events: u64,
    pub duplicate_events: u64,
}

/// Loads a stream of chunks in one transaction: all of it or, on `Abort` or any failure,
/// nothing. Re-running the same load changes nothing (upserts by id; events dedupe by eventId).
pub trait BulkLoader: Send + Sync {
    fn bulk_load(&self, chunks: std::sync::mpsc::Receiver<BulkChunk>) -> Pending<BulkReport>;
}

/// Everything relational, for code that needs all of it.
pub trait Repo:
    CampaignRepo
    + ActivityRepo
    + CatalogRepo
    + KeyRepo
    + CommerceRepo
    + crate::gate::GateRepo
    + crate::alerts::AlertRepo
    + crate::shares::ShareRepo
    + crate::shares::AnnotationRepo
{
}
impl<
        T: CampaignRepo
            + ActivityRepo
            + CatalogRepo
            + KeyRepo
            + CommerceRepo
            + crate::gate::GateRepo
            + crate::alerts::AlertRepo
            + crate::shares::ShareRepo
            + crate::shares::AnnotationRepo,
    > Repo for T
{
}
