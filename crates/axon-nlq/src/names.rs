//! Names of campaigns and activities in a question: "겨울 세일 매출", "Laptop Flash Deal stock".
//! A full name wins; otherwise a distinctive word of one name; two equally good candidates are
//! reported back as a question, never guessed.

use crate::text::Text;
use crate::Scope;
use axon_ports::catalog::Catalog;

/// A campaign or activity the question may mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub scope: Scope,
    pub name: String,
}

/// Words too common to identify anything on their own.
const STOP: &[&str] = &[
    "sale",
    "sales",
    "deal",
    "deals",
    "event",
    "events",
    "campaign",
    "activity",
    "promotion",
    "the",
    "세일",
    "이벤트",
    "캠페인",
    "활동",
    "특가",
    "행사",
    "할인",
    "프로모션",
    "선착순",
    "flash",
    "special",
];

fn compact(s: &str) -> String {
    Text::new(s).compact
}

fn distinctive(word: &str) -> bool {
    let w = compact(word);
    let hangul = w.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c));
    let long_enough = if hangul {
        w.chars().count() >= 2
    } else {
        w.len() >= 4
    };
    long_enough && !STOP.contains(&w.as_str())
}

/// The scope the question is about, or the candidates when it is ambiguous.
pub fn resolve(
    catalog: &(impl Catalog + ?Sized),
    t: &Text,
    scope: Scope,
) -> Result<Scope, Vec<Candidate>> {
    let mut pool: Vec<Candidate> = Vec::new();
    match scope {
        Scope::Activity(_) => return Ok(scope),
        Scope::Campaign(id) => {
            for a in catalog.campaign_activities(id) {
                pool.push(Candidate {
                    scope: Scope::Activity(a.id),
                    name: a.name,
                });
            }
        }
        Scope::Global => {
            for c in catalog.campaigns() {
                pool.push(Candidate {
                    scope: Scope::Campaign(c.id),
                    name: c.name,
                });
            }
            for a in catalog.activities() {
                pool.push(Candidate {
                    scope: Scope::Activity(a.id),
                    name: a.name,
                });
            }
        }
    }
    let full: Vec<&Candidate> = pool
        .iter()
        .filter(|c| {
            let n = compact(&c.name);
            !n.is_empty() && t.compact.contains(&n)
        })
        .collect();
    if !full.is_empty() {
        // A name inside a longer matched name ("Laptop" in "Laptop Flash Deal") is not a second
        // candidate; two unrelated names are, and are asked back.
        let names: Vec<String> = full.iter().map(|c| compact(&c.name)).collect();
        let top: Vec<&Candidate> = full
            .iter()
            .zip(&names)
            .filter(|(_, n)| {
                !names
                    .iter()
                    .any(|o| o.len() > n.len() && o.contains(n.as_str()))
            })
            .map(|(c, _)| *c)
            .collect();
        return pick(top, scope);
    }
    let partial: Vec<&Candidate> = pool
        .iter()
        .filter(|c| {
            c.name
                .split_whitespace()
                .filter(|w| distinctive(w))
                .any(|w| t.compact.contains(&compact(w)))
        })
        .collect();
    if !partial.is_empty() {
        return pick(partial, scope);
    }
    if scope == Scope::Global && t.any(&["이번 캠페인", "이 캠페인", "this campaign"]) {
        let cs: Vec<&Candidate> = pool
            .iter()
            .filter(|c| matches!(c.scope, Scope::Campaign(_)))
            .collect();
        if cs.len() > 1 {
            return Err(cs.into_iter().cloned().collect());
        }
        if let Some(c) = cs.first() {
            return Ok(c.scope);
        }
    }
    Ok(scope)
}

fn pick(c: Vec<&Candidate>, scope: Scope) -> Result<Scope, Vec<Candidate>> {
    match c.as_slice() {
        [] => Ok(scope),
        [one] => Ok(one.scope),
        many => Err(many.iter().map(|c| (*c).clone()).collect()),
    }
}
