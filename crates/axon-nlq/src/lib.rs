//! Axon's question box (SPEC §7): a Korean or English question about a campaign, an activity or
//! everything, answered from real numbers.
//!
//! The pipeline is deterministic and offline: [`text`] normalises the question, [`parse`] finds
//! the intent and metric (keywords in [`words`]), [`when`] the period, [`names`] the campaign or activity named; [`exec`]
//! (with [`figures`], [`rank`], [`trend`], [`series`], [`split`] and [`insight`]) then reads the typed answers
//! of the dashboards service ([`pick`] finds a metric in them) — never anything else — and writes
//! the answer in the question's language. [`llm`] may rephrase that answer afterwards; it only
//! ever sees the computed numbers.

pub mod compare;
pub mod diagnose;
pub mod exec;
pub mod figures;
pub mod insight;
pub mod josa;
pub mod llm;
pub mod names;
pub mod parse;
pub mod pick;
pub mod rank;
pub mod series;
pub mod split;
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

/// The answer of SPEC §7: text plus the typed query and the numbers used.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub answer: String,
    pub intent: &'static str,
    pub parameters: Value,
    pub data: Value,
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

/// Answers one question about `scope` at `now` (`language` overrides detection), from one
/// snapshot of the dashboards service.
pub fn ask(
    dashboards: &Dashboards,
    scope: Scope,
    question: &str,
    language: Option<Lang>,
    now: Ts,
) -> Result<Answer, NlqError> {
    let q = validate(question)?;
    let view = dashboards.view();
    let catalog = view.snapshot();
    match scope {
        Scope::Campaign(id) if catalog.campaign(id).is_none() => {
            return Err(NlqError::CampaignNotFound(id))
        }
        Scope::Activity(id) if catalog.activity(id).is_none() => {
            return Err(NlqError::ActivityNotFound(id))
        }
        _ => {}
    }
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
    let scope = match names::resolve(catalog, &t, scope) {
        Ok(s) => s,
        Err(candidates) => return Ok(exec::clarify(catalog, lang, &kind, &candidates)),
    };
    let breakdown = parse::breakdown(&t).and_then(|d| Dimension::parse(d).ok());
    exec::run(
        &exec::Ctx {
            view,
            scope,
            lang,
            when,
            versus,
            now,
            breakdown,
        },
        &kind,
    )
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
