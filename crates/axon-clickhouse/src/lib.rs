//! Axon's ClickHouse adapter (scale-out mode, issue 15): an analytic copy of the event store in
//! ClickHouse and the raw aggregates computed there, so dashboards can be answered from data that
//! does not fit in a node's memory.
//!
//! What is here: the connection and its migrations ([`schema`]); the events table written in
//! batches keyed by the store's sequence numbers ([`events`]); entries and purchases as they
//! stand, and the store's commits written to ClickHouse ([`projection`]); a node's follower of the
//! commit feed that keeps ClickHouse up to date ([`follow`]); and the aggregates of
//! the raw-aggregates port computed in ClickHouse — events per trigger, page views per time
//! bucket, distinct persons with linked anonymous ids resolved ([`aggregates`]), counts, persons
//! per funnel step, entry tallies and record counts ([`counts`]), purchases per day and cohorts
//! ([`purchases`]), the ordered funnel with its conversion window and drop-offs ([`funnel`]),
//! the inputs of a breakdown ([`split`]) — each proven identical to the embedded engine by
//! `tests/conformance`; and the snapshots that answer the dashboards from ClickHouse
//! (`AXON_ANALYTICS=clickhouse`, [`snapshot`]).
//!
//! ## Versions
//! Written for Debian's ClickHouse 18.16 and current servers alike: no `DateTime64` (times are
//! `Int64` milliseconds), no `toStartOfInterval` (buckets are integer arithmetic), no
//! server-side query parameters (values are bound and escaped by the client), and the client's
//! RowBinary validation off (18.16 has no `RowBinaryWithNamesAndTypes`). What differs between
//! versions, or what 18.16 lacks, is written in one place: [`sql`].
//!
//! ## Exactness
//! Rows are keyed by the event store's sequence number, which the store assigns once per stored
//! (deduplicated) event. A batch written twice (a retry, a redelivery) leaves duplicate rows
//! until ClickHouse merges them (`ReplacingMergeTree` on the full sorting key, which includes the
//! sequence number). Every read that counts or sums goes through `FINAL`, and the reads a
//! duplicate cannot change (distinct persons, a person's funnel step times, link lookups) read
//! the rows as written ([`sql::EVENT_ROWS`]), so answers count each event once at every moment —
//! never "eventually".

pub mod aggregates;
pub mod counts;
pub mod events;
pub mod follow;
pub mod funnel;
pub mod projection;
pub mod purchases;
pub mod schema;
pub mod snapshot;
pub mod split;
pub mod sql;

use clickhouse::Client;
use std::sync::{Arc, Mutex};

/// A failure talking to ClickHouse.
#[derive(Debug, thiserror::Error)]
pub enum ChError {
    #[error("clickhouse: {0}")]
    Client(#[from] clickhouse::error::Error),
    #[error("clickhouse: {0}")]
    Schema(String),
}

/// A connection to one ClickHouse database (the HTTP interface).
#[derive(Clone)]
pub struct ClickHouse {
    client: Client,
    url: String,
    database: String,
    /// Every read's SQL, when [`ClickHouse::with_query_log`] asked for it (benchmarks replay
    /// them with `clickhouse-client`).
    log: Option<Arc<Mutex<Vec<String>>>>,
    /// Answers of single-number reads already made for one dashboard answer
    /// ([`ClickHouse::with_memo`]): its widgets ask for the same distinct counts more than once.
    memo: Option<Arc<Memo>>,
}

/// Single-number answers by their SQL.
type Memo = Mutex<std::collections::HashMap<String, u64>>;

/// A client of the server at `url` with no database chosen: RowBinary validation off (18.16 has
/// no `RowBinaryWithNamesAndTypes`).
fn root_client(url: &str) -> Client {
    Client::default().with_url(url).with_validation(false)
}

impl ClickHouse {
    /// Connects to `url` (`http://host:8123`), creates `database` when it is missing and applies
    /// the migrations it has not seen.
    pub async fn open(url: &str, database: &str) -> Result<ClickHouse, ChError> {
        sql::check_identifier(database)?;
        let root = root_client(url);
        root.query(&format!("CREATE DATABASE IF NOT EXISTS {database}"))
            .execute()
            .await?;
        let ch = ClickHouse {
            client: root.with_database(database),
            url: url.to_string(),
            database: database.to_string(),
            log: None,
            memo: None,
        };
        schema::migrate(&ch).await?;
        Ok(ch)
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The same database through a client of its own (its own connection pool), for use on
    /// another runtime: a pooled connection is driven by the runtime that opened it.
    pub(crate) fn with_own_pool(&self) -> ClickHouse {
        ClickHouse {
            client: root_client(&self.url).with_database(&self.database),
            ..self.clone()
        }
    }

    /// A read; its SQL is logged when a query log is on. Every value in it is a literal the
    /// adapter wrote (numbers, its own wire names), so the SQL is complete as logged.
    pub(crate) fn query(&self, sql: &str) -> clickhouse::query::Query {
        if let Some(log) = &self.log {
            log.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(sql.to_string());
        }
        self.client.query(sql)
    }

    /// A single-number read (a count, a distinct count), answered once per memo: the same SQL
    /// again is answered from it without a query.
    pub(crate) async fn number(&self, sql: &str) -> Result<u64, ChError> {
        let known = |m: &Memo| {
            m.lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(sql)
                .copied()
        };
        if let Some(n) = self.memo.as_deref().and_then(known) {
            return Ok(n);
        }
        let n = self.query(sql).fetch_one::<u64>().await?;
        if let Some(m) = &self.memo {
            m.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(sql.to_string(), n);
        }
        Ok(n)
    }

    /// This connection with a memo of its single-number reads, for the reads of one answer
    /// (one snapshot): its widgets then never send the same count twice.
    pub fn with_memo(&self) -> ClickHouse {
        ClickHouse {
            memo: Some(Arc::default()),
            ..self.clone()
        }
    }

    /// This connection with a log of every read's SQL.
    pub fn with_query_log(mut self) -> ClickHouse {
        self.log = Some(Arc::default());
        self
    }

    /// The SQL of the reads since the last call (empty without a query log).
    pub fn take_queries(&self) -> Vec<String> {
        self.log.as_ref().map_or_else(Vec::new, |l| {
            std::mem::take(&mut *l.lock().unwrap_or_else(|e| e.into_inner()))
        })
    }
}
