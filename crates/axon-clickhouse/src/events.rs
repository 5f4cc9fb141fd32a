//! The events table: stored behaviour events written in batches, keyed by the event store's
//! sequence number.

use crate::{ChError, ClickHouse};
use axon_domain::event::Event;
use axon_domain::model::TriggerType;
use axon_domain::Ts;
use clickhouse::insert::Insert;
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Rows per INSERT statement.
pub const INSERT_BATCH: usize = 100_000;

/// One row of `events` (the column order of migration 1). Its text borrows from an [`Event`]
/// or from an event's stored JSON ([`EventRow::from_json`]).
#[derive(Debug, PartialEq, Row, Serialize)]
pub(crate) struct EventRow<'a> {
    seq: u64,
    ts: i64,
    received_at: i64,
    trigger: &'static str,
    activity_id: i64,
    campaign_id: i64,
    user_id: Cow<'a, str>,
    anonymous_id: Cow<'a, str>,
    session_id: Cow<'a, str>,
    bot: u8,
    event_id: Cow<'a, str>,
    event_name: Cow<'a, str>,
    page_url: Cow<'a, str>,
    referrer: Cow<'a, str>,
    user_agent: Cow<'a, str>,
    properties: Cow<'a, str>,
}

/// One row of `identity_links` (migration 4).
#[derive(Debug, Row, Serialize)]
struct LinkRow<'a> {
    anonymous_id: &'a str,
    user_id: &'a str,
    seq: u64,
}

/// Text read where the JSON holds it (a copy only when it has escapes).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// An [`Event`] as the store keeps it (its serde form, field for field), read without
/// building the event: the bulk load's path.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredEvent<'a> {
    #[serde(borrow)]
    event_id: Option<Text<'a>>,
    #[serde(borrow)]
    event_name: Option<Text<'a>>,
    trigger_type: TriggerType,
    #[serde(borrow)]
    user_id: Option<Text<'a>>,
    #[serde(borrow)]
    anonymous_id: Option<Text<'a>>,
    #[serde(borrow)]
    session_id: Option<Text<'a>>,
    #[serde(borrow)]
    page_url: Option<Text<'a>>,
    #[serde(borrow)]
    referrer: Option<Text<'a>>,
    #[serde(borrow)]
    user_agent: Option<Text<'a>>,
    occurred_at: Ts,
    received_at: Ts,
    #[serde(borrow)]
    properties: &'a RawValue,
    activity_id: Option<i64>,
    campaign_id: Option<i64>,
    #[serde(default)]
    bot: bool,
}

fn text(t: Option<Text<'_>>) -> Cow<'_, str> {
    t.map_or(Cow::Borrowed(""), |t| t.0)
}

impl<'a> EventRow<'a> {
    pub(crate) fn of(seq: u64, e: &'a Event) -> EventRow<'a> {
        let s = |v: &'a Option<String>| Cow::Borrowed(v.as_deref().unwrap_or(""));
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
            properties: Cow::Owned(
                serde_json::to_string(&e.properties).unwrap_or_else(|_| "{}".into()),
            ),
        }
    }

    /// The row of stored event `seq` from its JSON (`EventLog::replay_json`), the same row
    /// [`EventRow::of`] makes of the decoded event.
    pub(crate) fn from_json(seq: u64, json: &'a str) -> Result<EventRow<'a>, ChError> {
        let e: StoredEvent<'a> = serde_json::from_str(json)
            .map_err(|err| ChError::Schema(format!("stored event {seq} is unreadable: {err}")))?;
        Ok(EventRow {
            seq,
            ts: e.occurred_at.0,
            received_at: e.received_at.0,
            trigger: e.trigger_type.as_str(),
            activity_id: e.activity_id.unwrap_or(0),
            campaign_id: e.campaign_id.unwrap_or(0),
            user_id: text(e.user_id),
            anonymous_id: text(e.anonymous_id),
            session_id: text(e.session_id),
            bot: u8::from(e.bot),
            event_id: text(e.event_id),
            event_name: text(e.event_name),
            page_url: text(e.page_url),
            referrer: text(e.referrer),
            user_agent: text(e.user_agent),
            properties: Cow::Borrowed(e.properties.get()),
        })
    }
}

/// One INSERT into `events` and, beside it, one into `identity_links` for the links the rows
/// carry (a counted event with both an anonymous id and a user id). Nothing is visible until
/// [`EventWriter::end`]; a writer that fails midway is written again whole — both tables fold
/// what was written twice.
pub(crate) struct EventWriter {
    events: Insert<EventRow<'static>>,
    links: Option<Insert<LinkRow<'static>>>,
    client: clickhouse::Client,
}

impl EventWriter {
    pub(crate) async fn new(ch: &ClickHouse) -> Result<EventWriter, ChError> {
        Ok(EventWriter {
            events: ch.client().insert::<EventRow<'_>>("events").await?,
            links: None,
            client: ch.client().clone(),
        })
    }

    pub(crate) async fn write(&mut self, row: &EventRow<'_>) -> Result<(), ChError> {
        self.events.write(row).await?;
        if row.bot == 0 && !row.user_id.is_empty() && !row.anonymous_id.is_empty() {
            let links = match &mut self.links {
                Some(l) => l,
                None => self
                    .links
                    .insert(self.client.insert::<LinkRow<'_>>("identity_links").await?),
            };
            links
                .write(&LinkRow {
                    anonymous_id: &row.anonymous_id,
                    user_id: &row.user_id,
                    seq: row.seq,
                })
                .await?;
        }
        Ok(())
    }

    /// Ends both INSERTs: the events first, then their links.
    pub(crate) async fn end(self) -> Result<(), ChError> {
        self.events.end().await?;
        if let Some(links) = self.links {
            links.end().await?;
        }
        Ok(())
    }
}

impl ClickHouse {
    /// Writes stored events with their sequence numbers. Writing the same (seq, event) again —
    /// a retried or redelivered batch — changes no answer (see the crate's "Exactness").
    pub async fn insert_events(&self, events: &[(u64, Event)]) -> Result<(), ChError> {
        let rows: Vec<EventRow<'_>> = events
            .iter()
            .map(|(seq, e)| EventRow::of(*seq, e))
            .collect();
        self.insert_event_rows(rows).await
    }

    /// Writes the rows and the identity links they carry, [`INSERT_BATCH`] rows per INSERT.
    pub(crate) async fn insert_event_rows(&self, rows: Vec<EventRow<'_>>) -> Result<(), ChError> {
        for chunk in rows.chunks(INSERT_BATCH) {
            let mut w = EventWriter::new(self).await?;
            for row in chunk {
                w.write(row).await?;
            }
            w.end().await?;
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

    /// Every event up to this sequence number is written, with its identity links (0 when
    /// none). Not simply the highest `seq` in `events`: one INSERT spanning several months
    /// becomes one part per month, and the links go in after the events, so a crash midway can
    /// leave an event above a missing one — the catch-up starts here and writes the gap again.
    pub async fn loaded_through(&self) -> Result<u64, ChError> {
        Ok(self
            .client()
            .query("SELECT max(through) FROM axon_loaded")
            .fetch_one::<u64>()
            .await?)
    }

    /// Records that every event up to `through` is written (after the INSERTs that wrote them
    /// ended). Never lowers the mark: reads take the maximum.
    pub async fn mark_loaded(&self, through: u64) -> Result<(), ChError> {
        self.client()
            .query(&format!(
                "INSERT INTO axon_loaded (id, through) VALUES (0, {through})"
            ))
            .execute()
            .await?;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use axon_domain::Ts;
    use serde_json::json;

    fn event(i: i64) -> Event {
        let text = |s: &str| Some(s.to_string());
        let mut properties = serde_json::Map::new();
        properties.insert("activityId".into(), json!(i));
        properties.insert("note".into(), json!("say \"hi\" \\ 안녕\n"));
        properties.insert(
            "nested".into(),
            json!({"a": [1, 2.5, null], "b": {"c": true}}),
        );
        Event {
            event_id: text(&format!("ev-{i}")),
            event_name: (i % 2 == 0).then(|| "장바구니 \"담기\"".to_string()),
            trigger_type: axon_domain::model::TriggerType::Click,
            user_id: (i % 3 == 0).then(|| format!("u{i}")),
            anonymous_id: text("a\\1\t"),
            session_id: None,
            page_url: text("https://shop.example/p?q=\"x\"&r=é"),
            referrer: None,
            user_agent: text("Mozilla/5.0 (X11) \u{1F600}"),
            occurred_at: Ts(1_790_000_000_000 + i * 100),
            received_at: Ts(1_790_000_000_123 + i),
            properties,
            activity_id: (i % 4 != 0).then_some(i),
            campaign_id: Some(7),
            bot: i % 5 == 0,
        }
    }

    #[test]
    fn a_row_read_from_the_stored_json_is_the_row_of_the_decoded_event() {
        for i in 0..40 {
            let e = event(i);
            let json = serde_json::to_string(&e).unwrap();
            let row = EventRow::from_json(i as u64, &json).unwrap();
            assert_eq!(row, EventRow::of(i as u64, &e), "{json}");
        }
    }

    #[test]
    fn stored_json_without_the_later_fields_reads_with_their_defaults() {
        let json = r#"{"triggerType":"PAGE_VIEW","occurredAt":"2026-11-01T00:00:00Z","receivedAt":"2026-11-01T00:00:01.5Z","properties":{}}"#;
        let e: Event = serde_json::from_str(json).unwrap();
        let row = EventRow::from_json(3, json).unwrap();
        assert_eq!(row, EventRow::of(3, &e));
        assert_eq!((row.bot, row.activity_id, &*row.user_id), (0, 0, ""));
        assert!(EventRow::from_json(4, "{\"triggerType\":\"NOPE\"}").is_err());
    }
}
