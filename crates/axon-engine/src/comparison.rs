//! Promotion effect (SPEC §5.4): promotion vs normal purchases of the same products in the
//! window, daily, against the 14-day pre-start baseline, with a Poisson rate test.

use crate::engine::{Engine, PurchaseRec};
use axon_domain::metrics::poisson_rate_test;
use axon_domain::model::{ActivityId, ProductId};
use axon_domain::period::Window;
use axon_domain::time::MS_PER_DAY;
use axon_domain::{Dec2, Ts};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const BASELINE_DAYS: i64 = 14;

fn in_window<'a>(v: &'a [PurchaseRec], w: &Window) -> &'a [PurchaseRec] {
    let lo = v.partition_point(|r| r.ts < w.start.0);
    let hi = v.partition_point(|r| r.ts < w.end.0);
    &v[lo..hi.max(lo)]
}

impl Engine {
    /// The comparison widget for `activities` (their promotion purchases) and `products` (their
    /// normal sales), with the baseline taken before `start`.
    pub fn comparison(
        &self,
        activities: &[ActivityId],
        products: &[ProductId],
        start: Option<Ts>,
        w: &Window,
    ) -> Value {
        let mut daily: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut day = self.tz.day_start(w.start);
        while day < w.end {
            daily.insert(self.tz.date_string(day), (0, 0));
            day = self.tz.next_day_start(day);
        }
        let (mut promo_n, mut promo_gmv, mut normal_n, mut normal_gmv) = (0u64, 0i64, 0u64, 0i64);
        for a in activities.iter().filter_map(|a| self.activities.get(a)) {
            for r in in_window(&a.promo, w) {
                promo_n += 1;
                promo_gmv += r.revenue;
                daily.entry(self.tz.date_string(Ts(r.ts))).or_default().0 += 1;
            }
        }
        let mut baseline_n = 0u64;
        let baseline_window = start.map(|s| Window::new(Ts(s.0 - BASELINE_DAYS * MS_PER_DAY), s));
        for p in products {
            let Some(v) = self.by_product.get(p) else {
                continue;
            };
            for r in in_window(v, w).iter().filter(|r| !r.promo) {
                normal_n += 1;
                normal_gmv += r.revenue;
                daily.entry(self.tz.date_string(Ts(r.ts))).or_default().1 += 1;
            }
            if let Some(bw) = &baseline_window {
                baseline_n += in_window(v, bw).iter().filter(|r| !r.promo).count() as u64;
            }
        }
        let days = w.len_ms() as f64 / MS_PER_DAY as f64;
        let baseline_daily = Dec2::ratio(i128::from(baseline_n), i128::from(BASELINE_DAYS));
        let uplift = if baseline_n == 0 || days <= 0.0 {
            None
        } else {
            let per_day = (promo_n + normal_n) as f64 / days;
            let base = baseline_n as f64 / BASELINE_DAYS as f64;
            Some(Dec2::from_f64((per_day - base) / base * 100.0))
        };
        let significance =
            poisson_rate_test(promo_n + normal_n, days, baseline_n, BASELINE_DAYS as f64);
        json!({
            "productIds": products,
            "daily": daily.into_iter().map(|(date, (p, n))| json!({"date": date, "promotion": p, "normal": n})).collect::<Vec<_>>(),
            "totals": {
                "promotion": {"count": promo_n, "gmv": Dec2(promo_gmv)},
                "normal": {"count": normal_n, "gmv": Dec2(normal_gmv)},
            },
            "promotionPurchases": promo_n,
            "normalPurchases": normal_n,
            "baselineDaily": baseline_daily,
            "baselineStart": baseline_window.map(|b| b.start),
            "baselineEnd": baseline_window.map(|b| b.end),
            "upliftPercent": uplift,
            "significance": significance,
        })
    }
}
