//! The activity dashboard (SPEC §5.2): the requested widgets of one activity, in the REST
//! envelope.

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
use axon_domain::Ts;
use serde::Serialize;

/// The widgets asked for; the others are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActivityWidgets {
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
#[serde(rename_all = "camelCase")]
pub struct ActivityDashboard {
    pub activity_id: ActivityId,
    pub campaign_id: CampaignId,
    pub period: Period,
    pub start_date: Ts,
    pub end_date: Ts,
    pub timestamp: Ts,
    pub data: ActivityWidgets,
}

impl View<'_> {
    pub fn activity(&self, id: ActivityId, q: &Query) -> ServiceResult<ActivityDashboard> {
        let meta = self
            .snap
            .activity(id)
            .ok_or_else(|| ServiceError::activity_not_found(id))?;
        let ids = [id];
        let scope = format!("activity {id}");
        let mut data = ActivityWidgets::default();
        for w in &q.widgets {
            match w {
                Widget::Overview => {
                    data.overview =
                        Some(self.overview_widget(&ids, meta.budget, &q.window, &scope));
                }
                Widget::Funnel => data.funnel = Some(self.funnel_widget(&ids, q, &scope)),
                Widget::Comparison => {
                    data.comparison = Some(self.comparison(Scope::Activity(id), &q.window));
                }
                Widget::Realtime => data.realtime = Some(self.realtime_of(&ids, q.now)),
                Widget::Trend => data.trend = Some(self.trend_widget(&ids, &q.window)),
                Widget::Activities | Widget::Heatmap => {}
            }
        }
        if let Some(d) = q.breakdown {
            data.breakdown = Some(self.breakdown(&ids, d, &q.window)?);
        }
        Ok(ActivityDashboard {
            activity_id: id,
            campaign_id: meta.campaign_id,
            period: q.period,
            start_date: q.window.start,
            end_date: q.window.end,
            timestamp: q.now,
            data,
        })
    }
}
