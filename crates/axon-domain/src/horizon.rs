//! The span of instants Axon accepts (issue 16: a purchase dated year 0001 made one cohort
//! request build 105,708 periods per row). Facts — events, purchases, entries — happen between
//! `earliest` and a little after now (clock skew); plans — activity, campaign and coupon dates —
//! and query windows between `earliest` and a few years ahead. Bounding every accepted date
//! bounds the work any date-driven computation can be asked for.

use crate::error::DomainError;
use crate::time::{Ts, MS_PER_DAY};

/// Where accepted dates may lie; configurable (`AXON_EARLIEST_DATE`, `AXON_FUTURE_HOURS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// The earliest instant accepted anywhere (default 2000-01-01T00:00:00Z).
    pub earliest: Ts,
    /// How far after now a fact may be dated (default 24 h).
    pub fact_ahead_ms: i64,
    /// How far after now a plan or a query may reach (default 10 years).
    pub plan_ahead_ms: i64,
}

impl Default for Horizon {
    fn default() -> Horizon {
        Horizon {
            earliest: Ts(946_684_800_000),
            fact_ahead_ms: MS_PER_DAY,
            plan_ahead_ms: 3_660 * MS_PER_DAY,
        }
    }
}

impl Horizon {
    /// Checks the date of a fact (`field` names it in the error).
    pub fn fact(&self, field: &str, t: Ts, now: Ts) -> Result<Ts, DomainError> {
        self.within(field, t, now.plus_ms(self.fact_ahead_ms))
    }

    /// Checks a planned date or a query bound.
    pub fn plan(&self, field: &str, t: Ts, now: Ts) -> Result<Ts, DomainError> {
        self.within(field, t, now.plus_ms(self.plan_ahead_ms))
    }

    fn within(&self, field: &str, t: Ts, latest: Ts) -> Result<Ts, DomainError> {
        if t < self.earliest || t > latest {
            return Err(DomainError::new(
                "DATE_OUT_OF_RANGE",
                format!(
                    "{field} must lie between {} and {} (got {})",
                    self.earliest.to_iso(),
                    latest.to_iso(),
                    t.to_iso()
                ),
            ));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_lie_between_2000_and_a_day_ahead_plans_a_decade_ahead() {
        let h = Horizon::default();
        let now = Ts::parse_utc("2026-11-18T00:00:00Z").unwrap();
        let year_one = Ts::parse_utc("0001-01-01T00:00:00Z").unwrap();
        let e = h.fact("purchasedAt", year_one, now).unwrap_err();
        assert_eq!(e.code, "DATE_OUT_OF_RANGE");
        assert!(
            e.message
                .contains("purchasedAt must lie between 2000-01-01"),
            "{}",
            e.message
        );
        assert!(h.fact("t", now.plus_ms(MS_PER_DAY), now).is_ok());
        assert!(h.fact("t", now.plus_ms(MS_PER_DAY + 1), now).is_err());
        assert!(h.plan("t", now.plus_ms(365 * MS_PER_DAY), now).is_ok());
        assert!(h
            .plan("t", now.plus_ms(20 * 365 * MS_PER_DAY), now)
            .is_err());
        assert!(h.plan("t", Ts(h.earliest.0 - 1), now).is_err());
    }
}
