//! `Series`: the events of one kind for one activity, as (time, person) sorted by time, plus
//! person bitmaps per hour and per day. Counts in any window `[start, end)` are two binary
//! searches; distinct persons are unions of the day and hour bitmaps inside the window plus the
//! raw records of the partial hours at its edges — exact at any second.

use axon_domain::period::Window;
use axon_domain::time::{MS_PER_DAY, MS_PER_HOUR};
use roaring::{MultiOps, RoaringBitmap};
use std::collections::BTreeMap;

#[derive(Default, Clone)]
pub struct Series {
    recs: Vec<(i64, u32)>,
    /// Records were bulk-pushed: unsorted, bitmaps not built yet.
    dirty: bool,
    hours: BTreeMap<i64, RoaringBitmap>,
    days: BTreeMap<i64, RoaringBitmap>,
}

impl Series {
    /// Adds a record; `bulk` defers sorting and the bitmaps to [`Series::finish`] (start-up
    /// replay), which builds them in one sequential pass.
    pub fn push(&mut self, ts: i64, person: u32, bulk: bool) {
        if bulk {
            self.dirty = true;
            self.recs.push((ts, person));
            return;
        }
        if self.recs.last().is_none_or(|l| *l <= (ts, person)) {
            self.recs.push((ts, person));
        } else {
            let at = self.recs.partition_point(|r| *r <= (ts, person));
            self.recs.insert(at, (ts, person));
        }
        self.hours
            .entry(ts.div_euclid(MS_PER_HOUR))
            .or_default()
            .insert(person);
        self.days
            .entry(ts.div_euclid(MS_PER_DAY))
            .or_default()
            .insert(person);
    }

    /// Sorts after a bulk load and rebuilds the hour and day bitmaps.
    pub fn finish(&mut self) {
        if !self.dirty {
            return;
        }
        self.recs.sort_unstable();
        self.recs.shrink_to_fit();
        self.dirty = false;
        self.hours.clear();
        self.days.clear();
        let mut i = 0;
        while i < self.recs.len() {
            let day = self.recs[i].0.div_euclid(MS_PER_DAY);
            let end = i + self.recs[i..].partition_point(|r| r.0.div_euclid(MS_PER_DAY) <= day);
            let mut day_set = RoaringBitmap::new();
            let mut j = i;
            while j < end {
                let hour = self.recs[j].0.div_euclid(MS_PER_HOUR);
                let hend =
                    j + self.recs[j..end].partition_point(|r| r.0.div_euclid(MS_PER_HOUR) <= hour);
                let mut ids: Vec<u32> = self.recs[j..hend].iter().map(|r| r.1).collect();
                ids.sort_unstable();
                ids.dedup();
                let set = RoaringBitmap::from_sorted_iter(ids).unwrap_or_default();
                day_set |= &set;
                self.hours.insert(hour, set);
                j = hend;
            }
            self.days.insert(day, day_set);
            i = end;
        }
    }

    /// The records with time in the window, in time order.
    pub fn range(&self, w: &Window) -> &[(i64, u32)] {
        let lo = self.recs.partition_point(|r| r.0 < w.start.0);
        let hi = self.recs.partition_point(|r| r.0 < w.end.0);
        &self.recs[lo..hi.max(lo)]
    }

    pub fn count(&self, w: &Window) -> u64 {
        self.range(w).len() as u64
    }

    /// The newest record's time.
    pub fn last(&self) -> Option<i64> {
        self.recs.last().map(|r| r.0)
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    fn raw_into(&self, start: i64, end: i64, out: &mut Vec<u32>) {
        if start < end {
            out.extend(
                self.range(&Window::new(axon_domain::Ts(start), axon_domain::Ts(end)))
                    .iter()
                    .map(|r| r.1),
            );
        }
    }

    /// Raw person ids with a record in the window.
    pub fn persons(&self, w: &Window) -> RoaringBitmap {
        let (s, e) = (w.start.0, w.end.0);
        if e <= s || self.recs.is_empty() {
            return RoaringBitmap::new();
        }
        let mut edges = Vec::new();
        let first_hour = s.div_euclid(MS_PER_HOUR) + i64::from(s.rem_euclid(MS_PER_HOUR) != 0);
        let mut t = first_hour * MS_PER_HOUR;
        if t >= e {
            self.raw_into(s, e, &mut edges);
            return Self::bitmap_of(edges);
        }
        self.raw_into(s, t, &mut edges);
        // Whole days and hours inside the window, unioned in one pass (much cheaper than one
        // union per bitmap when the sets are sparse).
        let mut parts: Vec<&RoaringBitmap> = Vec::new();
        while t + MS_PER_HOUR <= e {
            if t.rem_euclid(MS_PER_DAY) == 0 && t + MS_PER_DAY <= e {
                parts.extend(self.days.get(&t.div_euclid(MS_PER_DAY)));
                t += MS_PER_DAY;
            } else {
                parts.extend(self.hours.get(&t.div_euclid(MS_PER_HOUR)));
                t += MS_PER_HOUR;
            }
        }
        self.raw_into(t, e, &mut edges);
        let mut out = parts.union();
        out |= Self::bitmap_of(edges);
        out
    }

    fn bitmap_of(mut ids: Vec<u32>) -> RoaringBitmap {
        ids.sort_unstable();
        ids.dedup();
        RoaringBitmap::from_sorted_iter(ids).unwrap_or_default()
    }

    /// The times of the records in the window by any of `raws`, in time order; only the hours
    /// whose bitmap holds one of them are scanned.
    pub fn times_of(&self, w: &Window, raws: &RoaringBitmap) -> Vec<i64> {
        let (s, e) = (w.start.0, w.end.0);
        let mut out = Vec::new();
        if e <= s || raws.is_empty() {
            return out;
        }
        let (h0, h1) = (s.div_euclid(MS_PER_HOUR), (e - 1).div_euclid(MS_PER_HOUR));
        for (h, set) in self.hours.range(h0..=h1) {
            if set.is_disjoint(raws) {
                continue;
            }
            let from = (h * MS_PER_HOUR).max(s);
            let to = ((h + 1) * MS_PER_HOUR).min(e);
            let part = Window::new(axon_domain::Ts(from), axon_domain::Ts(to));
            out.extend(
                self.range(&part)
                    .iter()
                    .filter(|r| raws.contains(r.1))
                    .map(|r| r.0),
            );
        }
        out
    }

    /// Records per bucket of `bucket_ms` from `from` (aligned by the caller) up to the window end.
    pub fn bucket_counts(&self, w: &Window, from: i64, bucket_ms: i64) -> Vec<(i64, u64)> {
        let mut out = Vec::new();
        // One forward pass: each bucket's end is searched only in what follows its start.
        let recs = self.range(w);
        let mut lo = 0usize;
        let mut t = from;
        while t < w.end.0 {
            let end = (t + bucket_ms).min(w.end.0);
            let n = recs[lo..].partition_point(|r| r.0 < end);
            out.push((t, n as u64));
            lo += n;
            t += bucket_ms;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axon_domain::Ts;

    #[test]
    fn counts_and_persons_are_exact_at_odd_edges() {
        let mut s = Series::default();
        let recs = [
            (5, 1),
            (MS_PER_HOUR - 1, 2),
            (MS_PER_HOUR, 3),
            (MS_PER_DAY + 7, 4),
            (2 * MS_PER_DAY + MS_PER_HOUR + 3, 5),
        ];
        for (t, p) in recs.iter().rev() {
            s.push(*t, *p, true);
        }
        s.finish();
        let all = Window::new(Ts(0), Ts(3 * MS_PER_DAY));
        assert_eq!(s.count(&all), 5);
        assert_eq!(s.persons(&all).len(), 5);
        let w = Window::new(Ts(6), Ts(MS_PER_DAY + 8));
        assert_eq!(s.count(&w), 3);
        assert_eq!(s.persons(&w).iter().collect::<Vec<_>>(), vec![2, 3, 4]);
        let w = Window::new(Ts(MS_PER_HOUR), Ts(2 * MS_PER_DAY + MS_PER_HOUR + 3));
        assert_eq!(s.persons(&w).iter().collect::<Vec<_>>(), vec![3, 4]);
        let mut live = Series::default();
        live.push(10, 1, false);
        live.push(5, 2, false);
        assert_eq!(live.range(&Window::new(Ts(0), Ts(11))), &[(5, 2), (10, 1)]);
    }
}
