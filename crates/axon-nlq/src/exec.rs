//! Execution: each intent asks the dashboard or cohort service for its numbers and writes the
//! answer in the question's language, period spelled out. Nothing here computes a metric; it
//! only reads what the services return.

use crate::names::Candidate;
use crate::parse::{Kind, Metric, Unit};
use crate::text::{count, pct, signed_pct, won};
use crate::when::{self, When};
use crate::{Answer, Lang, Scope};
use axon_domain::metrics::{change, overview};
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use axon_engine::{Engine, Query, Widget};
use serde_json::{json, Map, Value};

/// Everything an intent needs to run.
pub struct Ctx<'a> {
    pub engine: &'a Engine,
    pub scope: Scope,
    pub lang: Lang,
    pub when: Option<When>,
    pub now: Ts,
    /// A split the question asked for ("기기별", "by utm_source"): recorded in `parameters`
    /// and pointed to on the dashboard; the split itself needs the raw events of the log.
    pub breakdown: Option<&'static str>,
}

impl Ctx<'_> {
    pub fn ko(&self) -> bool {
        self.lang.ko()
    }

    /// The named period, or the dashboards' default (last 7 days).
    pub fn period(&self) -> When {
        self.when.clone().unwrap_or_else(|| when::default(self.now))
    }

    /// "지난 7일(2026-11-11 10:00 – 2026-11-18 10:00 KST)".
    pub fn period_text(&self, w: &When) -> String {
        format!(
            "{} ({})",
            w.label(self.lang),
            self.engine.window_label(&w.window)
        )
    }

    /// The scope as a phrase: "캠페인 '겨울 세일'", "activity 'Laptop Flash Deal'", "전체".
    pub fn scope_text(&self) -> String {
        match (self.scope, self.ko()) {
            (Scope::Global, true) => "전체 캠페인".into(),
            (Scope::Global, false) => "all campaigns".into(),
            (Scope::Campaign(id), ko) => {
                let n = self
                    .engine
                    .campaign(id)
                    .map_or_else(String::new, |c| c.name.clone());
                if ko {
                    format!("캠페인 '{n}'")
                } else {
                    format!("campaign '{n}'")
                }
            }
            (Scope::Activity(id), ko) => {
                let n = self
                    .engine
                    .activity_meta(id)
                    .map_or_else(String::new, |a| a.name.clone());
                if ko {
                    format!("활동 '{n}'")
                } else {
                    format!("activity '{n}'")
                }
            }
        }
    }

    /// The parameters every answer shares: scope and period.
    pub fn params(&self, w: Option<&When>) -> Map<String, Value> {
        let mut p = Map::new();
        let (scope, id) = match self.scope {
            Scope::Global => ("global", None),
            Scope::Campaign(id) => ("campaign", Some(("campaignId", id))),
            Scope::Activity(id) => ("activity", Some(("activityId", id))),
        };
        p.insert("scope".into(), scope.into());
        if let Some((k, id)) = id {
            p.insert(k.into(), id.into());
        }
        if let Some(w) = w {
            p.insert("period".into(), w.key.clone().into());
            p.insert("startDate".into(), json!(w.window.start));
            p.insert("endDate".into(), json!(w.window.end));
        }
        p.insert("language".into(), json!(self.lang));
        p
    }

    fn query(&self, w: &Window, widget: Widget) -> Query {
        Query {
            window: *w,
            now: self.now,
            widgets: vec![widget],
            conversion_window_hours: None,
        }
    }

    /// One widget of the scope's dashboard (global: the matching part of the overview).
    pub fn widget(&self, w: &Window, widget: Widget) -> Value {
        let q = self.query(w, widget);
        let data = match self.scope {
            Scope::Activity(id) => self.engine.activity_dashboard(id, &q),
            Scope::Campaign(id) => self.engine.campaign_dashboard(id, &q),
            Scope::Global => {
                let ids: Vec<i64> = self.engine.activities().iter().map(|a| a.id).collect();
                return match widget {
                    Widget::Overview => self.global_totals(w),
                    Widget::Realtime => self.engine.realtime(&ids, self.now),
                    Widget::Trend => {
                        json!({"hourly": self.engine.global_overview(w)["hourlyTraffic"].clone()})
                    }
                    _ => Value::Null,
                };
            }
        };
        data.and_then(|mut m| m.remove(widget.as_str()))
            .unwrap_or(Value::Null)
    }

    /// The global overview's `totals` (same counts, same formulas as `global_overview`) without
    /// its per-campaign rows and hourly traffic, which a single figure does not need.
    fn global_totals(&self, w: &Window) -> Value {
        let mut ids = Vec::new();
        let mut budget = Dec2::ZERO;
        for c in self.engine.campaigns() {
            ids.extend(self.engine.campaign_activities(c.id).iter().map(|a| a.id));
            budget += self.engine.campaign_budget(c.id);
        }
        let cur = overview(&self.engine.counts(&ids, w), budget);
        let prev = overview(&self.engine.counts(&ids, &w.previous()), budget);
        let mut v = serde_json::to_value(&cur).unwrap_or_default();
        v["change"] = change(&cur, &prev);
        v["previous"] = serde_json::to_value(&prev).unwrap_or_default();
        v
    }

    /// The activities the scope covers, by id.
    pub fn activity_ids(&self) -> Vec<i64> {
        match self.scope {
            Scope::Activity(id) => vec![id],
            Scope::Campaign(id) => self
                .engine
                .campaign_activities(id)
                .iter()
                .map(|a| a.id)
                .collect(),
            Scope::Global => self.engine.activities().iter().map(|a| a.id).collect(),
        }
    }
}

/// Writes a metric value in its unit.
pub fn fmt(m: Metric, v: &Value, ko: bool) -> String {
    match m.unit() {
        Unit::Money => won(v),
        Unit::Percent => pct(v),
        Unit::Ratio => {
            if ko {
                format!("{}배", count(v))
            } else {
                format!("{}x", count(v))
            }
        }
        Unit::Count => {
            let n = count(v);
            match (m, ko) {
                (Metric::UniqueVisitors | Metric::ActiveUsers, true) => format!("{n}명"),
                (Metric::RemainingStock, true) => format!("{n}개"),
                (_, true) => format!("{n}건"),
                _ => n,
            }
        }
    }
}

pub(crate) fn answer(
    text: String,
    intent: &'static str,
    params: Map<String, Value>,
    data: Value,
) -> Answer {
    Answer {
        answer: text,
        intent,
        parameters: Value::Object(params),
        data,
    }
}

/// Runs a parsed question.
pub fn run(c: &Ctx, kind: &Kind) -> Answer {
    match kind {
        Kind::Metric(m) if m.field().is_some() => metric(c, *m),
        Kind::Metric(m @ (Metric::RemainingStock | Metric::ActiveUsers)) => {
            crate::figures::realtime(c, *m)
        }
        Kind::Metric(m) => crate::figures::cohort(c, *m),
        Kind::Rank { .. } => crate::rank::rank(c, kind),
        Kind::PromotionVsNormal => crate::trend::promotion(c),
        Kind::PeriodComparison(m) => crate::trend::period_comparison(c, *m),
        Kind::Peak(p) => crate::trend::peak(c, *p),
        Kind::Trend => crate::trend::daily(c),
        Kind::Insight => crate::insight::insight(c),
        Kind::Unknown => unknown(c),
    }
}

/// A window metric from the overview widget, with its inputs and the change vs the previous period.
fn metric(c: &Ctx, m: Metric) -> Answer {
    let w = c.period();
    let o = c.widget(&w.window, Widget::Overview);
    let f = m.field().unwrap_or("totalVisits");
    let (v, prev, ch) = (
        o[f].clone(),
        o["previous"][f].clone(),
        o["change"][f].clone(),
    );
    let ko = c.ko();
    let (p, s) = (c.period_text(&w), c.scope_text());
    let body = match (m, ko) {
        (Metric::ConversionRate, true) => format!(
            "{p} {s}의 방문 {}건 중 {}건이 구매로 이어져 전환율은 {}입니다.",
            count(&o["totalVisits"]),
            count(&o["purchaseCount"]),
            pct(&v)
        ),
        (Metric::ConversionRate, false) => format!(
            "For {p}, {} of {} visits to {s} led to a purchase: a conversion rate of {}.",
            count(&o["purchaseCount"]),
            count(&o["totalVisits"]),
            pct(&v)
        ),
        (Metric::EngagementRate, true) => format!(
            "{p} {s}의 방문 {}건 중 참여 {}건으로 참여율은 {}입니다.",
            count(&o["totalVisits"]),
            count(&o["totalParticipants"]),
            pct(&v)
        ),
        (Metric::EngagementRate, false) => format!(
            "For {p}, {s} had {} participations out of {} visits: an engagement rate of {}.",
            count(&o["totalParticipants"]),
            count(&o["totalVisits"]),
            pct(&v)
        ),
        (Metric::Roas, true) => format!(
            "{p} {s}의 ROAS는 {}입니다 (거래액 {} ÷ 예산 {}).",
            pct(&v),
            won(&o["gmv"]),
            won(&o["budget"])
        ),
        (Metric::Roas, false) => format!(
            "For {p}, the ROAS of {s} was {} (GMV {} ÷ budget {}).",
            pct(&v),
            won(&o["gmv"]),
            won(&o["budget"])
        ),
        (Metric::Aov, true) => format!(
            "{p} {s}의 평균 주문 금액은 {}입니다 (거래액 {}).",
            won(&v),
            won(&o["gmv"])
        ),
        (Metric::Aov, false) => format!(
            "For {p}, the average order value of {s} was {} (GMV {}).",
            won(&v),
            won(&o["gmv"])
        ),
        (_, true) => format!(
            "{p} {s}의 {}은(는) {}입니다.",
            m.name(true),
            fmt(m, &v, true)
        ),
        (_, false) => format!("For {p}, {s} had {} {}.", fmt(m, &v, false), m.name(false)),
    };
    let tail = if ko {
        format!(
            " 직전 같은 길이 기간에는 {}(변화 {}).",
            fmt(m, &prev, true),
            signed_pct(&ch, c.lang)
        )
    } else {
        format!(
            " The previous period of equal length had {} ({}).",
            fmt(m, &prev, false),
            signed_pct(&ch, c.lang)
        )
    };
    let mut params = c.params(Some(&w));
    params.insert("metric".into(), f.into());
    let mut data = json!({"metric": f, "value": v, "previousValue": prev, "changePercent": ch});
    for k in [
        "totalVisits",
        "purchaseCount",
        "totalParticipants",
        "gmv",
        "budget",
    ] {
        if k != f {
            data[k] = o[k].clone();
        }
    }
    let text = body + &tail;
    if let Some(b) = c.breakdown {
        params.insert("breakdown".into(), b.into());
        // The split itself needs the raw events of the log: the server adds it (`split`).
        data["breakdownQuery"] = format!("breakdown={b}").into();
    }
    answer(text, m.intent(), params, data)
}

/// "Which activity: A or B?" — an ambiguous name is asked back, not guessed.
pub fn clarify(engine: &Engine, lang: Lang, kind: &Kind, candidates: &[Candidate]) -> Answer {
    let names: Vec<String> = candidates.iter().map(|c| format!("'{}'", c.name)).collect();
    let activity = candidates
        .iter()
        .all(|c| matches!(c.scope, Scope::Activity(_)));
    let text = match (lang, activity) {
        (Lang::Ko, true) => format!("어느 활동을 말씀하시나요: {}?", names.join(" 또는 ")),
        (Lang::Ko, false) => format!(
            "어느 캠페인(또는 활동)을 말씀하시나요: {}?",
            names.join(" 또는 ")
        ),
        (Lang::En, true) => format!("Which activity: {}?", names.join(" or ")),
        (Lang::En, false) => format!("Which one: {}?", names.join(" or ")),
    };
    let rows: Vec<Value> = candidates
        .iter()
        .map(|c| match c.scope {
            Scope::Activity(id) => json!({"activityId": id, "name": c.name, "campaignId": engine.activity_meta(id).map(|a| a.campaign_id)}),
            Scope::Campaign(id) => json!({"campaignId": id, "name": c.name}),
            Scope::Global => json!({"name": c.name}),
        })
        .collect();
    let asked = match kind {
        Kind::Metric(m) => m.intent(),
        Kind::Rank { .. } => "RANKING",
        Kind::PromotionVsNormal => "PROMOTION_VS_NORMAL",
        Kind::PeriodComparison(_) => "PERIOD_COMPARISON",
        Kind::Peak(_) => "PEAK_TIME",
        Kind::Trend => "TREND",
        Kind::Insight => "INSIGHT",
        Kind::Unknown => "UNKNOWN",
    };
    answer(
        text,
        "AMBIGUOUS",
        Map::from_iter([
            ("askedIntent".to_string(), Value::from(asked)),
            ("language".into(), json!(lang)),
        ]),
        json!({"candidates": rows}),
    )
}

/// Off-topic or unparsed: say what can be asked.
fn unknown(c: &Ctx) -> Answer {
    let text = if c.ko() {
        "질문을 이해하지 못했어요. 이런 걸 물어보실 수 있어요: 방문·참여·승인·구매 수, 매출(GMV), 전환율, 참여율, ROAS, 객단가, 남은 재고, 실시간 접속자, LTV·CAC·LTV/CAC, 재구매율, 순위(\"이번 달 가장 성과가 좋은 캠페인은?\"), 비교(\"이번 주 프로모션과 일반 판매 비교\", \"지난주 대비 방문\"), 피크 시간대, 인사이트(\"개선 방안 알려줘\"). 기간은 오늘, 어제, 지난 7일, 이번 주, 지난달, 10월, 2026-11-01 처럼 말해 주세요."
    } else {
        "Sorry, I didn't understand that. You can ask about visits, participants, approvals, purchases, GMV/revenue, conversion rate, engagement rate, ROAS, average order value, remaining stock, active users, LTV, CAC, LTV/CAC, repeat rate, rankings (\"top 3 activities by GMV last month\"), comparisons (\"compare promotion and normal sales this week\", \"visits vs the previous period\"), peak hours and insights (\"how can I improve?\"). Periods: today, yesterday, last 7 days, this week, last month, October, 2026-11-01."
    };
    let examples: &[&str] = if c.ko() {
        &[
            "어제 방문 몇 건이야?",
            "이번 달 가장 성과가 좋은 캠페인은 뭐야?",
            "재고 얼마나 남았어?",
            "LTV/CAC 알려줘",
        ]
    } else {
        &[
            "how many visits yesterday?",
            "top 3 activities by GMV last month",
            "how much stock is left?",
            "what's the LTV/CAC?",
        ]
    };
    answer(
        text.into(),
        "UNKNOWN",
        c.params(None),
        json!({"examples": examples}),
    )
}
