//! The overview widget (SPEC §5.2): the window's figures, the previous window's, and the change
//! between them; plus the plain figures of a scope (for rankings).

use super::{Scope, View};
use axon_domain::metrics::{change, overview, Change, Overview};
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use axon_domain::Dec2;
use serde::Serialize;

/// A window's figures with the previous window's and the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    #[serde(flatten)]
    pub current: Overview,
    pub previous: Overview,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverviewWidget {
    #[serde(flatten)]
    pub totals: Totals,
    pub definition: String,
}

impl View<'_> {
    /// The figures of some activities in a window against a budget.
    pub fn figures_of(&self, ids: &[ActivityId], budget: Dec2, w: &Window) -> Overview {
        overview(&self.snap.counts(ids, w), budget)
    }

    /// The figures of a scope in a window.
    pub fn figures(&self, scope: Scope, w: &Window) -> Overview {
        self.figures_of(&self.activity_ids(scope), self.budget(scope), w)
    }

    pub(crate) fn totals_of(&self, ids: &[ActivityId], budget: Dec2, w: &Window) -> Totals {
        let current = self.figures_of(ids, budget, w);
        let previous = self.figures_of(ids, budget, &w.previous());
        Totals {
            change: change(&current, &previous),
            current,
            previous,
        }
    }

    /// A scope's figures in a window, the previous window's and the change.
    pub fn totals(&self, scope: Scope, w: &Window) -> Totals {
        self.totals_of(&self.activity_ids(scope), self.budget(scope), w)
    }

    pub(crate) fn overview_widget(
        &self,
        ids: &[ActivityId],
        budget: Dec2,
        w: &Window,
        scope: &str,
    ) -> OverviewWidget {
        OverviewWidget {
            totals: self.totals_of(ids, budget, w),
            definition: format!(
                "visits = PAGE_VIEW events attributed to {scope}, {}; participants = CLICK events; approved = FCFS approvals granted in the window; purchases = PURCHASE events; gmv = Σ price × quantity of promotion purchases; roas = gmv ÷ budget × 100",
                self.window_label(w)
            ),
        }
    }
}
