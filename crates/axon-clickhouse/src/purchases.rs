//! Purchases in a window with a count per day, and cohorts (`Aggregates::purchases`,
//! `cohort`) in ClickHouse, with the engine's definitions: promotion purchases of activities
//! or normal (SHOP) purchases of products; a cohort member is a user whose first promotion
//! purchase of the activities falls in the window, with every purchase of theirs from then on.

use crate::sql::{activity_filter, id_list, PURCHASES};
use crate::{ChError, ClickHouse};
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use axon_ports::aggregates::{CohortMember, CohortPurchase, PurchaseSeries, PurchaseSet};
use clickhouse::Row;
use serde::Deserialize;

#[derive(Row, Deserialize)]
struct DayRow {
    /// How many day starts are at or before the purchase (0: before the first day;
    /// `arrayCount` answers a UInt32).
    k: u32,
    n: u64,
    revenue: i64,
}

#[derive(Row, Deserialize)]
struct CohortRow {
    user_id: String,
    first: i64,
    at: i64,
    revenue: i64,
}

impl ClickHouse {
    /// Purchases in the window, counted per day of `day_starts` (ascending).
    pub async fn purchases(
        &self,
        set: PurchaseSet<'_>,
        w: &Window,
        day_starts: &[Ts],
    ) -> Result<PurchaseSeries, ChError> {
        let mut out = PurchaseSeries {
            per_day: vec![0; day_starts.len()],
            ..PurchaseSeries::default()
        };
        let scope = match set {
            PurchaseSet::Promotion(ids) => {
                activity_filter(ids).map(|f| format!("promo = 1 AND {f}"))
            }
            PurchaseSet::Normal(products) => {
                id_list(products).map(|l| format!("promo = 0 AND product_id IN ({l})"))
            }
        };
        let Some(scope) = scope else {
            return Ok(out);
        };
        let days = day_starts
            .iter()
            .map(|d| d.0.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        // `arrayCount` over an empty array needs its element type: cast the literal.
        let sql = format!(
            "SELECT arrayCount(d -> d <= purchased_at, CAST([{days}] AS Array(Int64))) AS k, \
             count() AS n, sum(revenue) AS revenue FROM {PURCHASES} \
             WHERE {scope} AND purchased_at >= {} AND purchased_at < {} GROUP BY k",
            w.start.0, w.end.0
        );
        for r in self.query(&sql).fetch_all::<DayRow>().await? {
            out.count += r.n;
            out.revenue += Dec2(r.revenue);
            if let Some(n) = (r.k as usize)
                .checked_sub(1)
                .and_then(|d| out.per_day.get_mut(d))
            {
                *n += r.n;
            }
        }
        Ok(out)
    }

    /// The cohort of users whose first promotion purchase of the activities falls in `w`,
    /// earliest first, each with every purchase of theirs from that one on, in time order.
    pub async fn cohort(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<Vec<CohortMember>, ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT user_id, first, purchased_at AS at, revenue FROM {PURCHASES} \
             ALL INNER JOIN (SELECT user_id, min(purchased_at) AS first FROM {PURCHASES} \
               WHERE promo = 1 AND {acts} GROUP BY user_id \
               HAVING first >= {} AND first < {}) USING user_id \
             WHERE purchased_at >= first ORDER BY first, user_id, at, id",
            w.start.0, w.end.0
        );
        let rows = self.query(&sql).fetch_all::<CohortRow>().await?;
        let mut out: Vec<CohortMember> = Vec::new();
        let mut current: Option<String> = None;
        for r in rows {
            if current.as_deref() != Some(r.user_id.as_str()) {
                out.push(CohortMember {
                    first: Ts(r.first),
                    purchases: Vec::new(),
                });
                current = Some(r.user_id);
            }
            if let Some(m) = out.last_mut() {
                m.purchases.push(CohortPurchase {
                    at: Ts(r.at),
                    value: Dec2(r.revenue),
                });
            }
        }
        Ok(out)
    }
}
