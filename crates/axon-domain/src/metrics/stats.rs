//! Promotion-effect statistics (SPEC §5.4): the 14-day baseline, the uplift of the window's
//! daily purchase rate over it, and a Poisson rate test with the uplift's 95 % interval.

use crate::money::Dec2;
use serde::Serialize;

/// Days before the activity's start that make its baseline.
pub const BASELINE_DAYS: i64 = 14;

/// Average daily normal purchases over the baseline.
pub fn baseline_daily(baseline_purchases: u64) -> Dec2 {
    Dec2::ratio(i128::from(baseline_purchases), i128::from(BASELINE_DAYS))
}

/// (purchases per day of the window − baseline per day) / baseline per day × 100; `None`
/// without a baseline or an empty window.
pub fn uplift_percent(purchases: u64, days: f64, baseline_purchases: u64) -> Option<Dec2> {
    if baseline_purchases == 0 || days <= 0.0 {
        return None;
    }
    let per_day = purchases as f64 / days;
    let base = baseline_purchases as f64 / BASELINE_DAYS as f64;
    Some(Dec2::from_f64((per_day - base) / base * 100.0))
}

/// The window's purchases against the baseline's, as a Poisson rate test.
pub fn against_baseline(purchases: u64, days: f64, baseline_purchases: u64) -> Significance {
    poisson_rate_test(purchases, days, baseline_purchases, BASELINE_DAYS as f64)
}

/// The promotion's effect over the part of the window it ran in (`days` long): the uplift of
/// its daily purchases over the baseline and the rate test — or, when it did not run in the
/// window at all, nothing to measure (verdict `NOT_RUNNING`).
pub fn promotion_effect(purchases: u64, days: f64, baseline: u64) -> (Option<Dec2>, Significance) {
    if days <= 0.0 {
        let mut s = poisson_rate_test(0, 0.0, baseline, BASELINE_DAYS as f64);
        s.verdict = "NOT_RUNNING";
        return (None, s);
    }
    (
        uplift_percent(purchases, days, baseline),
        against_baseline(purchases, days, baseline),
    )
}

/// The result of comparing a window's daily purchase rate with a baseline rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let (uplift, s) = promotion_effect(9, 0.0, 28);
        assert_eq!(
            (uplift, s.verdict),
            (None, "NOT_RUNNING"),
            "a window the promotion missed"
        );
        assert_eq!(promotion_effect(4, 2.0, 14).0, Some(Dec2::from_int(100)));
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn uplift_compares_daily_rates_and_needs_a_baseline() {
        assert_eq!(baseline_daily(28), Dec2::from_int(2));
        assert_eq!(uplift_percent(21, 7.0, 28), Some(Dec2::from_int(50)));
        assert_eq!(uplift_percent(21, 7.0, 0), None);
        assert_eq!(uplift_percent(21, 0.0, 28), None);
        assert_eq!(
            against_baseline(70, 7.0, 14).verdict,
            "SIGNIFICANT_INCREASE"
        );
    }
}
