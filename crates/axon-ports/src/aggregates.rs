//! The raw analytic aggregates port: what a dashboard needs to know about the log, as numbers
//! and small value structs — counts, distinct persons, the ordered funnel, time buckets,
//! purchases, cohort rows, drop-offs and breakdown splits. The formulas that turn them into
//! figures live in `axon_domain::metrics`; the answers are composed by the dashboards service.
//!
//! Every method is a pure read of one immutable [`Snapshot`]: the same snapshot always gives the
//! same numbers, so a reader may keep one for a whole answer. Windows are half-open
//! `[start, end)`; "distinct persons" resolve anonymous ids linked to a user (SPEC §2.1) and are
//! unions over the activities asked, never sums.

use crate::catalog::Catalog;
use axon_domain::dimension::Dimension;
use axon_domain::event::Event;
use axon_domain::metrics::Counts;
use axon_domain::model::{ActivityId, FunnelStep, ProductId, TriggerType, UserProfile};
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use std::collections::HashMap;
use std::sync::Arc;

/// The ordered funnel (SPEC §5.2 `ordered`), summed over the activities asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedFunnel {
    /// Persons who reached each step in order; step 1 is each activity's distinct visitors.
    pub users: [u64; 4],
    /// Whole seconds from step k to step k + 1 (index k), one sample per person who made it.
    pub seconds_to_convert: [Vec<i64>; 3],
}

/// Events in one time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub start: Ts,
    pub count: u64,
}

/// An activity's entries as they stand (SPEC §5.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryTally {
    /// Entries APPROVED and not yet paid, and their units.
    pub awaiting_payment: u64,
    pub held_units: i64,
    /// Entries PAID, and their units.
    pub paid: u64,
    pub paid_units: i64,
    /// The latest approval among the APPROVED or PAID entries.
    pub last_taken_at: Option<Ts>,
}

/// Which purchases to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseSet<'a> {
    /// Promotion (CAMPAIGNACTIVITY) purchases of these activities.
    Promotion(&'a [ActivityId]),
    /// Normal (SHOP) purchases of these products.
    Normal(&'a [ProductId]),
}

/// Purchases in a window: how many, their revenue, and how many fell in each day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurchaseSeries {
    pub count: u64,
    /// Σ price × quantity.
    pub revenue: Dec2,
    /// `per_day[i]` counts purchases in `[day_starts[i], day_starts[i + 1])` (the last day runs to
    /// the window's end).
    pub per_day: Vec<u64>,
}

/// One purchase of a cohort customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortPurchase {
    pub at: Ts,
    /// price × quantity.
    pub value: Dec2,
}

/// One cohort customer (SPEC §6): the time of their first promotion purchase of the activities,
/// and every purchase of theirs (any type, any activity) from then on, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortMember {
    pub first: Ts,
    pub purchases: Vec<CohortPurchase>,
}

/// A person of the ordered funnel who reached a step and not the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropout {
    /// The person's key (`u:…`, `a:…`, `s:…`, see `axon_domain::event::Person::key`).
    pub person: String,
    pub reached_at: Ts,
}

/// One value of a breakdown split (SPEC §5.2 `breakdown=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitRow {
    pub value: String,
    /// Visits, engagements, approvals, purchases credited to the value.
    pub steps: [u64; 4],
    pub unique_visitors: u64,
    /// Promotion GMV credited to the value.
    pub gmv: Dec2,
}

/// The aggregates a dashboard is computed from.
pub trait Aggregates: Send + Sync {
    /// V, E, Q (and cancelled), P, promotion GMV and orders of the activities, with their
    /// distinct visitors.
    fn counts(&self, activities: &[ActivityId], w: &Window) -> Counts;

    /// Distinct persons per funnel step (VISIT, ENGAGE, QUALIFY = approvals, PURCHASE).
    fn step_users(&self, activities: &[ActivityId], w: &Window) -> [u64; 4];

    /// The ordered funnel: each activity's earliest in-order match per person, optionally with
    /// every step within `within_ms` of the first visit.
    fn ordered_funnel(
        &self,
        activities: &[ActivityId],
        w: &Window,
        within_ms: Option<i64>,
    ) -> OrderedFunnel;

    /// Events of one trigger type attributed to the activities.
    fn event_count(&self, activities: &[ActivityId], trigger: TriggerType, w: &Window) -> u64;

    /// PAGE_VIEW events per bucket of `bucket_ms`: the first bucket starts at `w.start` rounded
    /// down to a multiple of `bucket_ms` (UTC), buckets are clipped to the window. `None` counts
    /// every page view, attributed or not.
    fn visit_buckets(
        &self,
        activities: Option<&[ActivityId]>,
        w: &Window,
        bucket_ms: i64,
    ) -> Vec<Bucket>;

    /// Distinct persons with any event attributed to the activities.
    fn active_persons(&self, activities: &[ActivityId], w: &Window) -> u64;

    /// An activity's entries as they stand.
    fn entries(&self, activity: ActivityId) -> EntryTally;

    /// Whether the activity has ever had a record — an event of any type, an entry or a
    /// promotion purchase, at any time (`false`: nothing was collected for it yet).
    fn has_records(&self, activity: ActivityId) -> bool;

    /// Purchases in the window, counted per day of `day_starts` (ascending).
    fn purchases(&self, set: PurchaseSet<'_>, w: &Window, day_starts: &[Ts]) -> PurchaseSeries;

    /// The cohort of persons whose first promotion purchase of the activities falls in `w`.
    fn cohort(&self, activities: &[ActivityId], w: &Window) -> Vec<CohortMember>;

    /// Persons of the activity's ordered funnel who reached `step` and not the next, earliest
    /// first (none for PURCHASE).
    fn dropouts(
        &self,
        activity: ActivityId,
        step: FunnelStep,
        w: &Window,
        within_ms: Option<i64>,
    ) -> Vec<Dropout>;

    /// The activities' funnel split by a dimension, from their raw `events` in the window and the
    /// `profiles` (by user id) of the users among them: the top 10 values by visits, then
    /// "other". Approvals and promotion GMV are credited to the person's first touch.
    fn split(
        &self,
        activities: &[ActivityId],
        dimension: Dimension,
        w: &Window,
        events: &[Event],
        profiles: &HashMap<String, UserProfile>,
    ) -> Vec<SplitRow>;

    /// Why an answer read from this snapshot cannot be trusted: a remote analytics store
    /// (ClickHouse) that failed a read answers that read with zeros and records the failure
    /// here, and the service answers 503 instead of the figures. An in-memory snapshot never
    /// fails.
    fn failure(&self) -> Option<SourceError> {
        None
    }
}

/// An immutable, self-consistent view of the analytics: aggregates and the catalogue of the
/// same moment. Readers keep it as long as they like.
pub trait Snapshot: Aggregates + Catalog {}

impl<T: Aggregates + Catalog + ?Sized> Snapshot for T {}

/// Where readers get the current snapshot.
pub trait AnalyticsSource: Send + Sync {
    fn snapshot(&self) -> Arc<dyn Snapshot>;
}

/// A source that always answers the same snapshot: data that no longer changes (benchmarks and
/// tools over a stopped store, tests).
pub struct FixedSource(pub Arc<dyn Snapshot>);

impl AnalyticsSource for FixedSource {
    fn snapshot(&self) -> Arc<dyn Snapshot> {
        self.0.clone()
    }
}

/// Stock as the FCFS gate sees it: the one truth shared with `/api/v1/activities/{id}/stock`.
pub trait StockLevels: Send + Sync {
    /// Units left of `limit` (`i64::MAX` when unlimited).
    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64;
    /// Units of live holds not yet sold.
    fn held(&self, activity: ActivityId) -> i64;
}

/// A failure of a backend behind a port (I/O, a lost connection): the read could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError(pub String);

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SourceError {}

/// The raw events and profiles a breakdown splits (the aggregates keep neither event properties
/// nor profiles); the embedded server implements it over its store.
pub trait RawEvents: Send + Sync {
    /// Stored events attributed to the activities with time in the window.
    fn activity_events(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<Vec<Event>, SourceError>;
    /// One page of one activity's events in the window for a streamed export: sequence number
    /// above `after`, in sequence order, at most `limit`, each with its sequence number.
    fn activity_events_after(
        &self,
        activity: ActivityId,
        w: &Window,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>, SourceError>;
    /// The profiles of these users (unknown users are left out).
    fn profiles(&self, users: &[String]) -> Result<Vec<UserProfile>, SourceError>;
}
