//! The aggregates port answered by the engine: each method delegates to its topic module.

use crate::engine::Engine;
use axon_domain::dimension::Dimension;
use axon_domain::event::Event;
use axon_domain::metrics::Counts;
use axon_domain::model::{ActivityId, FunnelStep, TriggerType, UserProfile};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{
    Aggregates, Bucket, CohortMember, Dropout, EntryTally, OrderedFunnel, PurchaseSeries,
    PurchaseSet, SplitRow,
};
use std::collections::HashMap;

impl Aggregates for Engine {
    fn counts(&self, activities: &[ActivityId], w: &Window) -> Counts {
        self.counts_of(activities, w)
    }

    fn step_users(&self, activities: &[ActivityId], w: &Window) -> [u64; 4] {
        self.step_users_of(activities, w)
    }

    fn ordered_funnel(
        &self,
        activities: &[ActivityId],
        w: &Window,
        within_ms: Option<i64>,
    ) -> OrderedFunnel {
        self.ordered_funnel_of(activities, w, within_ms)
    }

    fn event_count(&self, activities: &[ActivityId], trigger: TriggerType, w: &Window) -> u64 {
        self.event_count_of(activities, trigger, w)
    }

    fn visit_buckets(
        &self,
        activities: Option<&[ActivityId]>,
        w: &Window,
        bucket_ms: i64,
    ) -> Vec<Bucket> {
        self.visit_buckets_of(activities, w, bucket_ms)
    }

    fn active_persons(&self, activities: &[ActivityId], w: &Window) -> u64 {
        self.active_persons_of(activities, w)
    }

    fn entries(&self, activity: ActivityId) -> EntryTally {
        self.entries_of(activity)
    }

    fn has_records(&self, activity: ActivityId) -> bool {
        self.records_of(activity) > 0
    }

    fn purchases(&self, set: PurchaseSet<'_>, w: &Window, day_starts: &[Ts]) -> PurchaseSeries {
        self.purchases_of(set, w, day_starts)
    }

    fn cohort(&self, activities: &[ActivityId], w: &Window) -> Vec<CohortMember> {
        self.cohort_of(activities, w)
    }

    fn dropouts(
        &self,
        activity: ActivityId,
        step: FunnelStep,
        w: &Window,
        within_ms: Option<i64>,
    ) -> Vec<Dropout> {
        self.dropouts_of(activity, step, w, within_ms)
    }

    fn split(
        &self,
        activities: &[ActivityId],
        dimension: Dimension,
        w: &Window,
        events: &[Event],
        profiles: &HashMap<String, UserProfile>,
    ) -> Vec<SplitRow> {
        self.split_of(activities, dimension, w, events, profiles)
    }
}
