//! Figures outside a window's overview: stock and live traffic from the realtime widget, and
//! LTV, CAC, LTV/CAC and repeat rate from the cohort service (per activity).

use crate::exec::{answer, fmt, Ctx};
use crate::josa::{with, Josa};
use crate::parse::Metric;
use crate::text::{int, num, won};
use crate::{Answer, Scope};
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use axon_services::dashboards::ActivityCohort;
use serde_json::{json, Map, Value};

/// Units as a figure (none = 0).
fn units(v: Option<i64>) -> String {
    num(Dec2::from_int(v.unwrap_or(0)))
}

/// Stock and live traffic from the realtime widget.
pub fn realtime(c: &Ctx, m: Metric) -> Answer {
    let r = c.view.realtime(c.scope, c.now);
    let (s, ko) = (c.scope_text(), c.ko());
    // Beyond one activity, the stock of each (an unlimited one makes the total unlimited).
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    if m == Metric::RemainingStock && !matches!(c.scope, Scope::Activity(_)) {
        for id in c.activity_ids() {
            let a = c.view.realtime(Scope::Activity(id), c.now);
            let name = c.activity_name(id);
            lines.push(match (a.remaining_stock, ko) {
                (None, true) => format!("'{name}' 제한 없음"),
                (None, false) => format!("'{name}' unlimited"),
                (Some(left), true) => {
                    format!("'{name}' {}/{}개", units(Some(left)), units(a.total_stock))
                }
                (Some(left), false) => {
                    format!("'{name}' {} of {}", units(Some(left)), units(a.total_stock))
                }
            });
            rows.push(json!({"activityId": id, "name": name, "remainingStock": a.remaining_stock, "totalStock": a.total_stock}));
        }
    }
    let per_activity = match (lines.is_empty(), ko) {
        (true, _) => String::new(),
        (false, true) => format!(" 활동별 남은 재고: {}.", lines.join(", ")),
        (false, false) => format!(" Left per activity: {}.", lines.join(", ")),
    };
    let text = if m == Metric::RemainingStock {
        if r.total_stock.is_none() && !rows.is_empty() {
            if ko {
                format!("{s}에는 수량 제한이 없는 활동이 있어 전체 재고 합계는 없습니다.")
            } else {
                format!("The {s} include an activity without a stock limit, so there is no total.")
            }
        } else if r.total_stock.is_none() {
            if ko {
                format!(
                    "{} 수량 제한이 없어 재고 개념이 없습니다. 현재 참여(승인·결제) {}건입니다.",
                    with(&s, Josa::Topic),
                    int(r.participants)
                )
            } else {
                format!(
                    "The {s} has no stock limit; {} entries are approved or paid so far.",
                    int(r.participants)
                )
            }
        } else if ko {
            format!(
                "{s}의 남은 재고는 {}개입니다 (전체 {}개 중 결제 대기 {}개, 결제 완료 {}개).",
                units(r.remaining_stock),
                units(r.total_stock),
                units(Some(r.held_quantity)),
                units(Some(r.paid_quantity))
            )
        } else {
            format!(
                "The {s} has {} units of stock left (of {}: {} held awaiting payment, {} paid).",
                units(r.remaining_stock),
                units(r.total_stock),
                units(Some(r.held_quantity)),
                units(Some(r.paid_quantity))
            )
        }
    } else if ko {
        format!(
            "지금(최근 5분) {s}의 실시간 접속자는 {}명이고, 최근 1시간 방문은 {}건입니다.",
            int(r.active_users),
            int(r.inflow_last_hour)
        )
    } else {
        format!(
            "Right now (last 5 minutes) {s} has {} active users; {} visits in the last hour.",
            int(r.active_users),
            int(r.inflow_last_hour)
        )
    };
    let text = text + &per_activity;
    let mut params = c.params(None);
    params.insert("period".into(), "realtime".into());
    params.insert("metric".into(), m.key().into());
    let mut data = Map::new();
    for (k, v) in [
        ("totalStock", json!(r.total_stock)),
        ("remainingStock", json!(r.remaining_stock)),
        ("participants", json!(r.participants)),
        ("heldQuantity", json!(r.held_quantity)),
        ("paidQuantity", json!(r.paid_quantity)),
        ("activeUsers", json!(r.active_users)),
        ("inflowLastHour", json!(r.inflow_last_hour)),
        ("lastUpdated", json!(r.last_updated)),
    ] {
        data.insert(k.into(), v);
    }
    let value = if m == Metric::RemainingStock {
        json!(r.remaining_stock)
    } else {
        json!(r.active_users)
    };
    data.insert("value".into(), value);
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
            let start = c.catalog().activity(id).map_or(Ts(0), |a| a.start_date);
            Window::new(start, Ts(c.now.0 + 1))
        }
    }
}

/// One activity's cohort (SPEC §6).
pub fn cohort_of(c: &Ctx, id: i64) -> Option<ActivityCohort> {
    c.view
        .activity_cohort(id, &cohort_window(c, id), c.now)
        .ok()
}

fn cohort_line(m: Metric, co: &ActivityCohort, ko: bool) -> String {
    let v = fmt(m, m.of_cohort(co), ko);
    let n = int(co.total_customers);
    let health = co.health.unwrap_or("-");
    match (m, ko) {
        (Metric::LtvCac, true) => format!(
            "{v} (고객 {n}명, 1인당 LTV {}, CAC {}, 상태 {health})",
            won(co.ltv_current),
            won(co.avg_cac),
        ),
        (Metric::LtvCac, false) => format!(
            "{v} ({n} customers, LTV per customer {}, CAC {}, health {health})",
            won(co.ltv_current),
            won(co.avg_cac),
        ),
        (Metric::Ltv, true) => format!(
            "{v} (고객 {n}명, 30일 {}, 90일 {})",
            won(co.ltv_30d),
            won(co.ltv_90d)
        ),
        (Metric::Ltv, false) => format!(
            "{v} per customer ({n} customers; 30 days {}, 90 days {})",
            won(co.ltv_30d),
            won(co.ltv_90d)
        ),
        (Metric::Cac, true) => {
            format!("{v} (예산 {} ÷ 고객 {n}명)", won(co.total_acquisition_cost))
        }
        (Metric::Cac, false) => format!(
            "{v} (budget {} ÷ {n} customers)",
            won(co.total_acquisition_cost)
        ),
        (_, true) => format!(
            "{v} (고객 {n}명, 1인당 평균 구매 {}회)",
            num(co.avg_purchase_frequency)
        ),
        (_, false) => format!(
            "{v} ({n} customers, {} purchases each on average)",
            num(co.avg_purchase_frequency)
        ),
    }
}

fn cohort_data(m: Metric, id: i64, name: &str, co: &ActivityCohort) -> Value {
    json!({
        "activityId": id, "activityName": name, "value": m.of_cohort(co), "totalCustomers": co.total_customers,
        "ltvCurrent": co.ltv_current, "avgCAC": co.avg_cac, "totalAcquisitionCost": co.total_acquisition_cost,
        "ltvCacRatioCurrent": co.ltv_cac_ratio_current, "repeatPurchaseRate": co.repeat_purchase_rate, "health": co.health,
        "cohortStartDate": co.cohort_start_date, "cohortEndDate": co.cohort_end_date,
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
    if let (Scope::Activity(id), Some(co)) = (c.scope, ids.first().and_then(|id| cohort_of(c, *id)))
    {
        let name = c.activity_name(id);
        let text = if ko {
            format!(
                "{}의 {} {}입니다 ({period}).",
                c.scope_text(),
                with(m.name(true), Josa::Topic),
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
        return answer(text, m.intent(), params, cohort_data(m, id, &name, &co));
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for id in ids.iter().take(10) {
        let Some(co) = cohort_of(c, *id) else {
            continue;
        };
        let name = c.activity_name(*id);
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
