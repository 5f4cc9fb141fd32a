//! Counts, distinct persons, time buckets and entry tallies (SPEC §5.2–5.5) over sets of
//! activities. Each activity's visitor set in a window is computed once per engine state and
//! shared by every widget (and reader) that asks again, within a memory bound.

use crate::engine::{ActivityData, Engine};
use crate::funnel::approvals_in;
use axon_domain::metrics::Counts;
use axon_domain::model::{ActivityId, EntryStatus, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{Bucket, EntryTally};
use parking_lot::Mutex;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// An activity's raw visitor set in a window, with its distinct (link-resolved) count.
pub(crate) type Visitors = Arc<(RoaringBitmap, u64)>;

/// Most visitor sets, and most bytes of them, remembered before the memo starts over.
const MEMO_SETS: usize = 1024;
const MEMO_BYTES: usize = 32 << 20;

#[derive(Default)]
struct Remembered {
    sets: FxHashMap<(ActivityId, i64, i64), Visitors>,
    bytes: usize,
}

/// Visitor sets by (activity, window start, window end). A clone starts empty.
#[derive(Default)]
pub(crate) struct VisitorMemo(Mutex<Remembered>);

impl Clone for VisitorMemo {
    fn clone(&self) -> Self {
        VisitorMemo::default()
    }
}

impl VisitorMemo {
    /// Drops what was remembered (a write changed the state).
    pub(crate) fn forget(&mut self) {
        let m = self.0.get_mut();
        if !m.sets.is_empty() {
            *m = Remembered::default();
        }
    }
}

impl Engine {
    /// Forgets the visitor sets readers computed, so the next answer computes from scratch
    /// (benchmarks measure cold answers this way).
    pub fn forget_reads(&self) {
        *self.memo.0.lock() = Remembered::default();
    }

    /// An activity's raw visitor set in a window and its distinct count, computed once.
    pub(crate) fn visitors(&self, id: ActivityId, w: &Window) -> Visitors {
        let key = (id, w.start.0, w.end.0);
        if let Some(v) = self.memo.0.lock().sets.get(&key) {
            return v.clone();
        }
        let set = self
            .activities
            .get(&id)
            .map(|a| a.series(TriggerType::PageView).persons(w))
            .unwrap_or_default();
        let distinct = self.persons.distinct(&set);
        let bytes = set.serialized_size();
        let v = Arc::new((set, distinct));
        let mut memo = self.memo.0.lock();
        if memo.sets.len() >= MEMO_SETS || memo.bytes + bytes > MEMO_BYTES {
            *memo = Remembered::default();
        }
        memo.bytes += bytes;
        memo.sets.insert(key, v.clone());
        v
    }

    /// Raw aggregates over a set of activities (distinct visitors are a union, not a sum).
    pub(crate) fn counts_of(&self, ids: &[ActivityId], w: &Window) -> Counts {
        let mut c = Counts::default();
        let mut visitors = RoaringBitmap::new();
        for id in ids {
            c += self.activity_counts(*id, w);
            let v = self.visitors(*id, w);
            if ids.len() == 1 {
                c.unique_visitors = v.1;
            } else {
                visitors |= &v.0;
            }
        }
        if ids.len() != 1 {
            c.unique_visitors = self.persons.distinct(&visitors);
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
            c.cancelled += approvals_in(a, w)
                .iter()
                .filter(|(_, p)| {
                    a.entries
                        .get(p)
                        .is_some_and(|e| e.status == EntryStatus::Cancelled)
                })
                .count() as u64;
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
            let Some(a) = self.activities.get(id) else {
                return [0; 4];
            };
            let first = self.visitors(*id, w).1;
            return std::array::from_fn(|i| {
                if i == 0 {
                    first
                } else {
                    self.persons.distinct(&self.step_persons(a, i, w))
                }
            });
        }
        let mut persons: [RoaringBitmap; 4] = Default::default();
        for (id, a) in self.known(ids) {
            persons[0] |= &self.visitors(id, w).0;
            for (i, set) in persons.iter_mut().enumerate().skip(1) {
                *set |= self.step_persons(a, i, w);
            }
        }
        persons.map(|p| self.persons.distinct(&p))
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
