//! Question → typed query: the intent, the metric, ranking target and limit, peak granularity.
//! Keyword tables are ordered: the first rule that matches wins, most specific first.

use crate::text::Text;
use crate::words::{
    ACTIVITIES, ASCENDING, CAMPAIGNS, COMPARE, INSIGHT, METRICS, NORMAL, PEAK, PEAK_DAY, PROMO,
    SUPERLATIVE, UPLIFT,
};

/// A figure the dashboards or the cohort service report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Visits,
    UniqueVisitors,
    Participants,
    Approvals,
    Purchases,
    Gmv,
    ConversionRate,
    EngagementRate,
    Roas,
    Aov,
    RemainingStock,
    ActiveUsers,
    Ltv,
    Cac,
    LtvCac,
    RepeatRate,
}

impl Metric {
    /// The intent name of a plain "what is the metric" question.
    pub fn intent(self) -> &'static str {
        match self {
            Metric::Visits => "VISITS",
            Metric::UniqueVisitors => "UNIQUE_VISITORS",
            Metric::Participants => "PARTICIPANTS",
            Metric::Approvals => "APPROVALS",
            Metric::Purchases => "PURCHASES",
            Metric::Gmv => "GMV",
            Metric::ConversionRate => "CONVERSION_RATE",
            Metric::EngagementRate => "ENGAGEMENT_RATE",
            Metric::Roas => "ROAS",
            Metric::Aov => "AVERAGE_ORDER_VALUE",
            Metric::RemainingStock => "REMAINING_STOCK",
            Metric::ActiveUsers => "ACTIVE_USERS",
            Metric::Ltv => "LTV",
            Metric::Cac => "CAC",
            Metric::LtvCac => "LTV_CAC",
            Metric::RepeatRate => "REPEAT_RATE",
        }
    }

    /// The overview field behind the metric, for the window metrics.
    pub fn field(self) -> Option<&'static str> {
        Some(match self {
            Metric::Visits => "totalVisits",
            Metric::UniqueVisitors => "uniqueVisitors",
            Metric::Participants => "totalParticipants",
            Metric::Approvals => "approvedCount",
            Metric::Purchases => "purchaseCount",
            Metric::Gmv => "gmv",
            Metric::ConversionRate => "conversionRate",
            Metric::EngagementRate => "engagementRate",
            Metric::Roas => "roas",
            Metric::Aov => "averageOrderValue",
            _ => return None,
        })
    }

    /// The cohort field behind the metric, for the LTV family.
    pub fn cohort_field(self) -> Option<&'static str> {
        Some(match self {
            Metric::Ltv => "ltvCurrent",
            Metric::Cac => "avgCAC",
            Metric::LtvCac => "ltvCacRatioCurrent",
            Metric::RepeatRate => "repeatPurchaseRate",
            _ => return None,
        })
    }

    pub fn name(self, ko: bool) -> &'static str {
        let (k, e) = match self {
            Metric::Visits => ("방문", "visits"),
            Metric::UniqueVisitors => ("순 방문자", "unique visitors"),
            Metric::Participants => ("참여", "participants"),
            Metric::Approvals => ("승인", "approvals"),
            Metric::Purchases => ("구매", "purchases"),
            Metric::Gmv => ("거래액(GMV)", "GMV"),
            Metric::ConversionRate => ("전환율", "conversion rate"),
            Metric::EngagementRate => ("참여율", "engagement rate"),
            Metric::Roas => ("ROAS", "ROAS"),
            Metric::Aov => ("평균 주문 금액", "average order value"),
            Metric::RemainingStock => ("남은 재고", "remaining stock"),
            Metric::ActiveUsers => ("실시간 접속자", "active users"),
            Metric::Ltv => ("고객 생애 가치(LTV)", "LTV"),
            Metric::Cac => ("고객 획득 비용(CAC)", "CAC"),
            Metric::LtvCac => ("LTV/CAC", "LTV/CAC"),
            Metric::RepeatRate => ("재구매율", "repeat purchase rate"),
        };
        if ko {
            k
        } else {
            e
        }
    }

    /// How the value is written: count, money or percent/ratio.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Gmv | Metric::Aov | Metric::Ltv | Metric::Cac => Unit::Money,
            Metric::ConversionRate | Metric::EngagementRate | Metric::Roas | Metric::RepeatRate => {
                Unit::Percent
            }
            Metric::LtvCac => Unit::Ratio,
            _ => Unit::Count,
        }
    }

    pub fn key(self) -> &'static str {
        self.field().or(self.cohort_field()).unwrap_or(match self {
            Metric::RemainingStock => "remainingStock",
            _ => "activeUsers",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Money,
    Percent,
    Ratio,
}

/// What is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Campaigns,
    Activities,
    /// "순위 보여줘" without saying what: campaigns on the global page, activities elsewhere.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peak {
    Hour,
    Day,
}

/// The step of a series: one value per business day or per clock hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Day,
    Hour,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Hour => "hour",
        }
    }
}

/// The typed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Metric(Metric),
    Rank {
        target: Target,
        by: Metric,
        limit: usize,
        ascending: bool,
    },
    PromotionVsNormal,
    /// This period against the one before (or the other period named, "지난주랑 이번주"); no
    /// metric: the headline figures.
    PeriodComparison(Option<Metric>),
    Peak(Peak),
    /// A window metric day by day or hour by hour ("일별 매출", "revenue by day", "시간별 방문").
    Series(Metric, Granularity),
    Insight,
    /// "왜 전환율이 떨어졌어?": a diagnosis of the metric against the previous period, with
    /// the direction the question assumed (if it said one).
    Why {
        metric: Metric,
        premise: Option<Direction>,
    },
    Unknown,
}

/// Which way a figure moved (or was said to have moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

const WHY: &[&str] = &[
    "왜",
    "이유",
    "원인",
    "어째서",
    " why ",
    "how come",
    "what caused",
    " reason",
    "what happened to",
    "what drove",
];

const DOWN: &[&str] = &[
    "떨어", "하락", "감소", "줄었", "줄어", "낮아", "내려", "빠졌", "나빠", " drop", " fall",
    " fell", " declin", " decreas", " down ", " lower", " worse", " dip", " tank", " plummet",
];

const UP: &[&str] = &[
    "올랐", "오른", "올라", "상승", "증가", "늘었", "늘어", "높아", "좋아", " rise", " rose",
    " risen", " increas", " up ", " grew", " grow", " higher", " jump", " improv", " better",
    " spike",
];

/// "왜", "이유", "why", "how come": the question asks for a cause.
pub fn asks_why(t: &Text) -> bool {
    t.any(WHY)
}

/// The direction a question takes for granted ("떨어졌어", "did … drop"), if any.
pub fn premise(t: &Text) -> Option<Direction> {
    match (t.any(DOWN), t.any(UP)) {
        (true, false) => Some(Direction::Down),
        (false, true) => Some(Direction::Up),
        _ => None,
    }
}

/// "몇 퍼센트가 구매" and "what percent … bought" are conversion questions.
fn share_of_buyers(t: &Text) -> bool {
    !t.any(&["재구매", "repeat"])
        && t.any(&[
            "퍼센트",
            "%",
            "비율",
            "몇프로",
            " percent",
            " share ",
            " fraction ",
            " proportion ",
        ])
        && t.any(&["구매", "결제", "purchas", " bought ", " buy"])
}

/// The first metric the question names, if any.
pub fn metric(t: &Text) -> Option<Metric> {
    if share_of_buyers(t) {
        return Some(Metric::ConversionRate);
    }
    METRICS
        .iter()
        .find(|(_, keys)| t.any(keys))
        .map(|(m, _)| *m)
        .or_else(|| (t.has("ltv") && t.has("cac")).then_some(Metric::LtvCac))
}

/// The series a question asks for: "일별", "날짜별", "추이", "by day", "daily" → days;
/// "시간별", "hourly", "by hour" → hours.
pub fn series(t: &Text) -> Option<Granularity> {
    if t.any(&[
        "시간별",
        "매시간",
        " hourly ",
        " by hour ",
        " per hour ",
        " each hour ",
        " every hour ",
        " hour by hour ",
    ]) {
        return Some(Granularity::Hour);
    }
    t.any(&[
        "추이",
        "트렌드",
        "일별",
        "날짜별",
        "일자별",
        "하루별",
        "날마다",
        "매일",
        "trend",
        " daily ",
        "day by day",
        " per day ",
        " by day ",
        " by date ",
        " each day ",
        " every day ",
        " per date ",
    ])
    .then_some(Granularity::Day)
}

/// The limit a ranking asks for: "top 3", "상위 3개", "3곳"; 1 for a bare superlative.
fn limit(t: &Text) -> usize {
    let words: Vec<&str> = t.spaced.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let n: Option<usize> = if matches!(
            *w,
            "top" | "best" | "상위" | "최고" | "worst" | "bottom" | "하위"
        ) {
            next.trim_end_matches(['개', '곳', '위']).parse().ok()
        } else if let Some(d) = w.strip_prefix("top").or_else(|| w.strip_prefix("상위")) {
            d.trim_end_matches(['개', '곳', '위']).parse().ok()
        } else {
            w.strip_suffix('개')
                .or_else(|| w.strip_suffix('곳'))
                .or_else(|| w.strip_suffix('위'))
                .and_then(|d| d.parse().ok())
        };
        if let Some(n) = n.filter(|n| (1..=50).contains(n)) {
            return n;
        }
    }
    if t.any(&["순위", "랭킹", " ranking", " rank ", " top "])
        && !t.any(&["가장", "제일", " best ", " most ", " highest "])
    {
        5
    } else {
        1
    }
}

/// The breakdown dimension a question asks for (the dashboards' `breakdown=` values).
pub fn breakdown(t: &Text) -> Option<&'static str> {
    const DIMS: [(&str, &[&str]); 6] = [
        (
            "device",
            &["기기", "디바이스", "device", "모바일", "mobile", "desktop"],
        ),
        ("browser", &["브라우저", "browser"]),
        (
            "utm_source",
            &[
                "utm",
                "유입경로",
                "유입 채널",
                "채널별",
                " channel",
                " source",
            ],
        ),
        (
            "referrerDomain",
            &[
                "리퍼러",
                "referrer",
                "referral",
                "유입 사이트",
                "유입사이트",
            ],
        ),
        ("region", &["지역", "region", " city ", " cities "]),
        ("grade", &["등급", " grade", " tier", "membership"]),
    ];
    DIMS.iter().find(|(_, keys)| t.any(keys)).map(|(d, _)| *d)
}

/// Parses the intent; the period and the names are parsed elsewhere.
pub fn kind(t: &Text) -> Kind {
    let m = metric(t);
    // "Why" before insight: "왜 떨어졌는지 분석해줘" asks for the cause of one figure.
    if t.any(WHY) {
        match m {
            None => {
                return Kind::Why {
                    metric: Metric::ConversionRate,
                    premise: premise(t),
                }
            }
            Some(m) if m.field().is_some() => {
                return Kind::Why {
                    metric: m,
                    premise: premise(t),
                }
            }
            Some(_) => {}
        }
    }
    if t.any(INSIGHT) {
        return Kind::Insight;
    }
    if (t.any(PROMO) && t.any(NORMAL)) || t.any(UPLIFT) {
        return Kind::PromotionVsNormal;
    }
    let names_target = t.any(CAMPAIGNS) || t.any(ACTIVITIES);
    let ranking_words = t.any(&[
        "순위", "랭킹", " ranking", " rank ", " top ", "top3", "top5", "top10",
    ]);
    if t.any(SUPERLATIVE)
        && (names_target || ranking_words)
        && !t.any(&["시간대", "요일", " hour ", " time "])
    {
        let target = if t.any(ACTIVITIES) {
            Target::Activities
        } else if t.any(CAMPAIGNS) {
            Target::Campaigns
        } else {
            Target::Auto
        };
        let by = m.filter(|m| m.field().is_some()).unwrap_or(Metric::Gmv);
        return Kind::Rank {
            target,
            by,
            limit: limit(t),
            ascending: t.any(ASCENDING),
        };
    }
    // "날짜별 방문이 가장 많은 날" asks for the peak, not the list.
    if let Some(g) = series(t).filter(|_| !t.any(PEAK)) {
        if let Some(m) = m.map_or(Some(Metric::Visits), |m| m.field().map(|_| m)) {
            return Kind::Series(m, g);
        }
    }
    if t.any(PEAK) && !matches!(m, Some(Metric::RemainingStock | Metric::ActiveUsers)) {
        let day = t.any(PEAK_DAY) && !t.any(&["시간대", "몇 시", "몇시", " hour ", "what time"]);
        return Kind::Peak(if day { Peak::Day } else { Peak::Hour });
    }
    if t.any(COMPARE) && !share_of_buyers(t) {
        if let Some(m) = m.filter(|m| m.field().is_some()) {
            return Kind::PeriodComparison(Some(m));
        }
    }
    m.map_or(Kind::Unknown, Kind::Metric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(q: &str) -> Kind {
        kind(&Text::new(q))
    }

    #[test]
    fn the_issue_questions_parse_to_their_intents() {
        assert_eq!(
            k("지난 7일간 방문자 중 몇 퍼센트가 구매했어?"),
            Kind::Metric(Metric::ConversionRate)
        );
        assert_eq!(
            k("이번 캠페인 참여자가 몇 명이야?"),
            Kind::Metric(Metric::Participants)
        );
        assert_eq!(k("평균 구매액이 얼마야?"), Kind::Metric(Metric::Aov));
        assert_eq!(
            k("재고 얼마나 남았어?"),
            Kind::Metric(Metric::RemainingStock)
        );
        assert_eq!(
            k("how many visits yesterday?"),
            Kind::Metric(Metric::Visits)
        );
        assert_eq!(
            k("what's the LTV/CAC of this activity?"),
            Kind::Metric(Metric::LtvCac)
        );
        assert_eq!(
            k("compare promotion and normal sales this week"),
            Kind::PromotionVsNormal
        );
        assert_eq!(
            k("이번 달 가장 성과가 좋은 캠페인은 뭐야?"),
            Kind::Rank {
                target: Target::Campaigns,
                by: Metric::Gmv,
                limit: 1,
                ascending: false
            }
        );
        assert_eq!(
            k("top 3 activities by GMV last month"),
            Kind::Rank {
                target: Target::Activities,
                by: Metric::Gmv,
                limit: 3,
                ascending: false
            }
        );
        assert_eq!(k("what is the weather"), Kind::Unknown);
    }

    #[test]
    fn why_questions_carry_their_premise() {
        let why = |metric, premise| Kind::Why { metric, premise };
        assert_eq!(
            k("왜 전환율이 떨어졌어?"),
            why(Metric::ConversionRate, Some(Direction::Down))
        );
        assert_eq!(
            k("why did conversion drop?"),
            why(Metric::ConversionRate, Some(Direction::Down))
        );
        assert_eq!(
            k("why did revenue rise this week?"),
            why(Metric::Gmv, Some(Direction::Up))
        );
        assert_eq!(
            k("왜 떨어졌는지 분석해줘"),
            why(Metric::ConversionRate, Some(Direction::Down))
        );
        assert_eq!(
            k("방문이 줄어든 이유는?"),
            why(Metric::Visits, Some(Direction::Down))
        );
        assert_eq!(k("why so few?"), why(Metric::ConversionRate, None));
    }

    #[test]
    fn series_questions_name_a_metric_and_a_step() {
        assert_eq!(
            k("revenue by day"),
            Kind::Series(Metric::Gmv, Granularity::Day)
        );
        assert_eq!(k("일별 매출"), Kind::Series(Metric::Gmv, Granularity::Day));
        assert_eq!(
            k("날짜별 방문"),
            Kind::Series(Metric::Visits, Granularity::Day)
        );
        assert_eq!(
            k("시간별 구매 건수"),
            Kind::Series(Metric::Purchases, Granularity::Hour)
        );
        assert_eq!(
            k("daily conversion rate"),
            Kind::Series(Metric::ConversionRate, Granularity::Day)
        );
        assert_eq!(
            k("방문 추이"),
            Kind::Series(Metric::Visits, Granularity::Day)
        );
    }
}
