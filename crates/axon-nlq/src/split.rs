//! Breakdown answers: the sentence for a question asked "by device", "채널별" and so on, from
//! the breakdown rows the dashboard service computed (top three values of the asked metric).

use crate::parse::Metric;
use crate::text::{num, pct, won};
use crate::Lang;
use axon_domain::Dec2;
use axon_services::dashboards::Breakdown;

/// "기기별 방문: mobile 1,234 (61.20%), desktop 780 (38.70%)." for the rows of a breakdown, by the
/// asked metric where the rows carry it (visits otherwise).
pub fn sentence(lang: Lang, dimension: &str, metric: Metric, breakdown: &Breakdown) -> String {
    let metric = match breakdown.rows.first().and_then(|r| metric.of_row(r)) {
        Some(_) => metric,
        None => Metric::Visits,
    };
    let value = |r| metric.of_row(r).unwrap_or_default();
    let total: f64 = breakdown.rows.iter().map(|r| value(r).to_f64()).sum();
    let mut sorted: Vec<_> = breakdown.rows.iter().collect();
    sorted.sort_by(|a, b| value(b).to_f64().total_cmp(&value(a).to_f64()));
    let parts: Vec<String> = sorted
        .iter()
        .take(3)
        .map(|r| {
            let v = value(r);
            let shown = if metric == Metric::Gmv {
                won(v)
            } else {
                num(v)
            };
            let share = if total > 0.0 {
                v.to_f64() / total * 100.0
            } else {
                0.0
            };
            #[allow(clippy::cast_possible_truncation)]
            let share = Dec2((share * 100.0).round() as i64);
            format!("{} {shown} ({})", r.value, pct(share))
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
