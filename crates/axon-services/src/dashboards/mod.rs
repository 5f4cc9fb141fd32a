//! The Dashboards service (SPEC §5, §6): every widget — overview, funnel, comparison, realtime,
//! trend, activities table, heatmap, breakdown, drop-off — and the activity, campaign and global
//! dashboards and cohorts, composed as typed answers from one analytics snapshot, the FCFS
//! gate's stock levels and the domain's formulas. The answers serialise to the API's JSON.
//!
//! A [`View`] reads one snapshot for a whole answer, so its widgets never mix two moments; the
//! [`Dashboards`] shorthands take a fresh view per call. "Now" is always passed in.

mod activity;
mod breakdown;
mod cached;
mod campaign;
mod cohort;
mod comparison;
mod error;
pub mod export;
mod funnel;
mod global;
mod overview;
mod realtime;
mod request;
mod trend;

pub use activity::{ActivityDashboard, Widgets};
pub use breakdown::{Breakdown, BreakdownRow};
pub use cached::{answer_key, Versions, TTL as CACHE_TTL};
pub use campaign::{ActivityRow, CampaignDashboard, CampaignWidgets, Heatmap, HourCount};
pub use cohort::{
    ActivityCohort, CampaignCohort, CohortRow, LtvWindows, MonthRow, Retention, WindowState,
};
pub use comparison::{Comparison, DailySales, Sales, SalesTotals};
pub use error::{ServiceError, ServiceResult};
pub use export::events::EventPages;
pub use funnel::{DropoffPage, DropoffRow, FunnelWidget, Ordered, StepRow, StepTiming};
pub use global::{CampaignRow, GlobalData, GlobalOverview};
pub use overview::{OverviewWidget, Totals};
pub use realtime::Realtime;
pub use request::{
    breakdown, cohort_window, dropoff_page, dropoff_step, query, weekly, window, ExportFormat,
    Query, Request, Widget, ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS, PARQUET_MEDIA_TYPE,
};
pub use trend::{DayCount, Point, TrendWidget};

use axon_domain::metrics::campaign_budget;
use axon_domain::model::{ActivityId, CampaignId};
use axon_domain::period::Window;
use axon_domain::{BusinessTz, Dec2};
use axon_ports::aggregates::{AnalyticsSource, RawEvents, Snapshot, StockLevels};
use std::sync::Arc;

/// What a figure is about: everything, one campaign, or one activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Campaign(CampaignId),
    Activity(ActivityId),
}

/// The service: where snapshots, stock levels and raw events come from, and the business zone.
pub struct Dashboards {
    source: Arc<dyn AnalyticsSource>,
    stock: Arc<dyn StockLevels>,
    raw: Option<Arc<dyn RawEvents>>,
    tz: BusinessTz,
    /// Where cohort windows' dates may lie.
    horizon: axon_domain::Horizon,
    /// The shared answer cache (several nodes on Redis; `cached`), if any.
    cache: Option<Arc<dyn axon_ports::cache::AnswerCache>>,
}

impl Dashboards {
    pub fn new(
        source: Arc<dyn AnalyticsSource>,
        stock: Arc<dyn StockLevels>,
        tz: BusinessTz,
    ) -> Dashboards {
        Dashboards {
            source,
            stock,
            raw: None,
            horizon: axon_domain::Horizon::default(),
            tz,
            cache: None,
        }
    }

    /// Serves cacheable answers through `cache` (module `cached`).
    pub fn with_cache(mut self, cache: Arc<dyn axon_ports::cache::AnswerCache>) -> Dashboards {
        self.cache = Some(cache);
        self
    }

    /// Enables breakdowns, which split raw events and profiles.
    pub fn with_raw_events(mut self, raw: Arc<dyn RawEvents>) -> Dashboards {
        self.raw = Some(raw);
        self
    }

    /// Bounds the dates cohort requests may name (the server's configured horizon).
    pub fn with_horizon(mut self, horizon: axon_domain::Horizon) -> Dashboards {
        self.horizon = horizon;
        self
    }

    pub fn horizon(&self) -> &axon_domain::Horizon {
        &self.horizon
    }

    pub fn tz(&self) -> &BusinessTz {
        &self.tz
    }

    /// A view of the current snapshot, for one answer.
    pub fn view(&self) -> View<'_> {
        View {
            service: self,
            snap: self.source.snapshot(),
        }
    }
}

/// One snapshot, read for one answer.
pub struct View<'a> {
    service: &'a Dashboards,
    snap: Arc<dyn Snapshot>,
}

impl View<'_> {
    /// The snapshot's aggregates and catalogue.
    pub fn snapshot(&self) -> &dyn Snapshot {
        &*self.snap
    }

    /// An answer composed from this view, unless a read of the snapshot failed (a remote
    /// analytics store that did not answer): then 503 `ANALYTICS_UNAVAILABLE`, never figures
    /// with holes in them.
    pub fn checked<T>(&self, answer: ServiceResult<T>) -> ServiceResult<T> {
        match self.snap.failure() {
            None => answer,
            Some(e) => {
                tracing::warn!(error = %e, "an analytics read failed; answering 503");
                Err(ServiceError::new(
                    crate::error::Kind::Unavailable,
                    "ANALYTICS_UNAVAILABLE",
                    format!("the analytics store did not answer: {e}"),
                ))
            }
        }
    }

    pub fn tz(&self) -> &BusinessTz {
        &self.service.tz
    }

    /// Whether breakdowns can be answered (a raw event source is configured).
    pub fn splits(&self) -> bool {
        self.service.raw.is_some()
    }

    /// The stored events of a scope's activities in the window, as pages of at most `page`
    /// events read one at a time (streamed exports): activity by activity, each in the order
    /// its events were stored.
    pub fn event_pages(&self, scope: Scope, w: &Window, page: usize) -> ServiceResult<EventPages> {
        let raw = self
            .service
            .raw
            .clone()
            .ok_or_else(|| ServiceError::internal("exports need a raw event source"))?;
        Ok(EventPages::new(raw, self.activity_ids(scope), *w, page))
    }

    /// "2026-11-11 00:00 – 2026-11-18 00:00 KST".
    pub fn window_label(&self, w: &Window) -> String {
        w.label(self.tz())
    }

    /// The activities a scope covers, by id: one, a campaign's, or every campaign's (global
    /// figures count the activities of known campaigns).
    pub fn activity_ids(&self, scope: Scope) -> Vec<ActivityId> {
        match scope {
            Scope::Activity(id) => vec![id],
            Scope::Campaign(id) => self.ids_of(id),
            Scope::Global => self
                .snap
                .campaigns()
                .iter()
                .flat_map(|c| self.ids_of(c.id))
                .collect(),
        }
    }

    fn ids_of(&self, campaign: CampaignId) -> Vec<ActivityId> {
        self.snap
            .campaign_activities(campaign)
            .iter()
            .map(|a| a.id)
            .collect()
    }

    /// The budget of a campaign: its own, or the sum of its activities' when it has none.
    pub fn campaign_budget(&self, id: CampaignId) -> Dec2 {
        let own = self.snap.campaign(id).map_or(Dec2::ZERO, |c| c.budget);
        campaign_budget(
            own,
            self.snap.campaign_activities(id).iter().map(|a| a.budget),
        )
    }

    /// The budget figures of a scope are measured against.
    pub fn budget(&self, scope: Scope) -> Dec2 {
        match scope {
            Scope::Activity(id) => self.snap.activity(id).map_or(Dec2::ZERO, |a| a.budget),
            Scope::Campaign(id) => self.campaign_budget(id),
            Scope::Global => self
                .snap
                .campaigns()
                .iter()
                .fold(Dec2::ZERO, |s, c| s + self.campaign_budget(c.id)),
        }
    }
}
