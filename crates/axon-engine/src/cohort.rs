//! Cohort rows (SPEC §6): the persons whose first promotion purchase of some activities falls in
//! a window, and everything they bought from then on.

use crate::engine::{Engine, PurchaseRec};
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use axon_ports::aggregates::{CohortMember, CohortPurchase};
use rustc_hash::FxHashMap as HashMap;

impl Engine {
    /// First promotion purchase of the activities per person, for firsts inside the window.
    fn cohort_firsts(&self, activities: &[ActivityId], w: &Window) -> HashMap<u32, i64> {
        let mut first: HashMap<u32, i64> = HashMap::default();
        for (_, a) in self.known(activities) {
            for r in &a.promo {
                let f = first.entry(r.person).or_insert(r.ts);
                *f = (*f).min(r.ts);
            }
        }
        first.retain(|_, t| w.contains(Ts(*t)));
        first
    }

    /// Purchases of `person` at or after `from`.
    fn purchases_from(&self, person: u32, from: i64) -> &[PurchaseRec] {
        self.by_user.get(&person).map_or(&[], |v| {
            let lo = v.partition_point(|r| r.ts < from);
            &v[lo..]
        })
    }

    pub(crate) fn cohort_of(&self, activities: &[ActivityId], w: &Window) -> Vec<CohortMember> {
        let mut members: Vec<(i64, u32)> = self
            .cohort_firsts(activities, w)
            .into_iter()
            .map(|(p, t)| (t, p))
            .collect();
        members.sort_unstable();
        members
            .into_iter()
            .map(|(first, person)| CohortMember {
                first: Ts(first),
                purchases: self
                    .purchases_from(person, first)
                    .iter()
                    .map(|r| CohortPurchase {
                        at: Ts(r.ts),
                        value: Dec2(r.revenue),
                    })
                    .collect(),
            })
            .collect()
    }
}
