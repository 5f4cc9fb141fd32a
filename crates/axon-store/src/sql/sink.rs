//! The sink consumer's side of the event log on the SQL backends (Kafka mode): events stored
//! with the offsets they came from, exactly once.
//!
//! `consumer_offsets` keeps, per (topic, partition), the next offset not stored yet. A batch runs
//! in the writer's group transaction, which holds the feed head lock (see `writer`), so every
//! node's sink is serialised here: the stored offsets are read, messages below them are skipped
//! as redeliveries, the rest go through the same ignoring insert as `append` (dedupe by
//! (source, eventId)), and the offsets move — all in one commit.
//!
//! Because the batch holds that lock, the duplicate check can be a read followed by plain
//! multi-row inserts ([`BULK_ROWS`] per statement) instead of one ignoring insert per event: no
//! other writer can store the same (source, eventId) in between. Sequence numbers come back in
//! row order (`RETURNING seq` on PostgreSQL; on MySQL/MariaDB the statement's first id and the
//! consecutive ones after it, as InnoDB assigns them to a simple insert).

use super::events::COLS;
use super::rows::{i, s, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::{Change, Pending, StoreError};
use axon_domain::event::Event;
use axon_ports::sink::{Consumed, ConsumedReport, SinkLog};
use sqlx_core::any::AnyConnection;
use sqlx_core::query::query;
use std::collections::{BTreeMap, HashSet};

/// Most (source, eventId) pairs looked up per statement.
const KEYS_PER_QUERY: usize = 200;
/// Events per multi-row insert (12 parameters each).
const BULK_ROWS: usize = 1000;

/// The stored ones among `keys` (on the writer's connection inside its transaction, or a
/// pooled one).
async fn stored_among(
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

/// Stores the events that are not duplicates (of a stored event or of an earlier one in the
/// batch), in order; their sequence numbers, and how many were duplicates.
async fn insert_new(
    c: &mut AnyConnection,
    d: Dialect,
    events: Vec<Event>,
) -> SqlResult<(Vec<(u64, Event)>, u64)> {
    let key = |e: &Event| e.event_id.clone().map(|id| (e.source().to_string(), id));
    let keys: Vec<_> = events.iter().filter_map(key).collect();
    let mut taken = stored_among(c, d, &keys).await?;
    let total = events.len() as u64;
    let fresh: Vec<Event> = events
        .into_iter()
        .filter(|e| key(e).is_none_or(|k| taken.insert(k)))
        .collect();
    let duplicates = total - fresh.len() as u64;
    let mut out = Vec::with_capacity(fresh.len());
    let mut rest = fresh.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Event> = rest.by_ref().take(BULK_ROWS).collect();
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
        let seqs: Vec<u64> = match d {
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
        if seqs.len() != chunk.len() {
            return Err(StoreError::Internal(format!(
                "{} of {} events stored",
                seqs.len(),
                chunk.len()
            )));
        }
        out.extend(seqs.into_iter().zip(chunk));
    }
    Ok((out, duplicates))
}

async fn stored_positions(
    c: &mut AnyConnection,
    d: Dialect,
    topic: &str,
) -> SqlResult<BTreeMap<i32, i64>> {
    let rows =
        query(&d.q("SELECT part, next_offset FROM consumer_offsets WHERE topic = ? ORDER BY part"))
            .bind(topic.to_string())
            .fetch_all(&mut *c)
            .await
            .db()?;
    rows.iter()
        .map(|r| {
            let part = i32::try_from(i(r, 0)?)
                .map_err(|e| StoreError::Internal(format!("bad partition: {e}")))?;
            Ok((part, i(r, 1)?))
        })
        .collect()
}

async fn store_batch(
    c: &mut AnyConnection,
    d: Dialect,
    topic: &str,
    batch: Vec<Consumed>,
    out: &mut Vec<Change>,
) -> SqlResult<ConsumedReport> {
    let known = stored_positions(c, d, topic).await?;
    let mut next: BTreeMap<i32, i64> = BTreeMap::new();
    let mut fresh = Vec::with_capacity(batch.len());
    let mut report = ConsumedReport::default();
    for m in batch {
        let from = known.get(&m.partition).copied().unwrap_or(0);
        let to = next.entry(m.partition).or_insert(from);
        if m.offset < from || m.offset < *to {
            report.redelivered += 1;
            continue;
        }
        *to = m.offset + 1;
        fresh.push(m.event);
    }
    let (stored, duplicates) = insert_new(c, d, fresh).await?;
    report.stored = stored.len() as u64;
    report.duplicates = duplicates;
    out.extend(
        stored
            .into_iter()
            .map(|(seq, event)| Change::Event { seq, event }),
    );
    let sql = format!(
        "INSERT INTO consumer_offsets (topic, part, next_offset) VALUES (?, ?, ?){}",
        d.upsert("topic, part", &["next_offset"])
    );
    for (part, offset) in next {
        if known.get(&part) == Some(&offset) {
            continue;
        }
        query(&d.q(&sql))
            .bind(topic.to_string())
            .bind(i64::from(part))
            .bind(offset)
            .execute(&mut *c)
            .await
            .db()?;
    }
    Ok(report)
}

#[async_trait::async_trait]
impl SinkLog for SqlStore {
    fn append_consumed(&self, topic: &str, batch: Vec<Consumed>) -> Pending<ConsumedReport> {
        let d = self.dialect();
        let topic = topic.to_string();
        self.writer().submit(move |c, out| {
            Box::pin(async move { store_batch(c, d, &topic, batch, out).await })
        })
    }

    async fn positions(&self, topic: &str) -> Result<Vec<(i32, i64)>, StoreError> {
        let (d, topic) = (self.dialect(), topic.to_string());
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            Ok(stored_positions(&mut c, d, &topic)
                .await?
                .into_iter()
                .collect())
        })
        .await
    }

    async fn stored_keys(&self, keys: &[(String, String)]) -> Result<Vec<bool>, StoreError> {
        let (d, keys) = (self.dialect(), keys.to_vec());
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            let found = stored_among(&mut c, d, &keys).await?;
            Ok(keys.iter().map(|k| found.contains(k)).collect())
        })
        .await
    }
}
