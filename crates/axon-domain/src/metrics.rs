//! Metric formulas (SPEC §5, §6), in exactly one place: the engine (or any other backend) feeds
//! them aggregates and they return the rounded figures the API shows.

use crate::money::Dec2;
use serde::Serialize;

/// The overview figures of one window (SPEC §5.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
        average_order_value: Dec2::ratio(i128::from(c.gmv), i(c.orders) * 100),
        budget,
        roas: roas(Dec2(c.gmv), budget),
        conversion_rate: Dec2::percent(i(c.purchases), i(c.visits)),
        engagement_rate: Dec2::percent(i(c.engagements), i(c.visits)),
        qualification_rate: Dec2::percent(i(c.approvals), i(c.engagements)),
        purchase_rate: Dec2::percent(i(c.purchases), i(c.approvals)),
    }
}

/// ROAS = gmv / budget × 100 (0 when the budget is 0).
pub fn roas(gmv: Dec2, budget: Dec2) -> Dec2 {
    Dec2::percent(i128::from(gmv.0), i128::from(budget.0))
}

/// Percent change per overview field; `null` where the previous value is 0.
pub fn change(cur: &Overview, prev: &Overview) -> serde_json::Value {
    let pairs: [(&str, i128, i128); 12] = [
        ("totalVisits", i(cur.total_visits), i(prev.total_visits)),
        (
            "uniqueVisitors",
            i(cur.unique_visitors),
            i(prev.unique_visitors),
        ),
        (
            "totalParticipants",
            i(cur.total_participants),
            i(prev.total_participants),
        ),
        (
            "approvedCount",
            i(cur.approved_count),
            i(prev.approved_count),
        ),
        (
            "purchaseCount",
            i(cur.purchase_count),
            i(prev.purchase_count),
        ),
        ("gmv", i128::from(cur.gmv.0), i128::from(prev.gmv.0)),
        (
            "averageOrderValue",
            i128::from(cur.average_order_value.0),
            i128::from(prev.average_order_value.0),
        ),
        ("roas", i128::from(cur.roas.0), i128::from(prev.roas.0)),
        (
            "conversionRate",
            i128::from(cur.conversion_rate.0),
            i128::from(prev.conversion_rate.0),
        ),
        (
            "engagementRate",
            i128::from(cur.engagement_rate.0),
            i128::from(prev.engagement_rate.0),
        ),
        (
            "qualificationRate",
            i128::from(cur.qualification_rate.0),
            i128::from(prev.qualification_rate.0),
        ),
        (
            "purchaseRate",
            i128::from(cur.purchase_rate.0),
            i128::from(prev.purchase_rate.0),
        ),
    ];
    let mut m = serde_json::Map::new();
    for (k, c, p) in pairs {
        m.insert(
            k.into(),
            serde_json::to_value(Dec2::change(c, p)).unwrap_or(serde_json::Value::Null),
        );
    }
    serde_json::Value::Object(m)
}

/// The result of comparing a window's daily purchase rate with a baseline rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Significance {
    pub test: &'static str,
    pub p_value: Option<f64>,
    pub significant: Option<bool>,
    /// 95 % confidence interval of the uplift, in percent.
    pub uplift_ci_low: Option<Dec2>,
    pub uplift_ci_high: Option<Dec2>,
    pub verdict: &'static str,
}

/// ln Γ(x) (Lanczos), for exact binomial tail probabilities.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI.ln()
            - (std::f64::consts::PI * x).sin().ln()
            - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn binom_ln_pmf(k: u64, n: u64, p: f64) -> f64 {
    let (k, n) = (k as f64, n as f64);
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
        + k * p.ln()
        + (n - k) * (1.0 - p).ln()
}

/// Two-sided Poisson rate test (conditional binomial, exact): `k` events over exposure `t`
/// against `k0` events over exposure `t0`; H0: equal rates.
pub fn poisson_rate_test(k: u64, t: f64, k0: u64, t0: f64) -> Significance {
    let none = |verdict| Significance {
        test: "poisson-rate",
        p_value: None,
        significant: None,
        uplift_ci_low: None,
        uplift_ci_high: None,
        verdict,
    };
    if t <= 0.0 || t0 <= 0.0 {
        return none("NOT_ENOUGH_DATA");
    }
    if k0 == 0 {
        return none("NO_BASELINE");
    }
    let n = k + k0;
    let p = t / (t + t0);
    let observed = binom_ln_pmf(k, n, p);
    let mut p_value = 0.0;
    for j in 0..=n {
        let lp = binom_ln_pmf(j, n, p);
        if lp <= observed + 1e-9 {
            p_value += lp.exp();
        }
    }
    let p_value = p_value.min(1.0);
    let (low, high) = if k > 0 {
        let ratio = (k as f64 / t) / (k0 as f64 / t0);
        let se = (1.0 / k as f64 + 1.0 / k0 as f64).sqrt();
        (
            Some((ratio * (-1.96 * se).exp() - 1.0) * 100.0),
            Some((ratio * (1.96 * se).exp() - 1.0) * 100.0),
        )
    } else {
        (None, None)
    };
    let significant = p_value < 0.05;
    let verdict = match (significant, k as f64 / t > k0 as f64 / t0) {
        (false, _) => "NOT_SIGNIFICANT",
        (true, true) => "SIGNIFICANT_INCREASE",
        (true, false) => "SIGNIFICANT_DECREASE",
    };
    Significance {
        test: "poisson-rate",
        p_value: Some((p_value * 10_000.0).round() / 10_000.0),
        significant: Some(significant),
        uplift_ci_low: low.map(Dec2::from_f64),
        uplift_ci_high: high.map(Dec2::from_f64),
        verdict,
    }
}

/// Cohort health by LTV/CAC: GOOD ≥ 3.0, WARN 1.0–3.0, BAD < 1.0; `None` without a budget.
pub fn health(ltv_cac: Dec2, has_budget: bool) -> Option<&'static str> {
    if !has_budget {
        return None;
    }
    Some(if ltv_cac.0 >= 300 {
        "GOOD"
    } else if ltv_cac.0 >= 100 {
        "WARN"
    } else {
        "BAD"
    })
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
        assert!(ch["totalVisits"].is_null());
        let prev = overview(
            &Counts {
                visits: 8,
                ..Counts::default()
            },
            Dec2::ZERO,
        );
        assert_eq!(change(&cur, &prev)["totalVisits"], 25);
    }

    #[test]
    fn poisson_test_tells_noise_from_effect() {
        let noise = poisson_rate_test(10, 7.0, 20, 14.0);
        assert_eq!(noise.verdict, "NOT_SIGNIFICANT");
        assert!(noise.p_value.unwrap() > 0.9);
        let effect = poisson_rate_test(70, 7.0, 14, 14.0);
        assert_eq!(effect.verdict, "SIGNIFICANT_INCREASE");
        assert!(effect.p_value.unwrap() < 0.001);
        assert!(effect.uplift_ci_low.unwrap().0 > 0);
        assert_eq!(poisson_rate_test(5, 7.0, 0, 14.0).verdict, "NO_BASELINE");
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn health_thresholds() {
        assert_eq!(health(Dec2(300), true), Some("GOOD"));
        assert_eq!(health(Dec2(299), true), Some("WARN"));
        assert_eq!(health(Dec2(100), true), Some("WARN"));
        assert_eq!(health(Dec2(99), true), Some("BAD"));
        assert_eq!(health(Dec2(1000), false), None);
    }
}
