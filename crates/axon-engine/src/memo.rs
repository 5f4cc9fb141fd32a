//! Window answers remembered across writes, kept exact by every write.
//!
//! Readers fill two kinds of entries: per (activity, funnel step, window) the raw person set and
//! its canonical (link-resolved) set — distinct persons are the canonical set's length — and per
//! (activity, window, conversion window) the ordered funnel's per-person state with its totals.
//! A dashboard on fresh data (an event arrived since the last answer) then costs the few records
//! that arrived, not a walk over the window's records.
//!
//! How each write keeps an entry exact:
//! - a record (visit, click, approval, purchase) inside an entry's window joins the sets; the
//!   ordered funnel folds it in when it is not older than the newest record it folded
//!   (greedy earliest matching is a left-to-right scan in (time, step) order, so appending is
//!   exact); an older record drops that funnel entry;
//! - an identity link (an anonymous id now counts as a user): in the sets the anonymous id's
//!   canonical person is replaced (a re-link to another user drops the set, whose old user may
//!   still have other records); in a funnel the persons involved are recomputed from their own
//!   records in the window (found through the hour bitmaps);
//! - the funnel keeps only the persons who engaged (built like the one-off answer); a person's
//!   first click in the window looks up their first visit from their own records;
//! - an approval that disappears or moves (an entry rejected or re-timed) drops the activity's
//!   approval sets and funnels.
//!
//! Dropped entries are recomputed by the next reader. A clone starts empty.

use crate::engine::ActivityData;
use crate::funnel::approvals_in;
use crate::persons::Persons;
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::period::Window;
use parking_lot::Mutex;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Most entries, and most bytes of them, remembered before the memo starts over.
const MEMO_ENTRIES: usize = 2048;
const MEMO_BYTES: usize = 128 << 20;

/// The persons of one funnel step of one activity in one window.
#[derive(Clone, Default)]
pub(crate) struct StepSet {
    pub raw: RoaringBitmap,
    pub canon: RoaringBitmap,
}

/// Per canonical person: the time each ordered step was reached (`None` = not reached).
pub type Steps = [Option<i64>; 4];

/// The ordered funnel of one activity in one window.
#[derive(Clone, Default)]
pub(crate) struct Funnel {
    /// Every canonical person who visited in the window.
    pub state: FxHashMap<u32, Steps>,
    /// Persons who reached steps 2, 3 and 4 in order.
    pub users: [u64; 3],
    /// Seconds between consecutive steps (index k: step k+1 → k+2), one per person.
    pub seconds: [Vec<i64>; 3],
    /// The greatest (time, step) folded in.
    pub high: (i64, usize),
    pub within: Option<i64>,
}

impl Funnel {
    /// The greedy earliest match over records in (time, step) order.
    pub(crate) fn fold(&mut self, t: i64, step: usize, person: u32) {
        self.high = self.high.max((t, step));
        if step == 0 {
            self.state
                .entry(person)
                .or_insert([Some(t), None, None, None]);
            return;
        }
        self.advance(t, step, person);
    }

    /// A later step's record: matches when the person reached the step before, at or before
    /// `t`, within the conversion window of their first visit.
    fn advance(&mut self, t: i64, step: usize, person: u32) {
        let Some(steps) = self.state.get_mut(&person) else {
            return;
        };
        let (Some(first), Some(prev)) = (steps[0], steps[step - 1]) else {
            return;
        };
        if steps[step].is_none() && t >= prev && self.within.is_none_or(|h| t - first <= h) {
            steps[step] = Some(t);
            self.users[step - 1] += 1;
            self.seconds[step - 1].push((t - prev) / 1000);
        }
    }

    /// Takes a person out, with what they contributed to the totals.
    fn remove(&mut self, person: u32) {
        let Some(steps) = self.state.remove(&person) else {
            return;
        };
        for k in 1..4 {
            if let (Some(t), Some(prev)) = (steps[k], steps[k - 1]) {
                self.users[k - 1] -= 1;
                let secs = &mut self.seconds[k - 1];
                if let Some(i) = secs.iter().position(|s| *s == (t - prev) / 1000) {
                    secs.swap_remove(i);
                }
            }
        }
    }

    fn bytes(&self) -> usize {
        self.state.capacity() * 48 + self.seconds.iter().map(|s| s.capacity() * 8).sum::<usize>()
    }
}

/// (step, window start, window end) of a step set.
type SetKey = (usize, i64, i64);
/// (window start, window end, conversion window) of a funnel.
type FunnelKey = (i64, i64, Option<i64>);

/// Entries by activity, so a record visits only its own activity's entries.
#[derive(Default)]
struct Remembered {
    sets: FxHashMap<ActivityId, FxHashMap<SetKey, Arc<StepSet>>>,
    funnels: FxHashMap<ActivityId, FxHashMap<FunnelKey, Arc<Funnel>>>,
    entries: usize,
    bytes: usize,
}

impl Remembered {
    fn room(&mut self, bytes: usize) {
        if self.entries >= MEMO_ENTRIES || self.bytes + bytes > MEMO_BYTES {
            *self = Remembered::default();
        }
        self.entries += 1;
        self.bytes += bytes;
    }
}

#[derive(Default)]
pub(crate) struct Memo(Mutex<Remembered>);

impl Clone for Memo {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

/// The funnel step a behaviour event counts for (approvals come from entries).
pub(crate) fn step_of(t: TriggerType) -> Option<usize> {
    match t {
        TriggerType::PageView => Some(0),
        TriggerType::Click => Some(1),
        TriggerType::Purchase => Some(3),
        _ => None,
    }
}

/// The raw person ids of one step in the window.
pub(crate) fn step_raw(a: &ActivityData, step: usize, w: &Window) -> RoaringBitmap {
    match step {
        0 => a.series(TriggerType::PageView).persons(w),
        1 => a.series(TriggerType::Click).persons(w),
        2 => approvals_in(a, w).iter().map(|(_, p)| *p).collect(),
        _ => a.series(TriggerType::Purchase).persons(w),
    }
}

/// The records of one step in the window, in time order.
fn step_records<'a>(a: &'a ActivityData, step: usize, w: &Window) -> &'a [(i64, u32)] {
    match step {
        0 => a.series(TriggerType::PageView).range(w),
        1 => a.series(TriggerType::Click).range(w),
        2 => approvals_in(a, w),
        _ => a.series(TriggerType::Purchase).range(w),
    }
}

/// The ordered funnel of one activity computed from its records: one merged pass in
/// (time, step) order.
pub(crate) fn compute_funnel(
    a: &ActivityData,
    persons: &Persons,
    w: &Window,
    within: Option<i64>,
) -> Funnel {
    let sources: [&[(i64, u32)]; 4] = std::array::from_fn(|s| step_records(a, s, w));
    let mut f = Funnel {
        state: FxHashMap::with_capacity_and_hasher(sources[0].len() / 2, Default::default()),
        within,
        high: (i64::MIN, 0),
        ..Funnel::default()
    };
    let mut idx = [0usize; 4];
    loop {
        let mut best: Option<(i64, usize)> = None;
        for (s, src) in sources.iter().enumerate() {
            if let Some((t, _)) = src.get(idx[s]) {
                if best.is_none_or(|(bt, _)| *t < bt) {
                    best = Some((*t, s));
                }
            }
        }
        let Some((t, s)) = best else { break };
        let person = persons.canonical(sources[s][idx[s]].1);
        idx[s] += 1;
        f.fold(t, s, person);
    }
    f
}

/// The ordered funnel remembered for an activity: the state of the persons who engaged in the
/// window (all that steps 2–4 and time to convert need; step 1 is the distinct visitors). Walks
/// the visits once with a bitmap test, then each later step in time order: the earliest record
/// at or after the previous step is the greedy match. A person who engages later gets their
/// first visit looked up then ([`Memo::record`]).
pub(crate) fn compute_engaged(
    a: &ActivityData,
    persons: &Persons,
    w: &Window,
    within: Option<i64>,
) -> Funnel {
    let mut f = Funnel {
        within,
        high: (i64::MIN, 0),
        ..Funnel::default()
    };
    for s in 0..4 {
        if let Some((t, _)) = step_records(a, s, w).last() {
            f.high = f.high.max((*t, s));
        }
    }
    let clicks = step_records(a, 1, w);
    let candidates: RoaringBitmap = clicks.iter().map(|(_, p)| persons.canonical(*p)).collect();
    if candidates.is_empty() {
        return f;
    }
    f.state.reserve(candidates.len() as usize);
    for (t, p) in step_records(a, 0, w) {
        let c = persons.canonical(*p);
        if candidates.contains(c) {
            f.state.entry(c).or_insert([Some(*t), None, None, None]);
        }
    }
    for s in 1..4 {
        for (t, p) in step_records(a, s, w) {
            f.advance(*t, s, persons.canonical(*p));
        }
    }
    f
}

/// A canonical person's first visit in the window, from their own records.
fn first_visit(a: &ActivityData, persons: &Persons, person: u32, w: &Window) -> Option<i64> {
    a.series(TriggerType::PageView)
        .times_of(w, &persons.raws_of(person))
        .into_iter()
        .min()
}

/// One canonical person's funnel state from their own records (every raw id that counts as
/// them), or `None` when they did not visit in the window.
fn person_steps(
    a: &ActivityData,
    persons: &Persons,
    person: u32,
    w: &Window,
    within: Option<i64>,
) -> Option<Steps> {
    let raws = persons.raws_of(person);
    let mut recs: Vec<(i64, usize)> = Vec::new();
    for (s, t) in [
        (0usize, TriggerType::PageView),
        (1, TriggerType::Click),
        (3, TriggerType::Purchase),
    ] {
        for ts in a.series(t).times_of(w, &raws) {
            recs.push((ts, s));
        }
    }
    for (t, p) in approvals_in(a, w) {
        if raws.contains(*p) {
            recs.push((*t, 2));
        }
    }
    recs.sort_unstable();
    let mut f = Funnel {
        within,
        ..Funnel::default()
    };
    for (t, s) in recs {
        f.fold(t, s, person);
    }
    f.state.remove(&person)
}

impl Memo {
    /// Drops everything (bulk loads, benchmarks measuring cold answers).
    pub(crate) fn forget(&mut self) {
        let m = self.0.get_mut();
        if m.entries > 0 {
            *m = Remembered::default();
        }
    }

    pub(crate) fn forget_shared(&self) {
        *self.0.lock() = Remembered::default();
    }

    /// A step's persons in a window, computed once.
    pub(crate) fn step_set(
        &self,
        id: ActivityId,
        a: Option<&ActivityData>,
        persons: &Persons,
        step: usize,
        w: &Window,
    ) -> Arc<StepSet> {
        let key = (step, w.start.0, w.end.0);
        if let Some(v) = self.0.lock().sets.get(&id).and_then(|s| s.get(&key)) {
            return v.clone();
        }
        let raw = a.map(|a| step_raw(a, step, w)).unwrap_or_default();
        let canon = persons.canonical_set(&raw);
        let bytes = raw.serialized_size() + canon.serialized_size();
        let v = Arc::new(StepSet { raw, canon });
        let mut m = self.0.lock();
        m.room(bytes);
        m.sets.entry(id).or_default().insert(key, v.clone());
        v
    }

    /// An activity's ordered funnel in a window, computed once.
    pub(crate) fn funnel(
        &self,
        id: ActivityId,
        a: &ActivityData,
        persons: &Persons,
        w: &Window,
        within: Option<i64>,
    ) -> Arc<Funnel> {
        let key = (w.start.0, w.end.0, within);
        if let Some(v) = self.0.lock().funnels.get(&id).and_then(|f| f.get(&key)) {
            return v.clone();
        }
        let f = compute_engaged(a, persons, w, within);
        let bytes = f.bytes();
        let v = Arc::new(f);
        let mut m = self.0.lock();
        m.room(bytes);
        m.funnels.entry(id).or_default().insert(key, v.clone());
        v
    }

    /// A record of `step` at `t` by raw person `raw` (canonical `person`) joined activity `id`.
    pub(crate) fn record(
        &mut self,
        id: ActivityId,
        a: Option<&ActivityData>,
        persons: &Persons,
        (step, t): (usize, i64),
        (raw, person): (u32, u32),
    ) {
        let m = self.0.get_mut();
        for ((s, start, end), set) in m.sets.get_mut(&id).into_iter().flatten() {
            if *s == step && *start <= t && t < *end {
                let set = Arc::make_mut(set);
                set.raw.insert(raw);
                set.canon.insert(person);
            }
        }
        if let Some(funnels) = m.funnels.get_mut(&id) {
            funnels.retain(|(start, end, _), f| {
                if t < *start || *end <= t {
                    return true;
                }
                if (t, step) < f.high {
                    return false;
                }
                let f = Arc::make_mut(f);
                if step == 0 && !f.state.contains_key(&person) {
                    // Not engaged (yet): their first visit may be older than this one, so it is
                    // looked up when they click.
                    f.high = f.high.max((t, step));
                    return true;
                }
                if step == 1 && !f.state.contains_key(&person) {
                    // A person who engages for the first time in the window: their first visit
                    // (all visits are at or before this click).
                    let w = Window::new(axon_domain::Ts(*start), axon_domain::Ts(*end));
                    if let Some(v) = a.and_then(|a| first_visit(a, persons, person, &w)) {
                        f.state.insert(person, [Some(v), None, None, None]);
                    }
                }
                f.fold(t, step, person);
                true
            });
        }
    }

    /// An approval of activity `id` disappeared or moved: its approval sets and funnels go.
    pub(crate) fn approvals_changed(&mut self, id: ActivityId) {
        let m = self.0.get_mut();
        if let Some(sets) = m.sets.get_mut(&id) {
            sets.retain(|(s, _, _), _| *s != 2);
        }
        m.funnels.remove(&id);
    }

    /// Raw person `raw` now counts as `new` (it counted as `old`; `old == raw` for a first link).
    pub(crate) fn link(
        &mut self,
        raw: u32,
        old: u32,
        new: u32,
        persons: &Persons,
        activities: &FxHashMap<ActivityId, ActivityData>,
    ) {
        let m = self.0.get_mut();
        for sets in m.sets.values_mut() {
            sets.retain(|_, set| {
                if !set.raw.contains(raw) {
                    return true;
                }
                if old != raw {
                    // A re-link: the old user may still count through other raw ids.
                    return false;
                }
                let set = Arc::make_mut(set);
                set.canon.remove(raw);
                set.canon.insert(new);
                true
            });
        }
        for (id, funnels) in &mut m.funnels {
            let Some(a) = activities.get(id) else {
                continue;
            };
            for ((start, end, within), f) in funnels.iter_mut() {
                let w = Window::new(axon_domain::Ts(*start), axon_domain::Ts(*end));
                let f = Arc::make_mut(f);
                f.remove(old);
                f.remove(new);
                let mut fix = vec![new];
                if old != raw {
                    fix.push(old);
                }
                for p in fix {
                    if let Some(steps) = person_steps(a, persons, p, &w, *within) {
                        for k in 1..4 {
                            if let (Some(t), Some(prev)) = (steps[k], steps[k - 1]) {
                                f.users[k - 1] += 1;
                                f.seconds[k - 1].push((t - prev) / 1000);
                            }
                        }
                        f.state.insert(p, steps);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The remembered answers against the same answers computed from scratch (a clone of the
    //! engine starts with nothing remembered), after every write of mostly time-ordered traffic.

    use crate::engine::Engine;
    use axon_domain::event::EventCore;
    use axon_domain::model::{Entry, EntryStatus, TriggerType};
    use axon_domain::period::Window;
    use axon_domain::{BusinessTz, Ts};
    use axon_ports::aggregates::Aggregates;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;

    fn event(trigger: TriggerType, t: i64, user: Option<u8>, anon: Option<u8>) -> EventCore {
        EventCore {
            trigger_type: trigger,
            occurred_at: Ts(t),
            activity_id: Some(1),
            user_id: user.map(|u| format!("u{u}")),
            anonymous_id: anon.map(|a| format!("a{a}")),
            session_id: None,
            bot: false,
        }
    }

    fn answers(
        e: &Engine,
        w: &Window,
        within: Option<i64>,
    ) -> (Vec<u64>, [u64; 4], [u64; 4], [Vec<i64>; 3]) {
        let c = e.counts(&[1], w);
        let mut f = e.ordered_funnel(&[1], w, within);
        for s in &mut f.seconds_to_convert {
            s.sort_unstable();
        }
        (
            vec![
                c.visits,
                c.unique_visitors,
                c.engagements,
                c.approvals,
                c.cancelled,
            ],
            e.step_users(&[1], w),
            f.users,
            f.seconds_to_convert,
        )
    }

    #[test]
    fn a_later_visit_of_a_visitor_who_had_not_engaged_is_not_their_first() {
        let mut e = Engine::new(BusinessTz::default());
        let w = Window::new(Ts(0), Ts(10 * HOUR));
        let within = Some(HOUR);
        e.apply_core(1, &event(TriggerType::PageView, HOUR, None, Some(1)));
        let _ = e.ordered_funnel(&[1], &w, within);
        e.apply_core(2, &event(TriggerType::PageView, 3 * HOUR, None, Some(1)));
        e.apply_core(
            3,
            &event(TriggerType::Click, 3 * HOUR + 60_000, None, Some(1)),
        );
        assert_eq!(e.ordered_funnel(&[1], &w, within).users, [1, 0, 0, 0]);
        assert_eq!(answers(&e, &w, within), answers(&e.clone(), &w, within));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn remembered_answers_equal_fresh_ones_after_every_write(
            ops in proptest::collection::vec((0..10u8, 0..12u8, 0..6u8, 0..40i64, any::<bool>()), 1..120),
            within in prop_oneof![Just(None), Just(Some(HOUR)), Just(Some(6 * HOUR))],
            edges in (0..6i64, 30..48i64),
        ) {
            let mut e = Engine::new(BusinessTz::default());
            let w = Window::new(Ts(edges.0 * HOUR), Ts(edges.1 * HOUR));
            let mut t = 0i64;
            for (i, (kind, anon, user, step, back)) in ops.into_iter().enumerate() {
                // Mostly forward in time; sometimes a record from the past.
                t += step * 600_000;
                let at = if back && kind == 9 { t / 2 } else { t };
                let (trigger, u, a) = match kind {
                    0..=4 => (TriggerType::PageView, None, Some(anon)),
                    5 => (TriggerType::Click, None, Some(anon)),
                    6 => (TriggerType::Click, Some(user), Some(anon)),
                    7 => (TriggerType::Purchase, Some(user), None),
                    _ => (TriggerType::PageView, Some(user), Some(anon)),
                };
                if kind == 8 && back {
                    let status = [EntryStatus::Approved, EntryStatus::Paid, EntryStatus::Cancelled, EntryStatus::Rejected][usize::from(anon % 4)];
                    e.apply_entry(&Entry {
                        id: i as i64,
                        activity_id: 1,
                        user_id: format!("u{user}"),
                        status,
                        order: 1,
                        quantity: 1,
                        requested_at: Ts(at),
                        processed_at: Some(Ts(at)),
                    });
                } else {
                    e.apply_core(i as u64, &event(trigger, at, u, a));
                }
                let warm = answers(&e, &w, within);
                prop_assert_eq!(&warm, &answers(&e.clone(), &w, within));
            }
        }
    }
}
