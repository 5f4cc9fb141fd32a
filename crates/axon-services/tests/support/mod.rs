//! The dashboards service over an engine fed by a test, with the stock of a ledger rebuilt from
//! the same entries.

use axon_domain::model::Entry;
use axon_domain::BusinessTz;
use axon_engine::ledger::InMemoryLedger;
use axon_engine::Engine;
use axon_ports::aggregates::FixedSource;
use axon_services::dashboards::Dashboards;
use std::sync::Arc;

pub fn dashboards(engine: Engine, entries: &[Entry]) -> Dashboards {
    Dashboards::new(
        Arc::new(FixedSource(Arc::new(engine))),
        Arc::new(InMemoryLedger::from_entries(entries)),
        BusinessTz::default(),
    )
}
