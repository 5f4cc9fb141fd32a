//! Execution: each intent asks the dashboard or cohort service for its numbers and writes the
//! answer in the question's language, period spelled out. Nothing here computes a metric; it
//! only reads what the services return.

use crate::josa::{with, Josa};
use crate::names::Candidate;
use crate::parse::{Kind, Metric, Unit};
use crate::pick::count_of;
use crate::text::{num, pct, signed_pct, won};
use crate::when::{self, When};
use crate::{Answer, Lang, NlqError, Scope};
use axon_domain::dimension::Dimension;
use axon_domain::metrics::change;
use axon_domain::period::Window;
use axon_domain::Dec2;
use axon_domain::Ts;
use axon_ports::aggregates::Snapshot;
use axon_ports::catalog::Catalog;
use axon_services::dashboards::{Totals, View};
use serde_json::{json, Map, Value};

/// Everything an intent needs to run.
pub struct Ctx<'a> {
    /// The one snapshot every figure of the answer is read from.
    pub view: View<'a>,
    pub scope: Scope,
    pub lang: Lang,
    pub when: Option<When>,
    pub now: Ts,
    /// The other period of a "지난주랑 이번주" question (the earlier one; `when` is the later).
    pub versus: Option<When>,
    /// A split the question asked for ("기기별", "by utm_source", "모바일"): answered with the
    /// named value and the top values where the service can split raw events.
    pub breakdown: Option<Dimension>,
    /// The question, for the split value it names ("모바일", "VIP").
    pub text: Option<&'a crate::text::Text>,
}

impl Ctx<'_> {
    pub fn ko(&self) -> bool {
        self.lang.ko()
    }

    /// The catalogue of the answer's snapshot.
    pub fn catalog(&self) -> &dyn Snapshot {
        self.view.snapshot()
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
            self.view.window_label(&w.window)
        )
    }

    /// The scope as a phrase: "캠페인 '겨울 세일'", "activity 'Laptop Flash Deal'", "전체".
    pub fn scope_text(&self) -> String {
        match (self.scope, self.ko()) {
            (Scope::Global, true) => "전체 캠페인".into(),
            (Scope::Global, false) => "all campaigns".into(),
            (Scope::Campaign(id), ko) => {
                let n = self
                    .catalog()
                    .campaign(id)
                    .map_or_else(String::new, |c| c.name);
                if ko {
                    format!("캠페인 '{n}'")
                } else {
                    format!("campaign '{n}'")
                }
            }
            (Scope::Activity(id), ko) => {
                let n = self.activity_name(id);
                if ko {
                    format!("활동 '{n}'")
                } else {
                    format!("activity '{n}'")
                }
            }
        }
    }

    pub fn activity_name(&self, id: i64) -> String {
        self.catalog()
            .activity(id)
            .map_or_else(String::new, |a| a.name)
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

    /// The scope's figures in `w` and in `prev`, and the change between them.
    pub fn compare(&self, w: &Window, prev: &Window) -> Totals {
        let current = self.view.figures(self.scope, w);
        let previous = self.view.figures(self.scope, prev);
        Totals {
            change: change(&current, &previous),
            current,
            previous,
        }
    }

    /// The activities the scope covers, by id (global: every activity).
    pub fn activity_ids(&self) -> Vec<i64> {
        match self.scope {
            Scope::Global => self.catalog().activities().iter().map(|a| a.id).collect(),
            scope => self.view.activity_ids(scope),
        }
    }
}

/// "the same days of last week" → "The same days of last week".
pub fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// Writes a metric value in its unit.
pub fn fmt(m: Metric, v: Dec2, ko: bool) -> String {
    match m.unit() {
        Unit::Money => won(v),
        Unit::Percent => pct(v),
        Unit::Ratio => {
            if ko {
                format!("{}배", num(v))
            } else {
                format!("{}x", num(v))
            }
        }
        Unit::Count => {
            let n = num(v);
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
        not_applied: Vec::new(),
    }
}

/// Runs a parsed question.
pub fn run(c: &Ctx, kind: &Kind) -> Result<Answer, NlqError> {
    Ok(match kind {
        Kind::Metric(m) if m.field().is_some() => metric(c, *m)?,
        Kind::Metric(m @ (Metric::RemainingStock | Metric::ActiveUsers)) => {
            crate::figures::realtime(c, *m)
        }
        Kind::Metric(m) => crate::figures::cohort(c, *m),
        Kind::Rank { .. } => crate::rank::rank(c, kind),
        Kind::PromotionVsNormal => crate::trend::promotion(c),
        Kind::PeriodComparison(m) => crate::compare::compare(c, *m),
        Kind::Peak(p) => crate::trend::peak(c, *p),
        Kind::Series(m, g) => crate::series::series(c, *m, *g),
        Kind::Insight => crate::insight::insight(c),
        Kind::Why { metric, premise } => crate::diagnose::why(c, *metric, *premise),
        Kind::Unknown => unknown(c),
    })
}

/// A window metric from the overview widget, with its inputs and the change vs the previous
/// period; split by the asked dimension when the service can.
fn metric(c: &Ctx, m: Metric) -> Result<Answer, NlqError> {
    let w = c.period();
    let before = w.previous(c.view.tz());
    let t = c.compare(&w.window, &before.window);
    let o = &t.current;
    let f = m.field().unwrap_or("totalVisits");
    let (v, prev, ch) = (
        m.of(o).unwrap_or_default(),
        m.of(&t.previous).unwrap_or_default(),
        m.change_of(&t.change),
    );
    let ko = c.ko();
    let (p, s) = (c.period_text(&w), c.scope_text());
    let (visits, buys, clicks) = (
        count_of(o.total_visits),
        count_of(o.purchase_count),
        count_of(o.total_participants),
    );
    let body = match (m, ko) {
        (Metric::ConversionRate, true) => format!(
            "{p} {s}의 방문 {}건 중 {}건이 구매로 이어져 전환율은 {}입니다.",
            num(visits),
            num(buys),
            pct(v)
        ),
        (Metric::ConversionRate, false) => format!(
            "For {p}, {} of {} visits to {s} led to a purchase: a conversion rate of {}.",
            num(buys),
            num(visits),
            pct(v)
        ),
        (Metric::EngagementRate, true) => format!(
            "{p} {s}의 방문 {}건 중 참여 {}건으로 참여율은 {}입니다.",
            num(visits),
            num(clicks),
            pct(v)
        ),
        (Metric::EngagementRate, false) => format!(
            "For {p}, {s} had {} participations out of {} visits: an engagement rate of {}.",
            num(clicks),
            num(visits),
            pct(v)
        ),
        (Metric::Roas, true) => format!(
            "{p} {s}의 ROAS는 {}입니다 (거래액 {} ÷ 예산 {}).",
            pct(v),
            won(o.gmv),
            won(o.budget)
        ),
        (Metric::Roas, false) => format!(
            "For {p}, the ROAS of {s} was {} (GMV {} ÷ budget {}).",
            pct(v),
            won(o.gmv),
            won(o.budget)
        ),
        (Metric::Aov, true) => format!(
            "{p} {s}의 평균 주문 금액은 {}입니다 (거래액 {}).",
            won(v),
            won(o.gmv)
        ),
        (Metric::Aov, false) => format!(
            "For {p}, the average order value of {s} was {} (GMV {}).",
            won(v),
            won(o.gmv)
        ),
        (_, true) => format!(
            "{p} {s}의 {} {}입니다.",
            with(m.name(true), Josa::Topic),
            fmt(m, v, true)
        ),
        (_, false) => format!("For {p}, {s} had {} {}.", fmt(m, v, false), m.name(false)),
    };
    // A calendar period names the stretch it is set against ("지난주 같은 기간(…)").
    let before_text = match before.calendar {
        Some(_) => c.period_text(&before),
        None => before.label(c.lang).to_string(),
    };
    let tail = if ko {
        format!(
            " {before_text}에는 {}(변화 {}).",
            fmt(m, prev, true),
            signed_pct(ch, c.lang)
        )
    } else {
        format!(
            " {} had {} ({}).",
            capital(&before_text),
            fmt(m, prev, false),
            signed_pct(ch, c.lang)
        )
    };
    let mut params = c.params(Some(&w));
    params.insert("metric".into(), f.into());
    params.insert("previousPeriod".into(), before.key.clone().into());
    params.insert("previousStartDate".into(), json!(before.window.start));
    params.insert("previousEndDate".into(), json!(before.window.end));
    let mut data = json!({"metric": f, "value": v, "previousValue": prev, "changePercent": ch});
    for (k, x) in [
        ("totalVisits", visits),
        ("purchaseCount", buys),
        ("totalParticipants", clicks),
        ("gmv", o.gmv),
        ("budget", o.budget),
    ] {
        if k != f {
            data[k] = json!(x);
        }
    }
    let mut text = body + &tail;
    // A split is applied where the service can split raw events and its rows carry the metric;
    // otherwise `parameters.breakdown` stays absent and the answer says it was not applied.
    if let Some(d) = c.breakdown.filter(|_| c.view.splits() && m.per_row()) {
        let b = c
            .view
            .breakdown(&c.activity_ids(), d, &w.window)
            .map_err(NlqError::Service)?;
        let focus = c
            .text
            .and_then(|t| crate::split::focus(t, d, &b.rows))
            .cloned();
        text.push_str(&crate::split::sentence(c.lang, d, m, &b, focus.as_ref()));
        params.insert("breakdown".into(), d.as_str().into());
        if let Some(f) = &focus {
            params.insert("breakdownValue".into(), f.value.clone().into());
            data["breakdownValue"] = json!(f);
        }
        data["breakdownQuery"] = format!("breakdown={}", d.as_str()).into();
        data["breakdown"] = json!(b);
    }
    Ok(answer(text, m.intent(), params, data))
}

/// "Which activity: A or B?" — an ambiguous name is asked back, not guessed.
pub fn clarify(
    catalog: &(impl Catalog + ?Sized),
    lang: Lang,
    kind: &Kind,
    candidates: &[Candidate],
) -> Answer {
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
            Scope::Activity(id) => {
                json!({"activityId": id, "name": c.name, "campaignId": catalog.campaign_of(id)})
            }
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
        Kind::Series(..) => "TREND",
        Kind::Insight => "INSIGHT",
        Kind::Why { .. } => "DIAGNOSIS",
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
pub(crate) fn unknown(c: &Ctx) -> Answer {
    let text = if c.ko() {
        "질문을 이해하지 못했어요. 이런 걸 물어보실 수 있어요: 방문·참여·승인·구매 수, 매출(GMV), 전환율, 참여율, ROAS, 객단가, 남은 재고, 실시간 접속자, LTV·CAC·LTV/CAC, 재구매율, 순위(\"이번 달 가장 성과가 좋은 캠페인은?\"), 비교(\"이번 주 프로모션과 일반 판매 비교\", \"지난주랑 이번주\"), 일별·시간별 값(\"일별 매출\"), 원인(\"왜 전환율이 떨어졌어?\"), 피크 시간대, 인사이트(\"개선 방안 알려줘\"). 기간은 오늘, 어제, 지난 1시간, 지난 7일, 이번 주, 지난달, 10월, 2026-11-01 처럼 말해 주세요."
    } else {
        "Sorry, I didn't understand that. You can ask about visits, participants, approvals, purchases, GMV/revenue, conversion rate, engagement rate, ROAS, average order value, remaining stock, active users, LTV, CAC, LTV/CAC, repeat rate, rankings (\"top 3 activities by GMV last month\"), comparisons (\"compare promotion and normal sales this week\", \"this week vs last week\"), series (\"revenue by day\"), causes (\"why did conversion drop?\"), peak hours and insights (\"how can I improve?\"). Periods: today, yesterday, the past hour, last 7 days, this week, last month, October, 2026-11-01."
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
