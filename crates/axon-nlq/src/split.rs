//! Breakdown answers: the sentence for a question asked "by device", "채널별" and so on, from
//! the breakdown rows the dashboard service computed (top three values of the asked metric).

use crate::text::{count, pct, won};
use crate::Lang;
use serde_json::Value;

/// "기기별 방문: mobile 1,234 (61.20%), desktop 780 (38.70%)." for the rows of a breakdown.
pub fn sentence(lang: Lang, dimension: &str, metric: &str, breakdown: &Value) -> String {
    let rows = breakdown["rows"].as_array().cloned().unwrap_or_default();
    let total: f64 = rows.iter().map(|r| r[metric].as_f64().unwrap_or(0.0)).sum();
    let mut sorted = rows;
    sorted.sort_by(|a, b| {
        b[metric]
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&a[metric].as_f64().unwrap_or(0.0))
    });
    let parts: Vec<String> = sorted
        .iter()
        .take(3)
        .map(|r| {
            let v = &r[metric];
            let shown = if metric == "gmv" { won(v) } else { count(v) };
            let share = if total > 0.0 {
                v.as_f64().unwrap_or(0.0) / total * 100.0
            } else {
                0.0
            };
            let share = serde_json::Number::from_f64((share * 100.0).round() / 100.0)
                .map_or(Value::Null, Value::Number);
            format!(
                "{} {shown} ({})",
                r["value"].as_str().unwrap_or("?"),
                pct(&share)
            )
        })
        .collect();
    if parts.is_empty() {
        return match lang {
            Lang::Ko => format!(" {dimension}별로 나눌 데이터가 없습니다."),
            Lang::En => format!(" There is no data to split by {dimension}."),
        };
    }
    match lang {
        Lang::Ko => format!(" {dimension}별 상위: {}.", parts.join(", ")),
        Lang::En => format!(" Top by {dimension}: {}.", parts.join(", ")),
    }
}
