//! The event aggregates of the raw-aggregates port (`axon_ports::aggregates::Aggregates`),
//! computed in ClickHouse with the engine's definitions: half-open windows on the time the
//! event occurred, bots left out, distinct persons with linked anonymous ids resolved and
//! unions over the activities asked.

use crate::sql::{activity_filter, persons_query, COUNTED, EVENTS};
use crate::{ChError, ClickHouse};
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::Bucket;
use clickhouse::Row;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Row, Deserialize)]
struct BucketRow {
    k: i64,
    n: u64,
}

fn window(w: &Window) -> String {
    format!("ts >= {} AND ts < {}", w.start.0, w.end.0)
}

impl ClickHouse {
    /// Events of one trigger type attributed to the activities.
    pub async fn event_count(
        &self,
        activities: &[ActivityId],
        trigger: TriggerType,
        w: &Window,
    ) -> Result<u64, ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT count() FROM {EVENTS} WHERE {COUNTED} AND {acts} AND trigger = '{}' AND {}",
            trigger.as_str(),
            window(w)
        );
        self.number(&sql).await
    }

    /// PAGE_VIEW events per bucket of `bucket_ms`, the first starting at `w.start` rounded down
    /// to a multiple of `bucket_ms`, clipped to the window; `None`: every page view.
    pub async fn visit_buckets(
        &self,
        activities: Option<&[ActivityId]>,
        w: &Window,
        bucket_ms: i64,
    ) -> Result<Vec<Bucket>, ChError> {
        if bucket_ms <= 0 {
            return Err(ChError::Schema(format!("bucket of {bucket_ms} ms")));
        }
        let from = w.start.0.div_euclid(bucket_ms) * bucket_ms;
        let scope = match activities.map(activity_filter) {
            None => Some("1".to_string()),
            Some(f) => f,
        };
        let mut counts = HashMap::new();
        if let Some(scope) = scope {
            let sql = format!(
                "SELECT intDiv(ts - {from}, {bucket_ms}) AS k, count() AS n FROM {EVENTS} \
                 WHERE {COUNTED} AND {scope} AND trigger = 'PAGE_VIEW' AND {} GROUP BY k",
                window(w)
            );
            for r in self.query(&sql).fetch_all::<BucketRow>().await? {
                counts.insert(r.k, r.n);
            }
        }
        let mut out = Vec::new();
        let (mut t, mut k) = (from, 0i64);
        while t < w.end.0 {
            out.push(Bucket {
                start: Ts(t),
                count: counts.get(&k).copied().unwrap_or(0),
            });
            t += bucket_ms;
            k += 1;
        }
        Ok(out)
    }

    /// Distinct persons with any event attributed to the activities.
    pub async fn active_persons(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<u64, ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok(0);
        };
        let sql = persons_query(&format!("{acts} AND {}", window(w)));
        self.number(&sql).await
    }
}
