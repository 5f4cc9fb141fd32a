//! The SQL backends' group-commit writer: one task owns a write connection; every write is a
//! job sent to it. It takes all jobs waiting, runs each inside its own savepoint of one
//! transaction, commits once and only then answers each job — as the embedded writer does.
//!
//! Every group first locks the feed head row (`SELECT … FOR UPDATE`), so write transactions of
//! all nodes on the database are serialised: event sequence numbers and feed numbers follow
//! commit order, and ids assigned as `max + 1` cannot collide. A group that made changes appends
//! one `axon_feed` row (its number and what it made durable) before COMMIT; after COMMIT the
//! commit is handed to the [`Tail`](super::feed::Tail), which publishes it in feed order (after
//! any other node's commits before it), and only then are the jobs answered — so a caller that
//! was answered can wait for the projector to reach `committed()`.

use super::feed::{self, Tail};
use super::rows::{Db, SqlResult};
use super::Shared;
use crate::{Change, StoreError};
use axon_ports::pending::{Completer, Pending};
use futures_util::future::BoxFuture;
use sqlx_core::any::AnyConnection;
use sqlx_core::executor::Executor;
use sqlx_core::pool::PoolConnection;
use sqlx_core::query::query;
use sqlx_core::query_scalar::query_scalar;
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Most jobs folded into one transaction.
const MAX_GROUP: usize = 2048;

/// What a job runs: statements on the writer's connection, inside the group's transaction.
pub type JobFn<T> = Box<
    dyn for<'c> FnOnce(&'c mut AnyConnection, &'c mut Vec<Change>) -> BoxFuture<'c, SqlResult<T>>
        + Send,
>;

trait Job: Send {
    fn run<'c>(
        &'c mut self,
        conn: &'c mut AnyConnection,
        out: &'c mut Vec<Change>,
    ) -> BoxFuture<'c, bool>;
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct TypedJob<T> {
    f: Option<JobFn<T>>,
    result: Option<SqlResult<T>>,
    tx: Completer<T>,
}

impl<T: Send> Job for TypedJob<T> {
    fn run<'c>(
        &'c mut self,
        conn: &'c mut AnyConnection,
        out: &'c mut Vec<Change>,
    ) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let r = match self.f.take() {
                Some(f) => f(conn, out).await,
                None => Err(StoreError::Internal("job ran twice".into())),
            };
            let ok = r.is_ok();
            self.result = Some(r);
            ok
        })
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let r = match commit {
            Ok(()) => self
                .result
                .unwrap_or_else(|| Err(StoreError::Internal("job did not run".into()))),
            Err(e) => Err(StoreError::Internal(e)),
        };
        let _ = self.tx.send(r);
    }
}

pub struct Writer {
    tx: UnboundedSender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer task on the store's runtime.
    pub fn start(shared: Arc<Shared>, tail: Arc<Tail>) -> (Writer, tokio::task::JoinHandle<()>) {
        let (tx, rx) = unbounded_channel::<Box<dyn Job>>();
        let handle = shared.rt.clone().spawn(run_loop(shared, tail, rx));
        (Writer { tx }, handle)
    }

    /// Queues a write; the answer arrives after the group it joins has committed and its
    /// changes have been published.
    pub fn submit<T, F>(&self, f: F) -> Pending<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut AnyConnection,
                &'c mut Vec<Change>,
            ) -> BoxFuture<'c, SqlResult<T>>
            + Send
            + 'static,
    {
        let (tx, pending) = Pending::channel();
        let job: Box<dyn Job> = Box::new(TypedJob {
            f: Some(Box::new(f)),
            result: None,
            tx,
        });
        if let Err(e) = self.tx.send(job) {
            e.0.finish(Err("the writer stopped".into()));
        }
        pending
    }
}

async fn run_loop(shared: Arc<Shared>, tail: Arc<Tail>, mut rx: UnboundedReceiver<Box<dyn Job>>) {
    let mut conn: Option<PoolConnection<sqlx_core::any::Any>> = None;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let outcome = match connection(&shared, &mut conn).await {
            Ok(c) => commit_group(&shared, &tail, c, &mut jobs).await,
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = &outcome {
            tracing::error!(error = %e, jobs = jobs.len(), "group commit failed");
            // The connection may be broken or mid-transaction: take a fresh one next time.
            conn = None;
        }
        for j in jobs {
            j.finish(outcome.clone());
        }
    }
}

async fn connection<'a>(
    shared: &Shared,
    conn: &'a mut Option<PoolConnection<sqlx_core::any::Any>>,
) -> SqlResult<&'a mut AnyConnection> {
    if conn.is_none() {
        *conn = Some(shared.pool.acquire().await.db()?);
    }
    conn.as_deref_mut()
        .ok_or_else(|| StoreError::Internal("no connection".into()))
}

async fn commit_group(
    shared: &Shared,
    tail: &Tail,
    conn: &mut AnyConnection,
    jobs: &mut [Box<dyn Job>],
) -> Result<(), String> {
    let d = shared.dialect;
    let mut changes = Vec::new();
    let step = async {
        (&mut *conn).execute("BEGIN").await.db()?;
        let head: i64 = query_scalar("SELECT seq FROM axon_feed_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *conn)
            .await
            .db()?;
        for job in jobs.iter_mut() {
            let mark = changes.len();
            (&mut *conn).execute("SAVEPOINT job").await.db()?;
            if job.run(conn, &mut changes).await {
                (&mut *conn).execute("RELEASE SAVEPOINT job").await.db()?;
            } else {
                changes.truncate(mark);
                (&mut *conn)
                    .execute("ROLLBACK TO SAVEPOINT job")
                    .await
                    .db()?;
                (&mut *conn).execute("RELEASE SAVEPOINT job").await.db()?;
            }
        }
        let seq = if changes.is_empty() {
            None
        } else {
            let seq = head + 1;
            let items = feed::encode(&changes)?;
            query(&d.q("INSERT INTO axon_feed (seq, items, committed_at) VALUES (?, ?, ?)"))
                .bind(seq)
                .bind(items)
                .bind(shared.now())
                .execute(&mut *conn)
                .await
                .db()?;
            query(&d.q("UPDATE axon_feed_head SET seq = ? WHERE id = 1"))
                .bind(seq)
                .execute(&mut *conn)
                .await
                .db()?;
            Some(seq)
        };
        (&mut *conn).execute("COMMIT").await.db()?;
        SqlResult::Ok(seq)
    }
    .await;
    match step {
        Ok(Some(seq)) => {
            tail.committed_here(seq, changes).await;
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => {
            let _ = (&mut *conn).execute("ROLLBACK").await;
            Err(e.to_string())
        }
    }
}
