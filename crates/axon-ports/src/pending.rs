//! `Pending<T>`: the answer to a write that becomes available once it is durable.
//!
//! Async callers `.await` it; synchronous callers (import, tests) call `wait()`.

use crate::StoreError;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::oneshot;

pub struct Pending<T> {
    rx: oneshot::Receiver<Result<T, StoreError>>,
}

/// The sending half, completed by the writer after commit.
pub type Completer<T> = oneshot::Sender<Result<T, StoreError>>;

impl<T> Pending<T> {
    pub fn channel() -> (Completer<T>, Pending<T>) {
        let (tx, rx) = oneshot::channel();
        (tx, Pending { rx })
    }

    /// An already-known answer (e.g. a validation failure before any write).
    pub fn ready(r: Result<T, StoreError>) -> Pending<T> {
        let (tx, p) = Self::channel();
        let _ = tx.send(r);
        p
    }

    /// Blocks the current thread until the write is durable. Not for async contexts.
    pub fn wait(self) -> Result<T, StoreError> {
        self.rx
            .blocking_recv()
            .unwrap_or_else(|_| Err(StoreError::Internal("the writer stopped".into())))
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T, StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx)
            .poll(cx)
            .map(|r| r.unwrap_or_else(|_| Err(StoreError::Internal("the writer stopped".into()))))
    }
}
