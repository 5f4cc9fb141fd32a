//! The server's adapter behind the dashboards service (the store as the raw events and profiles
//! that breakdowns split), and a frozen service for the benchmarks.

use crate::state::AppState;
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, UserProfile};
use axon_domain::period::Window;
use axon_engine::Engine;
use axon_ports::aggregates::{FixedSource, RawEvents, SourceError};
use axon_ports::{EventLog, Repo};
use axon_services::dashboards::Dashboards;
use std::sync::Arc;

/// The stored events and profiles a breakdown splits. The dashboards service is synchronous
/// (it runs on the blocking pool); the embedded store's reads complete without waiting, so they
/// are driven to completion in place. A network event store implements `RawEvents` itself.
pub struct StoreEvents {
    pub events: Arc<dyn EventLog>,
    pub repo: Arc<dyn Repo>,
}

fn source(e: impl std::fmt::Display) -> SourceError {
    SourceError(e.to_string())
}

impl RawEvents for StoreEvents {
    fn activity_events(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<Vec<Event>, SourceError> {
        let mut out = Vec::new();
        for id in activities {
            let read = self.events.activity_events(*id, w.start, w.end);
            out.extend(futures_executor::block_on(read).map_err(source)?);
        }
        Ok(out)
    }

    fn activity_events_after(
        &self,
        activity: ActivityId,
        w: &Window,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>, SourceError> {
        let read = self
            .events
            .activity_events_after(activity, w.start, w.end, after, limit);
        futures_executor::block_on(read).map_err(source)
    }

    fn profiles(&self, users: &[String]) -> Result<Vec<UserProfile>, SourceError> {
        futures_executor::block_on(self.repo.profiles(users)).map_err(source)
    }
}

/// The service over the newest snapshot, frozen, and that snapshot: tools that read a stopped
/// store (benchmarks) ask the same snapshot again and again.
pub fn frozen(state: &AppState) -> (Dashboards, Arc<Engine>) {
    let engine = state.snapshots.load();
    let service = Dashboards::new(
        Arc::new(FixedSource(engine.clone())),
        state.backends.stock_levels(),
        state.tz().clone(),
    );
    (service, engine)
}
