//! Instants and the business time zone.
//!
//! Instants are UTC milliseconds (`Ts`), cheap to store and compare. The business time zone
//! (default `Asia/Seoul`) turns them into days, hours of day and weekdays, and reads inputs that
//! carry no offset.

use crate::DomainError;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

pub const MS_PER_SEC: i64 = 1_000;
pub const MS_PER_HOUR: i64 = 3_600_000;
pub const MS_PER_DAY: i64 = 86_400_000;

/// A UTC instant in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Ts(pub i64);

impl Ts {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_ms(self, ms: i64) -> Ts {
        Ts(self.0.saturating_add(ms))
    }

    /// ISO-8601 in UTC (`2026-11-12T10:30:00Z`, fractional seconds only when present).
    pub fn to_iso(self) -> String {
        Timestamp::from_millisecond(self.0).map_or_else(|_| self.0.to_string(), |t| t.to_string())
    }

    /// Parses an ISO-8601 instant that carries an offset (`Z` or `+09:00`).
    pub fn parse_utc(s: &str) -> Result<Ts, DomainError> {
        if let Some(ts) = parse_canonical(s) {
            return Ok(ts);
        }
        s.parse::<Timestamp>()
            .map(|t| Ts(t.as_millisecond()))
            .map_err(|_| DomainError::invalid(format!("'{s}' is not an ISO-8601 instant")))
    }
}

/// The form [`Ts::to_iso`] writes — `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, years 1970 to 9999 — read
/// without the general parser (a replay reads two per stored event); `None` for anything else,
/// which the general parser then reads or refuses. Sub-millisecond digits are dropped, as the
/// general parser's millisecond does for these (non-negative) instants.
fn parse_canonical(s: &str) -> Option<Ts> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year < 1970 || day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let millis = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let n = num(20, 20 + digits.len())?;
            let places = digits.len() as u32;
            if places >= 3 {
                n / 10i64.pow(places - 3)
            } else {
                n * 10i64.pow(3 - places)
            }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm), years from 1970 on.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(Ts(days * MS_PER_DAY
        + hour * MS_PER_HOUR
        + minute * 60_000
        + second * MS_PER_SEC
        + millis))
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Parses the text where the deserializer holds it (no copy per timestamp: a replay
        /// reads two per event).
        struct Iso;
        impl serde::de::Visitor<'_> for Iso {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 instant")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Ts, E> {
                Ts::parse_utc(s).map_err(E::custom)
            }
        }
        d.deserialize_str(Iso)
    }
}

/// The business time zone: defines days, hours of day, weekdays and "today".
#[derive(Debug, Clone)]
pub struct BusinessTz {
    tz: TimeZone,
    name: String,
}

impl Default for BusinessTz {
    fn default() -> Self {
        Self::new("Asia/Seoul").unwrap_or_else(|_| Self {
            tz: TimeZone::UTC,
            name: "UTC".into(),
        })
    }
}

impl BusinessTz {
    /// Looks up an IANA zone name such as `Asia/Seoul` or `UTC`.
    pub fn new(name: &str) -> Result<Self, DomainError> {
        TimeZone::get(name)
            .map(|tz| Self {
                tz,
                name: name.to_string(),
            })
            .map_err(|_| {
                DomainError::new("INVALID_TIMEZONE", format!("unknown time zone '{name}'"))
            })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A short label for the zone, e.g. `KST` for Asia/Seoul, used in definitions.
    pub fn abbreviation(&self, at: Ts) -> String {
        let ts = Timestamp::from_millisecond(at.0).unwrap_or(Timestamp::UNIX_EPOCH);
        let info = self.tz.to_offset_info(ts);
        info.abbreviation().to_string()
    }

    fn zoned(&self, at: Ts) -> Zoned {
        Timestamp::from_millisecond(at.0)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(self.tz.clone())
    }

    /// Reads an instant: with an offset it is absolute; a datetime without offset or a bare date
    /// (midnight) is read in the business time zone.
    pub fn parse_instant(&self, s: &str) -> Result<Ts, DomainError> {
        let s = s.trim();
        if let Ok(t) = s.parse::<Timestamp>() {
            return Ok(Ts(t.as_millisecond()));
        }
        if let Ok(dt) = s.parse::<DateTime>() {
            return self.civil_to_ts(dt);
        }
        if let Ok(d) = s.parse::<Date>() {
            return self.civil_to_ts(d.to_datetime(jiff::civil::Time::midnight()));
        }
        Err(DomainError::invalid(format!(
            "'{s}' is not an ISO-8601 date or datetime (e.g. 2026-11-12 or 2026-11-12T10:30:00Z)"
        )))
    }

    /// True when `s` is a bare date (no time part).
    pub fn is_date_only(s: &str) -> bool {
        s.trim().parse::<Date>().is_ok() && !s.contains('T') && !s.contains(' ')
    }

    fn civil_to_ts(&self, dt: DateTime) -> Result<Ts, DomainError> {
        dt.to_zoned(self.tz.clone())
            .map(|z| Ts(z.timestamp().as_millisecond()))
            .map_err(|e| DomainError::invalid(format!("invalid local time: {e}")))
    }

    /// Start of the business day containing `at`.
    pub fn day_start(&self, at: Ts) -> Ts {
        let z = self.zoned(at);
        z.start_of_day()
            .map_or(at, |d| Ts(d.timestamp().as_millisecond()))
    }

    /// Start of the business day after the one containing `at`.
    pub fn next_day_start(&self, at: Ts) -> Ts {
        let z = self.zoned(at);
        match z.date().tomorrow() {
            Ok(d) => self
                .civil_to_ts(d.to_datetime(jiff::civil::Time::midnight()))
                .unwrap_or(at),
            Err(_) => at,
        }
    }

    /// The business calendar date of `at` as `YYYY-MM-DD`.
    pub fn date_string(&self, at: Ts) -> String {
        self.zoned(at).date().to_string()
    }

    /// Local `YYYY-MM-DD HH:MM` of `at`.
    pub fn local_minute_string(&self, at: Ts) -> String {
        self.zoned(at).strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// Start of the business-zone clock hour containing `at` (zones with a half-hour offset
    /// start their hours at :30 UTC).
    pub fn hour_start(&self, at: Ts) -> Ts {
        let z = self.zoned(at);
        let into = i64::from(z.minute()) * 60_000
            + i64::from(z.second()) * MS_PER_SEC
            + i64::from(z.millisecond());
        Ts(at.0 - into)
    }

    /// Hour of day 0–23 in the business zone.
    pub fn hour_of_day(&self, at: Ts) -> u8 {
        u8::try_from(self.zoned(at).hour()).unwrap_or(0)
    }

    /// Day of week, Monday = 0 … Sunday = 6.
    pub fn weekday(&self, at: Ts) -> u8 {
        u8::try_from(self.zoned(at).weekday().to_monday_zero_offset()).unwrap_or(0)
    }

    /// `at` plus `months` calendar months in the business zone (day clamped to the month's end).
    pub fn add_months(&self, at: Ts, months: i32) -> Ts {
        let z = self.zoned(at);
        z.checked_add(jiff::Span::new().months(months))
            .map_or(at, |z| Ts(z.timestamp().as_millisecond()))
    }

    /// `at` plus `days` calendar days in the business zone (same local time of day).
    pub fn add_days(&self, at: Ts, days: i32) -> Ts {
        let z = self.zoned(at);
        z.checked_add(jiff::Span::new().days(days))
            .map_or(at, |z| Ts(z.timestamp().as_millisecond()))
    }

    /// Start of the business week (Monday 00:00) containing `at`.
    pub fn week_start(&self, at: Ts) -> Ts {
        let d = self.day_start(at);
        let back = i64::from(self.weekday(at));
        let z = self.zoned(d);
        z.checked_sub(jiff::Span::new().days(back))
            .map_or(d, |z| Ts(z.timestamp().as_millisecond()))
    }

    /// Start of the business month containing `at`, shifted by `months` months.
    pub fn month_start(&self, at: Ts, months: i32) -> Ts {
        let d = self.zoned(at).date().first_of_month();
        let shifted = d.checked_add(jiff::Span::new().months(months)).unwrap_or(d);
        self.civil_to_ts(shifted.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or(at)
    }
}

/// In the OpenAPI document an instant is an RFC 3339 string (UTC, `Z`).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Ts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Ts {}

#[cfg(test)]
mod tests {
    #[test]
    fn the_canonical_form_reads_as_the_general_parser_reads_it() {
        use jiff::Timestamp;
        let general = |s: &str| s.parse::<Timestamp>().ok().map(|t| Ts(t.as_millisecond()));
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Every millisecond of 1970..9999, whole seconds and round tenths among them.
            let mut ms = (x % 253_402_300_800_000) as i64;
            if i % 3 == 0 {
                ms -= ms % 1000;
            } else if i % 3 == 1 {
                ms -= ms % 100;
            }
            let iso = Ts(ms).to_iso();
            assert_eq!(parse_canonical(&iso), Some(Ts(ms)), "{iso}");
            assert_eq!(general(&iso), Some(Ts(ms)), "{iso}");
        }
        for s in [
            "2024-02-29T23:59:59.999Z",
            "2026-11-25T00:00:00.5Z",
            "2026-11-25T00:00:00.123456789Z",
            "1970-01-01T00:00:00Z",
            "2000-02-29T12:00:00.01Z",
        ] {
            assert_eq!(parse_canonical(s), general(s), "{s}");
            assert!(parse_canonical(s).is_some(), "{s}");
        }
        // Not the canonical form: left to the general parser (which reads or refuses it).
        for s in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T00:00:60Z",
            "2026-11-25T00:00:00+09:00",
            "2026-11-25T00:00:00.Z",
            "2026-11-25T00:00:00.1234567890Z",
            "2026-11-25T00:00:00.1x3Z",
            "1969-12-31T23:59:59.999Z",
            "2026-11-25 00:00:00Z",
            "+2026-11-25T00:00:00Z",
        ] {
            assert_eq!(parse_canonical(s), None, "{s}");
        }
        assert_eq!(
            Ts::parse_utc("2026-11-25T09:00:00+09:00").unwrap(),
            Ts::parse_utc("2026-11-25T00:00:00Z").unwrap()
        );
        assert!(Ts::parse_utc("2023-02-29T00:00:00Z").is_err());
    }

    use super::*;

    #[test]
    fn instant_without_offset_is_read_in_business_zone() {
        let tz = BusinessTz::default();
        let a = tz.parse_instant("2026-11-12T09:00:00").unwrap();
        assert_eq!(a.to_iso(), "2026-11-12T00:00:00Z");
        let b = tz.parse_instant("2026-11-12").unwrap();
        assert_eq!(b.to_iso(), "2026-11-11T15:00:00Z");
        let c = tz.parse_instant("2026-11-12T10:30:00Z").unwrap();
        assert_eq!(c.to_iso(), "2026-11-12T10:30:00Z");
        assert!(tz.parse_instant("yesterday").is_err());
    }

    #[test]
    fn days_hours_and_weekdays_follow_the_business_zone() {
        let tz = BusinessTz::default();
        let t = Ts::parse_utc("2026-11-12T16:30:00Z").unwrap(); // 01:30 KST on Friday 13th
        assert_eq!(tz.hour_of_day(t), 1);
        assert_eq!(tz.weekday(t), 4);
        assert_eq!(tz.date_string(t), "2026-11-13");
        assert_eq!(tz.day_start(t).to_iso(), "2026-11-12T15:00:00Z");
        assert_eq!(tz.next_day_start(t).to_iso(), "2026-11-13T15:00:00Z");
        assert_eq!(tz.abbreviation(t), "KST");
        assert_eq!(tz.month_start(t, 1).to_iso(), "2026-11-30T15:00:00Z");
        assert_eq!(tz.add_months(t, 1).to_iso(), "2026-12-12T16:30:00Z");
        assert_eq!(tz.add_days(t, -7).to_iso(), "2026-11-05T16:30:00Z");
        assert_eq!(tz.week_start(t).to_iso(), "2026-11-08T15:00:00Z");
        assert_eq!(tz.hour_start(t).to_iso(), "2026-11-12T16:00:00Z");
        let india = BusinessTz::new("Asia/Kolkata").unwrap();
        let quarter = Ts(t.0 + 15 * 60_000); // 22:15 in India (UTC+5:30)
        assert_eq!(india.hour_start(quarter).to_iso(), "2026-11-12T16:30:00Z");
        assert_eq!(tz.hour_start(quarter).to_iso(), "2026-11-12T16:00:00Z");
    }

    #[test]
    fn unknown_zone_is_refused() {
        assert!(BusinessTz::new("Mars/Olympus").is_err());
        assert_eq!(BusinessTz::new("UTC").unwrap().name(), "UTC");
    }
}

/// Where "now" comes from. Injected everywhere a window or TTL is computed, so tests run at
/// fixed instants.
pub trait Clock: Send + Sync {
    fn now(&self) -> Ts;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Ts {
        Ts(Timestamp::now().as_millisecond())
    }
}

/// A clock that only moves when told to (tests, simulations).
#[derive(Debug, Default)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn new(at: Ts) -> ManualClock {
        ManualClock(std::sync::atomic::AtomicI64::new(at.0))
    }

    pub fn set(&self, at: Ts) {
        self.0.store(at.0, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Ts {
        Ts(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}
