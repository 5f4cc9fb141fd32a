//! A ledger of settled seats rebuilt from entries alone (tools and tests that replay entries
//! without payment tokens).

use super::{InMemoryLedger, Seat, SeatState, StockGate};
use axon_domain::model::{Entry, EntryStatus};
use axon_ports::stock::RecoveredSeat;

impl InMemoryLedger {
    /// Every APPROVED or PAID entry holds its units for good; the rest hold none.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> InMemoryLedger {
        let ledger = InMemoryLedger::default();
        let mut seats = Vec::new();
        for e in entries {
            let state = match e.status {
                EntryStatus::Approved | EntryStatus::Paid => SeatState::Final,
                _ => SeatState::Cancelled,
            };
            let seat = Seat {
                entry_id: e.id,
                units: e.quantity,
                order: e.order,
                state,
            };
            seats.push(RecoveredSeat {
                activity_id: e.activity_id,
                user_id: e.user_id.clone(),
                seat,
            });
        }
        ledger.recover(seats);
        ledger
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axon_domain::Ts;
    use axon_ports::aggregates::StockLevels;

    #[test]
    fn settled_entries_take_their_units_and_cancelled_ones_none() {
        let entry = |id: i64, status| Entry {
            id,
            activity_id: 1,
            user_id: format!("u{id}"),
            status,
            order: id,
            quantity: 2,
            requested_at: Ts(0),
            processed_at: None,
        };
        let l = InMemoryLedger::from_entries(&[
            entry(1, EntryStatus::Paid),
            entry(2, EntryStatus::Approved),
            entry(3, EntryStatus::Cancelled),
        ]);
        assert_eq!(StockLevels::remaining(&l, 1, Some(10)), 6);
        assert_eq!(
            StockLevels::held(&l, 1),
            0,
            "settled seats are sold, not held"
        );
        assert_eq!(StockLevels::remaining(&l, 2, None), i64::MAX);
    }
}
