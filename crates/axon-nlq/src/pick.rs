//! The figure a metric names in each typed answer of the dashboards service: the overview, its
//! change, a breakdown row, a cohort. One match per answer type, so a metric is never looked up
//! by a string key.

use crate::parse::Metric;
use axon_domain::metrics::{Change, Overview};
use axon_domain::Dec2;
use axon_services::dashboards::{ActivityCohort, BreakdownRow};

fn n(v: u64) -> Dec2 {
    Dec2::from_int(i64::try_from(v).unwrap_or(i64::MAX))
}

impl Metric {
    /// The overview figure (window metrics only).
    pub fn of(self, o: &Overview) -> Option<Dec2> {
        Some(match self {
            Metric::Visits => n(o.total_visits),
            Metric::UniqueVisitors => n(o.unique_visitors),
            Metric::Participants => n(o.total_participants),
            Metric::Approvals => n(o.approved_count),
            Metric::Purchases => n(o.purchase_count),
            Metric::Gmv => o.gmv,
            Metric::ConversionRate => o.conversion_rate,
            Metric::EngagementRate => o.engagement_rate,
            Metric::Roas => o.roas,
            Metric::Aov => o.average_order_value,
            _ => return None,
        })
    }

    /// The figure's change against the previous window (`None` where that was 0).
    pub fn change_of(self, c: &Change) -> Option<Dec2> {
        match self {
            Metric::Visits => c.total_visits,
            Metric::UniqueVisitors => c.unique_visitors,
            Metric::Participants => c.total_participants,
            Metric::Approvals => c.approved_count,
            Metric::Purchases => c.purchase_count,
            Metric::Gmv => c.gmv,
            Metric::ConversionRate => c.conversion_rate,
            Metric::EngagementRate => c.engagement_rate,
            Metric::Roas => c.roas,
            Metric::Aov => c.average_order_value,
            _ => None,
        }
    }

    /// The figure of a breakdown row, for the metrics a row carries.
    pub fn of_row(self, r: &BreakdownRow) -> Option<Dec2> {
        Some(match self {
            Metric::Visits => n(r.total_visits),
            Metric::UniqueVisitors => n(r.unique_visitors),
            Metric::Participants => n(r.total_participants),
            Metric::Approvals => n(r.approved_count),
            Metric::Purchases => n(r.purchase_count),
            Metric::Gmv => r.gmv,
            Metric::ConversionRate => r.conversion_rate,
            Metric::EngagementRate => r.engagement_rate,
            _ => return None,
        })
    }

    /// Whether breakdown rows carry the figure (see [`Metric::of_row`]).
    pub fn per_row(self) -> bool {
        matches!(
            self,
            Metric::Visits
                | Metric::UniqueVisitors
                | Metric::Participants
                | Metric::Approvals
                | Metric::Purchases
                | Metric::Gmv
                | Metric::ConversionRate
                | Metric::EngagementRate
        )
    }

    /// The cohort figure (LTV family; the current LTV otherwise).
    pub fn of_cohort(self, co: &ActivityCohort) -> Dec2 {
        match self {
            Metric::Cac => co.avg_cac,
            Metric::LtvCac => co.ltv_cac_ratio_current,
            Metric::RepeatRate => co.repeat_purchase_rate,
            _ => co.ltv_current,
        }
    }
}

/// A count as a figure.
pub fn count_of(v: u64) -> Dec2 {
    n(v)
}
