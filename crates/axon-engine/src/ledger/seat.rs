//! A person's seat in an activity and its states.

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
