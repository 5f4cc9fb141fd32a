//! Purchases in a window (SPEC §5.4): promotion purchases of activities or normal purchases of
//! products, with their revenue and a count per day.

use crate::engine::{Engine, PurchaseRec};
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use axon_ports::aggregates::{PurchaseSeries, PurchaseSet};

fn in_window<'a>(v: &'a [PurchaseRec], w: &Window) -> &'a [PurchaseRec] {
    let lo = v.partition_point(|r| r.ts < w.start.0);
    let hi = v.partition_point(|r| r.ts < w.end.0);
    &v[lo..hi.max(lo)]
}

impl Engine {
    pub(crate) fn purchases_of(
        &self,
        set: PurchaseSet<'_>,
        w: &Window,
        day_starts: &[Ts],
    ) -> PurchaseSeries {
        let mut out = PurchaseSeries {
            per_day: vec![0; day_starts.len()],
            ..PurchaseSeries::default()
        };
        let mut add = |r: &PurchaseRec| {
            out.count += 1;
            out.revenue += Dec2(r.revenue);
            let day = day_starts.partition_point(|d| d.0 <= r.ts);
            if let Some(n) = day.checked_sub(1).and_then(|d| out.per_day.get_mut(d)) {
                *n += 1;
            }
        };
        match set {
            PurchaseSet::Promotion(ids) => {
                for (_, a) in self.known(ids) {
                    in_window(&a.promo, w).iter().for_each(&mut add);
                }
            }
            PurchaseSet::Normal(products) => {
                for v in products.iter().filter_map(|p| self.by_product.get(p)) {
                    in_window(v, w)
                        .iter()
                        .filter(|r| !r.promo)
                        .for_each(&mut add);
                }
            }
        }
        out
    }
}
