//! The FCFS command log on the SQL backends (Kafka with Redis): a consumed batch of gate
//! commands applied exactly once.
//!
//! A batch is one writer job (so it holds the feed head lock with every other write): the
//! stored offsets are read and messages below them skipped as redeliveries; each remaining
//! command runs in its own savepoint through the same writes the direct path uses (entry with
//! its token, coupon and event; approval token; purchase with its stock decrement and event;
//! cancellations), a rule it breaks (`DUPLICATED`, `OUT_OF_STOCK`, …) rolls back only that
//! command and is recorded as its outcome; every outcome goes into `command_outcomes` under the
//! command's id, and the offsets move — one commit.

use super::gate::{cancel_rows, insert_token, write_entry, write_purchase};
use super::rows::{s, Db, SqlResult};
use super::sink::{fresh_of, move_offsets, stored_positions};
use super::{Dialect, SqlStore};
use crate::{Change, Pending, StoreError};
use axon_domain::Ts;
use axon_ports::commands::{AppliedReport, Command, CommandLog, ConsumedCommand, Outcome};
use sqlx_core::any::AnyConnection;
use sqlx_core::executor::Executor;
use sqlx_core::query::query;

async fn stored_outcome(c: &mut AnyConnection, d: Dialect, id: &str) -> SqlResult<Option<Outcome>> {
    let row = query(&d.q("SELECT outcome FROM command_outcomes WHERE id = ?"))
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .db()?;
    match row {
        Some(r) => serde_json::from_str(&s(&r, 0)?)
            .map(Some)
            .map_err(|e| StoreError::Internal(format!("a stored command outcome: {e}"))),
        None => Ok(None),
    }
}

async fn apply_one(
    c: &mut AnyConnection,
    d: Dialect,
    command: Command,
    out: &mut Vec<Change>,
) -> SqlResult<Outcome> {
    Ok(match command {
        Command::Enter(n) => {
            let w = write_entry(c, d, n, out).await?;
            Outcome::Entered {
                entry_id: w.entry.id,
                user_coupon_id: w.user_coupon.map(|u| u.id),
            }
        }
        Command::Token(t) => {
            insert_token(c, d, &t).await?;
            Outcome::Token
        }
        Command::Pay(p) => {
            let w = write_purchase(c, d, p, out).await?;
            Outcome::Paid {
                purchase_id: w.purchase.id,
                created: w.created,
            }
        }
        Command::Cancel { ids, at } => Outcome::Cancelled {
            ids: cancel_rows(c, d, ids, at, out)
                .await?
                .into_iter()
                .map(|e| e.id)
                .collect(),
        },
    })
}

async fn apply_batch(
    c: &mut AnyConnection,
    d: Dialect,
    topic: &str,
    batch: Vec<ConsumedCommand>,
    now: i64,
    out: &mut Vec<Change>,
) -> SqlResult<AppliedReport> {
    let known = stored_positions(c, d, topic).await?;
    let mut report = AppliedReport::default();
    let (fresh, next) = fresh_of(
        &known,
        batch,
        |m| (m.partition, m.offset),
        &mut report.redelivered,
    );
    for m in fresh {
        // The same command published twice (a producer's own retry): applied once.
        if stored_outcome(c, d, &m.id).await?.is_some() {
            report.redelivered += 1;
            continue;
        }
        let mark = out.len();
        c.execute("SAVEPOINT command").await.db()?;
        let outcome = match apply_one(c, d, m.command, out).await {
            Ok(o) => {
                c.execute("RELEASE SAVEPOINT command").await.db()?;
                report.applied += 1;
                o
            }
            Err(e @ (StoreError::Conflict { .. } | StoreError::NotFound(_))) => {
                out.truncate(mark);
                c.execute("ROLLBACK TO SAVEPOINT command").await.db()?;
                c.execute("RELEASE SAVEPOINT command").await.db()?;
                report.refused += 1;
                let code = match &e {
                    StoreError::Conflict { code, .. } => (*code).to_string(),
                    _ => "NOT_FOUND".to_string(),
                };
                Outcome::Refused {
                    code,
                    message: e.to_string(),
                }
            }
            Err(e) => return Err(e),
        };
        let text =
            serde_json::to_string(&outcome).map_err(|e| StoreError::Internal(e.to_string()))?;
        query(&d.q("INSERT INTO command_outcomes (id, outcome, applied_at) VALUES (?, ?, ?)"))
            .bind(m.id)
            .bind(text)
            .bind(now)
            .execute(&mut *c)
            .await
            .db()?;
    }
    move_offsets(c, d, topic, &known, next).await?;
    Ok(report)
}

#[async_trait::async_trait]
impl CommandLog for SqlStore {
    fn apply_commands(&self, topic: &str, batch: Vec<ConsumedCommand>) -> Pending<AppliedReport> {
        let (d, topic, now) = (self.dialect(), topic.to_string(), self.shared.now());
        self.writer().submit(move |c, out| {
            Box::pin(async move { apply_batch(c, d, &topic, batch, now, out).await })
        })
    }

    async fn outcome(&self, id: &str) -> Result<Option<Outcome>, StoreError> {
        let (d, id) = (self.dialect(), id.to_string());
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            stored_outcome(&mut c, d, &id).await
        })
        .await
    }

    async fn prune_outcomes(&self, before: Ts) -> Result<u64, StoreError> {
        let d = self.dialect();
        // A statement deletes a bounded number of rows (short row locks, no long transaction).
        let sql = match d {
            Dialect::Postgres => format!(
                "DELETE FROM command_outcomes WHERE id IN \
                 (SELECT id FROM command_outcomes WHERE applied_at < $1 LIMIT {PRUNE_ROWS})"
            ),
            Dialect::MySql => {
                format!("DELETE FROM command_outcomes WHERE applied_at < ? LIMIT {PRUNE_ROWS}")
            }
        };
        self.read(move |sh| async move {
            let mut deleted = 0;
            loop {
                let n = query(&sql)
                    .bind(before.0)
                    .execute(&sh.pool)
                    .await
                    .db()?
                    .rows_affected();
                deleted += n;
                if n < PRUNE_ROWS {
                    return Ok(deleted);
                }
            }
        })
        .await
    }
}

/// Outcomes deleted per statement when pruning.
const PRUNE_ROWS: u64 = 10_000;
