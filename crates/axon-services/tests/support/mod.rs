//! The dashboards service over an engine fed by a test, with the stock of a ledger rebuilt from
//! the same entries; the campaign the tests' activities belong to.

use axon_domain::model::{Campaign, Entry};
use axon_domain::{BusinessTz, Dec2, Ts};
use axon_engine::ledger::InMemoryLedger;
use axon_engine::Engine;
use axon_ports::aggregates::FixedSource;
use axon_services::dashboards::Dashboards;
use std::sync::Arc;

/// Campaign 1, "C", without a budget of its own.
pub fn campaign() -> Campaign {
    Campaign {
        id: 1,
        name: "C".into(),
        start_at: None,
        end_at: None,
        budget: Dec2::ZERO,
        created_at: Ts(0),
        updated_at: Ts(0),
    }
}

/// The service over `engine`, stock from a ledger of `entries`.
#[allow(dead_code)] // not every test binary needs it
pub fn dashboards(engine: Engine, entries: &[Entry]) -> Dashboards {
    dashboards_in(engine, entries, BusinessTz::default())
}

/// The same in a business time zone of the test's choice.
#[allow(dead_code)] // not every test binary needs it
pub fn dashboards_in(engine: Engine, entries: &[Entry], tz: BusinessTz) -> Dashboards {
    Dashboards::new(
        Arc::new(FixedSource(Arc::new(engine))),
        Arc::new(InMemoryLedger::from_entries(entries)),
        tz,
    )
}
