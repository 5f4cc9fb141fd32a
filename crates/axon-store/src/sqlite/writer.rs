//! The group-commit writer: one thread owns the write connection; every write is a job sent to
//! it. The thread takes all jobs waiting, runs each inside its own savepoint of one transaction,
//! commits once (one fsync for the whole group) and only then answers each job.
//!
//! Jobs may report what they made durable ([`Change`]s); after COMMIT — before any job is
//! answered — the writer publishes them as one numbered [`Commit`] to its followers (the
//! projector), so whoever was answered can wait for the projector to reach that number.

use crate::{Change, Commit, StoreError};
use axon_ports::pending::{Completer, Pending};
use parking_lot::Mutex;
use rusqlite::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Most jobs folded into one transaction.
const MAX_GROUP: usize = 4096;

trait Job: Send {
    /// Runs the job's statements, appending what it made durable to `out`; `false` means it
    /// failed and its savepoint must roll back.
    fn run(&mut self, conn: &Connection, out: &mut Vec<Change>) -> bool;
    /// Answers the caller with the job's result, or with the commit error.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct TypedJob<T, F> {
    f: Option<F>,
    result: Option<Result<T, StoreError>>,
    tx: Completer<T>,
}

impl<T, F> Job for TypedJob<T, F>
where
    T: Send,
    F: FnOnce(&Connection, &mut Vec<Change>) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection, out: &mut Vec<Change>) -> bool {
        let r = self.f.take().map_or_else(
            || Err(StoreError::Internal("job ran twice".into())),
            |f| f(conn, out),
        );
        let ok = r.is_ok();
        self.result = Some(r);
        ok
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

/// The commit feed's state, shared by the writer thread and the store.
#[derive(Default)]
pub struct Published {
    number: AtomicU64,
    followers: Mutex<Vec<UnboundedSender<Arc<Commit>>>>,
}

impl Published {
    pub fn committed(&self) -> u64 {
        self.number.load(Ordering::Acquire)
    }

    pub fn follow(&self) -> UnboundedReceiver<Arc<Commit>> {
        let (tx, rx) = unbounded_channel();
        self.followers.lock().push(tx);
        rx
    }

    fn publish(&self, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        let mut followers = self.followers.lock();
        let number = self.number.load(Ordering::Relaxed) + 1;
        let commit = Arc::new(Commit { number, changes });
        followers.retain(|f| f.send(commit.clone()).is_ok());
        self.number.store(number, Ordering::Release);
    }
}

pub struct Writer {
    tx: Option<mpsc::Sender<Box<dyn Job>>>,
    handle: Option<JoinHandle<()>>,
    published: Arc<Published>,
}

impl Writer {
    pub fn start(conn: Connection) -> Writer {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let published = Arc::new(Published::default());
        let feed = published.clone();
        let handle = std::thread::Builder::new()
            .name("axon-writer".into())
            .spawn(move || run_loop(&conn, &rx, &feed))
            .expect("spawn writer thread");
        Writer {
            tx: Some(tx),
            handle: Some(handle),
            published,
        }
    }

    pub fn published(&self) -> &Published {
        &self.published
    }

    /// Queues a write that reports no changes to the feed (tokens, keys, coupons, bulk loads).
    pub fn submit<T, F>(&self, f: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.submit_changes(move |conn, _| f(conn))
    }

    /// Queues a write; the answer arrives after the group it joins has committed and its
    /// changes have been published.
    pub fn submit_changes<T, F>(&self, f: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<Change>) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, pending) = Pending::channel();
        let job = Box::new(TypedJob {
            f: Some(f),
            result: None,
            tx,
        });
        if let Some(sender) = &self.tx {
            if let Err(mpsc::SendError(job)) = sender.send(job) {
                job.finish(Err("the writer stopped".into()));
            }
        }
        pending
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run_loop(conn: &Connection, rx: &mpsc::Receiver<Box<dyn Job>>, feed: &Published) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut changes = Vec::new();
        let outcome = commit_group(conn, &mut jobs, &mut changes);
        match &outcome {
            Ok(()) => feed.publish(changes),
            Err(e) => tracing::error!(error = %e, jobs = jobs.len(), "group commit failed"),
        }
        for j in jobs {
            j.finish(outcome.clone());
        }
    }
    // Closing: fold the write-ahead log into the database, so the next process does not start
    // with a log as large as the data (a bulk import writes gigabytes of it) and stall its
    // first writes while SQLite checkpoints it.
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "could not checkpoint the write-ahead log on close");
    }
}

fn commit_group(
    conn: &Connection,
    jobs: &mut [Box<dyn Job>],
    changes: &mut Vec<Change>,
) -> Result<(), String> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())?;
    for job in jobs.iter_mut() {
        let mark = changes.len();
        let step = conn.execute_batch("SAVEPOINT job").and_then(|()| {
            if job.run(conn, changes) {
                conn.execute_batch("RELEASE job")
            } else {
                changes.truncate(mark);
                conn.execute_batch("ROLLBACK TO job; RELEASE job")
            }
        });
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e.to_string());
        }
    }
    conn.execute_batch("COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        e.to_string()
    })
}
