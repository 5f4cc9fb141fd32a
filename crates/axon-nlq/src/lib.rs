//! Axon's question box (SPEC §7): a Korean or English question about a campaign, an activity or
//! everything, answered from real numbers.
//!
//! The pipeline is deterministic and offline: [`text`] normalises the question, [`parse`] finds
//! the intent and metric (keywords in [`words`]), [`when`] the period, [`names`] the campaign or activity named; [`exec`]
//! (with [`figures`], [`rank`], [`trend`], [`series`], [`split`] and [`insight`]) then reads the typed answers
//! of the dashboards service ([`pick`] finds a metric in them) — never anything else — and writes
//! the answer in the question's language. Whatever part of the question the answer could not
//! apply — a gender or age condition, a split the metric has not got, a second period — is named
//! before the answer and listed in `notApplied` ([`qualify`]). [`llm`] may rephrase that answer
//! afterwards; it only ever sees the computed numbers.

pub mod compare;
pub mod diagnose;
pub mod exec;
pub mod figures;
pub mod insight;
pub mod josa;
pub mod llm;
pub mod marks;
pub mod names;
pub mod parse;
pub mod pick;
pub mod qualify;
pub mod rank;
pub mod series;
pub mod split;
pub mod suggest;
pub mod text;
pub mod trend;
pub mod when;
pub mod words;

use axon_domain::dimension::Dimension;
use axon_domain::model::{ActivityId, CampaignId};
use axon_domain::Ts;
use axon_services::dashboards::{Dashboards, ServiceError};
use parse::Kind;
use serde::Serialize;
use serde_json::Value;

pub use axon_services::dashboards::Scope;

/// The longest question accepted, in characters.
pub const MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Lang {
    #[serde(rename = "ko")]
    Ko,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ko" | "kr" | "ko-kr" => Some(Lang::Ko),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn ko(self) -> bool {
        self == Lang::Ko
    }
}

/// The answer of SPEC §7: text plus the typed query and the numbers used, and the parts of
/// the question it did not apply (`gender`, `age`, `device` …; empty when it answered all).
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub answer: String,
    pub intent: &'static str,
    pub parameters: Value,
    pub data: Value,
    #[serde(rename = "notApplied")]
    pub not_applied: Vec<&'static str>,
}

/// The errors of this layer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NlqError {
    #[error("the question is empty")]
    Empty,
    #[error("the question is longer than {MAX_CHARS} characters ({0})")]
    TooLong(usize),
    #[error("the question contains control characters")]
    NotText,
    #[error("campaign {0} does not exist")]
    CampaignNotFound(CampaignId),
    #[error("activity {0} does not exist")]
    ActivityNotFound(ActivityId),
    /// The dashboards service could not answer (a breakdown's raw events could not be read).
    #[error("{0}")]
    Service(ServiceError),
}

/// Checks a question at the boundary: non-empty, at most [`MAX_CHARS`], plain text.
pub fn validate(q: &str) -> Result<&str, NlqError> {
    let q = q.trim();
    if q.is_empty() {
        return Err(NlqError::Empty);
    }
    let n = q.chars().count();
    if n > MAX_CHARS {
        return Err(NlqError::TooLong(n));
    }
    if q.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(NlqError::NotText);
    }
    Ok(q)
}

/// The campaign or activity of a scope must exist.
fn exists(catalog: &dyn axon_ports::aggregates::Snapshot, scope: Scope) -> Result<(), NlqError> {
    match scope {
        Scope::Campaign(id) if catalog.campaign(id).is_none() => {
            Err(NlqError::CampaignNotFound(id))
        }
        Scope::Activity(id) if catalog.activity(id).is_none() => {
            Err(NlqError::ActivityNotFound(id))
        }
        _ => Ok(()),
    }
}

/// The question box's suggestions for a page, in `language` ([`suggest`]).
pub fn suggestions(
    dashboards: &Dashboards,
    scope: Scope,
    language: Lang,
) -> Result<&'static [&'static str], NlqError> {
    exists(dashboards.view().snapshot(), scope)?;
    Ok(suggest::for_scope(scope, language))
}

/// Answers one question about `scope` at `now` (`language` overrides detection), from one
/// snapshot of the dashboards service.
pub fn ask(
    dashboards: &Dashboards,
    scope: Scope,
    question: &str,
    language: Option<Lang>,
    now: Ts,
) -> Result<Answer, NlqError> {
    ask_with(dashboards, scope, question, language, now, &[])
}

/// [`ask`], with the annotations of the scope (and its family) a question may set its periods
/// around ([`marks`]).
pub fn ask_with(
    dashboards: &Dashboards,
    scope: Scope,
    question: &str,
    language: Option<Lang>,
    now: Ts,
    notes: &[axon_domain::annotation::Annotation],
) -> Result<Answer, NlqError> {
    let q = validate(question)?;
    let view = dashboards.view();
    let catalog = view.snapshot();
    exists(catalog, scope)?;
    let lang = language.unwrap_or_else(|| text::detect(q));
    let t = text::Text::new(q);
    let kind = parse::kind(&t);
    // "지난주랑 이번주": two periods side by side make a comparison of the two.
    let (when, versus) = match when::pair(&t, now, dashboards.tz()) {
        Some((later, earlier)) => (Some(later), Some(earlier)),
        None => (when::parse(&t, now, dashboards.tz()), None),
    };
    let kind = match (kind, &versus) {
        (Kind::Metric(m), Some(_)) if m.field().is_some() => Kind::PeriodComparison(Some(m)),
        (Kind::Unknown, Some(_)) => Kind::PeriodComparison(None),
        (k, _) => k,
    };
    let names: Vec<String> = catalog
        .campaigns()
        .into_iter()
        .map(|c| c.name)
        .chain(catalog.activities().into_iter().map(|a| a.name))
        .collect();
    let mut skipped = qualify::unsupported(q, &names, matches!(kind, Kind::Peak(_)));
    let scope = match names::resolve(catalog, &t, scope) {
        Ok(s) => s,
        Err(candidates) => {
            let mut a = exec::clarify(catalog, lang, &kind, &candidates);
            a.not_applied = skipped.iter().map(|s| s.key).collect();
            return Ok(a);
        }
    };
    if let Some(note) = marks::note_of(q, notes, now) {
        let mut c = exec::Ctx {
            view: dashboards.view(),
            scope,
            lang,
            when: None,
            versus: None,
            now,
            breakdown: None,
            text: Some(&t),
        };
        if let Some(mut a) = marks::around_note(&mut c, &t, note) {
            a.answer.insert_str(0, &qualify::notice(lang, &skipped));
            a.not_applied = skipped.iter().map(|s| s.key).collect();
            return Ok(a);
        }
    }
    let breakdown = parse::breakdown(&t).and_then(|d| Dimension::parse(d).ok());
    let splits = view.splits();
    let has_versus = versus.is_some();
    let mut a = exec::run(
        &exec::Ctx {
            view,
            scope,
            lang,
            when,
            versus,
            now,
            breakdown,
            text: Some(&t),
        },
        &kind,
    )?;
    if let Some(d) = breakdown.filter(|_| a.parameters.get("breakdown").is_none()) {
        let reason = match kind {
            Kind::Metric(m) if !m.per_row() => qualify::Reason::NotPerRow(m),
            _ if !splits => qualify::Reason::NoRawEvents,
            _ => qualify::Reason::NotForThisQuestion,
        };
        skipped.push(qualify::Skipped::new(d.as_str(), None, reason));
    }
    let not_for = |key| qualify::Skipped::new(key, None, qualify::Reason::NotForThisQuestion);
    if has_versus && !matches!(a.intent, "PERIOD_COMPARISON" | "DIAGNOSIS") {
        skipped.push(not_for("comparison"));
    }
    if parse::series(&t).is_some() && !matches!(a.intent, "TREND" | "PEAK_TIME") {
        skipped.push(not_for("series"));
    }
    if parse::asks_why(&t) && a.intent != "DIAGNOSIS" {
        skipped.push(not_for("why"));
    }
    // A question not understood at all has no conditions to report.
    if a.intent == "UNKNOWN" {
        skipped.clear();
    }
    a.answer.insert_str(0, &qualify::notice(lang, &skipped));
    a.not_applied = skipped.iter().map(|s| s.key).collect();
    // The series already says that it went day by day instead of hour by hour.
    if a.parameters.get("askedGranularity").is_some() {
        a.not_applied.push("hourly");
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_oversize_and_control_character_questions_are_refused() {
        assert_eq!(validate("  "), Err(NlqError::Empty));
        assert_eq!(validate(&"가".repeat(501)), Err(NlqError::TooLong(501)));
        assert_eq!(validate(&"가".repeat(500)), Ok("가".repeat(500).as_str()));
        assert_eq!(validate("a\u{0}b"), Err(NlqError::NotText));
        assert_eq!(validate(" 어제 방문? "), Ok("어제 방문?"));
    }

    #[test]
    fn unknown_scopes_are_reported() {
        let e = empty();
        let now = Ts(0);
        assert_eq!(
            ask(&e, Scope::Campaign(9), "visits", None, now).unwrap_err(),
            NlqError::CampaignNotFound(9)
        );
        assert_eq!(
            ask(&e, Scope::Activity(9), "visits", None, now).unwrap_err(),
            NlqError::ActivityNotFound(9)
        );
        assert_eq!(
            ask(&e, Scope::Global, "hello", None, now).unwrap().intent,
            "UNKNOWN"
        );
    }

    /// The service over an engine that was fed nothing.
    fn empty() -> Dashboards {
        use axon_engine::ledger::InMemoryLedger;
        use axon_ports::aggregates::FixedSource;
        use std::sync::Arc;
        Dashboards::new(
            Arc::new(FixedSource(Arc::new(axon_engine::Engine::default()))),
            Arc::new(InMemoryLedger::default()),
            axon_domain::BusinessTz::default(),
        )
    }
}
