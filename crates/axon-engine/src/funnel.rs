//! The funnel (SPEC §5.2): step counts and distinct persons, the ordered funnel (persons who did
//! VISIT → ENGAGE → QUALIFY → PURCHASE in order inside the window), time to convert, drop-off.

use crate::engine::{ActivityData, Engine};
use axon_domain::model::{FunnelStep, TriggerType};
use axon_domain::period::Window;
use axon_domain::Dec2;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

pub const STEPS: [FunnelStep; 4] = [
    FunnelStep::Visit,
    FunnelStep::Engage,
    FunnelStep::Qualify,
    FunnelStep::Purchase,
];
pub const STEP_NAMES_KO: [&str; 4] = ["방문", "참여", "승인", "구매"];

/// Per canonical person: the time each ordered step was reached (`None` = not reached).
pub type OrderedSteps = HashMap<u32, [Option<i64>; 4]>;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRow {
    pub step: FunnelStep,
    pub name: &'static str,
    pub value: u64,
    pub users: u64,
    pub rate: Dec2,
    pub rate_from_first: Dec2,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepTiming {
    pub from: FunnelStep,
    pub to: FunnelStep,
    pub converted: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// Builds the step rows from values and distinct persons.
pub fn step_rows(values: [u64; 4], users: [u64; 4]) -> Vec<StepRow> {
    (0..4)
        .map(|i| StepRow {
            step: STEPS[i],
            name: STEP_NAMES_KO[i],
            value: values[i],
            users: users[i],
            rate: if i == 0 {
                Dec2::from_int(100)
            } else {
                Dec2::percent(i128::from(values[i]), i128::from(values[i - 1]))
            },
            rate_from_first: if i == 0 {
                Dec2::from_int(100)
            } else {
                Dec2::percent(i128::from(values[i]), i128::from(values[0]))
            },
        })
        .collect()
}

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

/// The q-quantile (nearest rank) of `v`, by selection rather than a full sort.
fn quantile(v: &mut [i64], q: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    Some(*v.select_nth_unstable(i).1)
}

/// Median and p90 seconds between consecutive ordered steps.
pub fn time_to_convert(orders: &[&OrderedSteps]) -> Vec<StepTiming> {
    (1..4)
        .map(|k| {
            let mut d: Vec<i64> = orders
                .iter()
                .flat_map(|o| o.values())
                .filter_map(|s| Some((s[k]? - s[k - 1]?) / 1000))
                .collect();

            StepTiming {
                from: STEPS[k - 1],
                to: STEPS[k],
                converted: d.len() as u64,
                median_seconds: quantile(&mut d, 0.5),
                p90_seconds: quantile(&mut d, 0.9),
            }
        })
        .collect()
}

/// One person who reached a step and not the next.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DropoffRow {
    pub person_id: String,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    pub session_id: Option<String>,
    pub reached_at: axon_domain::Ts,
}

impl Engine {
    /// Persons of the ordered funnel who reached `step` (0–2) and not the next, earliest first.
    pub fn dropoff(
        &self,
        a: &ActivityData,
        step: usize,
        w: &Window,
        within_ms: Option<i64>,
    ) -> Vec<DropoffRow> {
        let mut rows: Vec<(i64, u32)> = self
            .ordered(a, w, within_ms)
            .into_iter()
            .filter_map(
                |(p, s)| match (s[step], s.get(step + 1).copied().flatten()) {
                    (Some(t), None) => Some((t, p)),
                    _ => None,
                },
            )
            .collect();
        rows.sort_unstable();
        rows.into_iter()
            .map(|(t, p)| {
                let name = self.persons.name(p);
                let (kind, id) = name.split_once(':').unwrap_or(("", name));
                let id = Some(id.to_string());
                DropoffRow {
                    person_id: name.to_string(),
                    user_id: if kind == "u" { id.clone() } else { None },
                    anonymous_id: if kind == "a" { id.clone() } else { None },
                    session_id: if kind == "s" { id } else { None },
                    reached_at: axon_domain::Ts(t),
                }
            })
            .collect()
    }
}
