//! One conformance suite over the storage ports, run against every backend: the embedded
//! SQLite store, PostgreSQL and MariaDB (real servers started by `axon-testdb`; without one the
//! PostgreSQL/MariaDB cases print `SKIPPED …` and fail under `CI=true`).
//!
//! Each case in [`suite`] takes a [`Backend`] — the ports as trait objects (`&dyn Repo`, the
//! event log, the commit feed, the bulk loader, the FCFS stock gate) plus a way to open a
//! *second node* on the same database — and is instantiated once per backend by `conformance!`
//! below. The embedded backend's stock gate is the in-process ledger (what `axon serve` runs on
//! SQLite); the SQL backends' is the database's own.

mod suite;

use axon_engine::ledger::InMemoryLedger;
use axon_store::sql::SqlStore;
use axon_store::sqlite::SqliteStore;
use axon_store::stock::StockGate;
use axon_store::{BulkLoader, CommitFeed, EventLog, Repo};
use std::sync::Arc;

/// Everything a backend offers, as the rest of Axon sees it.
pub trait Store: Repo + EventLog + CommitFeed + BulkLoader {}
impl<T: Repo + EventLog + CommitFeed + BulkLoader> Store for T {}

pub struct Backend {
    pub name: &'static str,
    pub store: Arc<dyn Store>,
    /// The FCFS stock gate this backend runs with.
    pub gate: Arc<dyn StockGate>,
    /// The database URL for SQL backends (a second node opens it too).
    pub url: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Backend {
    pub fn repo(&self) -> &dyn Repo {
        &*self.store
    }

    pub fn log(&self) -> &dyn EventLog {
        &*self.store
    }

    /// Another node on the same database (SQL), or the same store again (SQLite locks its
    /// directory to one process, so its "racing writers" are two tasks on one store).
    pub fn second_node(&self) -> Arc<dyn Store> {
        match &self.url {
            Some(url) => Arc::new(SqlStore::open(url).expect("second node")),
            None => self.store.clone(),
        }
    }

    /// The stock gate of another node on the same database (SQL), or the same ledger again
    /// (embedded: one process).
    pub fn second_gate(&self) -> Arc<dyn StockGate> {
        match &self.url {
            Some(url) => Arc::new(SqlStore::open(url).expect("second node")),
            None => self.gate.clone(),
        }
    }
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    Backend {
        name: "sqlite",
        store: Arc::new(SqliteStore::open(dir.path()).unwrap()),
        gate: Arc::new(InMemoryLedger::default()),
        url: None,
        _dir: Some(dir),
    }
}

fn sql(server: &axon_testdb::Server, name: &'static str, case: &str) -> Backend {
    let url = server.database(case);
    let store = Arc::new(SqlStore::open(&url).unwrap_or_else(|e| panic!("{name}: {e}")));
    Backend {
        name,
        store: store.clone(),
        gate: store,
        url: Some(url),
        _dir: None,
    }
}

fn postgres(case: &str) -> Option<Backend> {
    axon_testdb::postgres(&format!("conformance::postgres::{case}"))
        .map(|s| sql(s, "postgres", case))
}

fn mariadb(case: &str) -> Option<Backend> {
    axon_testdb::mariadb(&format!("conformance::mariadb::{case}")).map(|s| sql(s, "mariadb", case))
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::suite::$case(&super::sqlite()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(b) = super::postgres(stringify!($case)) else { return };
                super::suite::$case(&b).await;
            })*
        }
        mod mariadb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(b) = super::mariadb(stringify!($case)) else { return };
                super::suite::$case(&b).await;
            })*
        }
    };
}

conformance!(
    events_dedupe_and_replay_in_order,
    events_query_pages_by_cursor_and_filters,
    campaigns_names_unique_and_a_failed_job_spares_its_group,
    campaigns_update_delete_and_refuse,
    activities_need_a_campaign_and_change_status_only_from_expected,
    catalog_products_profiles_definitions,
    keys_create_revoke_and_refuse_duplicates,
    entries_and_purchases_upsert_idempotently,
    gate_entry_token_event_together_or_not_at_all,
    gate_purchase_once_and_short_stock_changes_nothing,
    gate_coupons_issue_use_once_and_delete_rules,
    gate_giveaway_participants_and_one_draw,
    gate_entries_page_and_cancel,
    feed_publishes_what_each_commit_made_durable,
    bulk_load_is_all_or_nothing_and_idempotent,
    bulk_load_in_large_batches_keeps_the_one_row_semantics,
    bulk_load_keeps_odd_text_the_load_order_and_stored_duplicates,
    bulk_load_of_many_events_keeps_file_order_and_the_first_duplicate,
    racing_writers_on_one_unique_key,
    racing_buyers_never_oversell,
    migrations_from_empty_rerun_and_concurrent,
    other_nodes_follow_within_a_second,
    stock_gate_admits_to_the_limit_once_per_user,
    stock_gate_confirm_extend_and_expiry,
    stock_gate_recovers_from_stored_seats,
    stock_gate_two_nodes_never_oversell,
    stock_gate_expiry_racing_a_confirm,
    stock_gate_takes_back_a_seat_whose_writer_died,
    stock_gate_takes_over_stale_confirms_and_releases,
    alert_rules_state_and_deliveries,
    alert_lease_has_one_holder_across_nodes,
    share_links_by_hash_revoked_once,
    annotations_by_scope_and_window,
);
