//! Fixed-point numbers with two decimals, rounded half-up (away from zero on .5).
//!
//! Money (KRW), averages, ratios and percentages are all `Dec2`: an integer count of hundredths,
//! so sums are exact and rounding happens once, where a division is made.

use crate::DomainError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// A decimal with exactly two fractional digits, stored as hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec2(pub i64);

/// Divides rounding half-up (ties away from zero). `den` must not be zero.
pub fn div_half_up(num: i128, den: i128) -> i128 {
    debug_assert!(den != 0);
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    if num >= 0 {
        (2 * num + den) / (2 * den)
    } else {
        -((2 * -num + den) / (2 * den))
    }
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

impl Dec2 {
    pub const ZERO: Dec2 = Dec2(0);

    pub fn from_int(v: i64) -> Dec2 {
        Dec2(v.saturating_mul(100))
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `a / b` (both Dec2 or plain counts scaled alike), half-up to 2 decimals; 0 when `b` is 0.
    pub fn ratio(a: i128, b: i128) -> Dec2 {
        if b == 0 {
            return Dec2::ZERO;
        }
        Dec2(clamp_i64(div_half_up(a * 100, b)))
    }

    /// `a / b × 100` as a percentage, half-up to 2 decimals; 0 when `b` is 0.
    pub fn percent(a: i128, b: i128) -> Dec2 {
        if b == 0 {
            return Dec2::ZERO;
        }
        Dec2(clamp_i64(div_half_up(a * 10_000, b)))
    }

    /// Percent change from `prev` to `cur`; `None` when `prev` is 0.
    pub fn change(cur: i128, prev: i128) -> Option<Dec2> {
        (prev != 0).then(|| Dec2::percent(cur - prev, prev))
    }

    /// Rounds an `f64` half-up to two decimals (for statistics that are not exact ratios).
    pub fn from_f64(v: f64) -> Dec2 {
        let scaled = v * 100.0;
        let r = if scaled >= 0.0 {
            (scaled + 0.5 + 1e-9).floor()
        } else {
            (scaled - 0.5 - 1e-9).ceil()
        };
        #[allow(clippy::cast_possible_truncation)]
        Dec2(r as i64)
    }

    /// Parses `"1290000"`, `"1290000.5"` or `"-3.25"`; more than two decimals is refused.
    pub fn parse(s: &str) -> Result<Dec2, DomainError> {
        let s = s.trim();
        let bad = || {
            DomainError::invalid(format!(
                "'{s}' is not a decimal with at most 2 fraction digits"
            ))
        };
        let (neg, body) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let i: i64 = int.parse().map_err(|_| bad())?;
        let f: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| bad())?
        };
        let v = i
            .checked_mul(100)
            .and_then(|x| x.checked_add(f))
            .ok_or_else(bad)?;
        Ok(Dec2(if neg { -v } else { v }))
    }

    /// Reads a JSON number or numeric string.
    pub fn from_json(v: &serde_json::Value) -> Result<Dec2, DomainError> {
        match v {
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    return i
                        .checked_mul(100)
                        .map(Dec2)
                        .ok_or_else(|| DomainError::invalid("number out of range"));
                }
                Dec2::parse(&n.to_string())
            }
            serde_json::Value::String(s) => Dec2::parse(s),
            _ => Err(DomainError::invalid("expected a number")),
        }
    }
}

impl fmt::Display for Dec2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl Add for Dec2 {
    type Output = Dec2;
    fn add(self, o: Dec2) -> Dec2 {
        Dec2(self.0.saturating_add(o.0))
    }
}

impl AddAssign for Dec2 {
    fn add_assign(&mut self, o: Dec2) {
        self.0 = self.0.saturating_add(o.0);
    }
}

impl Sub for Dec2 {
    type Output = Dec2;
    fn sub(self, o: Dec2) -> Dec2 {
        Dec2(self.0.saturating_sub(o.0))
    }
}

impl Mul<i64> for Dec2 {
    type Output = Dec2;
    fn mul(self, k: i64) -> Dec2 {
        Dec2(self.0.saturating_mul(k))
    }
}

impl Serialize for Dec2 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.to_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Dec2 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Dec2::from_json(&v).map_err(serde::de::Error::custom)
    }
}

/// In the OpenAPI document an amount is a JSON number with at most two decimals.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Dec2 {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some("an amount with at most two decimals"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Dec2 {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up() {
        assert_eq!(Dec2::percent(12, 100).to_string(), "12.00");
        assert_eq!(Dec2::percent(45, 1234).to_string(), "3.65");
        assert_eq!(Dec2::percent(1, 8).to_string(), "12.50");
        assert_eq!(Dec2::percent(1, 800).to_string(), "0.13"); // 0.125 → 0.13
        assert_eq!(Dec2::percent(-1, 800).to_string(), "-0.13");
        assert_eq!(Dec2::percent(5, 0), Dec2::ZERO);
    }

    #[test]
    fn ratio_and_change() {
        assert_eq!(Dec2::ratio(15_480_000, 12).to_string(), "1290000.00");
        assert_eq!(Dec2::ratio(10, 3).to_string(), "3.33");
        assert_eq!(Dec2::ratio(20, 3).to_string(), "6.67");
        assert_eq!(Dec2::change(110, 100), Some(Dec2(1000)));
        assert_eq!(Dec2::change(5, 0), None);
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(Dec2::parse("1290000").unwrap(), Dec2(129_000_000));
        assert_eq!(Dec2::parse("3.5").unwrap(), Dec2(350));
        assert_eq!(Dec2::parse("-0.05").unwrap(), Dec2(-5));
        assert!(Dec2::parse("1.005").is_err());
        assert!(Dec2::parse("abc").is_err());
        assert!(Dec2::parse("").is_err());
        assert_eq!(Dec2::from_f64(1.005_000_1).to_string(), "1.01");
        assert_eq!(
            serde_json::to_string(&Dec2(1_548_000_000)).unwrap(),
            "15480000"
        );
        assert_eq!(serde_json::to_string(&Dec2(365)).unwrap(), "3.65");
    }
}
