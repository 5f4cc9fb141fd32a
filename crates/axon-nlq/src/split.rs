//! Breakdown answers: the sentence for a question asked "by device", "채널별", "모바일 구매율"
//! and so on, from the breakdown rows the dashboard service computed — the value the question
//! names first (mobile, VIP, naver …), then the top three values of the asked metric.

use crate::exec::fmt;
use crate::parse::Metric;
use crate::text::{pct, Text};
use crate::Lang;
use axon_domain::dimension::Dimension;
use axon_domain::Dec2;
use axon_services::dashboards::{Breakdown, BreakdownRow};

/// The dimension as the answer names it.
pub fn name(d: Dimension, ko: bool) -> &'static str {
    match (d, ko) {
        (Dimension::Device, true) => "기기",
        (Dimension::Device, false) => "device",
        (Dimension::Browser, true) => "브라우저",
        (Dimension::Browser, false) => "browser",
        (Dimension::UtmSource, true) => "유입 채널(utm_source)",
        (Dimension::UtmSource, false) => "traffic source (utm_source)",
        (Dimension::ReferrerDomain, true) => "유입 사이트",
        (Dimension::ReferrerDomain, false) => "referrer",
        (Dimension::Grade, true) => "회원 등급",
        (Dimension::Grade, false) => "membership grade",
        (Dimension::Region, true) => "지역",
        (Dimension::Region, false) => "region",
    }
}

/// Counts and money add up across rows, so their shares mean something; rates do not.
fn additive(m: Metric) -> bool {
    matches!(
        m,
        Metric::Visits | Metric::Participants | Metric::Approvals | Metric::Purchases | Metric::Gmv
    )
}

/// The row value the question names: "모바일" → mobile, "PC" → desktop, or any value written in
/// the question ("VIP", "naver", "서울").
pub fn focus<'a>(t: &Text, d: Dimension, rows: &'a [BreakdownRow]) -> Option<&'a BreakdownRow> {
    let said = |v: &str| -> bool {
        let v = Text::new(v).compact;
        v.chars().count() >= 2 && t.compact.contains(&v)
    };
    let synonym = |v: &str| -> bool {
        d == Dimension::Device
            && match v {
                "mobile" => t.any(&["모바일", "휴대폰", "스마트폰"]),
                "desktop" => t.any(&["데스크톱", "데스크탑", " pc ", "컴퓨터"]),
                "tablet" => t.any(&["태블릿", "타블렛", "아이패드"]),
                _ => false,
            }
    };
    rows.iter()
        .filter(|r| r.value != axon_domain::dimension::NONE && r.value != "other")
        .find(|r| said(&r.value) || synonym(&r.value))
}

/// " 그중 mobile: 9.20%. 기기별 상위: mobile 1,234건 (61.20%), desktop 780건 (38.70%)." —
/// `metric` must be one the rows carry ([`Metric::of_row`]).
pub fn sentence(
    lang: Lang,
    d: Dimension,
    metric: Metric,
    breakdown: &Breakdown,
    focus: Option<&BreakdownRow>,
) -> String {
    let ko = lang.ko();
    let value = |r: &BreakdownRow| metric.of_row(r).unwrap_or_default();
    let total: i128 = breakdown.rows.iter().map(|r| i128::from(value(r).0)).sum();
    let mut sorted: Vec<&BreakdownRow> = breakdown.rows.iter().collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(value(r)));
    let parts: Vec<String> = sorted
        .iter()
        .take(3)
        .map(|r| {
            let v = value(r);
            if additive(metric) && total > 0 {
                let share = Dec2::percent(i128::from(v.0), total);
                format!("{} {} ({})", r.value, fmt(metric, v, ko), pct(share))
            } else {
                format!("{} {}", r.value, fmt(metric, v, ko))
            }
        })
        .collect();
    if parts.is_empty() {
        return if ko {
            format!(" {}별로 나눌 데이터가 없습니다.", name(d, true))
        } else {
            format!(" There is no data to split by {}.", name(d, false))
        };
    }
    let lead = match (focus, ko) {
        (Some(r), true) => format!(
            " 그중 {}의 {}: {}.",
            r.value,
            metric.name(true),
            fmt(metric, value(r), true)
        ),
        (Some(r), false) => format!(
            " For {}, the {} is {}.",
            r.value,
            metric.name(false),
            fmt(metric, value(r), false)
        ),
        (None, _) => String::new(),
    };
    if ko {
        format!("{lead} {}별 상위: {}.", name(d, true), parts.join(", "))
    } else {
        format!("{lead} Top by {}: {}.", name(d, false), parts.join(", "))
    }
}
