//! The group-commit writer: one thread owns the write connection; every write is a job sent to
//! it. The thread takes all jobs waiting, runs each inside its own savepoint of one transaction,
//! commits once (one fsync for the whole group) and only then answers each job.

use crate::pending::{Completer, Pending};
use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Most jobs folded into one transaction.
const MAX_GROUP: usize = 4096;

trait Job: Send {
    /// Runs the job's statements; `false` means it failed and its savepoint must roll back.
    fn run(&mut self, conn: &Connection) -> bool;
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
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let r = self.f.take().map_or_else(
            || Err(StoreError::Internal("job ran twice".into())),
            |f| f(conn),
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

pub struct Writer {
    tx: Option<mpsc::Sender<Box<dyn Job>>>,
    handle: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start(conn: Connection) -> Writer {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let handle = std::thread::Builder::new()
            .name("axon-writer".into())
            .spawn(move || run_loop(&conn, &rx))
            .expect("spawn writer thread");
        Writer {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    /// Queues a write; the answer arrives after the group it joins has committed.
    pub fn submit<T, F>(&self, f: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
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

fn run_loop(conn: &Connection, rx: &mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let outcome = commit_group(conn, &mut jobs);
        if let Err(e) = &outcome {
            tracing::error!(error = %e, jobs = jobs.len(), "group commit failed");
        }
        for j in jobs {
            j.finish(outcome.clone());
        }
    }
}

fn commit_group(conn: &Connection, jobs: &mut [Box<dyn Job>]) -> Result<(), String> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())?;
    for job in jobs.iter_mut() {
        let step = conn.execute_batch("SAVEPOINT job").and_then(|()| {
            if job.run(conn) {
                conn.execute_batch("RELEASE job")
            } else {
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
