//! The raw events of a window as a streamed download: pages read one at a time from the event
//! store (by sequence number, through the `(activity_id, seq)` index) and written as they come —
//! CSV row by row, Parquet one row group per page — so the file is never whole in memory, only
//! one page of it. The window is the dashboards' window, with the same limits.

use super::parquet::{ColumnType, ParquetWriter};
use super::{csv_head, csv_rows, Cell};
use crate::dashboards::{ExportFormat, ServiceResult};
use crate::ServiceError;
use axon_domain::event::Event;
use axon_domain::model::ActivityId;
use axon_domain::period::Window;
use axon_ports::aggregates::RawEvents;
use serde_json::Value;
use std::sync::Arc;

/// Events per CSV page: small pages keep a CSV download's memory low and its first bytes early.
pub const CSV_PAGE: usize = 8_192;
/// Events per Parquet row group: large enough for good compression and fast scans.
pub const PARQUET_ROW_GROUP: usize = 65_536;

/// The columns of a raw-event export, with their Parquet types.
pub const EVENT_COLUMNS: [(&str, ColumnType); 14] = [
    ("occurredAt", ColumnType::Time),
    ("triggerType", ColumnType::Text),
    ("eventName", ColumnType::Text),
    ("eventId", ColumnType::Text),
    ("userId", ColumnType::Text),
    ("anonymousId", ColumnType::Text),
    ("sessionId", ColumnType::Text),
    ("activityId", ColumnType::Int64),
    ("campaignId", ColumnType::Int64),
    ("pageUrl", ColumnType::Text),
    ("referrer", ColumnType::Text),
    ("userAgent", ColumnType::Text),
    ("bot", ColumnType::Bool),
    ("properties", ColumnType::Text),
];

/// The header line of a raw-event export.
pub fn event_header() -> Vec<String> {
    EVENT_COLUMNS
        .iter()
        .map(|(n, _)| (*n).to_string())
        .collect()
}

/// One stored event as a row (consumed: its text moves into the cells): its fields, and its
/// properties as one JSON cell.
pub fn event_row(e: Event) -> Vec<Cell> {
    let text = |s: Option<String>| s.map_or(Cell::Null, Cell::Text);
    vec![
        Cell::Time(e.occurred_at),
        e.trigger_type.as_str().into(),
        text(e.event_name),
        text(e.event_id),
        text(e.user_id),
        text(e.anonymous_id),
        text(e.session_id),
        e.activity_id.map_or(Cell::Null, Cell::Int),
        e.campaign_id.map_or(Cell::Null, Cell::Int),
        text(e.page_url),
        text(e.referrer),
        text(e.user_agent),
        Cell::Bool(e.bot),
        Cell::Text(Value::Object(e.properties).to_string()),
    ]
}

/// The stored events of some activities in a window, a page at a time: activity by activity,
/// each in the order its events were stored.
pub struct EventPages {
    raw: Arc<dyn RawEvents>,
    activities: Vec<ActivityId>,
    window: Window,
    page: usize,
    /// The activity being read, and the sequence number its next page starts after.
    at: usize,
    after: u64,
}

impl EventPages {
    pub fn new(
        raw: Arc<dyn RawEvents>,
        activities: Vec<ActivityId>,
        window: Window,
        page: usize,
    ) -> EventPages {
        EventPages {
            raw,
            activities,
            window,
            page: page.max(1),
            at: 0,
            after: 0,
        }
    }

    /// The next page, or `None` when every activity has been read.
    pub fn next_page(&mut self) -> ServiceResult<Option<Vec<Event>>> {
        while let Some(&activity) = self.activities.get(self.at) {
            let got =
                self.raw
                    .activity_events_after(activity, &self.window, self.after, self.page)?;
            match got.last() {
                Some((seq, _)) if got.len() == self.page => self.after = *seq,
                _ => {
                    self.at += 1;
                    self.after = 0;
                }
            }
            if !got.is_empty() {
                return Ok(Some(got.into_iter().map(|(_, e)| e).collect()));
            }
        }
        Ok(None)
    }
}

enum Encoder {
    /// CSV: whether the byte-order mark and header have been written.
    Csv(bool),
    /// Parquet: the file until its footer is written.
    Parquet(Option<Box<ParquetWriter>>),
}

/// A raw-event download in the making: each call to [`EventExport::next_chunk`] reads one page
/// and returns its bytes.
pub struct EventExport {
    pages: EventPages,
    encoder: Encoder,
}

impl EventExport {
    /// The export of `pages` as CSV or Parquet (JSON is not a download).
    pub fn new(pages: EventPages, format: ExportFormat) -> ServiceResult<EventExport> {
        let encoder = match format {
            ExportFormat::Csv => Encoder::Csv(false),
            ExportFormat::Parquet => {
                let columns: Vec<(String, ColumnType)> = EVENT_COLUMNS
                    .iter()
                    .map(|(n, t)| ((*n).to_string(), *t))
                    .collect();
                Encoder::Parquet(Some(Box::new(ParquetWriter::new(&columns)?)))
            }
            ExportFormat::Json => {
                return Err(ServiceError::internal(
                    "raw events are exported as CSV or Parquet",
                ))
            }
        };
        Ok(EventExport { pages, encoder })
    }

    /// The bytes of the next page (the first carries the file's head, the last its end), or
    /// `None` when the file is complete.
    pub fn next_chunk(&mut self) -> ServiceResult<Option<Vec<u8>>> {
        let page = self.pages.next_page()?;
        match &mut self.encoder {
            Encoder::Csv(started) => {
                let head = if *started {
                    Vec::new()
                } else {
                    *started = true;
                    csv_head(&event_header())?
                };
                match page {
                    Some(events) => {
                        let rows: Vec<Vec<Cell>> = events.into_iter().map(event_row).collect();
                        Ok(Some(csv_rows(&rows, head)?))
                    }
                    None if head.is_empty() => Ok(None),
                    None => Ok(Some(head)),
                }
            }
            Encoder::Parquet(file) => match (page, file.as_mut()) {
                (Some(events), Some(w)) => {
                    let rows: Vec<Vec<Cell>> = events.into_iter().map(event_row).collect();
                    w.row_group(rows)?;
                    Ok(Some(w.take()?))
                }
                (None, Some(_)) => match file.take() {
                    Some(w) => Ok(Some(w.finish()?)),
                    None => Ok(None),
                },
                (_, None) => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axon_domain::model::{TriggerType, UserProfile};
    use axon_domain::Ts;
    use axon_ports::aggregates::SourceError;
    use serde_json::{json, Map};

    /// Two activities' stored events, numbered in storage order.
    struct Store {
        events: Vec<(u64, Event)>,
    }

    impl RawEvents for Store {
        fn activity_events(&self, _: &[ActivityId], _: &Window) -> Result<Vec<Event>, SourceError> {
            Err(SourceError(
                "a streamed export never reads the whole window".into(),
            ))
        }

        fn activity_events_after(
            &self,
            activity: ActivityId,
            w: &Window,
            after: u64,
            limit: usize,
        ) -> Result<Vec<(u64, Event)>, SourceError> {
            Ok(self
                .events
                .iter()
                .filter(|(s, e)| {
                    *s > after && e.activity_id == Some(activity) && w.contains(e.occurred_at)
                })
                .take(limit)
                .cloned()
                .collect())
        }

        fn profiles(&self, _: &[String]) -> Result<Vec<UserProfile>, SourceError> {
            Ok(Vec::new())
        }
    }

    fn store(n: u64) -> Arc<Store> {
        let events = (1..=n)
            .map(|s| {
                let mut e =
                    Event::backend(TriggerType::PageView, "u", Ts(s.cast_signed()), Map::new());
                e.activity_id = Some(if s % 3 == 0 { 2 } else { 1 });
                e.properties.insert("n".into(), json!(s));
                (s, e)
            })
            .collect();
        Arc::new(Store { events })
    }

    #[test]
    fn pages_cover_each_activity_in_storage_order_and_stop() {
        let s = store(10);
        let mut pages = EventPages::new(
            s.clone(),
            vec![1, 2],
            Window {
                start: Ts(2),
                end: Ts(11),
            },
            3,
        );
        let mut seen = Vec::new();
        while let Some(p) = pages.next_page().unwrap() {
            assert!(p.len() <= 3);
            seen.extend(p.iter().map(|e| e.occurred_at.0));
        }
        // Activity 1: 2, 4, 5, 7, 8, 10 (1 is before the window); activity 2: 3, 6, 9.
        assert_eq!(seen, [2, 4, 5, 7, 8, 10, 3, 6, 9]);
        assert_eq!(pages.next_page().unwrap(), None);
    }

    #[test]
    fn a_csv_export_is_a_header_then_one_line_per_event() {
        let s = store(5);
        let pages = EventPages::new(
            s,
            vec![1, 2],
            Window {
                start: Ts(0),
                end: Ts(100),
            },
            2,
        );
        let mut x = EventExport::new(pages, ExportFormat::Csv).unwrap();
        let mut out = Vec::new();
        let mut chunks = 0;
        while let Some(c) = x.next_chunk().unwrap() {
            out.extend(c);
            chunks += 1;
        }
        assert!(chunks > 1, "written a page at a time");
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_start_matches(super::super::BOM).lines().collect();
        assert!(lines[0].starts_with("occurredAt,triggerType,eventName"));
        assert_eq!(lines.len(), 6);
        assert!(
            lines[1].starts_with("1970-01-01T00:00:00.001Z,PAGE_VIEW,"),
            "{lines:?}"
        );
    }

    #[test]
    fn an_empty_window_is_still_a_file() {
        let pages = EventPages::new(
            store(0),
            vec![1],
            Window {
                start: Ts(0),
                end: Ts(1),
            },
            2,
        );
        let mut x = EventExport::new(pages, ExportFormat::Csv).unwrap();
        let head = x.next_chunk().unwrap().unwrap();
        assert!(String::from_utf8(head).unwrap().ends_with("properties\r\n"));
        assert!(x.next_chunk().unwrap().is_none());
        let pages = EventPages::new(
            store(0),
            vec![1],
            Window {
                start: Ts(0),
                end: Ts(1),
            },
            2,
        );
        let mut x = EventExport::new(pages, ExportFormat::Parquet).unwrap();
        let file = x.next_chunk().unwrap().unwrap();
        assert!(file.starts_with(b"PAR1") && file.ends_with(b"PAR1"));
        assert!(x.next_chunk().unwrap().is_none());
    }
}
