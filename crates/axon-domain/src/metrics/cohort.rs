//! Cohort formulas (SPEC §6): per-customer LTV windows (day 30 included), CAC, LTV/CAC, repeat
//! rate, purchase frequency, average order value, break-even, retention and health.

use crate::money::{div_half_up, Dec2};
use crate::time::{Ts, MS_PER_DAY};

/// The LTV windows, in whole days after the first purchase.
pub const LTV_DAYS: [i64; 3] = [30, 90, 365];

/// `sum / customers`, half-up (0 without customers).
pub fn per_customer(sum: Dec2, customers: u64) -> Dec2 {
    if customers == 0 {
        Dec2::ZERO
    } else {
        Dec2(
            i64::try_from(div_half_up(i128::from(sum.0), i128::from(customers)))
                .unwrap_or(i64::MAX),
        )
    }
}

/// Whole days (truncated) from a customer's first purchase to a later one.
pub fn days_since(first: Ts, at: Ts) -> i64 {
    (at.0 - first.0) / MS_PER_DAY
}

/// How far one LTV window has run for a cohort (SPEC §6): a customer's D-day window is
/// complete once now ≥ first purchase + (D + 1) days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowProgress {
    pub customers: u64,
    pub complete_customers: u64,
    /// Whole days since the youngest customer's first purchase (0 without customers): the
    /// window is complete for everyone once this passes D.
    pub elapsed_days: i64,
}

impl WindowProgress {
    /// Complete for every customer (an empty cohort has nothing left to measure).
    pub fn complete(&self) -> bool {
        self.complete_customers == self.customers
    }
}

/// The progress of the `days`-day window over the customers' first purchases, at `now`.
pub fn window_progress(firsts: &[Ts], days: i64, now: Ts) -> WindowProgress {
    let complete = firsts
        .iter()
        .filter(|f| now.0 >= f.0 + (days + 1) * MS_PER_DAY)
        .count() as u64;
    let youngest = firsts.iter().max().copied();
    WindowProgress {
        customers: firsts.len() as u64,
        complete_customers: complete,
        elapsed_days: youngest.map_or(0, |y| days_since(y, now).max(0)),
    }
}

/// What a cohort's customers bought from their first purchase on, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CohortSums {
    pub customers: u64,
    /// Counted purchases.
    pub orders: u64,
    /// Customers with two or more counted purchases.
    pub repeaters: u64,
    /// Σ value inside each of [`LTV_DAYS`].
    pub windows: [Dec2; 3],
    /// Σ value of every counted purchase.
    pub revenue: Dec2,
}

impl CohortSums {
    /// Adds one customer: `purchases` are their (time, value) at or after `first`.
    pub fn add(&mut self, first: Ts, purchases: impl IntoIterator<Item = (Ts, Dec2)>) {
        let mut n = 0u64;
        for (at, value) in purchases {
            let d = days_since(first, at);
            for (sum, days) in self.windows.iter_mut().zip(LTV_DAYS) {
                if d <= days {
                    *sum += value;
                }
            }
            self.revenue += value;
            n += 1;
        }
        self.customers += 1;
        self.orders += n;
        self.repeaters += u64::from(n >= 2);
    }
}

/// The figures of an activity cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortFigures {
    pub avg_cac: Dec2,
    /// LTV per customer: 30, 90, 365 days and current.
    pub ltv: [Dec2; 4],
    /// LTV ÷ CAC for the same four (0 when CAC is 0).
    pub ltv_cac: [Dec2; 4],
    pub repeat_purchase_rate: Dec2,
    pub avg_purchase_frequency: Dec2,
    pub avg_order_value: Dec2,
    pub health: Option<&'static str>,
}

/// LTV ÷ CAC (0 when CAC is 0).
pub fn ltv_cac(ltv: Dec2, cac: Dec2) -> Dec2 {
    Dec2::ratio(i128::from(ltv.0), i128::from(cac.0))
}

/// Applies SPEC §6 to a cohort's sums and the activity's budget (its acquisition cost).
pub fn cohort_figures(s: &CohortSums, budget: Dec2) -> CohortFigures {
    let n = s.customers;
    let cac = per_customer(budget, n);
    let ltv = [
        per_customer(s.windows[0], n),
        per_customer(s.windows[1], n),
        per_customer(s.windows[2], n),
        per_customer(s.revenue, n),
    ];
    let ratios = ltv.map(|l| ltv_cac(l, cac));
    CohortFigures {
        avg_cac: cac,
        ltv,
        ltv_cac: ratios,
        repeat_purchase_rate: super::rate(s.repeaters, n),
        avg_purchase_frequency: Dec2::ratio(i128::from(s.orders), i128::from(n)),
        avg_order_value: per_customer(s.revenue, s.orders),
        health: if n == 0 {
            None
        } else {
            health(ratios[3], !budget.is_zero())
        },
    }
}

/// Cumulative revenue has paid back the budget (and there is a customer to have done it).
pub fn break_even(cumulative_revenue: Dec2, budget: Dec2, customers: u64) -> bool {
    (cumulative_revenue - budget).0 >= 0 && customers > 0
}

/// Retention: the share of a cohort still buying in a period, in percent.
pub fn retention(buying: u64, size: u64) -> Dec2 {
    super::rate(buying, size)
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
    fn a_window_completes_for_a_customer_on_the_day_after_its_last_day() {
        let first = Ts(0);
        let day = |d: i64| Ts(d * MS_PER_DAY);
        let p = window_progress(&[first], 30, day(30));
        assert!(!p.complete(), "day 30 is still inside the window");
        assert!(window_progress(&[first], 30, day(31)).complete());
        let mixed = window_progress(&[first, day(10)], 30, day(35));
        assert_eq!((mixed.complete_customers, mixed.customers), (1, 2));
        assert_eq!(
            mixed.elapsed_days, 25,
            "days since the youngest customer's first purchase"
        );
        assert!(
            window_progress(&[], 30, day(1)).complete(),
            "an empty cohort"
        );
    }

    const DAY: i64 = MS_PER_DAY;

    #[test]
    fn health_thresholds() {
        assert_eq!(health(Dec2(300), true), Some("GOOD"));
        assert_eq!(health(Dec2(299), true), Some("WARN"));
        assert_eq!(health(Dec2(100), true), Some("WARN"));
        assert_eq!(health(Dec2(99), true), Some("BAD"));
        assert_eq!(health(Dec2(1000), false), None);
    }

    #[test]
    fn ltv_windows_include_day_30_and_average_per_customer() {
        let mut s = CohortSums::default();
        let first = Ts(0);
        s.add(
            first,
            [
                (Ts(0), Dec2::from_int(1_290_000)),
                (Ts(30 * DAY + 5), Dec2::from_int(300_000)),
                (Ts(90 * DAY + 5), Dec2::from_int(800_000)),
            ],
        );
        let f = cohort_figures(&s, Dec2::from_int(1_000_000));
        assert_eq!(f.ltv[0], Dec2::from_int(1_590_000));
        assert_eq!(f.ltv[1], Dec2::from_int(2_390_000));
        assert_eq!(f.ltv[3], Dec2::from_int(2_390_000));
        assert_eq!(f.ltv_cac[3].to_string(), "2.39");
        assert_eq!(f.repeat_purchase_rate, Dec2::from_int(100));
        assert_eq!(f.avg_purchase_frequency, Dec2::from_int(3));
        assert_eq!(f.health, Some("WARN"));
    }

    #[test]
    fn an_empty_cohort_is_all_zeros_without_health() {
        let f = cohort_figures(&CohortSums::default(), Dec2::from_int(5));
        assert_eq!(f.avg_cac, Dec2::ZERO);
        assert_eq!(f.ltv, [Dec2::ZERO; 4]);
        assert_eq!(f.health, None);
        assert!(!break_even(Dec2::ZERO, Dec2::ZERO, 0));
        assert!(break_even(Dec2::from_int(5), Dec2::from_int(5), 1));
        assert_eq!(retention(1, 3).to_string(), "33.33");
    }

    #[test]
    fn per_customer_rounds_half_up() {
        assert_eq!(
            per_customer(Dec2::from_int(3_500_000), 3).to_string(),
            "1166666.67"
        );
        assert_eq!(per_customer(Dec2::from_int(7), 0), Dec2::ZERO);
    }
}
