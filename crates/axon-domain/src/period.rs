//! Dashboard time windows (SPEC §5.1): `1d | 7d | 30d | custom`, half-open `[start, end)`,
//! and the previous window of equal length just before.

use crate::time::{BusinessTz, Ts, MS_PER_DAY, MS_PER_HOUR};
use crate::DomainError;
use serde::Serialize;

/// The longest window a dashboard accepts.
pub const MAX_WINDOW_DAYS: i64 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Period {
    #[serde(rename = "1d")]
    D1,
    #[serde(rename = "7d")]
    D7,
    #[serde(rename = "30d")]
    D30,
    #[serde(rename = "custom")]
    Custom,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, DomainError> {
        match s {
            "1d" => Ok(Period::D1),
            "7d" => Ok(Period::D7),
            "30d" => Ok(Period::D30),
            "custom" => Ok(Period::Custom),
            _ => Err(DomainError::new(
                "INVALID_PERIOD",
                format!("period must be 1d, 7d, 30d or custom, not '{s}'"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::D1 => "1d",
            Period::D7 => "7d",
            Period::D30 => "30d",
            Period::Custom => "custom",
        }
    }

    fn days(self) -> Option<i64> {
        match self {
            Period::D1 => Some(1),
            Period::D7 => Some(7),
            Period::D30 => Some(30),
            Period::Custom => None,
        }
    }
}

/// A half-open window `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Ts,
    pub end: Ts,
}

impl Window {
    pub fn new(start: Ts, end: Ts) -> Window {
        Window { start, end }
    }

    pub fn contains(&self, t: Ts) -> bool {
        self.start <= t && t < self.end
    }

    pub fn len_ms(&self) -> i64 {
        self.end.0 - self.start.0
    }

    /// The `len_ms` up to now. "Until now" includes the current millisecond (see [`resolve`]),
    /// so the window is `[now + 1 − len, now + 1)`: "the last hour", "the last 3 days".
    pub fn trailing(now: Ts, len_ms: i64) -> Window {
        let end = Ts(now.0 + 1);
        Window {
            start: Ts(end.0 - len_ms),
            end,
        }
    }

    /// The window cut at business-day boundaries: one slice per calendar day it touches, the
    /// first and last clipped to the window.
    pub fn days(&self, tz: &BusinessTz) -> Vec<Window> {
        self.cut(|t| tz.next_day_start(t))
    }

    /// The window cut at the business zone's clock hours, clipped like [`Window::days`].
    pub fn hours(&self, tz: &BusinessTz) -> Vec<Window> {
        self.cut(|t| Ts(tz.hour_start(t).0 + MS_PER_HOUR))
    }

    fn cut(&self, next: impl Fn(Ts) -> Ts) -> Vec<Window> {
        let mut out = Vec::new();
        let mut at = self.start;
        while at < self.end {
            // A boundary that does not move (a clock oddity) still ends the slice at the end.
            let b = next(at);
            let to = if b > at { b.min(self.end) } else { self.end };
            out.push(Window { start: at, end: to });
            at = to;
        }
        out
    }

    /// The window of equal length just before this one.
    pub fn previous(&self) -> Window {
        Window {
            start: Ts(self.start.0 - self.len_ms()),
            end: self.start,
        }
    }

    /// "2026-11-11 00:00 – 2026-11-18 00:00 KST": the window in the business zone, as the
    /// dashboards' definitions and answers spell it.
    pub fn label(&self, tz: &BusinessTz) -> String {
        format!(
            "{} – {} {}",
            tz.local_minute_string(self.start),
            tz.local_minute_string(self.end),
            tz.abbreviation(self.end)
        )
    }
}

/// Resolves `period`/`startDate`/`endDate` against `now` in the business zone.
///
/// A bare `endDate` date includes that whole day (the window ends at the next midnight), so
/// `startDate=2026-11-11&endDate=2026-11-17` is seven full days.
pub fn resolve(
    period: Period,
    start_date: Option<&str>,
    end_date: Option<&str>,
    now: Ts,
    tz: &BusinessTz,
) -> Result<Window, DomainError> {
    let bad = |m: String| DomainError::new("INVALID_PERIOD", m);
    let parse = |s: &str| tz.parse_instant(s).map_err(|e| bad(e.message));
    let parse_end = |s: &str| -> Result<Ts, DomainError> {
        let t = parse(s)?;
        Ok(if BusinessTz::is_date_only(s) {
            tz.next_day_start(t)
        } else {
            t
        })
    };
    let window = match period.days() {
        Some(days) => {
            // "Until now" includes the current millisecond, so an event acknowledged this
            // instant is already counted (read-your-writes).
            let end = Ts(now.0 + 1);
            let start = match start_date {
                Some(s) if !s.trim().is_empty() => parse(s)?,
                _ => Ts(end.0 - days * MS_PER_DAY),
            };
            Window { start, end }
        }
        None => {
            let (Some(s), Some(e)) = (
                start_date.filter(|s| !s.trim().is_empty()),
                end_date.filter(|s| !s.trim().is_empty()),
            ) else {
                return Err(bad("period=custom needs both startDate and endDate".into()));
            };
            Window {
                start: parse(s)?,
                end: parse_end(e)?,
            }
        }
    };
    if window.end < window.start {
        return Err(bad(format!(
            "endDate {} is before startDate {}",
            window.end, window.start
        )));
    }
    if window.len_ms() > MAX_WINDOW_DAYS * MS_PER_DAY {
        return Err(bad(format!(
            "the window is longer than {MAX_WINDOW_DAYS} days"
        )));
    }
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Ts {
        Ts::parse_utc("2026-11-18T01:00:00Z").unwrap()
    }

    #[test]
    fn fixed_periods_end_now_and_previous_is_equal_length() {
        let tz = BusinessTz::default();
        let w = resolve(Period::D7, None, None, now(), &tz).unwrap();
        assert_eq!(w.end, Ts(now().0 + 1), "now itself is inside the window");
        assert_eq!(w.start.to_iso(), "2026-11-11T01:00:00.001Z");
        let p = w.previous();
        assert_eq!(p.end, w.start);
        assert_eq!(p.start.to_iso(), "2026-11-04T01:00:00.001Z");
    }

    #[test]
    fn trailing_windows_end_just_after_now() {
        let w = Window::trailing(now(), MS_PER_HOUR);
        assert_eq!(w.end, Ts(now().0 + 1));
        assert_eq!(w.len_ms(), MS_PER_HOUR);
        assert!(w.contains(now()) && !w.contains(Ts(now().0 - MS_PER_HOUR)));
    }

    #[test]
    fn windows_cut_into_business_days_and_hours() {
        let tz = BusinessTz::default();
        // 2026-11-16 10:30 KST … 2026-11-18 10:00 KST.
        let w = Window::new(
            Ts::parse_utc("2026-11-16T01:30:00Z").unwrap(),
            Ts::parse_utc("2026-11-18T01:00:00Z").unwrap(),
        );
        let days: Vec<(String, String)> = w
            .days(&tz)
            .iter()
            .map(|d| (d.start.to_iso(), d.end.to_iso()))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-11-16T01:30:00Z", "2026-11-16T15:00:00Z"),
                ("2026-11-16T15:00:00Z", "2026-11-17T15:00:00Z"),
                ("2026-11-17T15:00:00Z", "2026-11-18T01:00:00Z"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let hours = w.hours(&tz);
        assert_eq!(hours.len(), 48);
        assert_eq!(hours[0].start.to_iso(), "2026-11-16T01:30:00Z");
        assert_eq!(hours[0].end.to_iso(), "2026-11-16T02:00:00Z");
        assert_eq!(hours[47].end, w.end);
        assert_eq!(
            hours.iter().map(Window::len_ms).sum::<i64>(),
            w.len_ms(),
            "the slices cover the window exactly"
        );
        assert!(Window::new(w.end, w.end).days(&tz).is_empty());
    }

    #[test]
    fn a_window_is_labelled_in_the_business_zone() {
        let w = Window::new(
            Ts::parse_utc("2026-11-10T15:00:00Z").unwrap(),
            Ts::parse_utc("2026-11-17T15:00:00Z").unwrap(),
        );
        assert_eq!(
            w.label(&BusinessTz::default()),
            "2026-11-11 00:00 – 2026-11-18 00:00 KST"
        );
    }

    #[test]
    fn start_date_overrides_fixed_period_start() {
        let tz = BusinessTz::default();
        let w = resolve(Period::D30, Some("2026-11-15"), None, now(), &tz).unwrap();
        assert_eq!(w.start.to_iso(), "2026-11-14T15:00:00Z");
    }

    #[test]
    fn custom_needs_both_dates_and_date_end_is_inclusive() {
        let tz = BusinessTz::default();
        let e = resolve(Period::Custom, Some("2026-11-01"), None, now(), &tz).unwrap_err();
        assert_eq!(e.code, "INVALID_PERIOD");
        let w = resolve(
            Period::Custom,
            Some("2026-11-11"),
            Some("2026-11-17"),
            now(),
            &tz,
        )
        .unwrap();
        assert_eq!(w.start.to_iso(), "2026-11-10T15:00:00Z");
        assert_eq!(w.end.to_iso(), "2026-11-17T15:00:00Z");
        let w = resolve(
            Period::Custom,
            Some("2026-11-11T00:00:05"),
            Some("2026-11-11T00:00:09"),
            now(),
            &tz,
        )
        .unwrap();
        assert_eq!(w.len_ms(), 4_000);
    }

    #[test]
    fn end_before_start_and_too_long_are_refused() {
        let tz = BusinessTz::default();
        assert!(resolve(
            Period::Custom,
            Some("2026-11-12"),
            Some("2026-11-10"),
            now(),
            &tz
        )
        .is_err());
        assert!(resolve(
            Period::Custom,
            Some("2025-01-01"),
            Some("2026-11-10"),
            now(),
            &tz
        )
        .is_err());
        assert!(resolve(
            Period::Custom,
            Some("garbage"),
            Some("2026-11-10"),
            now(),
            &tz
        )
        .is_err());
        assert!(Period::parse("2w").is_err());
        assert_eq!(Period::parse("30d").unwrap(), Period::D30);
    }
}
