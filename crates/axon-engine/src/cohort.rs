//! Cohort LTV (SPEC §6): the persons whose first purchase of an activity falls in a window, and
//! everything they bought from then on; plus the campaign retention matrix.

use crate::engine::{Engine, PurchaseRec};
use axon_domain::metrics::health;
use axon_domain::model::{ActivityId, CampaignId};
use axon_domain::money::div_half_up;
use axon_domain::period::Window;
use axon_domain::time::MS_PER_DAY;
use axon_domain::{Dec2, Ts};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const MONTHS: i32 = 12;

fn per(sum: i64, n: u64) -> Dec2 {
    if n == 0 {
        Dec2::ZERO
    } else {
        Dec2(i64::try_from(div_half_up(i128::from(sum), i128::from(n))).unwrap_or(i64::MAX))
    }
}

impl Engine {
    /// First promotion purchase of the activity per person, for firsts inside the window.
    fn cohort_firsts(&self, activities: &[ActivityId], w: &Window) -> HashMap<u32, i64> {
        let mut first: HashMap<u32, i64> = HashMap::default();
        for a in activities.iter().filter_map(|a| self.activities.get(a)) {
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

    /// The activity cohort, or `None` for an unknown activity.
    pub fn cohort_activity(&self, id: ActivityId, w: &Window, now: Ts) -> Option<Value> {
        let meta = self.activity_meta(id)?;
        let firsts = self.cohort_firsts(&[id], w);
        let n = firsts.len() as u64;
        let (mut ltv30, mut ltv90, mut ltv365, mut total, mut orders, mut repeaters) =
            (0i64, 0i64, 0i64, 0i64, 0u64, 0u64);
        let month_starts: Vec<i64> = (0..=MONTHS)
            .map(|m| self.tz.add_months(meta.start_date, m).0)
            .collect();
        let mut monthly = vec![(0i64, 0u64, HashSet::default()); MONTHS as usize];
        for (person, first) in &firsts {
            let bought = self.purchases_from(*person, *first);
            for r in bought {
                let d = (r.ts - first) / MS_PER_DAY;
                if d <= 30 {
                    ltv30 += r.revenue;
                }
                if d <= 90 {
                    ltv90 += r.revenue;
                }
                if d <= 365 {
                    ltv365 += r.revenue;
                }
                total += r.revenue;
                let m = month_starts.partition_point(|s| *s <= r.ts);
                if (1..=MONTHS as usize).contains(&m) {
                    let slot = &mut monthly[m - 1];
                    slot.0 += r.revenue;
                    slot.1 += 1;
                    slot.2.insert(*person);
                }
            }
            orders += bought.len() as u64;
            if bought.len() >= 2 {
                repeaters += 1;
            }
        }
        let budget = meta.budget;
        let cac = per(budget.0, n);
        let ratio = |ltv: Dec2| Dec2::ratio(i128::from(ltv.0), i128::from(cac.0));
        let (l30, l90, l365, lcur) = (per(ltv30, n), per(ltv90, n), per(ltv365, n), per(total, n));
        let mut cumulative = 0i64;
        let monthly: Vec<Value> = monthly
            .iter()
            .enumerate()
            .map(|(m, (revenue, count, active))| {
                cumulative += revenue;
                let profit = cumulative - budget.0;
                json!({
                    "month": m, "monthStart": Ts(month_starts[m]),
                    "cumulativeLtv": per(cumulative, n), "revenue": Dec2(*revenue), "orders": count,
                    "activeUsers": active.len(), "cumulativeRevenue": Dec2(cumulative),
                    "cumulativeProfit": Dec2(profit), "breakEven": profit >= 0 && n > 0,
                })
            })
            .collect();
        Some(json!({
            "cohortId": format!("activity-{id}"),
            "cohortName": meta.name,
            "activityId": id,
            "cohortStartDate": w.start,
            "cohortEndDate": w.end,
            "totalCustomers": n,
            "totalAcquisitionCost": budget,
            "avgCAC": cac,
            "ltv30d": l30, "ltv90d": l90, "ltv365d": l365, "ltvCurrent": lcur,
            "ltvCacRatio30d": ratio(l30), "ltvCacRatio90d": ratio(l90), "ltvCacRatio365d": ratio(l365), "ltvCacRatioCurrent": ratio(lcur),
            "repeatPurchaseRate": Dec2::percent(i128::from(repeaters), i128::from(n)),
            "avgPurchaseFrequency": Dec2::ratio(i128::from(orders), i128::from(n)),
            "avgOrderValue": per(total, orders),
            "monthly": monthly,
            "health": if n == 0 { None } else { health(ratio(lcur), !budget.is_zero()) },
            "definition": "cohort = persons whose first promotion purchase of this activity falls in [cohortStartDate, cohortEndDate); LTV counts every purchase of theirs (any type) from that first purchase on, per customer; day 30 is inside ltv30d",
            "calculatedAt": now,
        }))
    }

    /// The campaign retention matrix: cohorts of first-time buyers (first promotion purchase in
    /// any of the campaign's activities) by month or week × periods since, % still buying.
    pub fn cohort_campaign(
        &self,
        id: CampaignId,
        weekly: bool,
        w: &Window,
        now: Ts,
    ) -> Option<Value> {
        let campaign = self.campaigns.get(&id)?;
        let ids: Vec<ActivityId> = self.campaign_activities(id).iter().map(|a| a.id).collect();
        let firsts = self.cohort_firsts(&ids, w);
        let period_start = |t: Ts| {
            if weekly {
                self.tz.week_start(t)
            } else {
                self.tz.month_start(t, 0)
            }
        };
        let next = |t: Ts| {
            if weekly {
                t.plus_ms(7 * MS_PER_DAY)
            } else {
                self.tz.add_months(t, 1)
            }
        };
        let mut cohorts: BTreeMap<i64, Vec<(u32, i64)>> = BTreeMap::new();
        for (p, f) in &firsts {
            cohorts
                .entry(period_start(Ts(*f)).0)
                .or_default()
                .push((*p, *f));
        }
        let rows: Vec<Value> = cohorts
            .iter()
            .map(|(start, members)| {
                let mut bounds = vec![*start];
                while let Some(last) = bounds.last().copied().filter(|l| *l <= now.0) {
                    bounds.push(next(Ts(last)).0);
                }
                let periods = bounds.len() - 1;
                let mut counts = vec![0u64; periods];
                for (p, f) in members {
                    let mut seen = vec![false; periods];
                    for r in self.purchases_from(*p, *f) {
                        let k = bounds.partition_point(|b| *b <= r.ts);
                        if (1..=periods).contains(&k) {
                            seen[k - 1] = true;
                        }
                    }
                    for (c, s) in counts.iter_mut().zip(seen) {
                        *c += u64::from(s);
                    }
                }
                let size = members.len() as u64;
                json!({
                    "cohort": if weekly { self.tz.date_string(Ts(*start)) } else { self.tz.date_string(Ts(*start))[..7].to_string() },
                    "start": Ts(*start), "size": size, "counts": counts,
                    "retention": counts.iter().map(|c| Dec2::percent(i128::from(*c), i128::from(size))).collect::<Vec<_>>(),
                })
            })
            .collect();
        Some(json!({
            "cohortId": format!("campaign-{id}"),
            "cohortName": campaign.name,
            "granularity": if weekly { "week" } else { "month" },
            "cohortStartDate": w.start,
            "cohortEndDate": w.end,
            "totalCustomers": firsts.len(),
            "cohorts": rows,
            "definition": "cohort = first-time buyers by the period of their first promotion purchase in this campaign; retention[k] = % of them who bought anything in period k after it (period 0 is the first purchase)",
            "calculatedAt": now,
        }))
    }
}
