//! The campaign dashboard (SPEC §5.3): the activity widgets summed over the campaign's
//! activities, plus the activities table and the hour × weekday heatmap.

use super::activity::Widgets;
use super::error::{ServiceError, ServiceResult};
use super::request::{Query, Widget};
use super::{Scope, View};
use axon_domain::model::{Activity, ActivityId, ActivityStatus, ActivityType, CampaignId};
use axon_domain::period::{Period, Window};
use axon_domain::time::MS_PER_HOUR;
use axon_domain::{Dec2, Ts};
use serde::Serialize;

/// One row of the activities table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivityRow {
    pub activity_id: ActivityId,
    pub activity_name: String,
    pub activity_type: ActivityType,
    pub status: ActivityStatus,
    pub category: Option<String>,
    pub total_visits: u64,
    pub total_participants: u64,
    pub approved_count: u64,
    pub purchase_count: u64,
    pub gmv: Dec2,
    pub engagement_rate: Dec2,
    pub conversion_rate: Dec2,
    pub roas: Dec2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourCount {
    pub hour: usize,
    pub count: u64,
}

/// Visits by business hour of day and by weekday (Monday first) × hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Heatmap {
    pub by_hour: Vec<HourCount>,
    pub by_weekday_hour: [[u64; 24]; 7],
    pub weekdays: [&'static str; 7],
    pub definition: String,
}

/// The activity widgets summed over the campaign, and the campaign's own two.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignWidgets {
    #[serde(flatten)]
    pub widgets: Widgets,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities: Option<Vec<ActivityRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heatmap: Option<Heatmap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CampaignDashboard {
    pub campaign_id: CampaignId,
    pub period: Period,
    pub start_date: Ts,
    pub end_date: Ts,
    pub timestamp: Ts,
    /// The notes within the window on this scope and its family (an activity's campaign, a
    /// campaign's activities), by time: the markers of the page's time charts.
    pub annotations: Vec<axon_domain::annotation::Annotation>,
    /// The widgets; serialised last (the answer cache splices cached widgets in here).
    pub data: CampaignWidgets,
}

impl View<'_> {
    pub fn campaign(&self, id: CampaignId, q: &Query) -> ServiceResult<CampaignDashboard> {
        self.snap
            .campaign(id)
            .ok_or_else(|| ServiceError::campaign_not_found(id))?;
        let acts = self.snap.campaign_activities(id);
        let ids: Vec<ActivityId> = acts.iter().map(|a| a.id).collect();
        let w = &q.window;
        let budget = self.campaign_budget(id);
        let data = CampaignWidgets {
            widgets: self.widgets(Scope::Campaign(id), &ids, budget, q)?,
            activities: q
                .widgets
                .contains(&Widget::Activities)
                .then(|| acts.iter().map(|a| self.activity_row(a, w)).collect()),
            heatmap: q
                .widgets
                .contains(&Widget::Heatmap)
                .then(|| self.heatmap(&ids, w)),
        };
        Ok(CampaignDashboard {
            campaign_id: id,
            period: q.period,
            start_date: w.start,
            end_date: w.end,
            timestamp: q.now,
            data,
            annotations: Vec::new(),
        })
    }

    fn activity_row(&self, a: &Activity, w: &Window) -> ActivityRow {
        let o = self.figures_of(&[a.id], a.budget, w);
        ActivityRow {
            activity_id: a.id,
            activity_name: a.name.clone(),
            activity_type: a.activity_type,
            status: a.status,
            category: a
                .product_id
                .and_then(|p| self.snap.product(p))
                .and_then(|p| p.category),
            total_visits: o.total_visits,
            total_participants: o.total_participants,
            approved_count: o.approved_count,
            purchase_count: o.purchase_count,
            gmv: o.gmv,
            engagement_rate: o.engagement_rate,
            conversion_rate: o.conversion_rate,
            roas: o.roas,
        }
    }

    fn heatmap(&self, ids: &[ActivityId], w: &Window) -> Heatmap {
        let tz = self.tz();
        let mut by_hour = [0u64; 24];
        let mut grid = [[0u64; 24]; 7];
        for b in self.snap.visit_buckets(Some(ids), w, MS_PER_HOUR) {
            if b.count > 0 {
                let (h, d) = (
                    usize::from(tz.hour_of_day(b.start)),
                    usize::from(tz.weekday(b.start)),
                );
                by_hour[h] += b.count;
                grid[d][h] += b.count;
            }
        }
        Heatmap {
            by_hour: by_hour
                .iter()
                .enumerate()
                .map(|(hour, count)| HourCount {
                    hour,
                    count: *count,
                })
                .collect(),
            by_weekday_hour: grid,
            weekdays: ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"],
            definition: format!(
                "PAGE_VIEW events by business hour of day and weekday ({}), {}",
                tz.name(),
                self.window_label(w)
            ),
        }
    }
}
