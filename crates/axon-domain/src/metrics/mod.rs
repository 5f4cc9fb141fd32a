//! Metric formulas (SPEC §5, §6), in exactly one place: the engine (or any other backend) feeds
//! them raw aggregates and they return the rounded figures the API shows. The overview, ROAS,
//! AOV, change and budget live here; the funnel, cohort and comparison formulas in the
//! submodules.

pub mod cohort;
pub mod funnel;
pub mod stats;

pub use cohort::health;
pub use stats::{poisson_rate_test, Significance};

use crate::money::Dec2;
use serde::Serialize;

/// The overview figures of one window (SPEC §5.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub total_visits: u64,
    pub unique_visitors: u64,
    pub total_participants: u64,
    pub approved_count: u64,
    pub cancelled_count: u64,
    pub purchase_count: u64,
    pub gmv: Dec2,
    pub average_order_value: Dec2,
    pub budget: Dec2,
    pub roas: Dec2,
    pub conversion_rate: Dec2,
    pub engagement_rate: Dec2,
    pub qualification_rate: Dec2,
    pub purchase_rate: Dec2,
}

/// Raw aggregates of one window, before formulas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// V: PAGE_VIEW events.
    pub visits: u64,
    pub unique_visitors: u64,
    /// E: CLICK events.
    pub engagements: u64,
    /// Q: approvals granted in the window.
    pub approvals: u64,
    pub cancelled: u64,
    /// P: PURCHASE events.
    pub purchases: u64,
    /// Σ price × quantity of promotion purchases, in hundredths.
    pub gmv: i64,
    /// Promotion purchases (rows) behind `gmv`, for the average order value.
    pub orders: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.visits += o.visits;
        self.unique_visitors += o.unique_visitors;
        self.engagements += o.engagements;
        self.approvals += o.approvals;
        self.cancelled += o.cancelled;
        self.purchases += o.purchases;
        self.gmv += o.gmv;
        self.orders += o.orders;
    }
}

fn i(v: u64) -> i128 {
    i128::from(v)
}

/// `part / whole × 100` as a percentage (0 when `whole` is 0): every rate of the dashboards.
pub fn rate(part: u64, whole: u64) -> Dec2 {
    Dec2::percent(i(part), i(whole))
}

/// AOV = gmv / orders (0 without orders).
pub fn average_order_value(gmv: Dec2, orders: u64) -> Dec2 {
    Dec2::ratio(i128::from(gmv.0), i(orders) * 100)
}

/// Applies the SPEC §5.2 formulas. AOV divides GMV by the promotion orders behind it.
pub fn overview(c: &Counts, budget: Dec2) -> Overview {
    Overview {
        total_visits: c.visits,
        unique_visitors: c.unique_visitors,
        total_participants: c.engagements,
        approved_count: c.approvals,
        cancelled_count: c.cancelled,
        purchase_count: c.purchases,
        gmv: Dec2(c.gmv),
        average_order_value: average_order_value(Dec2(c.gmv), c.orders),
        budget,
        roas: roas(Dec2(c.gmv), budget),
        conversion_rate: rate(c.purchases, c.visits),
        engagement_rate: rate(c.engagements, c.visits),
        qualification_rate: rate(c.approvals, c.engagements),
        purchase_rate: rate(c.purchases, c.approvals),
    }
}

/// ROAS = gmv / budget × 100 (0 when the budget is 0).
pub fn roas(gmv: Dec2, budget: Dec2) -> Dec2 {
    Dec2::percent(i128::from(gmv.0), i128::from(budget.0))
}

/// A campaign's budget: its own, or the sum of its activities' when it has none (SPEC §5.3).
pub fn campaign_budget(own: Dec2, activity_budgets: impl IntoIterator<Item = Dec2>) -> Dec2 {
    if own.is_zero() {
        activity_budgets.into_iter().fold(Dec2::ZERO, |s, b| s + b)
    } else {
        own
    }
}

/// Percent change of each overview figure against the previous window; `None` (null) where the
/// previous value is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub total_visits: Option<Dec2>,
    pub unique_visitors: Option<Dec2>,
    pub total_participants: Option<Dec2>,
    pub approved_count: Option<Dec2>,
    pub purchase_count: Option<Dec2>,
    pub gmv: Option<Dec2>,
    pub average_order_value: Option<Dec2>,
    pub roas: Option<Dec2>,
    pub conversion_rate: Option<Dec2>,
    pub engagement_rate: Option<Dec2>,
    pub qualification_rate: Option<Dec2>,
    pub purchase_rate: Option<Dec2>,
}

/// Percent change per overview field.
pub fn change(cur: &Overview, prev: &Overview) -> Change {
    let n = |c: u64, p: u64| Dec2::change(i(c), i(p));
    let d = |c: Dec2, p: Dec2| Dec2::change(i128::from(c.0), i128::from(p.0));
    Change {
        total_visits: n(cur.total_visits, prev.total_visits),
        unique_visitors: n(cur.unique_visitors, prev.unique_visitors),
        total_participants: n(cur.total_participants, prev.total_participants),
        approved_count: n(cur.approved_count, prev.approved_count),
        purchase_count: n(cur.purchase_count, prev.purchase_count),
        gmv: d(cur.gmv, prev.gmv),
        average_order_value: d(cur.average_order_value, prev.average_order_value),
        roas: d(cur.roas, prev.roas),
        conversion_rate: d(cur.conversion_rate, prev.conversion_rate),
        engagement_rate: d(cur.engagement_rate, prev.engagement_rate),
        qualification_rate: d(cur.qualification_rate, prev.qualification_rate),
        purchase_rate: d(cur.purchase_rate, prev.purchase_rate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_example_of_the_spec() {
        let c = Counts {
            visits: 100,
            unique_visitors: 90,
            engagements: 40,
            approvals: 12,
            cancelled: 0,
            purchases: 12,
            gmv: 1_548_000_000,
            orders: 12,
        };
        let o = overview(&c, Dec2::from_int(5_000_000));
        assert_eq!(o.gmv, Dec2::from_int(15_480_000));
        assert_eq!(o.average_order_value.to_string(), "1290000.00");
        assert_eq!(o.conversion_rate.to_string(), "12.00");
        assert_eq!(o.engagement_rate.to_string(), "40.00");
        assert_eq!(o.qualification_rate.to_string(), "30.00");
        assert_eq!(o.purchase_rate.to_string(), "100.00");
        assert_eq!(o.roas.to_string(), "309.60");
    }

    #[test]
    fn zero_divisors_give_zero_and_change_is_null_without_previous() {
        let o = overview(&Counts::default(), Dec2::ZERO);
        assert_eq!(
            (o.roas, o.conversion_rate, o.average_order_value),
            (Dec2::ZERO, Dec2::ZERO, Dec2::ZERO)
        );
        let cur = overview(
            &Counts {
                visits: 10,
                ..Counts::default()
            },
            Dec2::ZERO,
        );
        let ch = change(&cur, &o);
        assert!(ch.total_visits.is_none());
        let prev = overview(
            &Counts {
                visits: 8,
                ..Counts::default()
            },
            Dec2::ZERO,
        );
        assert_eq!(change(&cur, &prev).total_visits, Some(Dec2::from_int(25)));
        let json = serde_json::to_value(change(&cur, &prev)).unwrap();
        assert_eq!(json["totalVisits"], 25);
        assert!(json["gmv"].is_null());
    }

    #[test]
    fn a_campaign_without_budget_spends_its_activities_budgets() {
        let acts = [Dec2::from_int(2), Dec2::from_int(3)];
        assert_eq!(campaign_budget(Dec2::ZERO, acts), Dec2::from_int(5));
        assert_eq!(
            campaign_budget(Dec2::from_int(10), acts),
            Dec2::from_int(10)
        );
    }

    #[test]
    fn rates_and_the_average_order_value_round_half_up() {
        assert_eq!(rate(45, 1234).to_string(), "3.65");
        assert_eq!(rate(1, 0), Dec2::ZERO);
        assert_eq!(
            average_order_value(Dec2::from_int(10), 3).to_string(),
            "3.33"
        );
        assert_eq!(average_order_value(Dec2::from_int(10), 0), Dec2::ZERO);
    }
}
