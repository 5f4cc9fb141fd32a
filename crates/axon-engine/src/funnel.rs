//! The funnel (SPEC §5.2): step counts and distinct persons, the ordered funnel (persons who did
//! VISIT → ENGAGE → QUALIFY → PURCHASE in order inside the window), time to convert, drop-off.

use crate::engine::{ActivityData, Engine};
use crate::memo::{compute_funnel, Steps};
use axon_domain::model::{ActivityId, FunnelStep, TriggerType};
use axon_domain::period::Window;
use axon_ports::aggregates::{Dropout, OrderedFunnel};
use rustc_hash::FxHashMap as HashMap;

/// Per canonical person: the time each ordered step was reached (`None` = not reached).
pub type OrderedSteps = HashMap<u32, Steps>;

impl Engine {
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
        compute_funnel(a, &self.persons, w, within_ms).state
    }
}

/// Approvals (entries) with approval time in the window.
pub fn approvals_in<'a>(a: &'a ActivityData, w: &Window) -> &'a [(i64, u32)] {
    let lo = a.approvals.partition_point(|r| r.0 < w.start.0);
    let hi = a.approvals.partition_point(|r| r.0 < w.end.0);
    &a.approvals[lo..hi.max(lo)]
}

impl Engine {
    /// The ordered funnel summed over activities: step 1 is each activity's distinct visitors,
    /// steps 2–4 each activity's ordered matches (remembered per window and kept exact across
    /// writes, so fresh data costs only what arrived).
    pub(crate) fn ordered_funnel_of(
        &self,
        ids: &[ActivityId],
        w: &Window,
        within_ms: Option<i64>,
    ) -> OrderedFunnel {
        let mut users = [0u64; 4];
        let mut seconds: [Vec<i64>; 3] = Default::default();
        for (id, a) in self.known(ids) {
            users[0] += self.visitors(id, w).canon.len();
            let f = self.memo.funnel(id, a, &self.persons, w, within_ms);
            for k in 0..3 {
                users[k + 1] += f.users[k];
                seconds[k].extend_from_slice(&f.seconds[k]);
            }
        }
        OrderedFunnel {
            users,
            seconds_to_convert: seconds,
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
