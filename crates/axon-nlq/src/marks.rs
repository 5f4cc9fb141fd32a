//! Annotations as period boundaries (issue 17 §5): "광고 이후 방문이 늘었어?", "did visits rise
//! after the TV ad?" compare the equal-length periods before and after a note of the scope.
//!
//! A question uses a note when it says "after" (이후, 후에, 후로, 뒤에, 뒤로, after, since) and
//! either shares a word with a note's text ("TV", "가격 인하") — the newest such note wins — or
//! names notes generically (광고, 메모, annotation, marker, note, ad): then the newest note of
//! the scope is taken. Only notes already past are used. Each side lasts from the note to now,
//! at most 30 days ([`axon_domain::annotation::around`]). The answer is a period comparison
//! whose `definition` line names the note and both periods.

use crate::compare::compare;
use crate::exec::Ctx;
use crate::when::When;
use crate::{parse, Answer};
use axon_domain::annotation::{around, pick, Annotation};
use axon_domain::period::Window;
use serde_json::json;

const AFTER: [&str; 7] = ["이후", "후에", "후로", "뒤에", "뒤로", "after", "since"];
const GENERIC: [&str; 6] = ["광고", "메모", "annotation", "marker", "note", "ad"];

/// Whether `word` appears in `q` as a word (English) or anywhere (Korean, which glues
/// particles on).
fn says(q: &str, word: &str) -> bool {
    if word.is_ascii() {
        q.split(|c: char| !c.is_alphanumeric()).any(|w| w == word)
    } else {
        q.contains(word)
    }
}

/// The note the question sets its periods around, if it asks about one.
pub fn note_of<'a>(
    question: &str,
    notes: &'a [Annotation],
    now: axon_domain::Ts,
) -> Option<&'a Annotation> {
    let q = question.to_lowercase();
    if !AFTER.iter().any(|w| says(&q, w)) {
        return None;
    }
    let generic = GENERIC.iter().any(|w| says(&q, w));
    pick(notes, &q, generic, now)
}

fn side(key: &str, start: axon_domain::Ts, end: axon_domain::Ts, ko: String, en: String) -> When {
    When {
        key: key.into(),
        window: Window { start, end },
        ko,
        en,
        explicit: true,
        calendar: None,
        to_date: false,
    }
}

/// The comparison around `note` (`None` while the note has no time after it yet).
pub fn around_note(c: &mut Ctx, t: &crate::text::Text, note: &Annotation) -> Option<Answer> {
    let ((b0, b1), (a0, a1)) = around(note.at, c.now)?;
    let text = &note.text;
    c.when = Some(side(
        "afterAnnotation",
        a0,
        a1,
        format!("'{text}' 이후"),
        format!("after '{text}'"),
    ));
    c.versus = Some(side(
        "beforeAnnotation",
        b0,
        b1,
        format!("'{text}' 이전"),
        format!("before '{text}'"),
    ));
    let metric = parse::metric(t).filter(|m| m.field().is_some());
    let mut a = compare(c, metric);
    let at = c.view.window_label(&Window {
        start: note.at,
        end: note.at,
    });
    let (after, before) = (
        c.view.window_label(&Window { start: a0, end: a1 }),
        c.view.window_label(&Window { start: b0, end: b1 }),
    );
    let at = at.split(" – ").next().unwrap_or(&at).to_string();
    let definition = if c.ko() {
        format!("정의: 메모 '{text}'({at}) 기준으로 이후 {after}와 같은 길이의 이전 {before}를 비교했습니다.")
    } else {
        format!("Definition: around the annotation '{text}' ({at}), after = {after} against the equally long before = {before}.")
    };
    a.answer.push('\n');
    a.answer.push_str(&definition);
    if let Some(p) = a.parameters.as_object_mut() {
        p.insert("comparison".into(), "annotation".into());
        p.insert(
            "annotation".into(),
            json!({"id": note.id, "text": note.text, "at": note.at, "scope": note.scope, "scopeId": note.scope_id}),
        );
    }
    a.data["definition"] = json!(definition);
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axon_domain::share::ScopeKind;
    use axon_domain::Ts;

    fn n(id: i64, at: i64, text: &str) -> Annotation {
        Annotation {
            id,
            scope: ScopeKind::Activity,
            scope_id: 1,
            at: Ts(at),
            text: text.into(),
            created_at: Ts(0),
        }
    }

    #[test]
    fn only_questions_about_after_a_note_use_one() {
        let notes = [n(1, 10, "TV 광고 송출"), n(2, 20, "가격 인하")];
        let now = Ts(100);
        let id = |q| note_of(q, &notes, now).map(|a| a.id);
        assert_eq!(id("광고 이후 방문이 늘었어?"), Some(1));
        assert_eq!(id("did visits rise after the TV ad?"), Some(1));
        assert_eq!(id("가격 인하 후에 구매는?"), Some(2));
        assert_eq!(
            id("sales since the annotation?"),
            Some(2),
            "generic: the newest"
        );
        assert_eq!(id("메모 뒤로 전환율은?"), Some(2));
        assert_eq!(id("광고 방문 몇 건?"), None, "no 'after'");
        assert_eq!(
            id("visits after lunch?"),
            None,
            "no note named, nothing generic"
        );
        assert_eq!(
            id("what happened afterwards in advertising?"),
            None,
            "whole English words only"
        );
        assert_eq!(note_of("광고 이후?", &[], now), None);
    }
}
