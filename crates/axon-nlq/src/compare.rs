//! Period comparisons: a window metric this period against the one before ("지난주 대비 방문",
//! "revenue change vs last week"), or two named calendar periods side by side ("지난주랑 이번주",
//! "this week vs last week", "10월과 11월"). A period still running is also set against the same
//! stretch of the one before (this week so far against last week up to the same weekday and
//! hour), so a partial week is never read as a collapse. Without a metric the headline figures
//! (visits, purchases, GMV, conversion rate) are compared.

use crate::exec::{answer, capital, fmt, Ctx};
use crate::josa::{with, Josa};
use crate::parse::Metric;
use crate::text::signed_pct;
use crate::when::When;
use crate::Answer;
use axon_domain::Dec2;
use axon_services::dashboards::Totals;
use serde_json::{json, Map, Value};

/// The figures a comparison without a metric sets side by side.
const HEADLINE: [Metric; 4] = [
    Metric::Visits,
    Metric::Purchases,
    Metric::Gmv,
    Metric::ConversionRate,
];

/// One metric in two periods.
struct Row {
    m: Metric,
    value: Dec2,
    previous: Dec2,
    change: Option<Dec2>,
}

fn rows(metrics: &[Metric], t: &Totals) -> Vec<Row> {
    metrics
        .iter()
        .map(|m| Row {
            m: *m,
            value: m.of(&t.current).unwrap_or_default(),
            previous: m.of(&t.previous).unwrap_or_default(),
            change: m.change_of(&t.change),
        })
        .collect()
}

pub fn compare(c: &Ctx, metric: Option<Metric>) -> Answer {
    let tz = c.view.tz();
    let w = c.period();
    let named = c.versus.is_some();
    let before = c.versus.clone().unwrap_or_else(|| w.previous(tz));
    // A running period named against a whole one is also set against the same stretch.
    let stretch = (named && w.to_date).then(|| w.previous(tz));
    let metrics: Vec<Metric> = metric.map_or_else(|| HEADLINE.to_vec(), |m| vec![m]);
    let main = rows(&metrics, &c.compare(&w.window, &before.window));
    let same = stretch
        .as_ref()
        .map(|s| rows(&metrics, &c.compare(&w.window, &s.window)));
    let ko = c.ko();
    let (s, cur_text, before_text) = (c.scope_text(), c.period_text(&w), c.period_text(&before));
    let mut text = match (&main[..], ko) {
        ([r], true) if named => format!(
            "{s}의 {} {cur_text} {}, {before_text} {} 대비 {}입니다.",
            with(r.m.name(true), Josa::Topic),
            fmt(r.m, r.value, true),
            fmt(r.m, r.previous, true),
            signed_pct(r.change, c.lang)
        ),
        ([r], false) if named => format!(
            "For {s}, {} {cur_text}: {}, against {} {before_text} ({}).",
            capital(r.m.name(false)),
            fmt(r.m, r.value, false),
            fmt(r.m, r.previous, false),
            signed_pct(r.change, c.lang)
        ),
        ([r], true) => format!(
            "{cur_text} {s}의 {} {}, {before_text} {} 대비 {}입니다.",
            with(r.m.name(true), Josa::Topic),
            with(&fmt(r.m, r.value, true), Josa::Ro),
            fmt(r.m, r.previous, true),
            signed_pct(r.change, c.lang)
        ),
        ([r], false) => format!(
            "For {cur_text}, {s} had {} {}, against {} in {before_text}: {}.",
            r.m.name(false),
            fmt(r.m, r.value, false),
            fmt(r.m, r.previous, false),
            signed_pct(r.change, c.lang)
        ),
        (rs, true) => format!(
            "{s}, {cur_text} 대 {before_text}: {}.",
            side_by_side(rs, true, c)
        ),
        (rs, false) => format!(
            "{}, {cur_text} against {before_text}: {}.",
            capital(&s),
            side_by_side(rs, false, c)
        ),
    };
    if let (Some(st), Some(same)) = (&stretch, &same) {
        let st_text = c.period_text(st);
        let label = w.label(c.lang);
        text.push(' ');
        text.push_str(&match (&same[..], ko) {
            ([r], true) => format!(
                "{} 아직 진행 중이어서 {st_text}의 {} 비교하면 {}입니다.",
                with(label, Josa::Topic),
                with(&fmt(r.m, r.previous, true), Josa::And),
                signed_pct(r.change, c.lang)
            ),
            ([r], false) => format!(
                "{} is still running; against {st_text}, which had {}, it is {}.",
                capital(label),
                fmt(r.m, r.previous, false),
                signed_pct(r.change, c.lang)
            ),
            (rs, true) => format!(
                "{} 아직 진행 중이어서 {} 비교하면: {}.",
                with(label, Josa::Topic),
                with(&st_text, Josa::And),
                side_by_side(rs, true, c)
            ),
            (rs, false) => format!(
                "{} is still running; against {st_text}: {}.",
                capital(label),
                side_by_side(rs, false, c)
            ),
        });
    }
    let mut params = c.params(Some(&w));
    match metric {
        Some(m) => {
            params.insert("metric".into(), m.field().unwrap_or("totalVisits").into());
        }
        None => {
            params.insert(
                "metrics".into(),
                json!(metrics
                    .iter()
                    .map(|m| m.field().unwrap_or("totalVisits"))
                    .collect::<Vec<_>>()),
            );
        }
    }
    params.insert(
        "comparison".into(),
        if named { "periods" } else { "previousPeriod" }.into(),
    );
    window_params(&mut params, "previous", &before);
    if let Some(st) = &stretch {
        window_params(&mut params, "sameStretch", st);
    }
    let data = match metric {
        Some(_) => {
            let r = &main[0];
            let mut d = json!({"metric": r.m.field(), "value": r.value, "previousValue": r.previous, "changePercent": r.change});
            if let Some(x) = same.as_ref().and_then(|s| s.first()) {
                d["sameStretchValue"] = json!(x.previous);
                d["sameStretchChangePercent"] = json!(x.change);
            }
            d
        }
        None => {
            let list: Vec<Value> = main
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut d = json!({"metric": r.m.field(), "value": r.value, "previousValue": r.previous, "changePercent": r.change});
                    if let Some(x) = same.as_ref().and_then(|s| s.get(i)) {
                        d["sameStretchValue"] = json!(x.previous);
                        d["sameStretchChangePercent"] = json!(x.change);
                    }
                    d
                })
                .collect();
            json!({ "metrics": list })
        }
    };
    answer(text, "PERIOD_COMPARISON", params, data)
}

/// "방문 93건 vs 210건(-55.71%), 구매 …".
fn side_by_side(rows: &[Row], ko: bool, c: &Ctx) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "{} {} vs {} ({})",
                r.m.name(ko),
                fmt(r.m, r.value, ko),
                fmt(r.m, r.previous, ko),
                signed_pct(r.change, c.lang)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `previousPeriod`, `previousStartDate`, `previousEndDate` (or `sameStretch…`).
fn window_params(p: &mut Map<String, Value>, prefix: &str, w: &When) {
    p.insert(format!("{prefix}Period"), w.key.clone().into());
    p.insert(format!("{prefix}StartDate"), json!(w.window.start));
    p.insert(format!("{prefix}EndDate"), json!(w.window.end));
}
