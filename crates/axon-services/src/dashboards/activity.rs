//! The activity dashboard (SPEC §5.2): the requested widgets of one activity, in the REST
//! envelope; the widget set it shares with the campaign dashboard.

use super::comparison::Comparison;
use super::error::{ServiceError, ServiceResult};
use super::funnel::FunnelWidget;
use super::overview::OverviewWidget;
use super::realtime::Realtime;
use super::request::{Query, Widget};
use super::trend::TrendWidget;
use super::{Breakdown, Scope, View};
use axon_domain::model::{ActivityId, CampaignId};
use axon_domain::period::Period;
use axon_domain::{Dec2, Ts};
use serde::Serialize;

/// The widgets of an activity (and of a campaign) asked for; the others are left out of the
/// JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Widgets {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overview: Option<OverviewWidget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funnel: Option<FunnelWidget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realtime: Option<Realtime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<TrendWidget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivityDashboard {
    pub activity_id: ActivityId,
    pub campaign_id: CampaignId,
    pub period: Period,
    pub start_date: Ts,
    pub end_date: Ts,
    pub timestamp: Ts,
    /// Whether anything was ever collected for the activity (any event, entry or promotion
    /// purchase, at any time): false before its shop sends the first event, when the page
    /// shows how to install the tracker instead of charts of zeros.
    pub has_data: bool,
    /// The notes within the window on this scope and its family (an activity's campaign, a
    /// campaign's activities), by time: the markers of the page's time charts.
    pub annotations: Vec<axon_domain::annotation::Annotation>,
    /// The widgets; serialised last (the answer cache splices cached widgets in here).
    pub data: Widgets,
}

impl View<'_> {
    pub fn activity(&self, id: ActivityId, q: &Query) -> ServiceResult<ActivityDashboard> {
        let meta = self
            .snap
            .activity(id)
            .ok_or_else(|| ServiceError::activity_not_found(id))?;
        Ok(ActivityDashboard {
            activity_id: id,
            campaign_id: meta.campaign_id,
            period: q.period,
            start_date: q.window.start,
            end_date: q.window.end,
            timestamp: q.now,
            has_data: self.snap.has_records(id),
            data: self.widgets(Scope::Activity(id), &[id], meta.budget, q)?,
            annotations: Vec::new(),
        })
    }

    /// The asked widgets of the activities `ids` of a scope (and its breakdown, if asked).
    pub(crate) fn widgets(
        &self,
        scope: Scope,
        ids: &[ActivityId],
        budget: Dec2,
        q: &Query,
    ) -> ServiceResult<Widgets> {
        let label = match scope {
            Scope::Activity(id) => format!("activity {id}"),
            Scope::Campaign(id) => format!("the {} activities of campaign {id}", ids.len()),
            Scope::Global => "all campaigns".to_string(),
        };
        let w = &q.window;
        let mut data = Widgets::default();
        for widget in &q.widgets {
            match widget {
                Widget::Overview => {
                    data.overview = Some(self.overview_widget(ids, budget, w, &label));
                }
                Widget::Funnel => data.funnel = Some(self.funnel_widget(ids, q, &label)),
                Widget::Comparison => data.comparison = Some(self.comparison(scope, w)),
                Widget::Realtime => data.realtime = Some(self.realtime_of(ids, q.now)),
                Widget::Trend => data.trend = Some(self.trend_widget(ids, w)),
                Widget::Activities | Widget::Heatmap => {}
            }
        }
        if let Some(d) = q.breakdown {
            data.breakdown = Some(self.breakdown(ids, d, w)?);
        }
        Ok(data)
    }
}
