//! Axon's Redis adapters for the scale-out mode (`AXON_REDIS_URL`, issue 13): the FCFS stock
//! gate as one Lua script per operation, shared by every node; and, over a second connection
//! ([`RedisLink`]), the bus between nodes ([`bus`]: commit announcements and revocations), the
//! shared answer cache ([`cache`]), the shared rate limits ([`limit`]) and the eligibility cache
//! ([`profiles`]).
//!
//! More keys: `dashboard:…` (cached answers, 5 minutes), `rate:{n}:{client}` (GCRA arrival
//! times), `validation:{user}:{activity}` with `validation-of:{user}` and `validation-gen:{user}`
//! (filter inputs, 5 minutes), and the pub/sub channel `changes`.
//!
//! ## Keys (all under a configurable prefix, default `axon:`)
//! "campaign" is SPEC §11's word for a campaign activity: `{id}` is the activity's id.
//! - `campaign:{id}:meta` (hash): `used` (units held or sold), `next_order`, `held` (units of
//!   live holds), `limit` (the last limit an admission was checked against).
//! - `campaign:{id}:remaining` (string): `limit − used`, kept by every script that moves `used`
//!   (a mirror for operators and `redis-cli`; the decisions read `used`).
//! - `campaign:{id}:participants` (set): every person with a seat — one entry per user.
//! - `campaign:{id}:seats` (hash): user → `state|units|order|entryId|token|resExp|exp`, the
//!   embedded ledger's states (`WRITING`, `HELD`, `CONFIRMING`, `RELEASING`, `FINAL`,
//!   `CANCELLED`).
//! - `gate:holds` (sorted set): `{id}:{user}` of every unsettled seat, scored by when it is due —
//!   a hold's expiry; a `WRITING` seat's lease end; a `CONFIRMING` seat's expiry + the lease; a
//!   `RELEASING` claim's lease end. Whatever is due is claimed by exactly one node, so a node
//!   that dies mid-write, mid-confirm or mid-release leaves nothing stuck: a surviving node claims
//!   the seat when its lease ends and settles it against the SQL store (never an oversell; a
//!   purchase that landed stays sold).
//! - `gate:generation` (string): the generation marker. Every script refuses to decide while it
//!   is missing; `gate:rebuild` is the lock of the node rebuilding it.
//!
//! The scripts touch keys of several activities (`due`), so the gate needs one Redis primary
//! (or a Redis Cluster with every key in one slot — not supported); not Redis Cluster.
//!
//! ## Durability and recovery
//! Redis decides, the SQL store keeps: an entry is answered 200 only once it is durable in the
//! SQL store (the service writes it after `admit` and before answering). When Redis loses its
//! data (a restart without persistence, a flush, a failover to an empty replica) the marker is
//! gone, every admission answers `Unavailable`, and the first node to notice waits
//! [`RedisGateOptions::recovery_grace`] (so writes admitted before the loss land in SQL), reads
//! the entries and tokens from SQL and rebuilds the gate under the `gate:rebuild` lock before
//! setting a new marker. A write that outlives the grace is logged (`committed` finds no seat).
//!
//! Persistence (README "Scale-out"): either `appendonly yes` + `appendfsync always` (every
//! decision on disk before it is answered; an fsync per script), or no persistence at all (a
//! restart comes back empty and is rebuilt from SQL). `appendfsync everysec` or RDB snapshots
//! alone are the unsafe middle: a crash can come back with the marker but without the last
//! second of admissions, which the gate cannot detect — it could then oversell by them.
//!
//! The `StockGate` port is synchronous (the embedded ledger decides under a mutex): each call
//! runs on this adapter's own runtime and blocks the caller for one round trip, moving the
//! caller's other tasks off its worker (`block_in_place`) on a multi-threaded runtime. A Redis
//! error is logged and answered as `Unavailable` (admit, extend, confirm), nothing due, or no
//! change.

pub mod bus;
pub mod cache;
mod gate;
pub mod limit;
mod link;
pub mod profiles;
mod recover;
mod scripts;

pub use bus::{Heard, RedisBus};
pub use cache::RedisCache;
pub use limit::RedisRateLimit;
pub use link::RedisLink;
pub use profiles::RedisProfiles;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use scripts::Scripts;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Settings of the Redis gate.
#[derive(Debug, Clone)]
pub struct RedisGateOptions {
    /// Prefix of every key (`axon:` by default); lets several deployments share one Redis.
    pub prefix: String,
    /// How long a `WRITING` seat may wait for its durable write before a surviving node may
    /// reclaim it (its node is presumed dead).
    pub writing_lease: Duration,
    /// How long a rebuild waits after finding the marker gone before reading the SQL store, so
    /// that writes admitted before the loss are durable by then.
    pub recovery_grace: Duration,
}

impl Default for RedisGateOptions {
    fn default() -> Self {
        RedisGateOptions {
            prefix: "axon:".into(),
            writing_lease: Duration::from_secs(30),
            recovery_grace: Duration::from_secs(2),
        }
    }
}

/// A failure to connect.
#[derive(Debug)]
pub struct ConnectError(pub String);

impl std::error::Error for ConnectError {}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The FCFS stock gate on Redis (see the module doc).
pub struct RedisGate {
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

pub(crate) struct Shared {
    conn: ConnectionManager,
    scripts: Scripts,
    opts: RedisGateOptions,
    rt: tokio::runtime::Handle,
}

impl Shared {
    fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.opts.prefix)
    }
}

/// `redis://host:port/db` with any password hidden, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

impl RedisGate {
    /// Connects to `url` (`redis://…`), with reconnection, and loads the scripts.
    pub fn connect(url: &str, opts: RedisGateOptions) -> Result<RedisGate, ConnectError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("axon-redis")
            .enable_all()
            .build()
            .map_err(|e| ConnectError(e.to_string()))?;
        let client =
            redis::Client::open(url).map_err(|e| ConnectError(format!("{}: {e}", redact(url))))?;
        let scripts = Scripts::new();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_millis(500));
        let shown = redact(url);
        let conn = block_on(runtime.handle(), async move {
            let mut c = ConnectionManager::new_with_config(client, config).await?;
            Scripts::new().load(&mut c).await?;
            redis::RedisResult::Ok(c)
        })
        .ok_or_else(|| ConnectError("the Redis runtime stopped".into()))?
        .map_err(|e| ConnectError(format!("could not connect to {shown}: {e}")))?;
        Ok(RedisGate {
            shared: Arc::new(Shared {
                conn,
                scripts,
                opts,
                rt: runtime.handle().clone(),
            }),
            runtime: Some(runtime),
        })
    }

    /// Runs one operation on the adapter's runtime and waits for it; `None` after a logged
    /// Redis error.
    fn call<T, Fut>(&self, op: &'static str, f: impl FnOnce(Arc<Shared>) -> Fut) -> Option<T>
    where
        T: Send + 'static,
        Fut: Future<Output = redis::RedisResult<T>> + Send + 'static,
    {
        let fut = f(self.shared.clone());
        let answer = axon_ports::blocking::run_on(&self.shared.rt, fut);
        match answer {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                tracing::error!(op, error = %e, "stock gate: Redis error");
                None
            }
            None => {
                tracing::error!(op, "stock gate: the Redis runtime stopped");
                None
            }
        }
    }
}

impl Drop for RedisGate {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

pub(crate) use axon_ports::blocking::block_on;
