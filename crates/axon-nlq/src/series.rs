//! Series: a window metric day by day ("일별 매출", "revenue by day", "날짜별 방문") or hour by
//! hour ("시간별 방문", "hourly visits"). The window is cut at business-day or clock-hour
//! boundaries (the domain's [`Window::days`] / [`Window::hours`]) and each slice's figure is the
//! dashboards' own overview of that slice; the whole window's figure closes the answer, so no
//! number is summed or averaged here.

use crate::exec::{answer, capital, fmt, Ctx};
use crate::parse::{Granularity, Metric};
use crate::when::{self, When};
use crate::Answer;
use axon_domain::period::Window;
use axon_domain::time::MS_PER_HOUR;
use axon_domain::Dec2;
use serde_json::{json, Value};

/// Hour by hour only over windows this long; beyond, the answer goes day by day and says so.
pub const MAX_HOURS: i64 = 48;
/// Up to this many values are written out; longer series name their highest and lowest.
pub const MAX_LISTED: usize = 31;

/// One slice of the series.
struct Point {
    window: Window,
    /// "2026-11-12" or "2026-11-18 09:00" (local).
    label: String,
    value: Dec2,
}

pub fn series(c: &Ctx, m: Metric, asked: Granularity) -> Answer {
    let tz = c.view.tz();
    // Hours without a named period: the last 24 of them, not the 168 of the default week.
    let w: When = match (&c.when, asked) {
        (None, Granularity::Hour) => when::last_hours(c.now, 24),
        _ => c.period(),
    };
    let too_long = asked == Granularity::Hour && w.window.len_ms() > MAX_HOURS * MS_PER_HOUR;
    let g = if too_long { Granularity::Day } else { asked };
    let mut slices = match g {
        Granularity::Day => w.window.days(tz),
        Granularity::Hour => w.window.hours(tz),
    };
    // "Until now" ends a millisecond after now; that millisecond is not an hour of its own.
    if slices.len() > 1 && slices.last().is_some_and(|s| s.len_ms() <= 1) {
        if let Some(last) = slices.pop() {
            if let Some(prev) = slices.last_mut() {
                prev.end = last.end;
            }
        }
    }
    let points: Vec<Point> = slices
        .into_iter()
        .map(|s| Point {
            label: match g {
                Granularity::Day => tz.date_string(s.start),
                Granularity::Hour => tz.local_minute_string(tz.hour_start(s.start)),
            },
            value: m.of(&c.view.figures(c.scope, &s)).unwrap_or_default(),
            window: s,
        })
        .collect();
    let whole = m
        .of(&c.view.figures(c.scope, &w.window))
        .unwrap_or_default();
    let (ko, p, s) = (c.ko(), c.period_text(&w), c.scope_text());
    let one_day = points
        .first()
        .zip(points.last())
        .is_some_and(|(a, b)| a.label[..10] == b.label[..10]);
    // "11-12" for days; "09시" within one day, "11-17 23시" across days.
    let short = |pt: &Point| -> String {
        match (g, one_day, ko) {
            (Granularity::Day, ..) => pt.label[5..].to_string(),
            (Granularity::Hour, true, true) => format!("{}시", &pt.label[11..13]),
            (Granularity::Hour, false, true) => {
                format!("{} {}시", &pt.label[5..10], &pt.label[11..13])
            }
            (Granularity::Hour, true, false) => pt.label[11..].to_string(),
            (Granularity::Hour, false, false) => pt.label[5..].to_string(),
        }
    };
    let values = if points.len() <= MAX_LISTED {
        points
            .iter()
            .map(|pt| format!("{} {}", short(pt), fmt(m, pt.value, ko)))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        // The earliest slice wins a tie, both ways.
        let hi = points.iter().rev().max_by_key(|pt| pt.value);
        let lo = points.iter().min_by_key(|pt| pt.value);
        match (hi, lo, ko) {
            (Some(h), Some(l), true) => format!(
                "{}개 값 중 가장 높은 {} {}, 가장 낮은 {} {}",
                points.len(),
                short(h),
                fmt(m, h.value, true),
                short(l),
                fmt(m, l.value, true)
            ),
            (Some(h), Some(l), false) => format!(
                "of {} values, the highest is {} {} and the lowest {} {}",
                points.len(),
                short(h),
                fmt(m, h.value, false),
                short(l),
                fmt(m, l.value, false)
            ),
            _ => String::new(),
        }
    };
    let unit_ko = match g {
        Granularity::Day => "일별",
        Granularity::Hour => "시간별",
    };
    let unit_en = match g {
        Granularity::Day => "by day",
        Granularity::Hour => "by hour",
    };
    let mut text = if ko {
        format!(
            "{p} {s}의 {unit_ko} {}: {values} (기간 전체 {}).",
            m.name(true),
            fmt(m, whole, true)
        )
    } else {
        format!(
            "{} {unit_en} for {s}, {p}: {values} (whole period {}).",
            capital(m.name(false)),
            fmt(m, whole, false)
        )
    };
    if too_long {
        text.insert_str(
            0,
            if ko {
                "시간별 값은 48시간 이내 기간에만 답할 수 있어 일별로 답합니다. "
            } else {
                "Hour-by-hour values are given for periods of up to 48 hours, so this is by day. "
            },
        );
    }
    let f = m.field().unwrap_or("totalVisits");
    let mut params = c.params(Some(&w));
    params.insert("metric".into(), f.into());
    params.insert("granularity".into(), g.as_str().into());
    if too_long {
        params.insert("askedGranularity".into(), asked.as_str().into());
    }
    let rows: Vec<Value> = points
        .iter()
        .map(|pt| {
            let key = match g {
                Granularity::Day => "date",
                Granularity::Hour => "hour",
            };
            json!({key: pt.label, "startDate": pt.window.start, "endDate": pt.window.end, "value": pt.value})
        })
        .collect();
    answer(
        text,
        "TREND",
        params,
        json!({"metric": f, "granularity": g.as_str(), "series": rows, "total": whole}),
    )
}
