//! "Why" questions ("왜 전환율이 떨어졌어?", "why did conversion drop?"): a diagnosis from the
//! numbers, never an agreement with the question. The period is set against the one before it
//! (a running calendar period against the same stretch before, see [`When::previous`]); the
//! answer says which way the metric really moved — correcting a premise that does not hold —,
//! names the funnel step whose rate moved most (visit → participate → approval → purchase; the
//! conversion rate is their product) and the volumes behind the metric.

use crate::exec::{answer, fmt, Ctx};
use crate::insight::STEPS;
use crate::josa::{with, Josa};
use crate::parse::{Direction, Metric, Unit};
use crate::text::{num, signed_pct};
use crate::when::When;
use crate::Answer;
use axon_domain::Dec2;
use serde_json::{json, Value};

/// A funnel step's rate in both periods.
struct StepMove {
    step: &'static str,
    ko: &'static str,
    en: &'static str,
    rate: Dec2,
    previous: Dec2,
    points: Dec2,
}

/// The figures that make up each metric, named in the diagnosis.
fn drivers(m: Metric) -> &'static [Metric] {
    match m {
        Metric::ConversionRate => &[Metric::Visits, Metric::Purchases],
        Metric::EngagementRate => &[Metric::Visits, Metric::Participants],
        Metric::Gmv => &[Metric::Purchases, Metric::Aov],
        Metric::Aov => &[Metric::Gmv, Metric::Purchases],
        Metric::Roas => &[Metric::Gmv],
        Metric::Purchases => &[Metric::Visits, Metric::ConversionRate],
        Metric::Participants => &[Metric::Visits, Metric::EngagementRate],
        Metric::Approvals => &[Metric::Participants],
        _ => &[Metric::UniqueVisitors],
    }
}

fn points(d: Dec2, ko: bool) -> String {
    let sign = if d.0 > 0 { "+" } else { "" };
    if ko {
        format!("{sign}{}%p", num(d))
    } else {
        format!("{sign}{} points", num(d))
    }
}

pub fn why(c: &Ctx, m: Metric, premise: Option<Direction>) -> Answer {
    let tz = c.view.tz();
    let w = c.period();
    let before: When = c.versus.clone().unwrap_or_else(|| w.previous(tz));
    let t = c.compare(&w.window, &before.window);
    let (cur, prev) = (
        m.of(&t.current).unwrap_or_default(),
        m.of(&t.previous).unwrap_or_default(),
    );
    let change = m.change_of(&t.change);
    let actual = match cur.cmp(&prev) {
        std::cmp::Ordering::Greater => Some(Direction::Up),
        std::cmp::Ordering::Less => Some(Direction::Down),
        std::cmp::Ordering::Equal => None,
    };
    let steps: Vec<StepMove> = STEPS
        .iter()
        .map(|(step, rate, ko, en)| {
            let (r, p) = (rate(&t.current), rate(&t.previous));
            StepMove {
                step,
                ko,
                en,
                rate: r,
                previous: p,
                points: Dec2(r.0 - p.0),
            }
        })
        .collect();
    // The step that moved most either way; the earlier step wins a tie.
    let moved = steps
        .iter()
        .rev()
        .max_by_key(|s| s.points.0.abs())
        .filter(|s| s.points.0 != 0);
    let ko = c.ko();
    let (s, cur_text, before_text) = (c.scope_text(), c.period_text(&w), c.period_text(&before));
    let name = m.name(ko);
    let is_rate = m.unit() == Unit::Percent;
    let delta = Dec2(cur.0 - prev.0);
    let how = match (is_rate, change) {
        (true, ch) => format!("{}, {}", points(delta, ko), signed_pct(ch, c.lang)),
        (false, ch) => signed_pct(ch, c.lang),
    };
    let mut parts: Vec<String> = Vec::new();
    // A premise the numbers contradict is said first.
    let verdict = match (premise, actual, ko) {
        (Some(Direction::Down), Some(Direction::Up), true) => Some(format!(
            "질문과 달리 {} 떨어지지 않고 올랐습니다.",
            with(name, Josa::Topic)
        )),
        (Some(Direction::Down), None, true) => Some(format!(
            "질문과 달리 {} 떨어지지 않았습니다(변화 없음).",
            with(name, Josa::Topic)
        )),
        (Some(Direction::Up), Some(Direction::Down), true) => Some(format!(
            "질문과 달리 {} 오르지 않고 떨어졌습니다.",
            with(name, Josa::Topic)
        )),
        (Some(Direction::Up), None, true) => Some(format!(
            "질문과 달리 {} 오르지 않았습니다(변화 없음).",
            with(name, Josa::Topic)
        )),
        (Some(Direction::Down), Some(Direction::Up), false) => Some(format!(
            "Contrary to the question, the {name} did not drop: it rose."
        )),
        (Some(Direction::Down), None, false) => Some(format!(
            "Contrary to the question, the {name} did not drop: it is unchanged."
        )),
        (Some(Direction::Up), Some(Direction::Down), false) => Some(format!(
            "Contrary to the question, the {name} did not rise: it fell."
        )),
        (Some(Direction::Up), None, false) => Some(format!(
            "Contrary to the question, the {name} did not rise: it is unchanged."
        )),
        _ => None,
    };
    parts.extend(verdict);
    let moved_word = match (actual, ko) {
        (Some(Direction::Up), true) => "올랐습니다",
        (Some(Direction::Down), true) => "떨어졌습니다",
        (None, true) => "변하지 않았습니다",
        (Some(Direction::Up), false) => "rose",
        (Some(Direction::Down), false) => "fell",
        (None, false) => "did not change",
    };
    parts.push(if ko {
        format!(
            "{cur_text} {s}의 {} {}, {before_text} {}에서 {moved_word} ({how}).",
            with(name, Josa::Topic),
            with(&fmt(m, cur, true), Josa::Ro),
            fmt(m, prev, true)
        )
    } else {
        format!(
            "For {s}, the {name} {moved_word} from {} over {before_text} to {} over {cur_text} ({how}).",
            fmt(m, prev, false),
            fmt(m, cur, false)
        )
    });
    let figures: Vec<String> = drivers(m)
        .iter()
        .map(|d| {
            format!(
                "{} {} → {} ({})",
                d.name(ko),
                fmt(*d, d.of(&t.previous).unwrap_or_default(), ko),
                fmt(*d, d.of(&t.current).unwrap_or_default(), ko),
                signed_pct(d.change_of(&t.change), c.lang)
            )
        })
        .collect();
    parts.push(if ko {
        format!("함께 본 수치: {}.", figures.join(", "))
    } else {
        format!("Behind it: {}.", figures.join(", "))
    });
    parts.push(match (moved, ko) {
        (Some(st), true) => format!(
            "퍼널에서 가장 크게 움직인 단계는 {} {} → {} ({})입니다.",
            with(st.ko, Josa::Ro),
            crate::text::pct(st.previous),
            crate::text::pct(st.rate),
            points(st.points, true)
        ),
        (Some(st), false) => format!(
            "The funnel step that moved most is {}: {} → {} ({}).",
            st.en,
            crate::text::pct(st.previous),
            crate::text::pct(st.rate),
            points(st.points, false)
        ),
        (None, true) => "퍼널 단계별 비율(방문→참여, 참여→승인, 승인→구매)은 두 기간이 같습니다.".into(),
        (None, false) => "The funnel's step rates (visit → participate → approval → purchase) are the same in both periods.".into(),
    });
    let text = parts.join(" ");
    let f = m.field().unwrap_or("conversionRate");
    let mut params = c.params(Some(&w));
    params.insert("metric".into(), f.into());
    params.insert("previousPeriod".into(), before.key.clone().into());
    params.insert("previousStartDate".into(), json!(before.window.start));
    params.insert("previousEndDate".into(), json!(before.window.end));
    let dir = |d: Option<Direction>| match d {
        Some(Direction::Up) => "up",
        Some(Direction::Down) => "down",
        None => "flat",
    };
    if let Some(p) = premise {
        params.insert("premise".into(), dir(Some(p)).into());
    }
    let step_rows: Vec<Value> = steps
        .iter()
        .map(|st| json!({"step": st.step, "rate": st.rate, "previousRate": st.previous, "changePoints": st.points}))
        .collect();
    let driver_rows: Vec<Value> = drivers(m)
        .iter()
        .map(|d| json!({"metric": d.field(), "value": d.of(&t.current), "previousValue": d.of(&t.previous), "changePercent": d.change_of(&t.change)}))
        .collect();
    let data = json!({
        "metric": f, "value": cur, "previousValue": prev, "changePercent": change,
        "direction": dir(actual),
        "premiseHolds": premise.map(|p| Some(p) == actual),
        "steps": step_rows,
        "movedMost": moved.map(|st| json!({"step": st.step, "rate": st.rate, "previousRate": st.previous, "changePoints": st.points})),
        "drivers": driver_rows,
    });
    answer(text, "DIAGNOSIS", params, data)
}
