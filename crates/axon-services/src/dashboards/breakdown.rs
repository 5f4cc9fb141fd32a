//! The breakdown (SPEC §5.2 `breakdown=`): funnel and overview figures split by one dimension,
//! from the raw events and profiles of the window (the raw event port) split by the aggregates.

use super::error::{ServiceError, ServiceResult};
use super::View;
use axon_domain::dimension::Dimension;
use axon_domain::metrics::rate;
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use axon_domain::Dec2;
use axon_ports::aggregates::SplitRow;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BreakdownRow {
    pub value: String,
    pub total_visits: u64,
    pub unique_visitors: u64,
    pub total_participants: u64,
    pub approved_count: u64,
    pub purchase_count: u64,
    pub gmv: Dec2,
    pub engagement_rate: Dec2,
    pub conversion_rate: Dec2,
    /// Visits, participants, approvals, purchases.
    pub funnel: [u64; 4],
}

impl From<SplitRow> for BreakdownRow {
    fn from(r: SplitRow) -> BreakdownRow {
        let [visits, clicks, approvals, purchases] = r.steps;
        BreakdownRow {
            value: r.value,
            total_visits: visits,
            unique_visitors: r.unique_visitors,
            total_participants: clicks,
            approved_count: approvals,
            purchase_count: purchases,
            gmv: r.gmv,
            engagement_rate: rate(clicks, visits),
            conversion_rate: rate(purchases, visits),
            funnel: r.steps,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub dimension: &'static str,
    pub rows: Vec<BreakdownRow>,
    pub definition: String,
}

impl View<'_> {
    /// Some activities' funnel split by a dimension over a window.
    pub fn breakdown(
        &self,
        ids: &[ActivityId],
        d: Dimension,
        w: &Window,
    ) -> ServiceResult<Breakdown> {
        let raw = self
            .service
            .raw
            .as_ref()
            .ok_or_else(|| ServiceError::internal("breakdowns need a raw event source"))?;
        let events = raw.activity_events(ids, w)?;
        let profiles = if d.from_profile() {
            let mut users: Vec<String> = events.iter().filter_map(|e| e.user_id.clone()).collect();
            users.sort_unstable();
            users.dedup();
            raw.profiles(&users)?
        } else {
            Vec::new()
        };
        let profiles: HashMap<_, _> = profiles
            .into_iter()
            .map(|p| (p.user_id.clone(), p))
            .collect();
        Ok(Breakdown {
            dimension: d.as_str(),
            rows: self
                .snap
                .split(ids, d, w, &events, &profiles)
                .into_iter()
                .map(BreakdownRow::from)
                .collect(),
            definition: format!(
                "activities {ids:?} split by {} (top 10 by visits, the rest as other); approvals and GMV are credited to the person's first touch in the window, {}",
                d.as_str(),
                self.window_label(w)
            ),
        })
    }
}
