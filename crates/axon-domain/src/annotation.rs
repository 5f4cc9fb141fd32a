//! Annotations (issue 17 §5): a marketer's note on a moment of a campaign or activity ("TV 광고
//! 송출", "가격 인하") — shown as a marker on the scope's time charts, listed in its dashboard
//! answers, and usable by the question box as a period boundary. The checks of a new note and
//! the equal-length periods before and after it live here.

use crate::share::{plain_text, ScopeKind};
use crate::{DomainError, Ts};
use serde::{Deserialize, Serialize};

/// The longest note.
pub const MAX_TEXT_CHARS: usize = 200;
/// How far from now a note may be placed (about five years back, one year ahead).
const PAST_MS: i64 = 5 * 366 * 86_400_000;
const FUTURE_MS: i64 = 366 * 86_400_000;
/// The longest period compared on each side of a note.
pub const MAX_SIDE_MS: i64 = 30 * 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub id: i64,
    pub scope: ScopeKind,
    pub scope_id: i64,
    /// The moment marked.
    pub at: Ts,
    pub text: String,
    pub created_at: Ts,
}

/// A note as an admin asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationDraft {
    pub scope: ScopeKind,
    pub scope_id: i64,
    pub at: Ts,
    pub text: String,
}

impl AnnotationDraft {
    /// The checked note (id 0): non-blank text of at most [`MAX_TEXT_CHARS`] characters, a
    /// moment within five years back and one year ahead of `now`.
    pub fn validate(self, now: Ts) -> Result<Annotation, DomainError> {
        if self.scope_id <= 0 {
            return Err(DomainError::invalid("scopeId must be a positive id"));
        }
        let text = plain_text("text", &self.text, MAX_TEXT_CHARS)?;
        if text.is_empty() {
            return Err(DomainError::invalid("text must not be blank"));
        }
        if self.at.0 < now.0 - PAST_MS || self.at.0 > now.0 + FUTURE_MS {
            return Err(DomainError::invalid(
                "at must lie within five years before and one year after now",
            ));
        }
        Ok(Annotation {
            id: 0,
            scope: self.scope,
            scope_id: self.scope_id,
            at: self.at,
            text,
            created_at: now,
        })
    }
}

/// The equal-length periods `[at − L, at)` and `[at, at + L)` around a note, with L the time
/// from the note to `now`, at most [`MAX_SIDE_MS`]; `None` while the note lies in the future
/// (nothing to compare after it yet).
pub fn around(at: Ts, now: Ts) -> Option<((Ts, Ts), (Ts, Ts))> {
    let len = (now.0 - at.0).min(MAX_SIDE_MS);
    (len > 0).then(|| ((Ts(at.0 - len), at), (at, Ts(at.0 + len))))
}

/// The note a question refers to: the newest whose text shares a word with the question
/// (words of two or more characters, compared case-insensitively, Korean particles allowed to
/// follow a word); else, when `generic` (the question said "광고", "annotation" …), the newest
/// note before `now`. Notes after `now` are never picked.
pub fn pick<'a>(
    notes: &'a [Annotation],
    question: &str,
    generic: bool,
    now: Ts,
) -> Option<&'a Annotation> {
    let q = question.to_lowercase();
    let mut past: Vec<&Annotation> = notes.iter().filter(|a| a.at < now).collect();
    past.sort_by_key(|a| (a.at, a.id));
    let named = past.iter().rev().find(|a| {
        a.text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .any(|w| q.contains(w))
    });
    named
        .copied()
        .or_else(|| generic.then(|| past.last().copied()).flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: i64, at: i64, text: &str) -> Annotation {
        AnnotationDraft {
            scope: ScopeKind::Activity,
            scope_id: 1,
            at: Ts(at),
            text: text.into(),
        }
        .validate(Ts(at))
        .map(|a| Annotation { id, ..a })
        .unwrap()
    }

    #[test]
    fn a_note_needs_text_and_a_sensible_moment() {
        let d = |text: &str, at| AnnotationDraft {
            scope: ScopeKind::Campaign,
            scope_id: 2,
            at: Ts(at),
            text: text.into(),
        };
        assert!(d("   ", 0).validate(Ts(0)).is_err());
        assert!(d(&"가".repeat(201), 0).validate(Ts(0)).is_err());
        assert!(d("a\nb", 0).validate(Ts(0)).is_err());
        assert!(d("TV", FUTURE_MS + 1).validate(Ts(0)).is_err());
        assert!(d("TV", -PAST_MS - 1).validate(Ts(0)).is_err());
        let a = d("  TV 광고 송출 ", 5).validate(Ts(9)).unwrap();
        assert_eq!(
            (a.text.as_str(), a.at, a.created_at),
            ("TV 광고 송출", Ts(5), Ts(9))
        );
    }

    #[test]
    fn the_periods_around_a_note_have_equal_length() {
        assert_eq!(
            around(Ts(100), Ts(160)),
            Some(((Ts(40), Ts(100)), (Ts(100), Ts(160))))
        );
        let far = around(Ts(0), Ts(MAX_SIDE_MS * 3)).unwrap();
        assert_eq!(far, ((Ts(-MAX_SIDE_MS), Ts(0)), (Ts(0), Ts(MAX_SIDE_MS))));
        assert_eq!(around(Ts(100), Ts(100)), None);
        assert_eq!(around(Ts(200), Ts(100)), None);
    }

    #[test]
    fn a_question_picks_the_note_it_names_or_the_newest() {
        let notes = [
            note(1, 10, "TV 광고 송출"),
            note(2, 20, "가격 인하"),
            note(3, 99, "future launch"),
        ];
        let now = Ts(50);
        assert_eq!(
            pick(&notes, "광고 이후 방문이 늘었어?", true, now)
                .unwrap()
                .id,
            1
        );
        assert_eq!(
            pick(&notes, "가격 인하 후에 구매는?", false, now)
                .unwrap()
                .id,
            2
        );
        assert_eq!(
            pick(&notes, "did visits rise after the tv ad?", true, now)
                .unwrap()
                .id,
            1
        );
        assert_eq!(
            pick(&notes, "after the annotation?", true, now).unwrap().id,
            2,
            "newest"
        );
        assert!(
            pick(&notes, "after the launch?", false, now).is_none(),
            "future notes are never picked"
        );
        assert!(pick(&notes, "after lunch?", false, now).is_none());
    }
}
