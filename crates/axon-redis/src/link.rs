//! One node's second connection to Redis, shared by the answer cache, the rate limiter and the
//! bus (the stock gate keeps its own): a connection manager (reconnecting) on the adapters' own
//! small runtime, with short timeouts — these callers degrade (compute the answer, limit per
//! node, poll the database) rather than wait for a Redis that does not answer.

use crate::{block_on, redact, ConnectError};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The shared connection (see the module doc).
pub struct RedisLink {
    pub(crate) conn: ConnectionManager,
    pub(crate) client: redis::Client,
    pub(crate) prefix: String,
    pub(crate) rt: tokio::runtime::Handle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl RedisLink {
    /// Connects to `url`; every key this link writes starts with `prefix`.
    pub fn connect(url: &str, prefix: &str) -> Result<Arc<RedisLink>, ConnectError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("axon-redis-link")
            .enable_all()
            .build()
            .map_err(|e| ConnectError(e.to_string()))?;
        let client =
            redis::Client::open(url).map_err(|e| ConnectError(format!("{}: {e}", redact(url))))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let shown = redact(url);
        let c = client.clone();
        let conn = block_on(runtime.handle(), async move {
            ConnectionManager::new_with_config(c, config).await
        })
        .ok_or_else(|| ConnectError("the Redis runtime stopped".into()))?
        .map_err(|e| ConnectError(format!("could not connect to {shown}: {e}")))?;
        Ok(Arc::new(RedisLink {
            conn,
            client,
            prefix: prefix.to_string(),
            rt: runtime.handle().clone(),
            runtime: Some(runtime),
        }))
    }

    pub(crate) fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.prefix)
    }

    /// Runs one command on the link's runtime and blocks for its answer (moving the caller's
    /// other tasks off its worker on a multi-threaded runtime); `None` after a Redis error,
    /// which is logged at `warn` — the callers degrade.
    pub(crate) fn call<T, Fut>(&self, op: &'static str, fut: Fut) -> Option<T>
    where
        T: Send + 'static,
        Fut: Future<Output = redis::RedisResult<T>> + Send + 'static,
    {
        let answer = axon_ports::blocking::run_on(&self.rt, fut);
        match answer {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                tracing::warn!(op, error = %e, "Redis error; degrading");
                None
            }
            None => None,
        }
    }
}

impl Drop for RedisLink {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
