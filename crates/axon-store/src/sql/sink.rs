//! The sink consumer's side of the event log on the SQL backends (Kafka mode): events stored
//! with the offsets they came from, exactly once.
//!
//! `consumer_offsets` keeps, per (topic, partition), the next offset not stored yet. A batch runs
//! in the writer's group transaction, which holds the feed head lock (see `writer`), so every
//! node's sink is serialised here: the stored offsets are read, messages below them are skipped
//! as redeliveries, the rest go through the same ignoring insert as `append` (dedupe by
//! (source, eventId)), and the offsets move — all in one commit.
//! The events go in as every batch of events does (`events::insert_events`: one duplicate read,
//! then multi-row inserts).

use super::events::{insert_events, stored_among};
use super::rows::{i, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::{Change, Pending, StoreError};
use axon_ports::sink::{Consumed, ConsumedReport, SinkLog};
use sqlx_core::any::AnyConnection;
use sqlx_core::query::query;
use std::collections::BTreeMap;

pub(super) async fn stored_positions(
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

/// Writes each partition's new next offset (those that moved).
pub(super) async fn move_offsets(
    c: &mut AnyConnection,
    d: Dialect,
    topic: &str,
    known: &BTreeMap<i32, i64>,
    next: BTreeMap<i32, i64>,
) -> SqlResult<()> {
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
    Ok(())
}

/// The messages of `batch` the store has not passed yet (the others counted as redelivered),
/// and the next offset per partition after them.
pub(super) fn fresh_of<T>(
    known: &BTreeMap<i32, i64>,
    batch: Vec<T>,
    at: impl Fn(&T) -> (i32, i64),
    redelivered: &mut u64,
) -> (Vec<T>, BTreeMap<i32, i64>) {
    let mut next: BTreeMap<i32, i64> = BTreeMap::new();
    let mut fresh = Vec::with_capacity(batch.len());
    for m in batch {
        let (part, offset) = at(&m);
        let from = known.get(&part).copied().unwrap_or(0);
        let to = next.entry(part).or_insert(from);
        if offset < from || offset < *to {
            *redelivered += 1;
            continue;
        }
        *to = offset + 1;
        fresh.push(m);
    }
    (fresh, next)
}

async fn store_batch(
    c: &mut AnyConnection,
    d: Dialect,
    topic: &str,
    batch: Vec<Consumed>,
    out: &mut Vec<Change>,
) -> SqlResult<ConsumedReport> {
    let known = stored_positions(c, d, topic).await?;
    let mut report = ConsumedReport::default();
    let (fresh, next) = fresh_of(
        &known,
        batch,
        |m| (m.partition, m.offset),
        &mut report.redelivered,
    );
    let fresh: Vec<_> = fresh.into_iter().map(|m| m.event).collect();
    let appended = insert_events(c, d, &fresh).await?;
    report.stored = appended.accepted() as u64;
    report.duplicates = appended.duplicates() as u64;
    for (seq, event) in appended.seqs.iter().zip(fresh) {
        if let Some(seq) = seq {
            out.push(Change::Event { seq: *seq, event });
        }
    }
    move_offsets(c, d, topic, &known, next).await?;
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
