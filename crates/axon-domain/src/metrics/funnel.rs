//! Funnel formulas (SPEC §5.2): each step's rate against the step before and against the first,
//! and the median / p90 time between consecutive ordered steps.

use crate::money::Dec2;

/// A step's rates: `value / previous value × 100` and `value / first value × 100` (100 for the
/// first step, 0 when the divisor is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRate {
    pub rate: Dec2,
    pub rate_from_first: Dec2,
}

/// The rates of the four steps from their event counts.
pub fn step_rates(values: [u64; 4]) -> [StepRate; 4] {
    std::array::from_fn(|i| {
        if i == 0 {
            StepRate {
                rate: Dec2::from_int(100),
                rate_from_first: Dec2::from_int(100),
            }
        } else {
            StepRate {
                rate: super::rate(values[i], values[i - 1]),
                rate_from_first: super::rate(values[i], values[0]),
            }
        }
    })
}

/// The q-quantile (nearest rank) of `v`, by selection rather than a full sort.
pub fn quantile(v: &mut [i64], q: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    Some(*v.select_nth_unstable(i).1)
}

/// How long one step of the ordered funnel took: persons who made it, median and p90 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub converted: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// The timing of one step from its samples (seconds per person; reordered in place).
pub fn timing(seconds: &mut [i64]) -> Timing {
    Timing {
        converted: seconds.len() as u64,
        median_seconds: quantile(seconds, 0.5),
        p90_seconds: quantile(seconds, 0.9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_rates_divide_by_the_step_before_and_the_first() {
        let r = step_rates([1234, 567, 123, 45]);
        assert_eq!(r[0].rate, Dec2::from_int(100));
        assert_eq!(r[1].rate.to_string(), "45.95");
        assert_eq!(r[2].rate.to_string(), "21.69");
        assert_eq!(r[2].rate_from_first.to_string(), "9.97");
        assert_eq!(r[3].rate.to_string(), "36.59");
        assert_eq!(r[3].rate_from_first.to_string(), "3.65");
        assert_eq!(step_rates([0, 0, 0, 0])[2].rate, Dec2::ZERO);
    }

    #[test]
    fn timing_takes_the_nearest_rank_median_and_p90() {
        let mut s: Vec<i64> = (1..=10).rev().collect();
        let t = timing(&mut s);
        assert_eq!(t.converted, 10);
        assert_eq!(t.median_seconds, Some(6));
        assert_eq!(t.p90_seconds, Some(9));
        assert_eq!(timing(&mut []).median_seconds, None);
    }
}
