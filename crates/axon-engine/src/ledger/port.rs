//! The ledger port: the gate's decisions as a backend-neutral interface. The embedded backend
//! is [`InMemoryLedger`] (the [`Ledger`] under one mutex); a Redis backend (SPEC §11) implements
//! the same operations as one Lua script each.

use super::{Admit, ConfirmRefusal, Due, Hold, Ledger, Seat};
use axon_domain::model::ActivityId;
use axon_domain::Ts;
use parking_lot::Mutex;

/// Every operation is atomic with respect to the others. See [`Ledger`] for their meaning.
pub trait LedgerPort: Send + Sync {
    fn live_hold(&self, activity: ActivityId, user: &str, now: Ts) -> Option<Hold>;
    fn admit(
        &self,
        activity: ActivityId,
        user: &str,
        units: i64,
        limit: Option<i64>,
        now: Ts,
    ) -> Admit;
    fn committed(&self, activity: ActivityId, user: &str, entry_id: i64, hold: Option<Hold>);
    fn abort(&self, activity: ActivityId, user: &str);
    fn extend(
        &self,
        activity: ActivityId,
        user: &str,
        approval_expires_at: Ts,
        now: Ts,
    ) -> Result<(), ConfirmRefusal>;
    fn begin_confirm(
        &self,
        activity: ActivityId,
        user: &str,
        now: Ts,
    ) -> Result<i64, ConfirmRefusal>;
    fn end_confirm(&self, activity: ActivityId, user: &str, paid: bool);
    fn due(&self, now: Ts, max: usize) -> Vec<Due>;
    fn has_due(&self, now: Ts) -> bool;
    fn released(&self, activity: ActivityId, user: &str) -> bool;
    fn release_failed(&self, activity: ActivityId, user: &str, retry_at: Ts);
    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64;
    /// Units of live holds not yet sold.
    fn held(&self, activity: ActivityId) -> i64;
    /// Start-up: forget everything, then `restore` each stored entry.
    fn reset(&self);
    fn restore(&self, activity: ActivityId, user: &str, seat: Seat);
}

/// The embedded backend: decisions serialised by one mutex, never held across I/O.
#[derive(Default)]
pub struct InMemoryLedger(Mutex<Ledger>);

impl LedgerPort for InMemoryLedger {
    fn live_hold(&self, activity: ActivityId, user: &str, now: Ts) -> Option<Hold> {
        self.0.lock().live_hold(activity, user, now)
    }

    fn admit(
        &self,
        activity: ActivityId,
        user: &str,
        units: i64,
        limit: Option<i64>,
        now: Ts,
    ) -> Admit {
        self.0.lock().admit(activity, user, units, limit, now)
    }

    fn committed(&self, activity: ActivityId, user: &str, entry_id: i64, hold: Option<Hold>) {
        self.0.lock().committed(activity, user, entry_id, hold);
    }

    fn abort(&self, activity: ActivityId, user: &str) {
        self.0.lock().abort(activity, user);
    }

    fn extend(
        &self,
        activity: ActivityId,
        user: &str,
        approval_expires_at: Ts,
        now: Ts,
    ) -> Result<(), ConfirmRefusal> {
        self.0
            .lock()
            .extend(activity, user, approval_expires_at, now)
    }

    fn begin_confirm(
        &self,
        activity: ActivityId,
        user: &str,
        now: Ts,
    ) -> Result<i64, ConfirmRefusal> {
        self.0.lock().begin_confirm(activity, user, now)
    }

    fn end_confirm(&self, activity: ActivityId, user: &str, paid: bool) {
        self.0.lock().end_confirm(activity, user, paid);
    }

    fn due(&self, now: Ts, max: usize) -> Vec<Due> {
        self.0.lock().due(now, max)
    }

    fn has_due(&self, now: Ts) -> bool {
        self.0.lock().has_due(now)
    }

    fn released(&self, activity: ActivityId, user: &str) -> bool {
        self.0.lock().released(activity, user)
    }

    fn release_failed(&self, activity: ActivityId, user: &str, retry_at: Ts) {
        self.0.lock().release_failed(activity, user, retry_at);
    }

    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64 {
        self.0.lock().remaining(activity, limit)
    }

    fn held(&self, activity: ActivityId) -> i64 {
        self.0.lock().held(activity)
    }

    fn reset(&self) {
        *self.0.lock() = Ledger::new();
    }

    fn restore(&self, activity: ActivityId, user: &str, seat: Seat) {
        self.0.lock().restore(activity, user, seat);
    }
}
