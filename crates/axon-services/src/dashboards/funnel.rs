//! The funnel widget (SPEC §5.2): step counts, distinct persons and rates, the ordered funnel
//! with time to convert; and the drop-off list of persons who reached a step and not the next.

use super::error::{ServiceError, ServiceResult};
use super::request::Query;
use super::View;
use axon_domain::event::Person;
use axon_domain::metrics::funnel::{step_rates, timing};
use axon_domain::model::{ActivityId, FunnelStep};
use axon_domain::period::Period;
use axon_domain::{Dec2, Ts};
use serde::Serialize;

pub const STEPS: [FunnelStep; 4] = [
    FunnelStep::Visit,
    FunnelStep::Engage,
    FunnelStep::Qualify,
    FunnelStep::Purchase,
];
pub const STEP_NAMES_KO: [&str; 4] = ["방문", "참여", "승인", "구매"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StepRow {
    pub step: FunnelStep,
    pub name: &'static str,
    pub value: u64,
    pub users: u64,
    pub rate: Dec2,
    pub rate_from_first: Dec2,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Ordered {
    pub users: [u64; 4],
    pub conversion_window_hours: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StepTiming {
    pub from: FunnelStep,
    pub to: FunnelStep,
    pub converted: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FunnelWidget {
    pub steps: [StepRow; 4],
    pub ordered: Ordered,
    pub time_to_convert: [StepTiming; 3],
    pub definition: String,
}

/// One person who reached a step and not the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DropoffRow {
    pub person_id: String,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    pub session_id: Option<String>,
    pub reached_at: Ts,
}

/// One page of a drop-off list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DropoffPage {
    pub activity_id: ActivityId,
    pub step: FunnelStep,
    pub next_step: FunnelStep,
    pub period: Period,
    pub start_date: Ts,
    pub end_date: Ts,
    pub page: usize,
    pub size: usize,
    pub total_elements: usize,
    pub total_pages: usize,
    pub persons: Vec<DropoffRow>,
}

impl DropoffPage {
    /// Page `page` of `size` rows of the whole list.
    pub fn new(
        id: ActivityId,
        step: FunnelStep,
        q: &Query,
        rows: Vec<DropoffRow>,
        page: usize,
        size: usize,
    ) -> DropoffPage {
        let total = rows.len();
        DropoffPage {
            activity_id: id,
            step,
            next_step: STEPS[STEPS.iter().position(|s| *s == step).unwrap_or(0) + 1],
            period: q.period,
            start_date: q.window.start,
            end_date: q.window.end,
            page,
            size,
            total_elements: total,
            total_pages: total.div_ceil(size),
            persons: rows.into_iter().skip(page * size).take(size).collect(),
        }
    }
}

fn dropoff_row(person: String, reached_at: Ts) -> DropoffRow {
    let p = Person::from_key(&person);
    let id = |want: fn(&Person) -> Option<&String>| p.as_ref().and_then(want).cloned();
    DropoffRow {
        user_id: id(|p| match p {
            Person::User(u) => Some(u),
            _ => None,
        }),
        anonymous_id: id(|p| match p {
            Person::Anonymous(a) => Some(a),
            _ => None,
        }),
        session_id: id(|p| match p {
            Person::Session(s) => Some(s),
            _ => None,
        }),
        person_id: person,
        reached_at,
    }
}

impl View<'_> {
    pub(crate) fn funnel_widget(&self, ids: &[ActivityId], q: &Query, scope: &str) -> FunnelWidget {
        let w = &q.window;
        let c = self.snap.counts(ids, w);
        let values = [c.visits, c.engagements, c.approvals, c.purchases];
        let users = self.snap.step_users(ids, w);
        let mut ordered = self.snap.ordered_funnel(ids, w, q.within_ms());
        let rates = step_rates(values);
        FunnelWidget {
            steps: std::array::from_fn(|i| StepRow {
                step: STEPS[i],
                name: STEP_NAMES_KO[i],
                value: values[i],
                users: users[i],
                rate: rates[i].rate,
                rate_from_first: rates[i].rate_from_first,
            }),
            ordered: Ordered {
                users: ordered.users,
                conversion_window_hours: q.conversion_window_hours,
            },
            time_to_convert: std::array::from_fn(|k| {
                let t = timing(&mut ordered.seconds_to_convert[k]);
                StepTiming {
                    from: STEPS[k],
                    to: STEPS[k + 1],
                    converted: t.converted,
                    median_seconds: t.median_seconds,
                    p90_seconds: t.p90_seconds,
                }
            }),
            definition: format!(
                "funnel of {scope}, {}: 방문 = PAGE_VIEW, 참여 = CLICK, 승인 = FCFS approvals, 구매 = PURCHASE events; users = distinct persons (anonymous visitors merged into the user they identified as); ordered = persons who did the steps in that order inside the window",
                self.window_label(w)
            ),
        }
    }

    /// Persons of an activity's ordered funnel who reached `step` and not the next, earliest
    /// first.
    pub fn dropoffs(
        &self,
        id: ActivityId,
        step: FunnelStep,
        q: &Query,
    ) -> ServiceResult<Vec<DropoffRow>> {
        self.snap
            .activity(id)
            .ok_or_else(|| ServiceError::activity_not_found(id))?;
        Ok(self
            .snap
            .dropouts(id, step, &q.window, q.within_ms())
            .into_iter()
            .map(|d| dropoff_row(d.person, d.reached_at))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_person_is_named_by_the_kind_of_their_key() {
        let r = dropoff_row("a:x1".into(), Ts(5));
        assert_eq!(r.person_id, "a:x1");
        assert_eq!(
            (r.user_id, r.anonymous_id.as_deref(), r.session_id),
            (None, Some("x1"), None)
        );
        assert_eq!(
            dropoff_row("u:7".into(), Ts(0)).user_id.as_deref(),
            Some("7")
        );
    }
}
