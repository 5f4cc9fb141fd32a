//! What a breakdown (`Aggregates::split`) needs besides the raw events the service passes in:
//! the identity links of the anonymous ids among them, and the approvals and promotion
//! purchases in the window — read from ClickHouse; the split itself is the engine's shared
//! function (`axon_engine::breakdown::split`), so a breakdown means the same on both.

use crate::sql::{activity_filter, COUNTED, ENTRIES, EVENT_ROWS, PURCHASES};
use crate::{ChError, ClickHouse};
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use std::collections::HashMap;

/// The inputs of a split from ClickHouse.
#[derive(Debug, Default)]
pub struct SplitInputs {
    /// Anonymous id → the user it is linked to (the latest link).
    pub links: HashMap<String, String>,
    /// The person key (`u:…`) of each approval in the window.
    pub approvals: Vec<String>,
    /// The person key and revenue (hundredths) of each promotion purchase in the window.
    pub promo: Vec<(String, i64)>,
}

impl SplitInputs {
    /// A person key's canonical person: a linked anonymous id is its user.
    pub fn canon(&self, key: &str) -> String {
        key.strip_prefix("a:")
            .and_then(|anon| self.links.get(anon))
            .map_or_else(|| key.to_string(), |user| format!("u:{user}"))
    }
}

impl ClickHouse {
    pub async fn split_inputs(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<SplitInputs, ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok(SplitInputs::default());
        };
        let (s, e) = (w.start.0, w.end.0);
        let links = self
            .query(&format!(
                "SELECT anonymous_id, argMax(user_id, seq) FROM identity_links \
                 WHERE anonymous_id IN (SELECT anonymous_id FROM {EVENT_ROWS} WHERE {COUNTED} \
                 AND {acts} AND ts >= {s} AND ts < {e} AND anonymous_id != '') \
                 GROUP BY anonymous_id"
            ))
            .fetch_all::<(String, String)>()
            .await?;
        let approvals = self
            .query(&format!(
                "SELECT concat('u:', user_id) FROM {ENTRIES} WHERE {acts} \
                 AND status != 'REJECTED' AND requested_at >= {s} AND requested_at < {e}"
            ))
            .fetch_all::<String>()
            .await?;
        let promo = self
            .query(&format!(
                "SELECT concat('u:', user_id), revenue FROM {PURCHASES} WHERE promo = 1 \
                 AND {acts} AND purchased_at >= {s} AND purchased_at < {e}"
            ))
            .fetch_all::<(String, i64)>()
            .await?;
        Ok(SplitInputs {
            links: links.into_iter().collect(),
            approvals,
            promo,
        })
    }
}
