//! Figures outside a window's overview: stock and live traffic from the realtime widget, and
//! LTV, CAC, LTV/CAC and repeat rate from the cohort service (per activity).

use crate::exec::{answer, fmt, Ctx};
use crate::parse::Metric;
use crate::text::{count, won};
use crate::{Answer, Scope};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_engine::Widget;
use serde_json::{json, Map, Value};

/// Stock and live traffic from the realtime widget.
pub fn realtime(c: &Ctx, m: Metric) -> Answer {
    let r = c.widget(&Window::new(c.now, c.now), Widget::Realtime);
    let (s, ko) = (c.scope_text(), c.ko());
    // Beyond one activity, the stock of each (an unlimited one makes the total unlimited).
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    if m == Metric::RemainingStock && !matches!(c.scope, Scope::Activity(_)) {
        for id in c.activity_ids() {
            let a = c.engine.realtime(&[id], c.now);
            let name = c
                .engine
                .activity_meta(id)
                .map_or(String::new(), |a| a.name.clone());
            lines.push(match (a["remainingStock"].is_null(), ko) {
                (true, true) => format!("'{name}' 제한 없음"),
                (true, false) => format!("'{name}' unlimited"),
                (false, true) => format!(
                    "'{name}' {}/{}개",
                    count(&a["remainingStock"]),
                    count(&a["totalStock"])
                ),
                (false, false) => format!(
                    "'{name}' {} of {}",
                    count(&a["remainingStock"]),
                    count(&a["totalStock"])
                ),
            });
            rows.push(json!({"activityId": id, "name": name, "remainingStock": a["remainingStock"], "totalStock": a["totalStock"]}));
        }
    }
    let per_activity = match (lines.is_empty(), ko) {
        (true, _) => String::new(),
        (false, true) => format!(" 활동별 남은 재고: {}.", lines.join(", ")),
        (false, false) => format!(" Left per activity: {}.", lines.join(", ")),
    };
    let text = if m == Metric::RemainingStock {
        if r["totalStock"].is_null() && !rows.is_empty() {
            if ko {
                format!("{s}에는 수량 제한이 없는 활동이 있어 전체 재고 합계는 없습니다.")
            } else {
                format!("The {s} include an activity without a stock limit, so there is no total.")
            }
        } else if r["totalStock"].is_null() {
            if ko {
                format!("{s}은(는) 수량 제한이 없어 재고 개념이 없습니다. 현재 참여(승인·결제) {}건입니다.", count(&r["participants"]))
            } else {
                format!(
                    "The {s} has no stock limit; {} entries are approved or paid so far.",
                    count(&r["participants"])
                )
            }
        } else if ko {
            format!(
                "{s}의 남은 재고는 {}개입니다 (전체 {}개 중 결제 대기 {}개, 결제 완료 {}개).",
                count(&r["remainingStock"]),
                count(&r["totalStock"]),
                count(&r["heldQuantity"]),
                count(&r["paidQuantity"])
            )
        } else {
            format!(
                "The {s} has {} units of stock left (of {}: {} held awaiting payment, {} paid).",
                count(&r["remainingStock"]),
                count(&r["totalStock"]),
                count(&r["heldQuantity"]),
                count(&r["paidQuantity"])
            )
        }
    } else if ko {
        format!(
            "지금(최근 5분) {s}의 실시간 접속자는 {}명이고, 최근 1시간 방문은 {}건입니다.",
            count(&r["activeUsers"]),
            count(&r["inflowLastHour"])
        )
    } else {
        format!(
            "Right now (last 5 minutes) {s} has {} active users; {} visits in the last hour.",
            count(&r["activeUsers"]),
            count(&r["inflowLastHour"])
        )
    };
    let text = text + &per_activity;
    let mut params = c.params(None);
    params.insert("period".into(), "realtime".into());
    params.insert("metric".into(), m.key().into());
    let mut data = Map::new();
    for k in [
        "totalStock",
        "remainingStock",
        "participants",
        "heldQuantity",
        "paidQuantity",
        "activeUsers",
        "inflowLastHour",
        "lastUpdated",
    ] {
        data.insert(k.into(), r[k].clone());
    }
    data.insert("value".into(), r[m.key()].clone());
    if !rows.is_empty() {
        data.insert("activities".into(), Value::Array(rows));
    }
    answer(text, m.intent(), params, Value::Object(data))
}

/// The cohort window: the named period, or the activity's start … now.
fn cohort_window(c: &Ctx, id: i64) -> Window {
    match &c.when {
        Some(w) => w.window,
        None => {
            let start = c.engine.activity_meta(id).map_or(Ts(0), |a| a.start_date);
            Window::new(start, Ts(c.now.0 + 1))
        }
    }
}

/// One activity's cohort (SPEC §6).
pub fn cohort_of(c: &Ctx, id: i64) -> Value {
    c.engine
        .cohort_activity(id, &cohort_window(c, id), c.now)
        .unwrap_or(Value::Null)
}

fn cohort_line(m: Metric, co: &Value, ko: bool) -> String {
    let f = m.cohort_field().unwrap_or("ltvCurrent");
    let v = fmt(m, &co[f], ko);
    let n = count(&co["totalCustomers"]);
    match (m, ko) {
        (Metric::LtvCac, true) => format!(
            "{v} (고객 {n}명, 1인당 LTV {}, CAC {}, 상태 {})",
            won(&co["ltvCurrent"]),
            won(&co["avgCAC"]),
            co["health"].as_str().unwrap_or("-")
        ),
        (Metric::LtvCac, false) => format!(
            "{v} ({n} customers, LTV per customer {}, CAC {}, health {})",
            won(&co["ltvCurrent"]),
            won(&co["avgCAC"]),
            co["health"].as_str().unwrap_or("-")
        ),
        (Metric::Ltv, true) => format!(
            "{v} (고객 {n}명, 30일 {}, 90일 {})",
            won(&co["ltv30d"]),
            won(&co["ltv90d"])
        ),
        (Metric::Ltv, false) => format!(
            "{v} per customer ({n} customers; 30 days {}, 90 days {})",
            won(&co["ltv30d"]),
            won(&co["ltv90d"])
        ),
        (Metric::Cac, true) => format!(
            "{v} (예산 {} ÷ 고객 {n}명)",
            won(&co["totalAcquisitionCost"])
        ),
        (Metric::Cac, false) => format!(
            "{v} (budget {} ÷ {n} customers)",
            won(&co["totalAcquisitionCost"])
        ),
        (_, true) => format!(
            "{v} (고객 {n}명, 1인당 평균 구매 {}회)",
            count(&co["avgPurchaseFrequency"])
        ),
        (_, false) => format!(
            "{v} ({n} customers, {} purchases each on average)",
            count(&co["avgPurchaseFrequency"])
        ),
    }
}

fn cohort_data(m: Metric, id: i64, name: &str, co: &Value) -> Value {
    let f = m.cohort_field().unwrap_or("ltvCurrent");
    json!({
        "activityId": id, "activityName": name, "value": co[f], "totalCustomers": co["totalCustomers"],
        "ltvCurrent": co["ltvCurrent"], "avgCAC": co["avgCAC"], "totalAcquisitionCost": co["totalAcquisitionCost"],
        "ltvCacRatioCurrent": co["ltvCacRatioCurrent"], "repeatPurchaseRate": co["repeatPurchaseRate"], "health": co["health"],
        "cohortStartDate": co["cohortStartDate"], "cohortEndDate": co["cohortEndDate"],
    })
}

/// LTV, CAC, LTV/CAC and repeat rate from the cohort service: one activity, or each activity of
/// the scope (cohorts are per activity).
pub fn cohort(c: &Ctx, m: Metric) -> Answer {
    let ko = c.ko();
    let ids = c.activity_ids();
    let mut params = c.params(c.when.as_ref());
    if c.when.is_none() {
        params.insert("period".into(), "cohort".into());
    }
    params.insert(
        "metric".into(),
        m.cohort_field().unwrap_or("ltvCurrent").into(),
    );
    let period = match &c.when {
        Some(w) => {
            if ko {
                format!("{} 첫 구매 고객 기준", c.period_text(w))
            } else {
                format!(
                    "customers whose first purchase fell in {}",
                    c.period_text(w)
                )
            }
        }
        None => {
            if ko {
                "활동 시작 이후 첫 구매 고객 기준".into()
            } else {
                "customers since the activity started".into()
            }
        }
    };
    if let Scope::Activity(id) = c.scope {
        let co = cohort_of(c, id);
        let name = c.engine.activity_meta(id).map_or("", |a| a.name.as_str());
        let text = if ko {
            format!(
                "{}의 {}는 {}입니다 ({period}).",
                c.scope_text(),
                m.name(true),
                cohort_line(m, &co, true)
            )
        } else {
            format!(
                "The {} of {} is {} ({period}).",
                m.name(false),
                c.scope_text(),
                cohort_line(m, &co, false)
            )
        };
        return answer(text, m.intent(), params, cohort_data(m, id, name, &co));
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for id in ids.iter().take(10) {
        let co = cohort_of(c, *id);
        let name = c
            .engine
            .activity_meta(*id)
            .map_or(String::new(), |a| a.name.clone());
        lines.push(format!("'{name}' {}", cohort_line(m, &co, ko)));
        rows.push(cohort_data(m, *id, &name, &co));
    }
    let text = if ko {
        format!(
            "{}의 활동별 {} ({period}): {}.",
            c.scope_text(),
            m.name(true),
            lines.join(", ")
        )
    } else {
        format!(
            "{} by activity for {} ({period}): {}.",
            m.name(false),
            c.scope_text(),
            lines.join("; ")
        )
    };
    answer(text, m.intent(), params, json!({"activities": rows}))
}
