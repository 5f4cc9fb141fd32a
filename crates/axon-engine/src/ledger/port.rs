//! The embedded stock gate: [`InMemoryLedger`] implements the `StockGate` port with the pure
//! [`Ledger`] under one mutex.

use super::{Admit, ConfirmRefusal, Due, Hold, Ledger, StockGate};
use axon_domain::model::ActivityId;
use axon_domain::Ts;
use axon_ports::aggregates::StockLevels;
use axon_ports::stock::RecoveredSeat;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The embedded backend: decisions serialised by one mutex, never held across I/O. Its state
/// lives only in this process, so it needs recovery exactly once: after it is created.
pub struct InMemoryLedger {
    book: Mutex<Ledger>,
    recovered: AtomicBool,
}

impl Default for InMemoryLedger {
    fn default() -> InMemoryLedger {
        InMemoryLedger {
            book: Mutex::new(Ledger::new()),
            recovered: AtomicBool::new(false),
        }
    }
}

impl StockLevels for InMemoryLedger {
    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64 {
        self.book.lock().remaining(activity, limit)
    }

    fn held(&self, activity: ActivityId) -> i64 {
        self.book.lock().held(activity)
    }
}

impl StockGate for InMemoryLedger {
    fn live_hold(&self, activity: ActivityId, user: &str, now: Ts) -> Option<Hold> {
        self.book.lock().live_hold(activity, user, now)
    }

    fn admit(
        &self,
        activity: ActivityId,
        user: &str,
        units: i64,
        limit: Option<i64>,
        now: Ts,
    ) -> Admit {
        self.book.lock().admit(activity, user, units, limit, now)
    }

    fn committed(&self, activity: ActivityId, user: &str, entry_id: i64, hold: Option<Hold>) {
        self.book.lock().committed(activity, user, entry_id, hold);
    }

    fn abort(&self, activity: ActivityId, user: &str) {
        self.book.lock().abort(activity, user);
    }

    fn extend(
        &self,
        activity: ActivityId,
        user: &str,
        approval_expires_at: Ts,
        now: Ts,
    ) -> Result<(), ConfirmRefusal> {
        self.book
            .lock()
            .extend(activity, user, approval_expires_at, now)
    }

    fn begin_confirm(
        &self,
        activity: ActivityId,
        user: &str,
        now: Ts,
    ) -> Result<i64, ConfirmRefusal> {
        self.book.lock().begin_confirm(activity, user, now)
    }

    fn end_confirm(&self, activity: ActivityId, user: &str, paid: bool) {
        self.book.lock().end_confirm(activity, user, paid);
    }

    fn due(&self, now: Ts, max: usize) -> Vec<Due> {
        self.book.lock().due(now, max)
    }

    fn has_due(&self, now: Ts) -> bool {
        self.book.lock().has_due(now)
    }

    fn released(&self, activity: ActivityId, user: &str) -> bool {
        self.book.lock().released(activity, user)
    }

    fn finalised(&self, activity: ActivityId, user: &str) -> bool {
        self.book.lock().finalised(activity, user)
    }

    fn release_failed(&self, activity: ActivityId, user: &str, retry_at: Ts) {
        self.book.lock().release_failed(activity, user, retry_at);
    }

    fn needs_recovery(&self) -> bool {
        !self.recovered.load(Ordering::Acquire)
    }

    fn recover(&self, seats: Vec<RecoveredSeat>) {
        let mut fresh = Ledger::new();
        for s in seats {
            fresh.restore(s.activity_id, &s.user_id, s.seat);
        }
        *self.book.lock() = fresh;
        self.recovered.store(true, Ordering::Release);
    }
}
