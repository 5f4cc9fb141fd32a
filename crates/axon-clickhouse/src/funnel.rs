//! The ordered funnel and its drop-offs (`Aggregates::ordered_funnel`, `dropouts`) in
//! ClickHouse, with the engine's greedy earliest match: per activity and canonical person, the
//! first visit in the window, then the earliest engagement at or after it, the earliest approval
//! at or after that, the earliest purchase at or after that — each, with a conversion window,
//! within that many milliseconds of the first visit. Written with arrays and lambdas, which
//! ClickHouse 18.16 has (its `windowFunnel` takes whole seconds, the conversion window here is
//! in milliseconds).

use crate::sql::{activity_filter, links_join, COUNTED, ENTRIES, EVENT_ROWS, PERSON};
use crate::{ChError, ClickHouse};
use axon_domain::model::{ActivityId, FunnelStep};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{Dropout, OrderedFunnel};
use clickhouse::Row;
use serde::Deserialize;

#[derive(Row, Deserialize)]
struct Totals {
    u0: u64,
    u1: u64,
    u2: u64,
    u3: u64,
    s1: Vec<i64>,
    s2: Vec<i64>,
    s3: Vec<i64>,
}

/// Read by position (RowBinary): the person, the time they reached the step, then every step
/// column (see [`ClickHouse::dropouts`]).
#[derive(Row, Deserialize)]
#[allow(dead_code)]
struct DropRow {
    p: String,
    t: i64,
    t0: i64,
    t1: i64,
    t2: i64,
    t3: i64,
    h1: u8,
    h2: u8,
    h3: u8,
}

/// One row per (activity, canonical person) who visited in the window: `t0` the first visit,
/// `hK` whether step K was reached in order, `tK` when.
fn matches(acts: &str, w: &Window, within_ms: Option<i64>) -> String {
    let (s, e) = (w.start.0, w.end.0);
    let within = within_ms.map_or(String::new(), |h| format!(" AND x - t0 <= {h}"));
    let steps = format!(
        "{acts} AND trigger IN ('PAGE_VIEW', 'CLICK', 'PURCHASE') AND ts >= {s} AND ts < {e}"
    );
    let records = format!(
        "SELECT activity_id, {PERSON} AS p, ts, step FROM (\
           SELECT activity_id, user_id, anonymous_id, session_id, ts, \
             multiIf(trigger = 'PAGE_VIEW', 0, trigger = 'CLICK', 1, 3) AS step \
           FROM {EVENT_ROWS} WHERE {COUNTED} AND {steps}) {links} \
         UNION ALL \
         SELECT activity_id, concat('u:', user_id) AS p, requested_at AS ts, toUInt8(2) AS step \
         FROM {ENTRIES} WHERE {acts} AND status != 'REJECTED' \
           AND requested_at >= {s} AND requested_at < {e}",
        links = links_join(&steps)
    );
    format!(
        "SELECT activity_id, p, t0, \
           arrayFilter(x -> x >= t0{within}, v1) AS c1, length(c1) > 0 AS h1, \
           arrayReduce('min', c1) AS t1, \
           arrayFilter(x -> h1 AND x >= t1{within}, v2) AS c2, length(c2) > 0 AS h2, \
           arrayReduce('min', c2) AS t2, \
           arrayFilter(x -> h2 AND x >= t2{within}, v3) AS c3, length(c3) > 0 AS h3, \
           arrayReduce('min', c3) AS t3 \
         FROM (SELECT activity_id, p, groupArrayIf(ts, step = 0) AS v0, \
                 groupArrayIf(ts, step = 1) AS v1, groupArrayIf(ts, step = 2) AS v2, \
                 groupArrayIf(ts, step = 3) AS v3, arrayReduce('min', v0) AS t0 \
               FROM ({records}) GROUP BY activity_id, p HAVING length(v0) > 0)"
    )
}

impl ClickHouse {
    /// The ordered funnel summed over the activities (step 1: each activity's distinct
    /// visitors).
    pub async fn ordered_funnel(
        &self,
        activities: &[ActivityId],
        w: &Window,
        within_ms: Option<i64>,
    ) -> Result<OrderedFunnel, ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok(OrderedFunnel::default());
        };
        let sql = format!(
            "SELECT count() AS u0, countIf(h1) AS u1, countIf(h2) AS u2, countIf(h3) AS u3, \
               groupArrayIf(intDiv(t1 - t0, 1000), h1) AS s1, \
               groupArrayIf(intDiv(t2 - t1, 1000), h2) AS s2, \
               groupArrayIf(intDiv(t3 - t2, 1000), h3) AS s3 \
             FROM ({})",
            matches(&acts, w, within_ms)
        );
        let t = self.query(&sql).fetch_one::<Totals>().await?;
        Ok(OrderedFunnel {
            users: [t.u0, t.u1, t.u2, t.u3],
            seconds_to_convert: [t.s1, t.s2, t.s3],
        })
    }

    /// Persons of the activity's ordered funnel who reached `step` and not the next, earliest
    /// first (ties by person key); none for PURCHASE.
    pub async fn dropouts(
        &self,
        activity: ActivityId,
        step: FunnelStep,
        w: &Window,
        within_ms: Option<i64>,
    ) -> Result<Vec<Dropout>, ChError> {
        let (reached, missed) = match step {
            FunnelStep::Visit => ("t0", "NOT h1"),
            FunnelStep::Engage => ("t1", "h1 AND NOT h2"),
            FunnelStep::Qualify => ("t2", "h2 AND NOT h3"),
            FunnelStep::Purchase => return Ok(Vec::new()),
        };
        let Some(acts) = activity_filter(&[activity]) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            // Every step column is selected: 18.16 prunes the columns an outer query does not
            // ask for before it resolves the lambdas that use them (`t1` needs `t0`).
            "SELECT p, {reached}, t0, t1, t2, t3, h1, h2, h3 FROM ({}) WHERE {missed} \
             ORDER BY {reached}, p",
            matches(&acts, w, within_ms)
        );
        Ok(self
            .query(&sql)
            .fetch_all::<DropRow>()
            .await?
            .into_iter()
            .map(|r| Dropout {
                person: r.p,
                reached_at: Ts(r.t),
            })
            .collect())
    }
}
