//! The PostgreSQL fast path of `axon import`'s events: `COPY … FROM STDIN` into unlogged staging
//! tables on a second, native connection (the `Any` driver has no COPY), then one
//! `INSERT … SELECT` per staging table inside the import's transaction — so dedupe by
//! (source, eventId), file order of sequence numbers and all-or-nothing stay exactly those of
//! the row path, while the rows cross the wire in COPY's text format instead of as bound
//! parameters.
//!
//! Sequence numbers are given, not drawn: the n-th event of the files gets the highest stored
//! `seq` (read under the feed head lock the import's transaction holds, so no other write can
//! commit meanwhile) plus n, and the identity sequence is moved past the last one before the
//! transaction commits. So the move needs no sort to keep file order (a third of its cost),
//! and an event skipped as a duplicate leaves a gap, as a rolled-back insert does.
//!
//! The staging is pipelined: the parser hands event chunks straight to the copier, so while
//! the transaction moves one staged batch into `events`, the copier fills the next. Staging
//! tables are committed on the copier's connection (they must be visible to the transaction's), so the import drops them: in its transaction when it commits,
//! and [`cleanup`] afterwards when it did not (and before each import, for a crashed one). Only
//! one import stages at a time: the transaction holds the feed head lock before staging starts.

use super::rows::{Db, SqlResult};
use crate::EncodedEvent;
use sqlx_core::any::AnyConnection;
use sqlx_core::connection::Connection;
use sqlx_core::executor::Executor;
use sqlx_core::query_scalar::query_scalar;
use sqlx_postgres::PgConnection;
use tokio::sync::mpsc;

/// Events per staging table: large enough that a move is one big statement, small enough that
/// moving and staging overlap.
const BATCH: usize = 100_000;

/// The staging tables' name prefix (`LIKE` pattern with `_` escaped).
const PREFIX: &str = "axon_import_stage_";
const LIKE: &str = "axon\\_import\\_stage\\_%";

const COLS: &str = "source, event_id, trigger_type, occurred_at, received_at, activity_id, \
                    campaign_id, user_id, anonymous_id, session_id, bot, body";

/// One staged batch, ready to move.
pub(crate) struct Staged {
    table: String,
}

/// The events side of one import: the copier stages the chunks it is handed as they arrive —
/// straight from the parser, so staging never waits for a move — and each staged batch is
/// moved into `events` on the import's connection when the import takes it
/// ([`EventCopy::next_staged`], [`EventCopy::move_staged`]).
pub(crate) struct EventCopy {
    ready: mpsc::Receiver<Staged>,
    copier: tokio::task::JoinHandle<SqlResult<u64>>,
    stored: u64,
    /// A batch met a stored (source, eventId): later ones go straight to the ignoring insert.
    duplicates_seen: bool,
    /// The highest `seq` stored before the import (read at the first move).
    base: Option<i64>,
}

impl EventCopy {
    /// Starts the copier on its own connection to `url`, staging the chunks of `events`.
    pub fn start(url: String, events: mpsc::Receiver<Vec<EncodedEvent>>) -> EventCopy {
        let (ready_tx, ready) = mpsc::channel(64);
        let copier = tokio::spawn(copier(url, events, ready_tx));
        EventCopy {
            ready,
            copier,
            stored: 0,
            duplicates_seen: false,
            base: None,
        }
    }

    /// The next staged batch; `None` once the copier has staged every chunk (or stopped: then
    /// [`EventCopy::finish`] says why).
    pub async fn next_staged(&mut self) -> Option<Staged> {
        self.ready.recv().await
    }

    /// After the last batch was moved: moves the identity sequence past the numbers given;
    /// returns (stored, duplicates).
    pub async fn finish(mut self, c: &mut AnyConnection) -> SqlResult<(u64, u64)> {
        let sent = match (&mut self.copier).await {
            Ok(r) => r?,
            Err(e) => return Err(crate::StoreError::Internal(format!("the copier died: {e}"))),
        };
        if self.stored > 0 {
            // Later inserts draw from the identity sequence: past the numbers given here.
            (&mut *c)
                .execute(
                    "SELECT setval(pg_get_serial_sequence('events', 'seq'), MAX(seq)) FROM events",
                )
                .await
                .db()?;
        }
        Ok((self.stored, sent - self.stored))
    }
}

impl EventCopy {
    /// Moves one staged batch into `events` with its file-order sequence numbers, skipping
    /// stored (source, eventId), and drops the staging table with the transaction.
    ///
    /// `ON CONFLICT` costs a third more per row than a plain insert, and a first import has no
    /// duplicates: so a batch is first inserted plainly in a savepoint, and only when that meets
    /// a unique key is it rolled back and inserted again skipping what exists — in file order,
    /// so of two events with one (source, eventId) in the files the first is kept.
    pub async fn move_staged(&mut self, c: &mut AnyConnection, staged: Staged) -> SqlResult<()> {
        let table = staged.table.as_str();
        let base = match self.base {
            Some(base) => base,
            None => {
                let base: i64 = query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
                    .fetch_one(&mut *c)
                    .await
                    .db()?;
                // The ignoring insert's ORDER BY sorts a whole batch: in memory, not in
                // temporary files.
                (&mut *c)
                    .execute("SET LOCAL work_mem = '256MB'")
                    .await
                    .db()?;
                *self.base.insert(base)
            }
        };
        let insert =
            format!("INSERT INTO events (seq, {COLS}) SELECT n + {base}, {COLS} FROM {table}");
        let mut stored = None;
        if !self.duplicates_seen {
            (&mut *c).execute("SAVEPOINT axon_stage").await.db()?;
            match (&mut *c).execute(insert.as_str()).await {
                Ok(r) => {
                    (&mut *c)
                        .execute("RELEASE SAVEPOINT axon_stage")
                        .await
                        .db()?;
                    stored = Some(r.rows_affected());
                }
                Err(e) if super::rows::is_unique(&e) => {
                    (&mut *c)
                        .execute("ROLLBACK TO SAVEPOINT axon_stage")
                        .await
                        .db()?;
                    (&mut *c)
                        .execute("RELEASE SAVEPOINT axon_stage")
                        .await
                        .db()?;
                    self.duplicates_seen = true;
                }
                Err(e) => return Err(super::rows::db_err(e)),
            }
        }
        let stored = match stored {
            Some(n) => n,
            None => (&mut *c)
                .execute(format!("{insert} ORDER BY n ON CONFLICT DO NOTHING").as_str())
                .await
                .db()?
                .rows_affected(),
        };
        (&mut *c)
            .execute(format!("DROP TABLE {table}").as_str())
            .await
            .db()?;
        self.stored += stored;
        Ok(())
    }
}

impl Drop for EventCopy {
    /// An import that failed stops staging (its tables are dropped by [`cleanup`]).
    fn drop(&mut self) {
        self.copier.abort();
    }
}

/// Drops every staging table left by an import that did not commit.
pub(crate) async fn cleanup(c: &mut PgConnection) -> SqlResult<()> {
    let tables: Vec<String> =
        query_scalar("SELECT tablename::text FROM pg_tables WHERE tablename LIKE $1")
            .bind(LIKE)
            .fetch_all(&mut *c)
            .await
            .db()?;
    for t in tables {
        c.execute(format!("DROP TABLE IF EXISTS {t}").as_str())
            .await
            .db()?;
    }
    Ok(())
}

/// Connects and cleans up, for an import that failed.
pub(crate) async fn cleanup_url(url: &str) -> SqlResult<()> {
    let mut c = PgConnection::connect(url).await.db()?;
    cleanup(&mut c).await
}

/// Stages the chunks of `rx` in batches of [`BATCH`] events, announcing each on `ready`; how
/// many events it staged.
async fn copier(
    url: String,
    mut rx: mpsc::Receiver<Vec<EncodedEvent>>,
    ready: mpsc::Sender<Staged>,
) -> SqlResult<u64> {
    let mut c = PgConnection::connect(&url).await.db()?;
    cleanup(&mut c).await?;
    let (mut k, mut n) = (0u64, 0i64);
    let mut buf = Vec::with_capacity(1 << 20);
    let mut next = rx.recv().await;
    while let Some(first) = next.take() {
        let table = format!("{PREFIX}{k}");
        k += 1;
        c.execute(
            format!(
                "CREATE UNLOGGED TABLE {table} (n BIGINT NOT NULL, source TEXT NOT NULL, event_id TEXT, \
                 trigger_type TEXT NOT NULL, occurred_at BIGINT NOT NULL, received_at BIGINT NOT NULL, \
                 activity_id BIGINT, campaign_id BIGINT, user_id TEXT, anonymous_id TEXT, \
                 session_id TEXT, bot BIGINT NOT NULL, body TEXT NOT NULL)"
            )
            .as_str(),
        )
        .await
        .db()?;
        let mut copy = c
            .copy_in_raw(&format!("COPY {table} (n, {COLS}) FROM STDIN"))
            .await
            .db()?;
        let mut rows = 0;
        let mut chunk = first;
        loop {
            buf.clear();
            for e in &chunk {
                n += 1;
                encode(&mut buf, n, e);
            }
            rows += chunk.len();
            if let Err(e) = copy.send(buf.as_slice()).await {
                let _ = copy.abort("import failed").await;
                return Err(super::rows::db_err(e));
            }
            if rows >= BATCH {
                next = rx.recv().await;
                break;
            }
            match rx.recv().await {
                Some(more) => chunk = more,
                None => break,
            }
        }
        copy.finish().await.db()?;
        if ready.send(Staged { table }).await.is_err() {
            return Ok(n.cast_unsigned());
        }
    }
    Ok(n.cast_unsigned())
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn encode(buf: &mut Vec<u8>, n: i64, e: &EncodedEvent) {
    fn int(buf: &mut Vec<u8>, v: i64) {
        use std::io::Write;
        let _ = write!(buf, "{v}");
    }
    fn text(buf: &mut Vec<u8>, v: Option<&str>) {
        let Some(v) = v else {
            buf.extend_from_slice(b"\\N");
            return;
        };
        for &b in v.as_bytes() {
            match b {
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                _ => buf.push(b),
            }
        }
    }
    fn opt(buf: &mut Vec<u8>, v: Option<i64>) {
        match v {
            Some(v) => int(buf, v),
            None => buf.extend_from_slice(b"\\N"),
        }
    }
    int(buf, n);
    buf.push(b'\t');
    text(buf, Some(&e.source));
    buf.push(b'\t');
    text(buf, e.event_id.as_deref());
    buf.push(b'\t');
    text(buf, Some(e.trigger_type));
    buf.push(b'\t');
    int(buf, e.occurred_at);
    buf.push(b'\t');
    int(buf, e.received_at);
    buf.push(b'\t');
    opt(buf, e.activity_id);
    buf.push(b'\t');
    opt(buf, e.campaign_id);
    buf.push(b'\t');
    text(buf, e.user_id.as_deref());
    buf.push(b'\t');
    text(buf, e.anonymous_id.as_deref());
    buf.push(b'\t');
    text(buf, e.session_id.as_deref());
    buf.push(b'\t');
    int(buf, i64::from(e.bot));
    buf.push(b'\t');
    text(buf, Some(&e.body));
    buf.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_escapes_what_copy_reads_specially_and_writes_null() {
        let e = EncodedEvent {
            source: "web".into(),
            event_id: None,
            trigger_type: "CLICK",
            occurred_at: -5,
            received_at: 7,
            activity_id: Some(3),
            campaign_id: None,
            user_id: Some("a\tb\\c\nd\re".into()),
            anonymous_id: None,
            session_id: Some(String::new()),
            bot: true,
            body: "{}".into(),
        };
        let mut buf = Vec::new();
        encode(&mut buf, 1, &e);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "1\tweb\t\\N\tCLICK\t-5\t7\t3\t\\N\ta\\tb\\\\c\\nd\\re\t\\N\t\t1\t{}\n"
        );
    }
}
