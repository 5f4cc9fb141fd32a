//! The shared answer cache in front of the activity and campaign dashboards (SPEC §5.6):
//! answers made only of overview, funnel and comparison widgets are kept 5 minutes under
//! `dashboard:{scope}:{id}:{widgets}:{period}:{hash}` and served to every node; an answer with
//! any other widget (realtime above all) or a breakdown is always computed.
//!
//! What is cached is the answer's `data` (the widgets); the envelope (`timestamp`, the
//! window's dates) is rendered fresh on every call and the cached widgets spliced in. The hash
//! covers what the widgets depend on: the data version of the scope (the global one when the
//! comparison widget is asked for, as its baseline counts purchases outside any activity), the
//! window to the minute (its label is shown to the minute), the conversion window and the
//! business zone. So a write anywhere in the scope makes the next answer fresh on every node
//! (versions are feed numbers, the same on every node); with no write, a rolling window
//! ("last 7 days") is reused within its minute, a fixed window for the full 5 minutes — what a
//! reuse can differ by is only events ageing out of the window's start within that minute.
//!
//! Versions must be read *before* the view's snapshot is taken: a snapshot is never older than
//! a version already published, so a cached answer is never older than its key says.

use super::error::{ServiceError, ServiceResult};
use super::request::{Query, Widget};
use super::View;
use axon_domain::annotation::Annotation;
const MS_PER_MINUTE: i64 = 60_000;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long an answer is kept.
pub const TTL: Duration = Duration::from_secs(300);

/// The data versions an answer may be cached under, read before its view was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    /// The version of the answer's own scope.
    pub scope: u64,
    /// The global version (every commit moves it).
    pub global: u64,
}

/// The cache key of an answer about `scope` `id`, or `None` when it must not be cached.
pub fn answer_key(
    scope: &str,
    id: i64,
    q: &Query,
    versions: Versions,
    tz: &axon_domain::BusinessTz,
) -> Option<String> {
    let cacheable =
        |w: &Widget| matches!(w, Widget::Overview | Widget::Funnel | Widget::Comparison);
    if q.widgets.is_empty() || !q.widgets.iter().all(cacheable) || q.breakdown.is_some() {
        return None;
    }
    let version = if q.widgets.contains(&Widget::Comparison) {
        versions.global
    } else {
        versions.scope
    };
    let widgets: Vec<&str> = q.widgets.iter().map(|w| w.as_str()).collect();
    let mut h = Sha256::new();
    h.update(format!(
        "{version}|{}|{}|{:?}|{}",
        q.window.start.0.div_euclid(MS_PER_MINUTE),
        q.window.end.0.div_euclid(MS_PER_MINUTE),
        q.conversion_window_hours,
        tz.name()
    ));
    let hash: String = h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(format!(
        "dashboard:{scope}:{id}:{}:{}:{hash}",
        widgets.join(","),
        q.period.as_str()
    ))
}

/// The answer's JSON: `envelope` rendered with no widgets (`"data":{}` last) and `data` the
/// widgets' JSON spliced in.
fn splice(envelope: &str, data: &str) -> Option<String> {
    let head = envelope.strip_suffix("\"data\":{}}")?;
    Some(format!("{head}\"data\":{data}}}"))
}

fn json(v: &impl Serialize) -> ServiceResult<String> {
    serde_json::to_string(v).map_err(ServiceError::internal)
}

/// A dashboard answer whose widgets (`data`, serialised last) may be cached.
/// Its annotations are part of the envelope, never cached.
trait Answer: Serialize {
    type Data: Serialize;
    fn data(&self) -> &Self::Data;
    fn annotate(&mut self, notes: &[Annotation]);
}

impl Answer for super::ActivityDashboard {
    type Data = super::Widgets;
    fn data(&self) -> &super::Widgets {
        &self.data
    }
    fn annotate(&mut self, notes: &[Annotation]) {
        self.annotations = notes.to_vec();
    }
}

impl Answer for super::CampaignDashboard {
    type Data = super::CampaignWidgets;
    fn data(&self) -> &super::CampaignWidgets {
        &self.data
    }
    fn annotate(&mut self, notes: &[Annotation]) {
        self.annotations = notes.to_vec();
    }
}

impl View<'_> {
    /// The activity dashboard's JSON, through the cache when the service has one.
    pub fn activity_json(
        &self,
        id: i64,
        q: &Query,
        versions: Versions,
        notes: &[Annotation],
    ) -> ServiceResult<String> {
        self.through("activity", id, q, versions, notes, |q| self.activity(id, q))
    }

    /// The campaign dashboard's JSON, through the cache when the service has one.
    pub fn campaign_json(
        &self,
        id: i64,
        q: &Query,
        versions: Versions,
        notes: &[Annotation],
    ) -> ServiceResult<String> {
        self.through("campaign", id, q, versions, notes, |q| self.campaign(id, q))
    }

    /// `render(q)` answers, with `notes`; asked for no widgets it renders the envelope alone
    /// (and still checks that the subject exists).
    fn through<T: Answer>(
        &self,
        scope: &str,
        id: i64,
        q: &Query,
        versions: Versions,
        notes: &[Annotation],
        render: impl Fn(&Query) -> ServiceResult<T>,
    ) -> ServiceResult<String> {
        let render = |q: &Query| {
            let mut answer = render(q)?;
            answer.annotate(notes);
            Ok::<T, ServiceError>(answer)
        };
        let Some(cache) = &self.service.cache else {
            return json(&render(q)?);
        };
        let Some(key) = answer_key(scope, id, q, versions, self.tz()) else {
            return json(&render(q)?);
        };
        if let Some(data) = cache.get(&key) {
            let bare = Query {
                widgets: Vec::new(),
                ..q.clone()
            };
            if let Some(answer) = splice(&json(&render(&bare)?)?, &data) {
                return Ok(answer);
            }
        }
        // An answer with a failed analytics read is never shared.
        let answer = self.checked(render(q))?;
        cache.put(&key, json(answer.data())?.into(), TTL);
        json(&answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axon_domain::period::{Period, Window};
    use axon_domain::{BusinessTz, Ts};

    fn q(widgets: Vec<Widget>, now: i64) -> Query {
        Query {
            period: Period::parse("7d").unwrap(),
            window: Window::new(Ts(now - 7 * 86_400_000), Ts(now + 1)),
            now: Ts(now),
            widgets,
            conversion_window_hours: None,
            breakdown: None,
        }
    }

    const V: Versions = Versions {
        scope: 5,
        global: 9,
    };

    #[test]
    fn only_answers_of_overview_funnel_and_comparison_are_cached() {
        let tz = BusinessTz::default();
        let t = 1_794_700_800_000;
        let k = answer_key(
            "activity",
            7,
            &q(vec![Widget::Overview, Widget::Funnel], t),
            V,
            &tz,
        )
        .unwrap();
        assert!(
            k.starts_with("dashboard:activity:7:overview,funnel:7d:"),
            "{k}"
        );
        for w in [Widget::Realtime, Widget::Trend] {
            assert!(answer_key("activity", 7, &q(vec![Widget::Overview, w], t), V, &tz).is_none());
        }
        assert!(answer_key("activity", 7, &q(vec![], t), V, &tz).is_none());
    }

    #[test]
    fn the_key_moves_with_the_data_version_and_the_minute_but_not_within_it() {
        let tz = BusinessTz::default();
        let t = 1_794_700_800_000;
        let key = |v: Versions, now: i64, w: Vec<Widget>| {
            answer_key("activity", 7, &q(w, now), v, &tz).unwrap()
        };
        let ov = || vec![Widget::Overview];
        assert_eq!(key(V, t, ov()), key(V, t + 30_000, ov()));
        assert_ne!(key(V, t, ov()), key(V, t + 60_000, ov()));
        let written = Versions { scope: 6, ..V };
        assert_ne!(key(V, t, ov()), key(written, t, ov()));
        let elsewhere = Versions { global: 10, ..V };
        assert_eq!(key(V, t, ov()), key(elsewhere, t, ov()));
        let cmp = || vec![Widget::Comparison];
        assert_ne!(
            key(V, t, cmp()),
            key(elsewhere, t, cmp()),
            "comparison follows global"
        );
    }

    #[test]
    fn cached_widgets_are_spliced_into_a_fresh_envelope() {
        assert_eq!(
            splice(
                r#"{"id":1,"timestamp":5,"data":{}}"#,
                r#"{"overview":{"a":1}}"#
            )
            .unwrap(),
            r#"{"id":1,"timestamp":5,"data":{"overview":{"a":1}}}"#
        );
        assert!(splice(r#"{"id":1}"#, "{}").is_none());
    }
}
