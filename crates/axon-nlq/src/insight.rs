//! Insight questions (인사이트/분석/개선/전략): a rule-based assessment against benchmarks —
//! LTV/CAC (< 1.5 below, 1.5–3 meets, ≥ 3 exceeds), repeat rate (< 15 % / 15–25 % / ≥ 25 %),
//! fill rate (< 50 % / 50–80 % / ≥ 80 %), the biggest funnel drop-off vs the previous period —
//! and 2–3 concrete actions, most urgent first.

use crate::exec::Ctx;
use crate::figures::cohort_of;
use crate::text::{num, pct};
use crate::{Answer, Scope};
use axon_domain::metrics::Overview;
use axon_domain::money::div_half_up;
use axon_domain::Dec2;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Below,
    Meets,
    Exceeds,
}

impl Level {
    fn of(v: Dec2, low: i64, high: i64) -> Level {
        if v.0 < low * 100 {
            Level::Below
        } else if v.0 < high * 100 {
            Level::Meets
        } else {
            Level::Exceeds
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Level::Below => "below",
            Level::Meets => "meets",
            Level::Exceeds => "exceeds",
        }
    }

    fn ko(self) -> &'static str {
        match self {
            Level::Below => "기준 미달",
            Level::Meets => "기준 충족",
            Level::Exceeds => "기준 초과",
        }
    }
}

/// LTV/CAC by the 1.5 / 3 benchmarks (half units, so compare in hundredths).
fn ltv_level(v: Dec2) -> Level {
    if v.0 < 150 {
        Level::Below
    } else if v.0 < 300 {
        Level::Meets
    } else {
        Level::Exceeds
    }
}

/// (customers, LTV/CAC, repeat rate) over the scope's activity cohorts; ratios pooled over
/// customers (Σ revenue ÷ Σ budget), `None` without customers or budget.
fn pooled(c: &Ctx) -> (u64, Option<Dec2>, Option<Dec2>) {
    let (mut n, mut revenue, mut budget, mut repeat) = (0i128, 0i128, 0i128, 0i128);
    for co in c
        .activity_ids()
        .into_iter()
        .filter_map(|id| cohort_of(c, id))
    {
        let k = i128::from(co.total_customers);
        n += k;
        revenue += i128::from(co.ltv_current.0) * k;
        budget += i128::from(co.total_acquisition_cost.0);
        repeat += i128::from(co.repeat_purchase_rate.0) * k;
    }
    let n_u = u64::try_from(n).unwrap_or(0);
    if n == 0 {
        return (0, None, None);
    }
    let ratio = (budget > 0).then(|| Dec2::ratio(revenue, budget));
    let rep = Dec2(i64::try_from(div_half_up(repeat, n)).unwrap_or(0));
    (n_u, ratio, Some(rep))
}

/// A funnel step: its name, the overview rate that passes into it, and how it reads.
pub(crate) type Step = (
    &'static str,
    fn(&Overview) -> Dec2,
    &'static str,
    &'static str,
);

pub(crate) const STEPS: [Step; 3] = [
    (
        "ENGAGE",
        |o| o.engagement_rate,
        "방문→참여",
        "visit → participate",
    ),
    (
        "QUALIFY",
        |o| o.qualification_rate,
        "참여→승인",
        "participate → approval",
    ),
    (
        "PURCHASE",
        |o| o.purchase_rate,
        "승인→구매",
        "approval → purchase",
    ),
];

pub fn insight(c: &Ctx) -> Answer {
    let ko = c.ko();
    let w = c.period();
    let o = c.view.totals(c.scope, &w.window);
    let r = c.view.realtime(c.scope, c.now);
    let (customers, ltv_cac, repeat) = pooled(c);
    let fill = match (r.total_stock, r.remaining_stock) {
        (Some(t), Some(left)) if t > 0 => Some(Dec2::percent(i128::from(t - left), i128::from(t))),
        _ => None,
    };
    // The step passing on the smallest share of the one before it: the biggest drop-off.
    let (step, field, step_ko, step_en) = STEPS
        .iter()
        .copied()
        .min_by_key(|s| s.1(&o.current))
        .unwrap_or(STEPS[0]);
    let (rate, prev_rate) = (field(&o.current), field(&o.previous));
    let delta = Dec2(rate.0 - prev_rate.0);

    let mut findings = Vec::new();
    let mut actions: Vec<(&str, &str)> = Vec::new();
    let ltv_lv = ltv_cac.map(ltv_level);
    let rep_lv = repeat.map(|v| Level::of(v, 15, 25));
    let fill_lv = fill.map(|v| Level::of(v, 50, 80));
    if let (Some(v), Some(l)) = (ltv_cac, ltv_lv) {
        findings.push(if ko {
            format!("LTV/CAC {}배({}, 기준 1.5~3)", num(v), l.ko())
        } else {
            format!("LTV/CAC {}x ({} the 1.5–3 benchmark)", num(v), l.as_str())
        });
    }
    if let (Some(v), Some(l)) = (repeat, rep_lv) {
        findings.push(if ko {
            format!("재구매율 {}%({}, 기준 15~25%)", num(v), l.ko())
        } else {
            format!(
                "repeat rate {}% ({} the 15–25% benchmark)",
                num(v),
                l.as_str()
            )
        });
    }
    if let (Some(v), Some(l)) = (fill, fill_lv) {
        findings.push(if ko {
            format!("재고 소진율 {}%({}, 기준 50~80%)", num(v), l.ko())
        } else {
            format!(
                "fill rate {}% ({} the 50–80% benchmark)",
                num(v),
                l.as_str()
            )
        });
    }
    findings.push(if ko {
        format!(
            "가장 큰 이탈 구간은 {step_ko}({}, 직전 기간 {} 대비 {}%p)",
            pct(rate),
            pct(prev_rate),
            num(delta)
        )
    } else {
        format!(
            "the biggest drop-off is {step_en} ({}, {} the previous period, {} points)",
            pct(rate),
            pct(prev_rate),
            num(delta)
        )
    });

    if ltv_lv == Some(Level::Below) {
        actions.push(("예산·할인폭을 줄이거나 재구매 가능성이 높은 등급(VIP·GOLD)으로 대상 필터를 좁혀 CAC를 낮추세요", "Lower CAC: cut the budget or discount, or narrow the filters to grades that buy again (VIP, GOLD)"));
    }
    if rep_lv == Some(Level::Below) {
        actions.push(("첫 구매 후 30일 안에 재구매 쿠폰·알림을 보내 재구매율을 15% 이상으로 올리세요", "Send a repeat-purchase coupon or reminder within 30 days of the first purchase to lift repeat rate above 15%"));
    }
    if fill_lv == Some(Level::Below) {
        actions.push((
            "재고 소진이 느립니다: 피크 시간대에 푸시·배너 노출을 늘리세요",
            "Stock is moving slowly: add push and banner exposure at the peak hour",
        ));
    }
    actions.push(match step {
        "ENGAGE" => ("랜딩 페이지의 참여 버튼과 혜택 문구를 A/B 테스트해 방문→참여 전환을 높이세요", "A/B test the landing page's call to action and offer copy to lift visit → participate"),
        "QUALIFY" => ("참여 대비 승인이 낮습니다: 대상 필터와 수량 제한을 점검하세요", "Few participants get approved: review the eligibility filters and the stock limit"),
        _ => ("승인 후 결제 이탈이 큽니다: 결제 기한 알림과 간편 결제를 적용하세요", "Approved users drop before paying: add a payment-deadline reminder and one-tap checkout"),
    });
    if fill_lv == Some(Level::Exceeds) {
        actions.push((
            "재고가 빠르게 소진됩니다: 수량을 늘리거나 다음 회차를 준비하세요",
            "Stock sells out fast: raise the limit or schedule the next round",
        ));
    }
    if ltv_lv == Some(Level::Exceeds) {
        actions.push((
            "효율이 좋습니다: 예산을 늘려 규모를 키우는 것을 검토하세요",
            "Efficiency is strong: consider scaling the budget up",
        ));
    }
    actions.push((
        "재구매 고객 대상 후속 캠페인을 기획해 LTV를 높이세요",
        "Plan a follow-up campaign for repeat buyers to raise LTV",
    ));
    actions.truncate(3);
    let list: Vec<String> = actions
        .iter()
        .enumerate()
        .map(|(i, (k, e))| format!("{}. {}", i + 1, if ko { k } else { e }))
        .collect();
    let p = c.period_text(&w);
    let s = c.scope_text();
    let text = if ko {
        format!(
            "{p} {s} 진단: {}. 권장 조치: {}",
            findings.join(", "),
            list.join(" ")
        )
    } else {
        format!(
            "Assessment of {s} for {p}: {}. Recommended actions: {}",
            findings.join("; "),
            list.join(" ")
        )
    };
    let mut params = c.params(Some(&w));
    if let Scope::Global = c.scope {
        params.insert("cohort".into(), "allActivities".into());
    }
    let data = json!({
        "ltvCacRatio": ltv_cac, "ltvCacLevel": ltv_lv.map(Level::as_str),
        "repeatPurchaseRate": repeat, "repeatLevel": rep_lv.map(Level::as_str), "cohortCustomers": customers,
        "fillRate": fill, "fillLevel": fill_lv.map(Level::as_str),
        "totalStock": r.total_stock, "remainingStock": r.remaining_stock,
        "biggestDropoff": {"step": step, "rate": rate, "previousRate": prev_rate, "changePoints": delta},
        "actions": actions.iter().map(|(k, e)| if ko { *k } else { *e }).collect::<Vec<_>>(),
    });
    crate::exec::answer(text, "INSIGHT", params, data)
}
