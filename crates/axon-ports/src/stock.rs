//! The stock gate port (SPEC §3.1): the FCFS decisions as a backend-neutral interface, and the
//! value types they exchange. The embedded backend is the in-process ledger of `axon-engine`
//! (one mutex); a Redis backend implements the same operations as one Lua script each.
//!
//! Every decision is atomic with respect to the others and never spans I/O: decide here, write
//! durably elsewhere, then report the outcome (`committed`/`abort`, `end_confirm`, `released`).
//! Expired holds are *claimed* by [`StockGate::due`] (`Held → Releasing`), so each one is
//! released by exactly one caller, exactly once, and never while a confirm is in flight.
//! One truth for stock: `/stock` and the realtime widget both read [`StockGate::remaining`].

use axon_domain::model::ActivityId;
use axon_domain::Ts;

/// A payment hold: the reservation token and when the slot is given back (the later of the
/// reservation and approval expiries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub reservation_token: String,
    pub reservation_expires_at: Ts,
    pub expires_at: Ts,
    pub order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatState {
    /// Admitted; the durable write is in flight.
    Writing,
    /// Approved, awaiting payment until the hold expires.
    Held(Hold),
    /// A confirm is being written.
    Confirming(Hold),
    /// Expired; the cancellation is being written.
    Releasing,
    /// Paid, or approved without payment: the units are sold.
    Final,
    /// Released (or rejected): no units, but the person has entered.
    Cancelled,
}

impl SeatState {
    /// True when the seat holds or sold units.
    pub fn counts(&self) -> bool {
        !matches!(self, SeatState::Cancelled)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub entry_id: i64,
    pub units: i64,
    pub order: i64,
    pub state: SeatState,
}

/// The answer to an entry attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admit {
    /// A seat was taken (state `Writing`): write it durably, then call [`StockGate::committed`] or
    /// [`StockGate::abort`].
    Reserved {
        order: i64,
    },
    /// The person holds a live reservation: answer it again.
    Retry(Hold),
    /// The person already entered; `in_progress` when that entry is still being written.
    Duplicate {
        in_progress: bool,
    },
    SoldOut {
        remaining: i64,
    },
    /// The gate could not decide (its database failed; logged): nothing was taken.
    Unavailable,
}

/// Why a confirm cannot proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmRefusal {
    /// The hold has expired (or is being released).
    Expired,
    /// The seat is already final (paid or approved without payment).
    AlreadyFinal,
    /// A confirm for this seat is in flight.
    InProgress,
    /// No such seat.
    Unknown,
    /// The gate could not decide (its database failed; logged): nothing changed.
    Unavailable,
}

/// A hold whose time has passed, now `Releasing`: cancel it durably, then call
/// [`StockGate::released`] (or [`StockGate::release_failed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub activity_id: ActivityId,
    pub user_id: String,
    pub entry_id: i64,
    pub units: i64,
}

/// The FCFS stock gate; its `StockLevels` (remaining, held) are the one truth for `/stock` and
/// the realtime widget. Every operation is atomic with respect to the others.
pub trait StockGate: crate::aggregates::StockLevels {
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
    /// A claimed (`Releasing`) seat whose entry the durable store shows paid — its node died
    /// between the purchase's durable write and `end_confirm`: it becomes final, its units stay
    /// sold and stop counting as held. True when the seat was claimed.
    fn finalised(&self, activity: ActivityId, user: &str) -> bool;
    fn release_failed(&self, activity: ActivityId, user: &str, retry_at: Ts);
    /// True when the backend has lost (or never had) its state, detected by the backend itself
    /// (embedded: a fresh process; Redis: a missing generation marker) — never assumed.
    fn needs_recovery(&self) -> bool;
    /// How long a recovery waits after `needs_recovery` before reading the durable store: a
    /// shared gate that lost its state mid-sale (Redis) lets the writes it admitted before the
    /// loss become durable first, so the rebuild sees them. Zero for the others.
    fn recovery_grace(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
    /// Replaces the whole state with these seats (rebuilt from the durable store), atomically:
    /// nothing is admitted between the old state and the new one.
    fn recover(&self, seats: Vec<RecoveredSeat>);
}

/// One stored entry as the gate must know it after a recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredSeat {
    pub activity_id: ActivityId,
    pub user_id: String,
    pub seat: Seat,
}
