//! The event log on SQLite: one row per event with the columns queries need, plus the full
//! event as JSON. Dedupe is the unique index on (source, eventId): `INSERT OR IGNORE` that
//! changes no row is a duplicate.

use super::SqliteStore;
use crate::{AppendReport, EventLog, EventPage, EventQuery};
use crate::{Change, Pending, StoreError};
use axon_domain::event::{Event, EventCore};
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::Ts;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection};

const INSERT: &str =
    "INSERT OR IGNORE INTO events (source, event_id, trigger_type, occurred_at, received_at,
    activity_id, campaign_id, user_id, anonymous_id, session_id, bot, body)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// Rows per multi-row statement in the bulk path (12 parameters each).
const BULK_ROWS: usize = 64;

/// Bulk path: inserts pre-rendered events with multi-row statements; returns (stored,
/// duplicates). Used by import, where per-event sequence numbers are not needed.
pub(crate) fn insert_encoded(
    conn: &Connection,
    events: &[crate::EncodedEvent],
) -> Result<(u64, u64), StoreError> {
    let values = |n: usize| {
        (0..n)
            .map(|r| {
                format!(
                    "({})",
                    (1..=12)
                        .map(|c| format!("?{}", r * 12 + c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let head =
        "INSERT OR IGNORE INTO events (source, event_id, trigger_type, occurred_at, received_at,
        activity_id, campaign_id, user_id, anonymous_id, session_id, bot, body) VALUES ";
    let mut stored = 0u64;
    for chunk in events.chunks(BULK_ROWS) {
        let sql = format!("{head}{}", values(chunk.len()));
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut args: Vec<rusqlite::types::ToSqlOutput<'_>> = Vec::with_capacity(chunk.len() * 12);
        for e in chunk {
            use rusqlite::types::{ToSqlOutput, ValueRef as R};
            fn text(v: &Option<String>) -> ToSqlOutput<'_> {
                ToSqlOutput::Borrowed(v.as_deref().map_or(R::Null, |s| R::Text(s.as_bytes())))
            }
            let int = |v: Option<i64>| ToSqlOutput::Borrowed(v.map_or(R::Null, R::Integer));
            args.push(ToSqlOutput::Borrowed(R::Text(e.source.as_bytes())));
            args.push(text(&e.event_id));
            args.push(ToSqlOutput::Borrowed(R::Text(e.trigger_type.as_bytes())));
            args.push(int(Some(e.occurred_at)));
            args.push(int(Some(e.received_at)));
            args.push(int(e.activity_id));
            args.push(int(e.campaign_id));
            args.push(text(&e.user_id));
            args.push(text(&e.anonymous_id));
            args.push(text(&e.session_id));
            args.push(int(Some(i64::from(e.bot))));
            args.push(ToSqlOutput::Borrowed(R::Text(e.body.as_bytes())));
        }
        stored += stmt.execute(rusqlite::params_from_iter(args.iter()))? as u64;
    }
    Ok((stored, events.len() as u64 - stored))
}

/// Inserts events inside the caller's transaction.
pub(crate) fn insert_events(
    conn: &Connection,
    events: &[Event],
) -> Result<AppendReport, StoreError> {
    let mut stmt = conn.prepare_cached(INSERT)?;
    let mut seqs = Vec::with_capacity(events.len());
    for e in events {
        let body = serde_json::to_string(e).map_err(|e| StoreError::Internal(e.to_string()))?;
        let n = stmt.execute(params![
            e.source(),
            e.event_id,
            e.trigger_type.as_str(),
            e.occurred_at.0,
            e.received_at.0,
            e.activity_id,
            e.campaign_id,
            e.user_id,
            e.anonymous_id,
            e.session_id,
            e.bot,
            body
        ])?;
        seqs.push((n == 1).then(|| conn.last_insert_rowid().cast_unsigned()));
    }
    Ok(AppendReport { seqs })
}

fn decode(seq: i64, body: &str) -> Result<(u64, Event), StoreError> {
    serde_json::from_str(body)
        .map(|e| (seq.cast_unsigned(), e))
        .map_err(|e| StoreError::Internal(format!("event {seq} is corrupt: {e}")))
}

#[async_trait::async_trait]
impl EventLog for SqliteStore {
    fn append(&self, events: Vec<Event>) -> Pending<AppendReport> {
        self.writer().submit_changes(move |conn, out| {
            let report = insert_events(conn, &events)?;
            for (seq, event) in report.seqs.iter().zip(events) {
                if let Some(seq) = seq {
                    out.push(Change::Event { seq: *seq, event });
                }
            }
            Ok(report)
        })
    }

    async fn replay(&self, visit: &mut (dyn FnMut(u64, Event) + Send)) -> Result<u64, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT seq, body FROM events ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                let (seq, e) = decode(
                    row.get(0)?,
                    row.get_ref(1)?
                        .as_str()
                        .map_err(|e| StoreError::Internal(e.to_string()))?,
                )?;
                visit(seq, e);
                n += 1;
            }
            Ok(n)
        })
    }

    async fn replay_json(
        &self,
        after: u64,
        visit: &mut (dyn for<'j> FnMut(u64, &'j str) + Send),
    ) -> Result<u64, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq")?;
            let mut rows = stmt.query([i64::try_from(after).unwrap_or(i64::MAX)])?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                let body = row
                    .get_ref(1)?
                    .as_str()
                    .map_err(|e| StoreError::Internal(e.to_string()))?;
                visit(row.get::<_, i64>(0)?.cast_unsigned(), body);
                n += 1;
            }
            Ok(n)
        })
    }

    async fn replay_core(
        &self,
        visit: &mut (dyn FnMut(u64, EventCore) + Send),
    ) -> Result<u64, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT seq, trigger_type, occurred_at, activity_id, user_id, anonymous_id, session_id, bot FROM events ORDER BY seq",
            )?;
            let mut rows = stmt.query([])?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                let trigger = row.get_ref(1)?.as_str().map_err(|e| StoreError::Internal(e.to_string()))?;
                let trigger_type = TriggerType::parse(trigger).map_err(|e| StoreError::Internal(e.message))?;
                visit(
                    row.get::<_, i64>(0)?.cast_unsigned(),
                    EventCore {
                        trigger_type,
                        occurred_at: Ts(row.get(2)?),
                        activity_id: row.get(3)?,
                        user_id: row.get(4)?,
                        anonymous_id: row.get(5)?,
                        session_id: row.get(6)?,
                        bot: row.get(7)?,
                    },
                );
                n += 1;
            }
            Ok(n)
        })
    }

    async fn query(&self, q: &EventQuery) -> Result<EventPage, StoreError> {
        let mut clauses = Vec::new();
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(a) = q.activity_id {
            clauses.push("activity_id = ?");
            args.push(a.into());
        }
        if let Some(t) = q.trigger_type {
            clauses.push("trigger_type = ?");
            args.push(t.as_str().to_string().into());
        }
        if let Some(u) = &q.user_id {
            clauses.push("user_id = ?");
            args.push(u.clone().into());
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        self.read(|conn| {
            let total: i64 = conn.query_row(
                &format!("SELECT count(*) FROM events {filter}"),
                rusqlite::params_from_iter(&args),
                |r| r.get(0),
            )?;
            let mut page_args = args.clone();
            let cursor = match q.before {
                Some(b) => {
                    page_args.push(i64::try_from(b).unwrap_or(i64::MAX).into());
                    if clauses.is_empty() {
                        "WHERE seq < ?"
                    } else {
                        "AND seq < ?"
                    }
                }
                None => "",
            };
            page_args.push(i64::try_from(q.limit + 1).unwrap_or(i64::MAX).into());
            let sql =
                format!("SELECT seq, body FROM events {filter} {cursor} ORDER BY seq DESC LIMIT ?");
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(&page_args))?;
            let mut events = Vec::new();
            while let Some(row) = rows.next()? {
                events.push(decode(
                    row.get(0)?,
                    row.get_ref(1)?
                        .as_str()
                        .map_err(|e| StoreError::Internal(e.to_string()))?,
                )?);
            }
            let next_before = if events.len() > q.limit {
                events.truncate(q.limit);
                events.last().map(|(s, _)| *s)
            } else {
                None
            };
            Ok(EventPage {
                events,
                total: total.cast_unsigned(),
                next_before,
            })
        })
    }

    async fn activity_events(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Event>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, body FROM events WHERE activity_id = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![activity, start.0, end.0])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let body = row.get_ref(1)?.as_str().map_err(|e| StoreError::Internal(e.to_string()))?;
                out.push(decode(row.get(0)?, body)?.1);
            }
            Ok(out)
        })
    }

    async fn activity_events_after(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>, StoreError> {
        let (after, limit) = (
            after.cast_signed(),
            i64::try_from(limit).unwrap_or(i64::MAX),
        );
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, body FROM events WHERE activity_id = ?1 AND seq > ?2 AND occurred_at >= ?3 AND occurred_at < ?4 ORDER BY seq LIMIT ?5",
            )?;
            let mut rows = stmt.query(params![activity, after, start.0, end.0, limit])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let body = row.get_ref(1)?.as_str().map_err(|e| StoreError::Internal(e.to_string()))?;
                out.push(decode(row.get(0)?, body)?);
            }
            Ok(out)
        })
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))?
                .cast_unsigned())
        })
    }

    async fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            let v: Option<i64> = conn.query_row("SELECT max(seq) FROM events", [], |r| r.get(0))?;
            Ok(v.unwrap_or(0).cast_unsigned())
        })
    }
}
