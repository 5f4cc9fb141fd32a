//! The events table: stored behaviour events written in batches, keyed by the event store's
//! sequence number.

use crate::{ChError, ClickHouse};
use axon_domain::event::Event;
use axon_domain::Ts;
use clickhouse::Row;
use serde::Serialize;

/// Rows per INSERT statement.
pub const INSERT_BATCH: usize = 100_000;

/// One row of `events` (the column order of migration 1).
#[derive(Debug, Row, Serialize)]
pub(crate) struct EventRow<'a> {
    seq: u64,
    ts: i64,
    received_at: i64,
    trigger: &'a str,
    activity_id: i64,
    campaign_id: i64,
    user_id: &'a str,
    anonymous_id: &'a str,
    session_id: &'a str,
    bot: u8,
    event_id: &'a str,
    event_name: &'a str,
    page_url: &'a str,
    referrer: &'a str,
    user_agent: &'a str,
    properties: String,
}

/// One row of `identity_links` (migration 4).
#[derive(Debug, Row, Serialize)]
struct LinkRow<'a> {
    anonymous_id: &'a str,
    user_id: &'a str,
    seq: u64,
}

impl<'a> EventRow<'a> {
    pub(crate) fn of(seq: u64, e: &'a Event) -> EventRow<'a> {
        let s = |v: &'a Option<String>| v.as_deref().unwrap_or("");
        EventRow {
            seq,
            ts: e.occurred_at.0,
            received_at: e.received_at.0,
            trigger: e.trigger_type.as_str(),
            activity_id: e.activity_id.unwrap_or(0),
            campaign_id: e.campaign_id.unwrap_or(0),
            user_id: s(&e.user_id),
            anonymous_id: s(&e.anonymous_id),
            session_id: s(&e.session_id),
            bot: u8::from(e.bot),
            event_id: s(&e.event_id),
            event_name: s(&e.event_name),
            page_url: s(&e.page_url),
            referrer: s(&e.referrer),
            user_agent: s(&e.user_agent),
            properties: serde_json::Value::Object(e.properties.clone()).to_string(),
        }
    }
}

impl ClickHouse {
    /// Writes stored events with their sequence numbers. Writing the same (seq, event) again —
    /// a retried or redelivered batch — changes no answer (see the crate's "Exactness").
    pub async fn insert_events(&self, events: &[(u64, Event)]) -> Result<(), ChError> {
        let rows = events
            .iter()
            .map(|(seq, e)| EventRow::of(*seq, e))
            .collect();
        self.insert_event_rows(rows).await
    }

    /// Writes the rows, then the identity links they carry (`identity_links`). A batch that
    /// fails midway is written again whole: both tables fold what was written twice.
    pub(crate) async fn insert_event_rows(&self, rows: Vec<EventRow<'_>>) -> Result<(), ChError> {
        for chunk in rows.chunks(INSERT_BATCH) {
            let mut insert = self.client().insert::<EventRow<'_>>("events").await?;
            for row in chunk {
                insert.write(row).await?;
            }
            insert.end().await?;
            let links: Vec<LinkRow<'_>> = chunk
                .iter()
                .filter(|r| r.bot == 0 && !r.user_id.is_empty() && !r.anonymous_id.is_empty())
                .map(|r| LinkRow {
                    anonymous_id: r.anonymous_id,
                    user_id: r.user_id,
                    seq: r.seq,
                })
                .collect();
            if !links.is_empty() {
                let mut insert = self
                    .client()
                    .insert::<LinkRow<'_>>("identity_links")
                    .await?;
                for l in &links {
                    insert.write(l).await?;
                }
                insert.end().await?;
            }
        }
        Ok(())
    }

    /// The newest event time written, if any.
    pub async fn latest_event(&self) -> Result<Option<Ts>, ChError> {
        let (n, t) = self
            .client
            .query("SELECT count(), max(ts) FROM events")
            .fetch_one::<(u64, i64)>()
            .await?;
        Ok((n > 0).then_some(Ts(t)))
    }

    /// The highest sequence number written (0 when none).
    pub async fn max_seq(&self) -> Result<u64, ChError> {
        Ok(self
            .client()
            .query("SELECT max(seq) FROM events")
            .fetch_one::<u64>()
            .await?)
    }

    /// Rows in the table before deduplication (what a merge has not folded yet is counted).
    pub async fn raw_rows(&self) -> Result<u64, ChError> {
        Ok(self
            .client()
            .query("SELECT count() FROM events")
            .fetch_one::<u64>()
            .await?)
    }
}
