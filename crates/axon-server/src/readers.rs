//! The reader pool: dashboard renders and question answers run on threads of their own, at a
//! lower CPU priority (nice 10 on Linux) than the store's writer, the projector and the async
//! workers that acknowledge events and FCFS entries. On a machine shared by both, writes come
//! first and reads take what is left — a busy dashboard can slow other dashboards, never an
//! acknowledgement.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// How much lower than the rest of the process reader threads run (Linux niceness).
const NICENESS: i32 = 10;

pub struct ReadPool {
    jobs: mpsc::Sender<Job>,
}

/// A job whose thread went away (the pool is shutting down).
#[derive(Debug)]
pub struct Stopped;

impl ReadPool {
    /// Starts `threads` reader threads; they stop when the pool is dropped.
    pub fn new(threads: usize) -> std::io::Result<ReadPool> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("axon-reader-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                })?;
        }
        Ok(ReadPool { jobs })
    }

    /// Runs `f` on a reader thread and answers its result (a panic is answered as `Stopped`).
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Stopped> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            if let Ok(v) = catch_unwind(AssertUnwindSafe(f)) {
                let _ = tx.send(v);
            }
        });
        self.jobs.send(job).map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the reader thread stopped")
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux the niceness of PRIO_PROCESS with a thread id is that thread's alone.
    let me = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(me), NICENESS) {
        tracing::debug!(error = %e, "reader thread keeps its priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_lowered_reader_threads_and_a_panic_is_an_error() {
        let pool = ReadPool::new(2).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.is_some_and(|n| n.starts_with("axon-reader-")));
        #[cfg(target_os = "linux")]
        {
            let nice = pool
                .run(|| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
                .await
                .unwrap()
                .unwrap();
            let mine =
                rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
            assert!(nice > mine || nice == 19, "reader {nice}, caller {mine}");
        }
        assert!(pool.run(|| panic!("boom")).await.is_err());
        assert_eq!(
            pool.run(|| 2 + 2).await.unwrap(),
            4,
            "the pool survives a panic"
        );
    }
}
