//! The server's adapters behind the dashboards service: where analytics snapshots come from, the
//! store as the raw events breakdowns split, and the FCFS gate as the stock levels.

use crate::gate::Gate;
use crate::state::AppState;
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, UserProfile};
use axon_domain::period::Window;
use axon_domain::BusinessTz;
use axon_engine::Engine;
use axon_ports::aggregates::{
    AnalyticsSource, FixedSource, RawEvents, Snapshot, SourceError, StockLevels,
};
use axon_services::dashboards::Dashboards;
use axon_store::{EventLog, Repo};
use parking_lot::RwLock;
use std::sync::Arc;

/// The service over the engine, the store and the gate.
pub fn dashboards(
    engine: Arc<RwLock<Engine>>,
    gate: Arc<Gate>,
    events: Arc<dyn EventLog>,
    repo: Arc<dyn Repo>,
    tz: BusinessTz,
) -> Dashboards {
    Dashboards::new(Arc::new(EngineCopies(engine)), gate, tz)
        .with_raw_events(Arc::new(StoreEvents { events, repo }))
}

/// The service over one copy of the engine as it is now, and that copy: tools that read a
/// stopped store (benchmarks) ask the same snapshot again and again.
pub fn frozen(state: &AppState) -> (Dashboards, Arc<Engine>) {
    let engine = Arc::new(state.engine.read().clone());
    let service = Dashboards::new(
        Arc::new(FixedSource(engine.clone())),
        state.gate.clone(),
        state.tz().clone(),
    );
    (service, engine)
}

// interim: replaced by the projector's snapshots
/// Each snapshot is a copy of the engine taken under its read lock: correct, and slow.
struct EngineCopies(Arc<RwLock<Engine>>);

impl AnalyticsSource for EngineCopies {
    fn snapshot(&self) -> Arc<dyn Snapshot> {
        Arc::new(self.0.read().clone())
    }
}

/// The stored events and profiles a breakdown splits.
struct StoreEvents {
    events: Arc<dyn EventLog>,
    repo: Arc<dyn Repo>,
}

impl RawEvents for StoreEvents {
    fn activity_events(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<Vec<Event>, SourceError> {
        let mut out = Vec::new();
        for id in activities {
            out.extend(
                self.events
                    .activity_events(*id, w.start, w.end)
                    .map_err(|e| SourceError(e.to_string()))?,
            );
        }
        Ok(out)
    }

    fn profiles(&self, users: &[String]) -> Result<Vec<UserProfile>, SourceError> {
        self.repo
            .profiles(users)
            .map_err(|e| SourceError(e.to_string()))
    }
}

/// The realtime widget's stock is the gate's: one truth with `/api/v1/activities/{id}/stock`.
impl StockLevels for Gate {
    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64 {
        self.ledger.remaining(activity, limit)
    }

    fn held(&self, activity: ActivityId) -> i64 {
        self.ledger.held(activity)
    }
}
