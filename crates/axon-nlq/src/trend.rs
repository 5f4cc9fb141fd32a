//! Promotion vs normal sales (the comparison widget) and peak hours or days (the trend
//! widget's hourly series).

use crate::exec::Ctx;
use crate::josa::{with, Josa};
use crate::parse::Peak;
use crate::text::{int, num, signed_pct, won};
use crate::Answer;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn promotion(c: &Ctx) -> Answer {
    let w = c.period();
    let cmp = c.view.comparison(c.scope, &w.window);
    let t = &cmp.totals;
    let (pn, pg, nn, ng) = (
        t.promotion.count,
        t.promotion.gmv,
        t.normal.count,
        t.normal.gmv,
    );
    let up = cmp.uplift_percent;
    let verdict = cmp.significance.verdict;
    let (p, s) = (c.period_text(&w), c.scope_text());
    let text = if c.ko() {
        let uplift = if up.is_none() {
            "기준선(활동 시작 전 14일) 판매가 없어 증가율은 계산할 수 없습니다".to_string()
        } else {
            format!(
                "활동 시작 전 14일 일평균 {}건 대비 증가율은 {}입니다",
                num(cmp.baseline_daily),
                signed_pct(up, c.lang)
            )
        };
        format!(
            "{p} {s}의 프로모션 구매는 {}건({}), 일반 구매는 {}건({})입니다. {uplift}.",
            int(pn),
            won(pg),
            int(nn),
            won(ng)
        )
    } else {
        let uplift = if up.is_none() {
            "there were no sales in the 14-day baseline, so no uplift can be computed".to_string()
        } else {
            format!(
                "against a baseline of {} a day in the 14 days before the start, the uplift is {}",
                num(cmp.baseline_daily),
                signed_pct(up, c.lang)
            )
        };
        format!(
            "For {p}, {s} had {} promotion purchases ({}) and {} normal purchases ({}); {uplift}.",
            int(pn),
            won(pg),
            int(nn),
            won(ng)
        )
    };
    let mut params = c.params(Some(&w));
    params.insert("comparison".into(), "promotionVsNormal".into());
    let data = json!({
        "promotion": {"count": pn, "gmv": pg}, "normal": {"count": nn, "gmv": ng},
        "baselineDaily": cmp.baseline_daily, "upliftPercent": up, "verdict": verdict,
        "pValue": cmp.significance.p_value, "daily": cmp.daily,
    });
    crate::exec::answer(text, "PROMOTION_VS_NORMAL", params, data)
}

/// Visits of the window by business hour of day and by business date (from the trend widget's
/// hourly series; the global page uses the overview's hourly traffic).
fn visits(c: &Ctx, w: &crate::when::When) -> ([u64; 24], BTreeMap<String, u64>) {
    let tz = c.view.tz();
    let mut by_hour = [0u64; 24];
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    for p in c.view.hourly_visits(c.scope, &w.window) {
        by_hour[usize::from(tz.hour_of_day(p.timestamp))] += p.count;
        *by_day.entry(tz.date_string(p.timestamp)).or_default() += p.count;
    }
    (by_hour, by_day)
}

pub fn peak(c: &Ctx, peak: Peak) -> Answer {
    let w = c.period();
    let (by_hour, by_day) = visits(c, &w);
    let (p, s, ko) = (c.period_text(&w), c.scope_text(), c.ko());
    let mut params = c.params(Some(&w));
    params.insert("metric".into(), "totalVisits".into());
    let total: u64 = by_hour.iter().sum();
    let (text, data) = match peak {
        Peak::Hour => {
            params.insert("granularity".into(), "hour".into());
            // The earliest hour wins a tie.
            let (h, n) =
                by_hour.iter().enumerate().fold(
                    (0, 0),
                    |best, (h, n)| if *n > best.1 { (h, *n) } else { best },
                );
            let text = match (total, ko) {
                (0, true) => format!("{p} {s}에는 방문이 없었습니다."),
                (0, false) => format!("{s} had no visits in {p}."),
                (_, true) => format!("{p} {s}의 방문이 가장 많은 시간대는 {h}시~{}시로 {}건입니다 (전체 {}건).", h + 1, int(n), int(total)),
                (_, false) => format!("For {p}, the busiest hour for {s} was {h:02}:00–{:02}:00 with {} visits (of {}).", h + 1, int(n), int(total)),
            };
            (
                text,
                json!({"peakHour": h, "peakCount": n, "totalVisits": total, "byHour": by_hour}),
            )
        }
        Peak::Day => {
            params.insert("granularity".into(), "day".into());
            let best = by_day
                .iter()
                .fold(None::<(&String, u64)>, |b, (d, n)| match b {
                    Some((_, bn)) if bn >= *n => b,
                    _ => Some((d, *n)),
                });
            let (d, n) = best.map_or((String::new(), 0), |(d, n)| (d.clone(), n));
            let text = match (total, ko) {
                (0, true) => format!("{p} {s}에는 방문이 없었습니다."),
                (0, false) => format!("{s} had no visits in {p}."),
                (_, true) => format!(
                    "{p} {s}의 방문이 가장 많은 날은 {} {}건입니다 (전체 {}건).",
                    with(&d, Josa::Ro),
                    int(n),
                    int(total)
                ),
                (_, false) => format!(
                    "For {p}, the busiest day for {s} was {d} with {} visits (of {}).",
                    int(n),
                    int(total)
                ),
            };
            let days: Vec<Value> = by_day
                .iter()
                .map(|(d, n)| json!({"date": d, "count": n}))
                .collect();
            (
                text,
                json!({"peakDate": d, "peakCount": n, "totalVisits": total, "byDay": days}),
            )
        }
    };
    crate::exec::answer(text, "PEAK_TIME", params, data)
}
