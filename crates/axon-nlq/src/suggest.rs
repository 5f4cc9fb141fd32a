//! The question box's suggestions, per page: the global page asks about all campaigns, a
//! campaign page about "this campaign", an activity page about "this activity" — never a question
//! the page cannot answer. Every suggestion is answered in full by [`crate::ask`] on its page
//! (tested: a known intent and nothing in `notApplied`).

use crate::{Lang, Scope};

const GLOBAL_KO: &[&str] = &[
    "이번 달 가장 성과가 좋은 캠페인은 뭐야?",
    "지난 7일간 방문자 중 몇 퍼센트가 구매했어?",
    "일별 매출 보여줘",
    "지난주랑 이번주 비교해줘",
    "전환율은 왜 바뀌었어?",
    "개선 인사이트 알려줘",
];
const GLOBAL_EN: &[&str] = &[
    "best campaign this month",
    "top 3 activities by GMV last month",
    "revenue by day",
    "this week vs last week",
    "why did conversion change?",
    "how can we improve?",
];
const CAMPAIGN_KO: &[&str] = &[
    "이 캠페인의 지난 7일 전환율은?",
    "이 캠페인에서 전환율이 가장 높은 활동은?",
    "이 캠페인 일별 매출 보여줘",
    "이 캠페인 지난주랑 이번주 비교해줘",
    "이 캠페인 전환율은 왜 바뀌었어?",
    "이 캠페인 LTV/CAC 알려줘",
];
const CAMPAIGN_EN: &[&str] = &[
    "conversion rate of this campaign in the last 7 days",
    "which activity of this campaign has the highest conversion rate?",
    "this campaign's revenue by day",
    "this week vs last week for this campaign",
    "why did this campaign's conversion change?",
    "LTV/CAC for this campaign",
];
const ACTIVITY_KO: &[&str] = &[
    "지난 7일간 이 활동 방문자 중 몇 퍼센트가 구매했어?",
    "이 활동 재고 얼마나 남았어?",
    "지난 1시간 이 활동 방문은?",
    "이 활동 일별 구매 보여줘",
    "이 활동의 LTV/CAC는?",
    "이 활동 전환율은 왜 바뀌었어?",
    "이 활동 이번 주 프로모션과 일반 판매 비교",
];
const ACTIVITY_EN: &[&str] = &[
    "what percent of this activity's visitors bought in the last 7 days?",
    "how much stock is left for this activity?",
    "visits to this activity in the past hour",
    "this activity's purchases by day",
    "what's the LTV/CAC of this activity?",
    "why did this activity's conversion change?",
    "compare promotion and normal sales of this activity this week",
];

/// The suggestions for a page (the scope's existence is checked by [`crate::suggestions`]).
pub fn for_scope(scope: Scope, lang: Lang) -> &'static [&'static str] {
    match (scope, lang) {
        (Scope::Global, Lang::Ko) => GLOBAL_KO,
        (Scope::Global, Lang::En) => GLOBAL_EN,
        (Scope::Campaign(_), Lang::Ko) => CAMPAIGN_KO,
        (Scope::Campaign(_), Lang::En) => CAMPAIGN_EN,
        (Scope::Activity(_), Lang::Ko) => ACTIVITY_KO,
        (Scope::Activity(_), Lang::En) => ACTIVITY_EN,
    }
}
