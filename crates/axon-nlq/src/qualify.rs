//! What an answer did not apply. A question may carry conditions Axon cannot honour — gender
//! and age (never collected), new vs returning customers, operating system, product splits,
//! weekday or time-of-day filters — or a split, a second period, a series or a "why" that the
//! answering intent could not use. Each is reported: a machine-readable key in the answer's
//! `notApplied` and a sentence before the answer naming the words that were left out and why,
//! so the figures are never mistaken for the narrower ones asked for.

use crate::josa::{with, Josa};
use crate::parse::Metric;
use crate::text::Text;
use crate::Lang;
use axon_domain::dimension::Dimension;

/// Why a part was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Axon stores no such attribute (gender, age).
    NotCollected,
    /// No filter or split of that kind exists.
    NoSuchFilter,
    /// Splits need the raw event store, which this server has not got.
    NoRawEvents,
    /// The breakdown rows do not carry this metric (ROAS, AOV, stock, LTV …).
    NotPerRow(Metric),
    /// The kind of answer (ranking, trend, cohort …) does not take it.
    NotForThisQuestion,
}

/// One part of the question left out of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `gender`, `age`, `customerType`, `os`, `product`, `dayOfWeek`, `timeOfDay`, a breakdown
    /// dimension (`device` …), `comparison`, `series`, `hourly`, `why`.
    pub key: &'static str,
    /// The words of the question it came from.
    pub said: Option<String>,
    pub reason: Reason,
}

impl Skipped {
    pub fn new(key: &'static str, said: Option<String>, reason: Reason) -> Skipped {
        Skipped { key, said, reason }
    }
}

/// Conditions nothing in Axon can apply, with their keywords (Korean compact, English with
/// word boundaries).
const FILTERS: &[(&str, &[&str])] = &[
    (
        "gender",
        &[
            // Word-initial, so "참여자" is not "여자".
            " 남성",
            " 여성",
            " 남자",
            " 여자",
            " 남녀",
            "성별",
            " male ",
            " males ",
            " female ",
            " females ",
            " men ",
            " women ",
            " man ",
            " woman ",
            " gender ",
            " boys ",
            " girls ",
        ],
    ),
    (
        "age",
        &[
            "연령",
            "나이",
            "청소년",
            "중장년",
            "노년",
            "시니어",
            " age ",
            " aged ",
            " ages ",
            " age group",
            " teens ",
            " teenagers ",
            " seniors ",
            " years old ",
            " millennials ",
            " gen z ",
        ],
    ),
    (
        "customerType",
        &[
            "신규고객",
            "신규 방문",
            "신규 회원",
            "신규 유저",
            "신규 사용자",
            "재방문",
            "기존고객",
            "기존 회원",
            " new customers ",
            " new visitors ",
            " new users ",
            " returning ",
            " first-time ",
            " first time visitors ",
        ],
    ),
    (
        "os",
        &[
            "안드로이드",
            "아이폰",
            "갤럭시",
            "윈도우",
            "맥북",
            " android ",
            " ios ",
            " iphone ",
            " windows ",
            " macos ",
            " mac ",
        ],
    ),
    (
        "product",
        &[
            "상품별",
            "제품별",
            "품목별",
            "카테고리",
            " by product",
            " per product",
            " category",
            " categories ",
        ],
    ),
    (
        "dayOfWeek",
        &["주말", "평일", " weekend", " weekdays ", " on weekdays "],
    ),
    (
        "timeOfDay",
        &[
            "오전",
            "오후",
            "아침",
            "점심",
            "저녁",
            "새벽",
            "밤에",
            " 밤 ",
            " morning",
            " afternoon",
            " evening",
            " at night ",
        ],
    ),
];

/// "20대", "30대의", "25세 이상", "40살": an age written with a number.
fn age_word(w: &str) -> Option<String> {
    let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = &w[digits.len()..];
    let decade = digits.len() == 2 && digits.ends_with('0') && !digits.starts_with('0');
    let particle = |r: &str| {
        r.is_empty()
            || [
                "의", "는", "이", "가", "은", "를", "을", "에서", "에게", "고객", "이상", "이하",
                "미만", "초반", "후반", "중반", "부터", "까지", "만", "와", "과", "랑",
            ]
            .iter()
            .any(|p| r.starts_with(p))
    };
    if decade {
        // "20대" but not "20대비" (versus), "10대회", "30대상" …
        const NOT_AGE: [char; 12] = [
            '비', '회', '학', '표', '상', '기', '량', '박', '형', '폭', '응', '체',
        ];
        if let Some(r) = rest.strip_prefix('대') {
            if !r.starts_with(NOT_AGE) {
                return Some(format!("{digits}대"));
            }
        }
        if rest == "s" {
            return Some(format!("{digits}s"));
        }
    }
    if rest.starts_with('살') {
        return Some(format!("{digits}살"));
    }
    // "25세 이상" but not "3세트", "11세일".
    if let Some(r) = rest.strip_prefix('세') {
        if particle(r) {
            return Some(format!("{digits}세"));
        }
    }
    None
}

/// The unsupported conditions of a question, in order of the table. `names` are the catalogue's
/// campaign and activity names: a word inside a name ("남성 패딩 특가") is not a condition.
/// Weekday words are a condition except in a peak question ("무슨 요일이 가장 많아?").
pub fn unsupported(question: &str, names: &[String], peak: bool) -> Vec<Skipped> {
    let mut q = question.to_lowercase();
    for n in names {
        let n = n.trim().to_lowercase();
        if !n.is_empty() {
            q = q.replace(&n, " ");
        }
    }
    let t = Text::new(&q);
    let mut out = Vec::new();
    for (key, words) in FILTERS {
        if peak && *key == "dayOfWeek" {
            continue;
        }
        let mut said = words
            .iter()
            .find(|w| t.has(w))
            .map(|w| w.trim().to_string());
        if *key == "age" {
            // English words ("20s") and Korean number runs, spaced or not ("남성20대").
            let c = &t.compact;
            let runs = c
                .char_indices()
                .filter(|(i, ch)| {
                    ch.is_ascii_digit() && !c[..*i].ends_with(|p: char| p.is_ascii_digit())
                })
                .map(|(i, _)| &c[i..]);
            if let Some(a) = t.spaced.split(' ').chain(runs).find_map(age_word) {
                said = Some(a);
            }
        }
        if let Some(s) = said {
            let reason = match *key {
                "gender" | "age" => Reason::NotCollected,
                _ => Reason::NoSuchFilter,
            };
            out.push(Skipped::new(key, Some(s), reason));
        }
    }
    out
}

/// How a part is named in the sentence.
fn item(s: &Skipped, ko: bool) -> String {
    let dim = Dimension::parse(s.key).ok();
    let base: String = match (s.key, dim, ko) {
        (_, Some(d), true) => format!("{}별 분할", crate::split::name(d, true)),
        (_, Some(d), false) => format!("the split by {}", crate::split::name(d, false)),
        ("gender", _, true) => "성별 조건".into(),
        ("gender", _, false) => "gender".into(),
        ("age", _, true) => "연령대 조건".into(),
        ("age", _, false) => "age".into(),
        ("customerType", _, true) => "신규/재방문 구분".into(),
        ("customerType", _, false) => "new vs returning customers".into(),
        ("os", _, true) => "운영체제 조건".into(),
        ("os", _, false) => "operating system".into(),
        ("product", _, true) => "상품별 분할".into(),
        ("product", _, false) => "the split by product".into(),
        ("dayOfWeek", _, true) => "요일 조건".into(),
        ("dayOfWeek", _, false) => "the weekday condition".into(),
        ("timeOfDay", _, true) => "시간대 조건".into(),
        ("timeOfDay", _, false) => "the time-of-day condition".into(),
        ("comparison", _, true) => "두 기간 비교".into(),
        ("comparison", _, false) => "the comparison of two periods".into(),
        ("series", _, true) => "일별·시간별 나누기".into(),
        ("series", _, false) => "the day-by-day or hour-by-hour split".into(),
        ("why", _, true) => "원인 분석".into(),
        ("why", _, false) => "the diagnosis".into(),
        (k, _, _) => k.into(),
    };
    match (&s.said, ko) {
        (Some(w), true) => format!("{base}({w})"),
        (Some(w), false) => format!("{base} (\"{w}\")"),
        (None, _) => base,
    }
}

fn reason(r: Reason, ko: bool) -> String {
    match (r, ko) {
        (Reason::NotCollected, true) => "Axon은 성별·나이 정보를 수집하지 않습니다".into(),
        (Reason::NotCollected, false) => "Axon does not collect gender or age".into(),
        (Reason::NoSuchFilter, true) => "그런 조건으로 거르거나 나누는 기능이 없습니다".into(),
        (Reason::NoSuchFilter, false) => "there is no such filter or split".into(),
        (Reason::NoRawEvents, true) => {
            "이 서버에는 분할 조회에 필요한 원본 이벤트 저장소가 없습니다".into()
        }
        (Reason::NoRawEvents, false) => {
            "this server has no raw event store, which splits need".into()
        }
        (Reason::NotPerRow(m), true) => format!(
            "{} 분할 행마다 계산되지 않습니다",
            with(m.name(true), Josa::Topic)
        ),
        (Reason::NotPerRow(m), false) => format!("the {} is not computed per split", m.name(false)),
        (Reason::NotForThisQuestion, true) => "이 질문 유형에는 적용되지 않습니다".into(),
        (Reason::NotForThisQuestion, false) => "this kind of question does not take it".into(),
    }
}

/// The sentence put before the answer: "성별 조건(남성), 연령대 조건(20대)은 적용하지 못했습니다
/// (Axon은 성별·나이 정보를 수집하지 않습니다). 아래는 그 조건 없이 계산한 값입니다." Empty
/// when nothing was skipped.
pub fn notice(lang: Lang, skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let ko = lang.ko();
    let items: Vec<String> = skipped.iter().map(|s| item(s, ko)).collect();
    let mut reasons: Vec<String> = Vec::new();
    for s in skipped {
        let r = reason(s.reason, ko);
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    if ko {
        format!(
            "{} 적용하지 못했습니다({}). 아래는 그 조건 없이 계산한 값입니다. ",
            with(&items.join(", "), Josa::Topic),
            reasons.join("; ")
        )
    } else {
        format!(
            "Not applied: {} ({}). The figures below are without it. ",
            items.join(", "),
            reasons.join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(q: &str) -> Vec<(&'static str, String)> {
        unsupported(q, &["남성 패딩 특가".to_string()], false)
            .into_iter()
            .map(|s| (s.key, s.said.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn gender_age_and_other_conditions_are_found_with_their_words() {
        assert_eq!(
            keys("남성 20대 구매율은?"),
            [("gender", "남성".to_string()), ("age", "20대".to_string())]
        );
        assert_eq!(
            keys("conversion rate of women in their 30s"),
            [("gender", "women".to_string()), ("age", "30s".to_string())]
        );
        assert_eq!(keys("25세 이상 방문자"), [("age", "25세".to_string())]);
        assert_eq!(
            keys("남성20대구매율"),
            [("gender", "남성".to_string()), ("age", "20대".to_string())]
        );
        assert_eq!(
            keys("신규 고객 매출"),
            [("customerType", "신규고객".to_string())]
        );
        assert_eq!(keys("아이폰 사용자 전환율"), [("os", "아이폰".to_string())]);
        assert_eq!(keys("주말 방문은?"), [("dayOfWeek", "주말".to_string())]);
        assert_eq!(keys("어제 저녁 매출"), [("timeOfDay", "저녁".to_string())]);
        assert_eq!(keys("상품별 매출"), [("product", "상품별".to_string())]);
    }

    #[test]
    fn ordinary_questions_and_names_carry_no_condition() {
        for q in [
            "지난주 대비 방문",
            "전주 대비 매출 20% 늘었어?",
            "top 3 campaigns by GMV",
            "남성 패딩 특가 방문 몇 건?",
            "지난 7일간 방문자 중 몇 퍼센트가 구매했어?",
            "how many people visited this week?",
            "what's the LTV/CAC of this activity?",
            "10월 매출",
            "지난 30일 매출",
        ] {
            assert_eq!(keys(q), [], "{q}");
        }
        assert!(unsupported("무슨 요일에 방문이 많아? 평일?", &[], true).is_empty());
    }

    #[test]
    fn the_notice_names_the_parts_and_the_reason() {
        let s = unsupported("남성 20대 구매율은?", &[], false);
        assert_eq!(
            notice(Lang::Ko, &s),
            "성별 조건(남성), 연령대 조건(20대)은 적용하지 못했습니다(Axon은 성별·나이 정보를 수집하지 않습니다). 아래는 그 조건 없이 계산한 값입니다. "
        );
        let s = unsupported("conversion of men in their 20s", &[], false);
        assert_eq!(
            notice(Lang::En, &s),
            "Not applied: gender (\"men\"), age (\"20s\") (Axon does not collect gender or age). The figures below are without it. "
        );
        let roas = [Skipped::new(
            "device",
            None,
            Reason::NotPerRow(Metric::Roas),
        )];
        assert_eq!(
            notice(Lang::Ko, &roas),
            "기기별 분할은 적용하지 못했습니다(ROAS는 분할 행마다 계산되지 않습니다). 아래는 그 조건 없이 계산한 값입니다. "
        );
        assert_eq!(notice(Lang::Ko, &[]), "");
    }
}
