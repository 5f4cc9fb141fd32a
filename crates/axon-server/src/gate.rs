//! The FCFS gate's runtime: the ledger port (embedded: one in-memory ledger under a mutex),
//! rebuilt from the store at start, and the sweeper that durably cancels expired holds and only
//! then gives their units back.
//!
//! Every ledger call is one atomic decision and never spans an `.await`: decide, write durably
//! outside the ledger, then report the outcome (commit or undo) in a second call.

use crate::state::AppState;
use axon_domain::model::{ActivityType, EntryStatus};
use axon_domain::Ts;
use axon_engine::ledger::{Hold, InMemoryLedger, LedgerPort, Seat, SeatState};
use axon_store::{StoreError, TokenKind};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the sweeper looks for expired holds.
const SWEEP_EVERY: Duration = Duration::from_millis(100);
/// Most holds released in one durable write.
const SWEEP_BATCH: usize = 1000;

pub struct Gate {
    pub ledger: Arc<dyn LedgerPort>,
}

impl Default for Gate {
    fn default() -> Gate {
        Gate {
            ledger: Arc::new(InMemoryLedger::default()),
        }
    }
}

impl Gate {
    /// Rebuilds the ledger from stored entries and their payment tokens. Holds still live keep
    /// their expiry; holds that expired while the server was down are released by the first
    /// sweep.
    pub fn rebuild(&self, state: &AppState) -> Result<(), StoreError> {
        let activities: HashMap<i64, _> = state
            .repo
            .activities(None)?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        // entry → (reservation token, its expiry, latest expiry of any token)
        let mut holds: HashMap<i64, (String, Ts, Ts)> = HashMap::new();
        for t in state.repo.open_tokens()? {
            let h = holds
                .entry(t.entry_id)
                .or_insert_with(|| (String::new(), Ts(i64::MIN), Ts(i64::MIN)));
            if t.kind == TokenKind::Reservation {
                h.0 = t.token;
                h.1 = t.expires_at;
            }
            h.2 = h.2.max(t.expires_at);
        }
        let ledger = &self.ledger;
        ledger.reset();
        let mut n = 0u64;
        state.repo.all_entries(&mut |e| {
            let counts = matches!(e.status, EntryStatus::Approved | EntryStatus::Paid);
            let fcfs = activities
                .get(&e.activity_id)
                .is_some_and(|a| a.activity_type == ActivityType::FirstComeFirstServe);
            let hold = (fcfs && e.status == EntryStatus::Approved)
                .then(|| holds.get(&e.id))
                .flatten()
                .map(|(token, res, exp)| Hold {
                    reservation_token: token.clone(),
                    reservation_expires_at: *res,
                    expires_at: *exp,
                    order: e.order,
                });
            let state = match (hold, counts) {
                (_, false) => SeatState::Cancelled,
                (Some(h), true) => SeatState::Held(h),
                (None, true) => SeatState::Final,
            };
            ledger.restore(
                e.activity_id,
                &e.user_id,
                Seat {
                    entry_id: e.id,
                    units: e.quantity,
                    order: e.order,
                    state,
                },
            );
            n += 1;
        })?;
        tracing::info!(entries = n, "FCFS ledger rebuilt from the store");
        Ok(())
    }
}

/// Cancels every hold due at `now`, durably, then returns its units. Returns how many.
pub async fn sweep_once(state: &AppState) -> usize {
    let now = state.now();
    let due = state.gate.ledger.due(now, SWEEP_BATCH);
    if due.is_empty() {
        return 0;
    }
    let ids = due.iter().map(|d| d.entry_id).collect();
    match state.repo.cancel_entries(ids, now).await {
        Ok(changed) => {
            {
                let ledger = &state.gate.ledger;
                for d in &due {
                    ledger.released(d.activity_id, &d.user_id);
                }
            }
            state.observe(&[], &changed, &[]);
            crate::metrics::Metrics::inc(&state.metrics.gate_holds_expired_total, due.len() as u64);
            tracing::info!(released = due.len(), "expired holds released");
            due.len()
        }
        Err(e) => {
            tracing::error!(error = %e, holds = due.len(), "could not cancel expired holds; will retry");
            let ledger = &state.gate.ledger;
            for d in &due {
                ledger.release_failed(d.activity_id, &d.user_id, now.plus_ms(1000));
            }
            0
        }
    }
}

/// Runs the sweeper until the returned handle is aborted (server shutdown) or the runtime stops.
pub fn spawn_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            while sweep_once(&state).await == SWEEP_BATCH {}
        }
    })
}
