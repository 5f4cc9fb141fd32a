//! The promotion-effect widget (SPEC §5.4): promotion vs normal purchases of the same products,
//! daily, against the normal sales of the 14 days before the start, with a Poisson rate test.

use super::{Scope, View};
use axon_domain::metrics::stats::{baseline_daily, promotion_effect, BASELINE_DAYS};
use axon_domain::metrics::Significance;
use axon_domain::model::{Activity, ActivityId, ProductId};
use axon_domain::period::Window;
use axon_domain::time::MS_PER_DAY;
use axon_domain::{Dec2, Ts};
use axon_ports::aggregates::PurchaseSet;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailySales {
    pub date: String,
    pub promotion: u64,
    pub normal: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sales {
    pub count: u64,
    pub gmv: Dec2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesTotals {
    pub promotion: Sales,
    pub normal: Sales,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub product_ids: Vec<ProductId>,
    pub daily: Vec<DailySales>,
    pub totals: SalesTotals,
    pub promotion_purchases: u64,
    pub normal_purchases: u64,
    pub baseline_daily: Dec2,
    pub baseline_start: Option<Ts>,
    pub baseline_end: Option<Ts>,
    /// Daily purchases over the part of the window the promotion ran in, against the baseline
    /// (`None`, verdict `NOT_RUNNING`, when it did not run in the window).
    pub uplift_percent: Option<Dec2>,
    pub significance: Significance,
}

/// The products of some activities, sorted, each once.
fn products_of(acts: &[Activity]) -> Vec<ProductId> {
    let mut products: Vec<ProductId> = acts.iter().filter_map(|a| a.product_id).collect();
    products.sort_unstable();
    products.dedup();
    products
}

impl View<'_> {
    /// The widget for a scope: an activity against its product and start, a campaign (or
    /// everything) against all its activities' products and the earliest start.
    pub fn comparison(&self, scope: Scope, w: &Window) -> Comparison {
        let acts = match scope {
            Scope::Activity(id) => self.snap.activity(id).into_iter().collect(),
            Scope::Campaign(id) => self.snap.campaign_activities(id),
            Scope::Global => self.snap.activities(),
        };
        let ids: Vec<ActivityId> = match scope {
            Scope::Activity(id) => vec![id],
            _ => acts.iter().map(|a| a.id).collect(),
        };
        let start = acts.iter().map(|a| a.start_date).min();
        let end = acts.iter().map(|a| a.end_date).max();
        self.comparison_of(&ids, &products_of(&acts), start.zip(end), w)
    }

    /// Promotion purchases of `ids` and normal sales of `products` over `w`, the baseline taken
    /// before the run's start, the effect measured over the part of `w` inside the run.
    fn comparison_of(
        &self,
        ids: &[ActivityId],
        products: &[ProductId],
        run: Option<(Ts, Ts)>,
        w: &Window,
    ) -> Comparison {
        let start = run.map(|r| r.0);
        let tz = self.tz();
        let mut days = Vec::new();
        let mut day = tz.day_start(w.start);
        while day < w.end {
            days.push(day);
            day = tz.next_day_start(day);
        }
        let promo = self.snap.purchases(PurchaseSet::Promotion(ids), w, &days);
        let normal = self.snap.purchases(PurchaseSet::Normal(products), w, &days);
        let baseline_window = start.map(|s| Window::new(Ts(s.0 - BASELINE_DAYS * MS_PER_DAY), s));
        let baseline = baseline_window.map_or(0, |bw| {
            self.snap
                .purchases(PurchaseSet::Normal(products), &bw, &[])
                .count
        });
        let measured = run
            .map(|(s, e)| Window::new(s.max(w.start), e.min(w.end)))
            .filter(|m| m.start < m.end);
        let (length, bought) = measured.map_or((0.0, 0), |m| {
            let promo = self.snap.purchases(PurchaseSet::Promotion(ids), &m, &[]);
            let normal = self.snap.purchases(PurchaseSet::Normal(products), &m, &[]);
            (
                m.len_ms() as f64 / MS_PER_DAY as f64,
                promo.count + normal.count,
            )
        });
        let (uplift, significance) = promotion_effect(bought, length, baseline);
        Comparison {
            product_ids: products.to_vec(),
            daily: days
                .iter()
                .enumerate()
                .map(|(i, d)| DailySales {
                    date: tz.date_string(*d),
                    promotion: promo.per_day[i],
                    normal: normal.per_day[i],
                })
                .collect(),
            totals: SalesTotals {
                promotion: Sales {
                    count: promo.count,
                    gmv: promo.revenue,
                },
                normal: Sales {
                    count: normal.count,
                    gmv: normal.revenue,
                },
            },
            promotion_purchases: promo.count,
            normal_purchases: normal.count,
            baseline_daily: baseline_daily(baseline),
            baseline_start: baseline_window.map(|b| b.start),
            baseline_end: baseline_window.map(|b| b.end),
            uplift_percent: uplift,
            significance,
        }
    }
}
