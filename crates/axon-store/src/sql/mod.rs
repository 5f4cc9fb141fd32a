//! The shared-database backends: PostgreSQL and MySQL/MariaDB through sqlx's `Any` driver, one
//! implementation of every port with the dialect differences in [`dialect`] and the schemas in
//! `crate::postgres` / `crate::mysql`.
//!
//! Semantics mirror the embedded adapter exactly (same statements, same error codes, same
//! group commit): writes are jobs on one writer task per node, each in its own savepoint of a
//! group transaction, answered after COMMIT. What a node adds for sharing the database with
//! others: every write transaction holds the feed head row lock (ids, event sequence numbers and
//! feed numbers follow commit order across nodes), and the commit feed is a table every node
//! tails ([`feed`]).
//!
//! The store runs its own small tokio runtime for the pool and the writer, so it serves async
//! callers on any runtime and the synchronous ones (`Pending::wait`, import, tests) alike.

mod alerts;
mod bulk;
mod catalog;
mod commands;
mod commerce;
#[cfg(feature = "postgres")]
mod copy;
mod coupons;
pub mod dialect;
mod events;
mod feed;
mod gate;
mod keys;
mod migrate;
mod relational;
mod rows;
mod shares;
mod sink;
mod stock;
mod writer;

pub use dialect::Dialect;

use crate::StoreError;
use rows::{Db, SqlResult};
use sqlx_core::any::{AnyPool, AnyPoolOptions};
use sqlx_core::query_scalar::query_scalar;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use writer::Writer;

/// What every part of the store shares.
pub(crate) struct Shared {
    pub pool: AnyPool,
    pub dialect: Dialect,
    pub rt: tokio::runtime::Handle,
    /// Activities whose stock book row this node has seen exist (`sql::stock`).
    pub books: parking_lot::Mutex<std::collections::HashSet<i64>>,
}

impl Shared {
    /// Wall-clock milliseconds, for bookkeeping columns only (the domain's clock is injected).
    pub fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

pub struct SqlStore {
    shared: Arc<Shared>,
    writer: Option<Writer>,
    writer_task: Option<tokio::task::JoinHandle<()>>,
    tail: Arc<feed::Tail>,
    runtime: Option<tokio::runtime::Runtime>,
    migrated: Vec<usize>,
    /// For the second, native connection of the PostgreSQL bulk load (`COPY`).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    url: String,
}

fn install_drivers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        sqlx_core::any::driver::install_drivers(&[
            #[cfg(feature = "postgres")]
            sqlx_postgres::any::DRIVER,
            #[cfg(feature = "mysql")]
            sqlx_mysql::any::DRIVER,
        ])
        .expect("sqlx drivers installed once");
    });
}

use axon_ports::blocking::block_on;

impl SqlStore {
    /// Connects to `url` (`postgres://…`, `mysql://…`), applies the embedded migrations and
    /// starts the writer.
    pub fn open(url: &str) -> Result<SqlStore, StoreError> {
        let dialect = Dialect::of_url(url).ok_or_else(|| {
            StoreError::Internal(format!(
                "not a postgres:// or mysql:// URL: {}",
                redact(url)
            ))
        })?;
        if dialect.migrations().is_empty() {
            return Err(StoreError::Internal(format!(
                "this build has no {} support",
                dialect.name()
            )));
        }
        install_drivers();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("axon-sql")
            .enable_all()
            .build()?;
        let url = url.to_string();
        let own_url = url.clone();
        let connect = async move {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect(&url)
                .await
                .map_err(|e| {
                    StoreError::Internal(format!("could not connect to {}: {e}", redact(&url)))
                })?;
            let mut conn = pool.acquire().await.db()?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            let migrated = migrate::migrate(&mut conn, dialect, now).await?;
            let head: i64 = query_scalar("SELECT seq FROM axon_feed_head WHERE id = 1")
                .fetch_one(&mut *conn)
                .await
                .db()?;
            SqlResult::Ok((pool, migrated, head))
        };
        let (pool, migrated, head) = block_on(runtime.handle(), connect)
            .ok_or_else(|| StoreError::Internal("the database runtime stopped".into()))??;
        let shared = Arc::new(Shared {
            pool,
            dialect,
            rt: runtime.handle().clone(),
            books: Default::default(),
        });
        let tail = Arc::new(feed::Tail::new(shared.clone(), head));
        let (writer, task) = Writer::start(shared.clone(), tail.clone());
        Ok(SqlStore {
            shared,
            writer: Some(writer),
            writer_task: Some(task),
            tail,
            runtime: Some(runtime),
            migrated,
            url: own_url,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.shared.dialect
    }

    /// The migration versions this `open` applied (empty when the schema was current).
    pub fn migrations_applied(&self) -> &[usize] {
        &self.migrated
    }

    pub(crate) fn writer(&self) -> &Writer {
        self.writer.as_ref().expect("the writer runs until drop")
    }

    /// Runs a read on the store's runtime (the pool lives there).
    pub(crate) async fn read<T, Fut>(
        &self,
        f: impl FnOnce(Arc<Shared>) -> Fut,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        Fut: Future<Output = SqlResult<T>> + Send + 'static,
    {
        self.shared
            .rt
            .spawn(f(self.shared.clone()))
            .await
            .map_err(|e| StoreError::Internal(format!("a database read failed: {e}")))?
    }

    /// Streams every row of `sql` (no parameters) through `map` to `visit`, in batches, so a
    /// full scan (start-up replay) never holds the whole table in memory.
    pub(crate) async fn stream<T: Send + 'static>(
        &self,
        sql: String,
        map: fn(&sqlx_core::any::AnyRow) -> SqlResult<T>,
        visit: &mut (dyn FnMut(T) + Send),
    ) -> Result<u64, StoreError> {
        use futures_util::StreamExt;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<SqlResult<Vec<T>>>(4);
        let shared = self.shared.clone();
        self.shared.rt.spawn(async move {
            let mut rows = sqlx_core::query::query(&sql).fetch(&shared.pool);
            let mut batch = Vec::with_capacity(1024);
            while let Some(row) = rows.next().await {
                match row.db().and_then(|r| map(&r)) {
                    Ok(v) => batch.push(v),
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                }
                if batch.len() == 1024 && tx.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                    return;
                }
            }
            let _ = tx.send(Ok(batch)).await;
        });
        let mut n = 0;
        while let Some(batch) = rx.recv().await {
            for v in batch? {
                visit(v);
                n += 1;
            }
        }
        Ok(n)
    }
}

impl Drop for SqlStore {
    fn drop(&mut self) {
        // Let the writer finish what was queued, then stop the runtime without blocking on it.
        self.writer.take();
        if let (Some(task), Some(rt)) = (self.writer_task.take(), self.runtime.as_ref()) {
            let _ = block_on(rt.handle(), async move {
                let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
            });
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl crate::CommitFeed for SqlStore {
    fn committed(&self) -> u64 {
        self.tail.committed()
    }

    fn follow(&self) -> tokio::sync::mpsc::UnboundedReceiver<Arc<crate::Commit>> {
        self.tail.follow()
    }

    fn look_now(&self) {
        self.tail.look_now();
    }

    fn announce_to(&self, peers: Arc<dyn crate::Peers>, poll: Duration) {
        self.tail.announce_to(peers);
        self.tail.set_poll(poll);
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://axon:s3cret@db:5432/axon"),
            "postgres://axon:***@db:5432/axon"
        );
        assert_eq!(super::redact("mysql://root@h/x"), "mysql://root@h/x");
    }
}
