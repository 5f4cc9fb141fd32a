//! The funnel (SPEC §5.2): step counts and distinct persons, the ordered funnel (persons who did
//! VISIT → ENGAGE → QUALIFY → PURCHASE in order inside the window), time to convert, drop-off.

use crate::engine::{ActivityData, Engine};
use axon_domain::model::{ActivityId, FunnelStep, TriggerType};
use axon_domain::period::Window;
use axon_ports::aggregates::{Dropout, OrderedFunnel};
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap as HashMap;

/// Per canonical person: the time each ordered step was reached (`None` = not reached).
pub type OrderedSteps = HashMap<u32, [Option<i64>; 4]>;

impl Engine {
    /// Raw persons of one step in the window (approvals for QUALIFY).
    pub(crate) fn step_persons(&self, a: &ActivityData, step: usize, w: &Window) -> RoaringBitmap {
        match step {
            0 => a.series(TriggerType::PageView).persons(w),
            1 => a.series(TriggerType::Click).persons(w),
            2 => approvals_in(a, w).iter().map(|(_, p)| *p).collect(),
            _ => a.series(TriggerType::Purchase).persons(w),
        }
    }

    /// Step values of one activity in the window: V, E, Q, P.
    pub(crate) fn step_values(a: &ActivityData, w: &Window) -> [u64; 4] {
        [
            a.series(TriggerType::PageView).count(w),
            a.series(TriggerType::Click).count(w),
            approvals_in(a, w).len() as u64,
            a.series(TriggerType::Purchase).count(w),
        ]
    }

    /// The ordered funnel of one activity: the greedy earliest match per canonical person,
    /// optionally requiring every step within `within_ms` of the first visit.
    pub fn ordered(&self, a: &ActivityData, w: &Window, within_ms: Option<i64>) -> OrderedSteps {
        let sources: [&[(i64, u32)]; 4] = [
            a.series(TriggerType::PageView).range(w),
            a.series(TriggerType::Click).range(w),
            approvals_in(a, w),
            a.series(TriggerType::Purchase).range(w),
        ];
        let mut idx = [0usize; 4];
        let mut state: OrderedSteps =
            HashMap::with_capacity_and_hasher(sources[0].len() / 2, rustc_hash::FxBuildHasher);
        loop {
            // Next record in (time, step) order across the four sorted sources.
            let mut best: Option<(i64, usize)> = None;
            for (s, src) in sources.iter().enumerate() {
                if let Some((t, _)) = src.get(idx[s]) {
                    if best.is_none_or(|(bt, _)| *t < bt) {
                        best = Some((*t, s));
                    }
                }
            }
            let Some((t, s)) = best else { break };
            let person = self.persons.canonical(sources[s][idx[s]].1);
            idx[s] += 1;
            if s == 0 {
                state.entry(person).or_insert([Some(t), None, None, None]);
                continue;
            }
            if let Some(steps) = state.get_mut(&person) {
                let first = steps[0].unwrap_or(t);
                let in_time = within_ms.is_none_or(|h| t - first <= h);
                if steps[s].is_none() && steps[s - 1].is_some() && in_time {
                    steps[s] = Some(t);
                }
            }
        }
        state
    }
}

impl Engine {
    /// The ordered funnel restricted to the persons who engaged in the window — all that steps
    /// 2–4 and time-to-convert need (step 1's persons are the distinct visitors). Walks the
    /// visits once with a bitmap test instead of keeping every visitor, then each later step in
    /// time order: the earliest record at or after the previous step is the greedy match.
    pub fn ordered_engaged(
        &self,
        a: &ActivityData,
        w: &Window,
        within_ms: Option<i64>,
    ) -> OrderedSteps {
        let clicks = a.series(TriggerType::Click).range(w);
        let candidates: RoaringBitmap = clicks
            .iter()
            .map(|(_, p)| self.persons.canonical(*p))
            .collect();
        let mut state: OrderedSteps =
            HashMap::with_capacity_and_hasher(candidates.len() as usize, rustc_hash::FxBuildHasher);
        if candidates.is_empty() {
            return state;
        }
        for (t, p) in a.series(TriggerType::PageView).range(w) {
            let c = self.persons.canonical(*p);
            if candidates.contains(c) {
                state.entry(c).or_insert([Some(*t), None, None, None]);
            }
        }
        let later: [&[(i64, u32)]; 3] = [
            clicks,
            approvals_in(a, w),
            a.series(TriggerType::Purchase).range(w),
        ];
        for (k, src) in later.iter().enumerate() {
            let s = k + 1;
            for (t, p) in *src {
                if let Some(steps) = state.get_mut(&self.persons.canonical(*p)) {
                    let (Some(first), Some(prev)) = (steps[0], steps[s - 1]) else {
                        continue;
                    };
                    if steps[s].is_none() && *t >= prev && within_ms.is_none_or(|h| t - first <= h)
                    {
                        steps[s] = Some(*t);
                    }
                }
            }
        }
        state
    }
}

/// Approvals (entries) with approval time in the window.
pub fn approvals_in<'a>(a: &'a ActivityData, w: &Window) -> &'a [(i64, u32)] {
    let lo = a.approvals.partition_point(|r| r.0 < w.start.0);
    let hi = a.approvals.partition_point(|r| r.0 < w.end.0);
    &a.approvals[lo..hi.max(lo)]
}

/// Persons who reached each ordered step.
pub fn ordered_users(o: &OrderedSteps) -> [u64; 4] {
    let mut out = [0u64; 4];
    for steps in o.values() {
        for (i, s) in steps.iter().enumerate() {
            if s.is_some() {
                out[i] += 1;
            }
        }
    }
    out
}

/// Seconds between consecutive ordered steps (index k: step k → k + 1), one per person.
fn seconds_to_convert(orders: &[OrderedSteps]) -> [Vec<i64>; 3] {
    std::array::from_fn(|i| {
        let k = i + 1;
        orders
            .iter()
            .flat_map(|o| o.values())
            .filter_map(|s| Some((s[k]? - s[k - 1]?) / 1000))
            .collect()
    })
}

impl Engine {
    /// The ordered funnel summed over activities: step 1 is each activity's distinct visitors,
    /// steps 2–4 each activity's ordered matches.
    pub(crate) fn ordered_funnel_of(
        &self,
        ids: &[ActivityId],
        w: &Window,
        within_ms: Option<i64>,
    ) -> OrderedFunnel {
        let mut users = [0u64; 4];
        let mut orders = Vec::new();
        for (id, a) in self.known(ids) {
            users[0] += self.visitors(id, w).1;
            let o = self.ordered_engaged(a, w, within_ms);
            let u = ordered_users(&o);
            for i in 1..4 {
                users[i] += u[i];
            }
            orders.push(o);
        }
        OrderedFunnel {
            users,
            seconds_to_convert: seconds_to_convert(&orders),
        }
    }

    /// Persons of the ordered funnel who reached `step` and not the next, earliest first.
    pub(crate) fn dropouts_of(
        &self,
        id: ActivityId,
        step: FunnelStep,
        w: &Window,
        within_ms: Option<i64>,
    ) -> Vec<Dropout> {
        let step = match step {
            FunnelStep::Visit => 0,
            FunnelStep::Engage => 1,
            FunnelStep::Qualify => 2,
            FunnelStep::Purchase => return Vec::new(),
        };
        let Some(a) = self.activity_data(id) else {
            return Vec::new();
        };
        let mut rows: Vec<(i64, u32)> = self
            .ordered(a, w, within_ms)
            .into_iter()
            .filter_map(|(p, s)| match (s[step], s[step + 1]) {
                (Some(t), None) => Some((t, p)),
                _ => None,
            })
            .collect();
        rows.sort_unstable();
        rows.into_iter()
            .map(|(t, p)| Dropout {
                person: self.persons.name(p).to_string(),
                reached_at: axon_domain::Ts(t),
            })
            .collect()
    }
}
