//! The global overview (SPEC §5.3): totals over every campaign, the top 10 campaigns by GMV and
//! by visits, each campaign's efficiency, and hourly traffic of every page view.

use super::breakdown::Breakdown;
use super::error::ServiceResult;
use super::overview::Totals;
use super::trend::Point;
use super::{Scope, View};
use axon_domain::dimension::Dimension;
use axon_domain::metrics::Overview;
use axon_domain::model::{Campaign, CampaignId};
use axon_domain::period::{Period, Window};
use axon_domain::{Dec2, Ts};
use serde::Serialize;

/// One campaign's efficiency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CampaignRow {
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    pub budget: Dec2,
    pub gmv: Dec2,
    pub roas: Dec2,
    pub total_visits: u64,
    pub purchase_count: u64,
    pub conversion_rate: Dec2,
}

impl CampaignRow {
    fn new(c: &Campaign, o: &Overview) -> CampaignRow {
        CampaignRow {
            campaign_id: c.id,
            campaign_name: c.name.clone(),
            budget: o.budget,
            gmv: o.gmv,
            roas: o.roas,
            total_visits: o.total_visits,
            purchase_count: o.purchase_count,
            conversion_rate: o.conversion_rate,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GlobalData {
    pub totals: Totals,
    pub campaign_count: usize,
    pub activity_count: usize,
    pub top_campaigns_by_gmv: Vec<CampaignRow>,
    pub top_campaigns_by_visits: Vec<CampaignRow>,
    pub efficiency: Vec<CampaignRow>,
    pub hourly_traffic: Vec<Point>,
    pub definition: String,
    /// Every campaign's funnel and figures split by a dimension, when asked (`breakdown=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GlobalOverview {
    pub period: Period,
    pub start_date: Ts,
    pub end_date: Ts,
    pub timestamp: Ts,
    pub data: GlobalData,
}

impl View<'_> {
    /// The global overview of a window.
    pub fn global(&self, period: Period, w: &Window, now: Ts) -> GlobalOverview {
        let campaigns = self.snap.campaigns();
        let rows: Vec<CampaignRow> = campaigns
            .iter()
            .map(|c| CampaignRow::new(c, &self.figures(Scope::Campaign(c.id), w)))
            .collect();
        let top = |key: fn(&CampaignRow) -> (std::cmp::Reverse<i64>, CampaignId)| {
            let mut v = rows.clone();
            v.sort_by_key(key);
            v.truncate(10);
            v
        };
        GlobalOverview {
            period,
            start_date: w.start,
            end_date: w.end,
            timestamp: now,
            data: GlobalData {
                totals: self.totals(Scope::Global, w),
                campaign_count: campaigns.len(),
                activity_count: self.activity_ids(Scope::Global).len(),
                top_campaigns_by_gmv: top(|r| (std::cmp::Reverse(r.gmv.0), r.campaign_id)),
                top_campaigns_by_visits: top(|r| {
                    (
                        std::cmp::Reverse(i64::try_from(r.total_visits).unwrap_or(i64::MAX)),
                        r.campaign_id,
                    )
                }),
                efficiency: rows.clone(),
                hourly_traffic: self.hourly_visits(Scope::Global, w),
                definition: format!(
                    "all campaigns, {}; hourlyTraffic = every PAGE_VIEW event, attributed or not",
                    self.window_label(w)
                ),
                breakdown: None,
            },
        }
    }

    /// The global overview of a window, split by a dimension when one is asked.
    pub fn global_split(
        &self,
        period: Period,
        w: &Window,
        now: Ts,
        split: Option<Dimension>,
    ) -> ServiceResult<GlobalOverview> {
        let mut g = self.global(period, w, now);
        if let Some(d) = split {
            g.data.breakdown = Some(self.breakdown(&self.activity_ids(Scope::Global), d, w)?);
        }
        Ok(g)
    }
}
