//! Synchronous ports over async clients: the stock gate and the Redis link decide under a
//! synchronous call (the embedded ledger's shape), while their database and Redis clients are
//! async. [`run_on`] runs a future on the adapter's own runtime and blocks the caller for its
//! answer, moving the caller's other tasks off its worker (`block_in_place`) when it is called
//! from a multi-threaded runtime, so one adapter call never stalls that worker's other tasks.

use std::future::Future;

/// `f` run on `rt`, waited for; `None` when that runtime stopped before answering.
pub fn block_on<T: Send + 'static>(
    rt: &tokio::runtime::Handle,
    f: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn(async move {
        let _ = tx.send(f.await);
    });
    rx.recv().ok()
}

/// [`block_on`], called from anywhere: inside a multi-threaded runtime the wait happens in
/// `block_in_place`; elsewhere (a current-thread runtime, a plain thread) it simply blocks.
pub fn run_on<T: Send + 'static>(
    rt: &tokio::runtime::Handle,
    f: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let rt = rt.clone();
    let run = move || block_on(&rt, f);
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi {
        tokio::task::block_in_place(run)
    } else {
        run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_the_other_runtime_or_none_when_it_stopped() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        assert_eq!(run_on(rt.handle(), async { 41 + 1 }), Some(42));
        let caller = tokio::runtime::Runtime::new().unwrap();
        let h = rt.handle().clone();
        assert_eq!(
            caller.block_on(async move { run_on(&h, async { 7 }) }),
            Some(7)
        );
        let h = rt.handle().clone();
        rt.shutdown_background();
        assert_eq!(run_on(&h, async { 1 }), None);
    }
}
