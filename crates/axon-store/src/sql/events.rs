//! The event log on the SQL backends: one row per event with the columns queries need, plus the
//! full event as JSON. Dedupe is the unique index on (source, eventId): an ignoring insert that
//! stores no row is a duplicate (mirrors `sqlite/events.rs`). A batch of several events reads its
//! duplicates first and inserts the rest many rows per statement ([`insert_events`]). Sequence numbers are assigned
//! inside write transactions that hold the feed head lock, so they follow commit order on
//! every node.

use super::rows::{args, i, oi, os, s, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::{AppendReport, EventLog, EventPage, EventQuery};
use crate::{Change, Pending, StoreError};
use axon_domain::event::{Event, EventCore};
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::Ts;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;
use sqlx_core::query_scalar::query_scalar;
use std::collections::HashSet;

const COLS: &str =
    "events (source, event_id, trigger_type, occurred_at, received_at, activity_id, campaign_id,
    user_id, anonymous_id, session_id, bot, body)";

/// Inserts events inside the caller's transaction (which holds the feed head lock, as every
/// write group does): one event with one ignoring insert, several with [`insert_many`].
pub(crate) async fn insert_events(
    c: &mut AnyConnection,
    d: Dialect,
    events: &[Event],
) -> SqlResult<AppendReport> {
    if events.len() > 1 {
        return insert_many(c, d, events).await;
    }
    let sql = d.insert_ignore(&format!(
        "{COLS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ));
    let mut seqs = Vec::with_capacity(events.len());
    for e in events {
        let body = serde_json::to_string(e).map_err(|e| StoreError::Internal(e.to_string()))?;
        let a = args![
            e.source().to_string(),
            e.event_id.clone(),
            e.trigger_type.as_str(),
            e.occurred_at.0,
            e.received_at.0,
            e.activity_id,
            e.campaign_id,
            e.user_id.clone(),
            e.anonymous_id.clone(),
            e.session_id.clone(),
            i64::from(e.bot),
            body
        ];
        let seq = super::rows::insert_returning(c, d, &sql, "seq", a)
            .await
            .db()?;
        seqs.push(seq.map(i64::cast_unsigned));
    }
    Ok(AppendReport { seqs })
}

/// Events per multi-row statement on the bulk paths (12 parameters each).
const BULK_ROWS: usize = 1000;
/// Most (source, eventId) pairs looked up per statement.
const KEYS_PER_QUERY: usize = 200;

/// The stored ones among `keys` (on the writer's connection inside its transaction, or a
/// pooled one).
pub(crate) async fn stored_among(
    c: &mut AnyConnection,
    d: Dialect,
    keys: &[(String, String)],
) -> SqlResult<HashSet<(String, String)>> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let ors = vec!["(source = ? AND event_id = ?)"; chunk.len()].join(" OR ");
        let sql = d
            .q(&format!("SELECT source, event_id FROM events WHERE {ors}"))
            .into_owned();
        let mut q = query(&sql);
        for (source, id) in chunk {
            q = q.bind(source.clone()).bind(id.clone());
        }
        for r in q.fetch_all(&mut *c).await.db()? {
            found.insert((s(&r, 0)?, s(&r, 1)?));
        }
    }
    Ok(found)
}

/// Several events: which are duplicates (of a stored event or an earlier one in the batch) is
/// one read — the caller's transaction holds the feed head lock, so no writer on any node can
/// store one in between — and the rest go in as plain multi-row inserts, [`BULK_ROWS`] per
/// statement. Sequence numbers come back in row order: `RETURNING seq` on PostgreSQL; on
/// MySQL/MariaDB the statement's first id and the consecutive ones after it (no other insert
/// into `events` can run meanwhile, and the range is checked).
async fn insert_many(
    c: &mut AnyConnection,
    d: Dialect,
    events: &[Event],
) -> SqlResult<AppendReport> {
    let key = |e: &Event| e.event_id.clone().map(|id| (e.source().to_string(), id));
    let keys: Vec<_> = events.iter().filter_map(key).collect();
    let mut taken = stored_among(c, d, &keys).await?;
    let fresh: Vec<usize> = (0..events.len())
        .filter(|&i| key(&events[i]).is_none_or(|k| taken.insert(k)))
        .collect();
    let mut seqs = vec![None; events.len()];
    for idx in fresh.chunks(BULK_ROWS) {
        let chunk: Vec<&Event> = idx.iter().map(|&i| &events[i]).collect();
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let mut sql = d
            .q(&format!("INSERT INTO {COLS} VALUES {rows}"))
            .into_owned();
        if d == Dialect::Postgres {
            sql.push_str(" RETURNING seq");
        }
        let bodies = chunk
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut q = query(&sql);
        for (e, body) in chunk.iter().zip(&bodies) {
            q = q
                .bind(e.source().to_string())
                .bind(e.event_id.clone())
                .bind(e.trigger_type.as_str())
                .bind(e.occurred_at.0)
                .bind(e.received_at.0)
                .bind(e.activity_id)
                .bind(e.campaign_id)
                .bind(e.user_id.clone())
                .bind(e.anonymous_id.clone())
                .bind(e.session_id.clone())
                .bind(i64::from(e.bot))
                .bind(body.as_str());
        }
        let got: Vec<u64> = match d {
            Dialect::Postgres => q
                .fetch_all(&mut *c)
                .await
                .db()?
                .iter()
                .map(|r| i(r, 0).map(i64::cast_unsigned))
                .collect::<SqlResult<_>>()?,
            Dialect::MySql => {
                let r = q.execute(&mut *c).await.db()?;
                let first = r
                    .last_insert_id()
                    .ok_or_else(|| StoreError::Internal("no insert id".into()))?;
                (0..r.rows_affected())
                    .map(|k| first.cast_unsigned() + k)
                    .collect()
            }
        };
        if got.len() != chunk.len() {
            return Err(StoreError::Internal(format!(
                "{} of {} events stored",
                got.len(),
                chunk.len()
            )));
        }
        for (i, seq) in idx.iter().zip(got) {
            seqs[*i] = Some(seq);
        }
    }
    Ok(AppendReport { seqs })
}

/// Bulk path (import): pre-rendered events, many rows per statement (an ignoring insert, so a
/// stored (source, eventId) is skipped as on the one-row path); returns (stored, duplicates).
pub(crate) async fn insert_encoded(
    c: &mut AnyConnection,
    d: Dialect,
    events: &[crate::EncodedEvent],
) -> SqlResult<(u64, u64)> {
    let mut stored = 0;
    for chunk in events.chunks(BULK_ROWS) {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = d
            .q(&d.insert_ignore(&format!("{COLS} VALUES {rows}")))
            .into_owned();
        let mut q = query(&sql);
        for e in chunk {
            q = q
                .bind(e.source.as_str())
                .bind(e.event_id.as_deref())
                .bind(e.trigger_type)
                .bind(e.occurred_at)
                .bind(e.received_at)
                .bind(e.activity_id)
                .bind(e.campaign_id)
                .bind(e.user_id.as_deref())
                .bind(e.anonymous_id.as_deref())
                .bind(e.session_id.as_deref())
                .bind(i64::from(e.bot))
                .bind(e.body.as_str());
        }
        stored += q.execute(&mut *c).await.db()?.rows_affected();
    }
    Ok((stored, events.len() as u64 - stored))
}

fn decode(seq: i64, body: &str) -> SqlResult<(u64, Event)> {
    serde_json::from_str(body)
        .map(|e| (seq.cast_unsigned(), e))
        .map_err(|e| StoreError::Internal(format!("event {seq} is corrupt: {e}")))
}

fn body_row(r: &AnyRow) -> SqlResult<(u64, Event)> {
    decode(i(r, 0)?, &s(r, 1)?)
}

fn json_row(r: &AnyRow) -> SqlResult<(u64, String)> {
    Ok((i(r, 0)?.cast_unsigned(), s(r, 1)?))
}

fn core_row(r: &AnyRow) -> SqlResult<(u64, EventCore)> {
    let trigger_type =
        TriggerType::parse(&s(r, 1)?).map_err(|e| StoreError::Internal(e.message))?;
    Ok((
        i(r, 0)?.cast_unsigned(),
        EventCore {
            trigger_type,
            occurred_at: Ts(i(r, 2)?),
            activity_id: oi(r, 3)?,
            user_id: os(r, 4)?,
            anonymous_id: os(r, 5)?,
            session_id: os(r, 6)?,
            bot: i(r, 7)? != 0,
        },
    ))
}

/// A filter value of a dynamic query.
enum Arg {
    I(i64),
    S(String),
}

#[async_trait::async_trait]
impl EventLog for SqlStore {
    fn append(&self, events: Vec<Event>) -> Pending<AppendReport> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move {
                let report = insert_events(c, d, &events).await?;
                for (seq, event) in report.seqs.iter().zip(events) {
                    if let Some(seq) = seq {
                        out.push(Change::Event { seq: *seq, event });
                    }
                }
                Ok(report)
            })
        })
    }

    async fn replay(&self, visit: &mut (dyn FnMut(u64, Event) + Send)) -> Result<u64, StoreError> {
        let tail = self.tail.clone();
        self.stream(
            "SELECT seq, body FROM events ORDER BY seq".into(),
            body_row,
            &mut |(seq, e)| {
                tail.replayed(seq);
                visit(seq, e);
            },
        )
        .await
    }

    async fn replay_json(
        &self,
        after: u64,
        visit: &mut (dyn for<'j> FnMut(u64, &'j str) + Send),
    ) -> Result<u64, StoreError> {
        // Not the engine's replay: the feed's replayed mark is left alone.
        self.stream(
            format!("SELECT seq, body FROM events WHERE seq > {after} ORDER BY seq"),
            json_row,
            &mut |(seq, body)| visit(seq, &body),
        )
        .await
    }

    async fn replay_core(
        &self,
        visit: &mut (dyn FnMut(u64, EventCore) + Send),
    ) -> Result<u64, StoreError> {
        let tail = self.tail.clone();
        self.stream(
            "SELECT seq, trigger_type, occurred_at, activity_id, user_id, anonymous_id, session_id, bot FROM events ORDER BY seq".into(),
            core_row,
            &mut |(seq, e)| {
                tail.replayed(seq);
                visit(seq, e);
            },
        )
        .await
    }

    async fn query(&self, q: &EventQuery) -> Result<EventPage, StoreError> {
        let mut clauses = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        if let Some(a) = q.activity_id {
            clauses.push("activity_id = ?");
            args.push(Arg::I(a));
        }
        if let Some(t) = q.trigger_type {
            clauses.push("trigger_type = ?");
            args.push(Arg::S(t.as_str().to_string()));
        }
        if let Some(u) = &q.user_id {
            clauses.push("user_id = ?");
            args.push(Arg::S(u.clone()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let before = q.before.map(|b| i64::try_from(b).unwrap_or(i64::MAX));
        let limit = q.limit;
        self.read(move |sh| async move {
            let d = sh.dialect;
            let count_sql = d
                .q(&format!("SELECT count(*) FROM events {filter}"))
                .into_owned();
            let mut count = query_scalar::<_, i64>(&count_sql);
            for a in &args {
                count = match a {
                    Arg::I(v) => count.bind(*v),
                    Arg::S(v) => count.bind(v.clone()),
                };
            }
            let total = count.fetch_one(&sh.pool).await.db()?;
            let cursor = match (before, clauses.is_empty()) {
                (None, _) => "",
                (Some(_), true) => "WHERE seq < ?",
                (Some(_), false) => "AND seq < ?",
            };
            let sql = d
                .q(&format!(
                    "SELECT seq, body FROM events {filter} {cursor} ORDER BY seq DESC LIMIT ?"
                ))
                .into_owned();
            let mut page = query(&sql);
            for a in &args {
                page = match a {
                    Arg::I(v) => page.bind(*v),
                    Arg::S(v) => page.bind(v.clone()),
                };
            }
            if let Some(b) = before {
                page = page.bind(b);
            }
            page = page.bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
            let mut events = page
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(body_row)
                .collect::<SqlResult<Vec<_>>>()?;
            let next_before = if events.len() > limit {
                events.truncate(limit);
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
        .await
    }

    async fn activity_events(
        &self,
        activity: ActivityId,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Event>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(
                "SELECT seq, body FROM events WHERE activity_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY seq",
            ))
            .bind(activity)
            .bind(start.0)
            .bind(end.0)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(|r| body_row(r).map(|(_, e)| e))
            .collect()
        })
        .await
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
        self.read(move |sh| async move {
            query(&sh.dialect.q(
                "SELECT seq, body FROM events WHERE activity_id = ? AND seq > ? AND occurred_at >= ? AND occurred_at < ? ORDER BY seq LIMIT ?",
            ))
            .bind(activity)
            .bind(after)
            .bind(start.0)
            .bind(end.0)
            .bind(limit)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(body_row)
            .collect()
        })
        .await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.read(move |sh| async move {
            let n: i64 = query_scalar("SELECT count(*) FROM events")
                .fetch_one(&sh.pool)
                .await
                .db()?;
            Ok(n.cast_unsigned())
        })
        .await
    }

    async fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(move |sh| async move {
            let v: Option<i64> = query_scalar("SELECT MAX(seq) FROM events")
                .fetch_one(&sh.pool)
                .await
                .db()?;
            Ok(v.unwrap_or(0).cast_unsigned())
        })
        .await
    }
}
