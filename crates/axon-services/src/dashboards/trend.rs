//! The trend widget (SPEC §5.2): PAGE_VIEW events per hour and per business day of the window.

use super::{Scope, View};
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use axon_domain::time::MS_PER_HOUR;
use axon_domain::Ts;
use axon_ports::aggregates::Bucket;
use serde::Serialize;

/// Events in the hour starting at `timestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    pub timestamp: Ts,
    pub count: u64,
}

impl From<Bucket> for Point {
    fn from(b: Bucket) -> Point {
        Point {
            timestamp: b.start,
            count: b.count,
        }
    }
}

/// Events on one business day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayCount {
    pub date: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendWidget {
    pub hourly: Vec<Point>,
    pub daily: Vec<DayCount>,
    pub definition: String,
}

impl View<'_> {
    /// Visits per hour of the window: a scope's attributed PAGE_VIEWs, or (global) every one.
    pub fn hourly_visits(&self, scope: Scope, w: &Window) -> Vec<Point> {
        let ids = match scope {
            Scope::Global => None,
            _ => Some(self.activity_ids(scope)),
        };
        self.snap
            .visit_buckets(ids.as_deref(), w, MS_PER_HOUR)
            .into_iter()
            .map(Point::from)
            .collect()
    }

    pub(crate) fn trend_widget(&self, ids: &[ActivityId], w: &Window) -> TrendWidget {
        let hourly: Vec<Point> = self
            .snap
            .visit_buckets(Some(ids), w, MS_PER_HOUR)
            .into_iter()
            .map(Point::from)
            .collect();
        let mut daily: Vec<DayCount> = Vec::new();
        for p in &hourly {
            let date = self.tz().date_string(p.timestamp);
            match daily.last_mut() {
                Some(last) if last.date == date => last.count += p.count,
                _ => daily.push(DayCount {
                    date,
                    count: p.count,
                }),
            }
        }
        TrendWidget {
            hourly,
            daily,
            definition: format!(
                "PAGE_VIEW events per hour and per business day, {}",
                self.window_label(w)
            ),
        }
    }
}
