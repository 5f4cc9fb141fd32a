//! The time expressions at a fixed instant (Wednesday 2026-11-18 10:00 KST).

use super::*;

fn at(q: &str) -> When {
    let now = Ts::parse_utc("2026-11-18T01:00:00Z").unwrap(); // Wed 10:00 KST
    parse(&Text::new(q), now, &BusinessTz::default()).unwrap()
}

#[test]
fn calendar_expressions_resolve_in_the_business_zone() {
    assert_eq!(
        at("어제 방문").window.start.to_iso(),
        "2026-11-16T15:00:00Z"
    );
    assert_eq!(at("yesterday").window.end.to_iso(), "2026-11-17T15:00:00Z");
    assert_eq!(at("그제").window.start.to_iso(), "2026-11-15T15:00:00Z");
    assert_eq!(at("이번 주").window.start.to_iso(), "2026-11-15T15:00:00Z");
    assert_eq!(
        at("last week").window.start.to_iso(),
        "2026-11-08T15:00:00Z"
    );
    assert_eq!(at("지난달").window.start.to_iso(), "2026-09-30T15:00:00Z");
    assert_eq!(at("10월").key, "month:2026-10");
    assert_eq!(at("in december").key, "month:2025-12");
    assert_eq!(at("11월 3일").key, "date:2026-11-03");
    assert_eq!(
        at("2026-11-01 ~ 2026-11-07").window.end.to_iso(),
        "2026-11-07T15:00:00Z"
    );
}

#[test]
fn rolling_windows_end_now() {
    assert_eq!(at("지난 7일간").key, "7d");
    assert_eq!(at("최근 2주").key, "2w");
    assert_eq!(at("last 3 months").key, "3m");
    assert_eq!(at("past 24 hours").key, "24h");
    assert_eq!(at("최근14일").window.len_ms(), 14 * MS_PER_DAY);
}

fn pair_of(q: &str) -> (When, When) {
    let now = Ts::parse_utc("2026-11-18T01:00:00Z").unwrap();
    pair(&Text::new(q), now, &BusinessTz::default()).unwrap()
}

#[test]
fn two_named_periods_are_the_calendar_periods_later_first() {
    for q in [
        "지난주랑 이번주",
        "이번 주와 지난주 매출",
        "this week vs last week",
    ] {
        let (a, b) = pair_of(q);
        assert_eq!(
            (a.key.as_str(), b.key.as_str()),
            ("thisWeek", "lastWeek"),
            "{q}"
        );
        // Monday 2026-11-16 00:00 KST … now; Monday 11-09 … Monday 11-16.
        assert_eq!(a.window.start.to_iso(), "2026-11-15T15:00:00Z");
        assert_eq!(b.window.start.to_iso(), "2026-11-08T15:00:00Z");
        assert_eq!(b.window.end, a.window.start);
        assert!(a.to_date && !b.to_date);
    }
    let (a, b) = pair_of("어제랑 오늘 방문");
    assert_eq!((a.key.as_str(), b.key.as_str()), ("today", "yesterday"));
    let (a, b) = pair_of("지난달 대비 이번 달");
    assert_eq!((a.key.as_str(), b.key.as_str()), ("thisMonth", "lastMonth"));
    let (a, b) = pair_of("10월과 11월 매출 비교");
    assert_eq!(
        (a.key.as_str(), b.key.as_str()),
        ("month:2026-11", "month:2026-10")
    );
    let (a, b) = pair_of("november vs october");
    assert_eq!(
        (a.key.as_str(), b.key.as_str()),
        ("month:2026-11", "month:2026-10")
    );
    let now = Ts::parse_utc("2026-11-18T01:00:00Z").unwrap();
    for q in ["이번 주 매출", "11월 3일 방문", "지난 7일", "last week"] {
        assert!(
            pair(&Text::new(q), now, &BusinessTz::default()).is_none(),
            "{q}"
        );
    }
}

#[test]
fn a_running_period_is_measured_against_the_same_stretch_before_it() {
    let tz = BusinessTz::default();
    let p = at("이번 주").previous(&tz);
    assert_eq!(p.key, "lastWeekToDate");
    assert_eq!(p.window.start.to_iso(), "2026-11-08T15:00:00Z"); // Mon 11-09 00:00
    assert_eq!(p.window.end.to_iso(), "2026-11-11T01:00:00.001Z"); // Wed 11-11 10:00
    let p = at("오늘").previous(&tz);
    assert_eq!(p.window.start.to_iso(), "2026-11-16T15:00:00Z");
    assert_eq!(p.window.end.to_iso(), "2026-11-17T01:00:00.001Z");
    let p = at("지난달").previous(&tz);
    assert_eq!(p.key, "previousMonth");
    assert_eq!(p.window.start.to_iso(), "2026-08-31T15:00:00Z"); // September 1
    assert_eq!(p.window.end.to_iso(), "2026-09-30T15:00:00Z");
    let p = at("지난주").previous(&tz);
    assert_eq!(p.window.len_ms(), 7 * MS_PER_DAY);
    let p = at("지난 7일").previous(&tz);
    assert_eq!(p.key, "previousPeriod");
    assert_eq!(p.window.end, at("지난 7일").window.start);
}

#[test]
fn hour_and_minute_windows_end_now() {
    let now = Ts::parse_utc("2026-11-18T01:00:00Z").unwrap();
    for (q, key, hours) in [
        ("지난 1시간 유입은?", "1h", 1),
        ("최근 3시간 방문", "3h", 3),
        ("지난 한 시간 방문", "1h", 1),
        ("최근 두시간", "2h", 2),
        ("last 2 hours", "2h", 2),
        ("visits in the past hour", "1h", 1),
        ("in the last hour", "1h", 1),
    ] {
        let w = at(q);
        assert_eq!(w.key, key, "{q}");
        assert_eq!(w.window.len_ms(), hours * MS_PER_HOUR, "{q}");
        assert_eq!(w.window.end, Ts(now.0 + 1), "{q}");
    }
    assert_eq!(at("past hour").en, "the last hour");
    assert_eq!(at("last 2 hours").en, "the last 2 hours");
    assert_eq!(at("최근 30분 방문").window.len_ms(), 30 * 60_000);
    assert_eq!(at("last 15 minutes").key, "15min");
}
