//! Counts, distinct persons, time buckets and entry tallies (SPEC §5.2–5.5) over sets of
//! activities. Each activity's person set per funnel step in a window is computed once, shared
//! by every widget and reader that asks again and kept exact across writes (`memo`).

use crate::engine::{ActivityData, Engine};
use crate::memo::StepSet;
use axon_domain::metrics::Counts;
use axon_domain::model::{ActivityId, EntryStatus, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{Bucket, EntryTally};
use roaring::RoaringBitmap;
use std::sync::Arc;

/// An activity's persons of one funnel step in a window: raw and link-resolved.
pub(crate) type Visitors = Arc<StepSet>;

impl Engine {
    /// Forgets the window answers readers computed, so the next answer computes from scratch
    /// (benchmarks measure cold answers this way).
    pub fn forget_reads(&self) {
        self.memo.forget_shared();
    }

    /// An activity's persons of `step` (0 visit, 1 engage, 2 qualify, 3 purchase) in a window,
    /// computed once and kept exact across writes.
    pub(crate) fn step_set(&self, id: ActivityId, step: usize, w: &Window) -> Visitors {
        self.memo
            .step_set(id, self.activities.get(&id), &self.persons, step, w)
    }

    /// An activity's visitors in a window.
    pub(crate) fn visitors(&self, id: ActivityId, w: &Window) -> Visitors {
        self.step_set(id, 0, w)
    }

    /// Raw aggregates over a set of activities (distinct visitors are a union, not a sum).
    pub(crate) fn counts_of(&self, ids: &[ActivityId], w: &Window) -> Counts {
        let mut c = Counts::default();
        // The canonical persons of a union are the union of the canonical persons.
        let mut visitors = RoaringBitmap::new();
        for id in ids {
            c += self.activity_counts(*id, w);
            let v = self.visitors(*id, w);
            if ids.len() == 1 {
                c.unique_visitors = v.canon.len();
            } else {
                visitors |= &v.canon;
            }
        }
        if ids.len() != 1 {
            c.unique_visitors = visitors.len();
        }
        c
    }

    /// One activity's aggregates (without distinct visitors).
    fn activity_counts(&self, id: ActivityId, w: &Window) -> Counts {
        let mut c = Counts::default();
        if let Some(a) = self.activities.get(&id) {
            let v = Engine::step_values(a, w);
            c.visits += v[0];
            c.engagements += v[1];
            c.approvals += v[2];
            c.purchases += v[3];
            let lo = a.cancelled.partition_point(|r| r.0 < w.start.0);
            let hi = a.cancelled.partition_point(|r| r.0 < w.end.0);
            c.cancelled += hi.saturating_sub(lo) as u64;
            let lo = a.promo.partition_point(|r| r.ts < w.start.0);
            let hi = a.promo.partition_point(|r| r.ts < w.end.0);
            for r in &a.promo[lo..hi.max(lo)] {
                c.gmv += r.revenue;
                c.orders += 1;
            }
        }
        c
    }

    /// Distinct persons per step: one activity's own, or the union over several.
    pub(crate) fn step_users_of(&self, ids: &[ActivityId], w: &Window) -> [u64; 4] {
        if let [id] = ids {
            if !self.activities.contains_key(id) {
                return [0; 4];
            }
            return std::array::from_fn(|i| self.step_set(*id, i, w).canon.len());
        }
        let mut persons: [RoaringBitmap; 4] = Default::default();
        for (id, _) in self.known(ids) {
            for (i, set) in persons.iter_mut().enumerate() {
                *set |= &self.step_set(id, i, w).canon;
            }
        }
        persons.map(|p| p.len())
    }

    pub(crate) fn event_count_of(&self, ids: &[ActivityId], t: TriggerType, w: &Window) -> u64 {
        self.known(ids).map(|(_, a)| a.series(t).count(w)).sum()
    }

    /// PAGE_VIEW buckets of the activities (or of every page view).
    pub(crate) fn visit_buckets_of(
        &self,
        ids: Option<&[ActivityId]>,
        w: &Window,
        bucket_ms: i64,
    ) -> Vec<Bucket> {
        let from = w.start.0.div_euclid(bucket_ms) * bucket_ms;
        let mut counts = match ids {
            None => self.global_views.bucket_counts(w, from, bucket_ms),
            Some(ids) => {
                let mut sum: Vec<(i64, u64)> = Vec::new();
                for (_, a) in self.known(ids) {
                    let b = a
                        .series(TriggerType::PageView)
                        .bucket_counts(w, from, bucket_ms);
                    if sum.is_empty() {
                        sum = b;
                    } else {
                        for (s, (_, n)) in sum.iter_mut().zip(b) {
                            s.1 += n;
                        }
                    }
                }
                sum
            }
        };
        if counts.is_empty() {
            let mut t = from;
            while t < w.end.0 {
                counts.push((t, 0));
                t += bucket_ms;
            }
        }
        counts
            .into_iter()
            .map(|(t, count)| Bucket {
                start: Ts(t),
                count,
            })
            .collect()
    }

    /// Distinct persons with any event attributed to the activities.
    pub(crate) fn active_persons_of(&self, ids: &[ActivityId], w: &Window) -> u64 {
        let mut active = RoaringBitmap::new();
        for (_, a) in self.known(ids) {
            for s in &a.series {
                active |= s.persons(w);
            }
        }
        self.persons.distinct(&active)
    }

    pub(crate) fn entries_of(&self, id: ActivityId) -> EntryTally {
        self.activities
            .get(&id)
            .map_or_else(EntryTally::default, tally)
    }

    /// Counted from the stored lists' lengths, so it costs the same for any history.
    pub(crate) fn records_of(&self, id: ActivityId) -> u64 {
        self.activities.get(&id).map_or(0, |a| {
            let events: usize = a.series.iter().map(|s| s.len()).sum();
            (events + a.entries.len() + a.promo.len()) as u64
        })
    }
}

fn tally(a: &ActivityData) -> EntryTally {
    let mut t = EntryTally::default();
    for e in a.entries.values() {
        match e.status {
            EntryStatus::Approved => {
                t.held_units += e.quantity;
                t.awaiting_payment += 1;
            }
            EntryStatus::Paid => {
                t.paid_units += e.quantity;
                t.paid += 1;
            }
            _ => continue,
        }
        t.last_taken_at = t.last_taken_at.max(Some(Ts(e.approved_at)));
    }
    t
}
