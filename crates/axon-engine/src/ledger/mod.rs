//! The FCFS ledger (SPEC §3.1): per activity, the units taken, the persons who entered, and the
//! holds that expire. Pure: the caller passes `now` and does the I/O.
//!
//! Every decision is made here under the caller's lock, *before* the durable write, and undone
//! if that write fails, so the units counted here are always ≥ what the store has accepted —
//! which is what makes "never oversell" hold: the store can only contain reservations the ledger
//! admitted against the limit. Holds are released exactly once: a seat moves
//! `Held → Releasing → Cancelled` (or `Held → Confirming → Final`), and only the `Releasing →
//! Cancelled` step gives units back.

mod port;
mod stock;
#[cfg(test)]
mod tests;

pub use axon_domain::draw::{draw_winners, SplitMix64};
pub use axon_ports::aggregates::StockLevels;
pub use axon_ports::stock::{Admit, ConfirmRefusal, Due, Hold, Seat, SeatState, StockGate};
pub use port::InMemoryLedger;

use axon_domain::model::ActivityId;
use axon_domain::Ts;
use std::collections::{BTreeSet, HashMap};

/// One activity's book.
#[derive(Debug, Default)]
struct Book {
    /// Units held or sold (Writing, Held, Confirming, Releasing, Final seats).
    used: i64,
    next_order: i64,
    seats: HashMap<String, Seat>,
}

#[derive(Debug, Default)]
pub struct Ledger {
    books: HashMap<ActivityId, Book>,
    /// (expiresAt, activity, user) of every `Held` seat.
    queue: BTreeSet<(Ts, ActivityId, String)>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    fn seat(&self, activity: ActivityId, user: &str) -> Option<&Seat> {
        self.books.get(&activity)?.seats.get(user)
    }

    /// The live reservation of `user`, if any (a retry answers it again).
    pub fn live_hold(&self, activity: ActivityId, user: &str, now: Ts) -> Option<Hold> {
        match &self.seat(activity, user)?.state {
            SeatState::Held(h) if h.reservation_expires_at > now => Some(h.clone()),
            _ => None,
        }
    }

    /// Units still available under `limit` (`None` = unlimited → `i64::MAX`).
    pub fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64 {
        let used = self.books.get(&activity).map_or(0, |b| b.used);
        limit.map_or(i64::MAX, |l| (l - used).max(0))
    }

    /// Units held or sold.
    pub fn used(&self, activity: ActivityId) -> i64 {
        self.books.get(&activity).map_or(0, |b| b.used)
    }

    /// Units of live holds (held, confirming or releasing) — not yet sold.
    pub fn held(&self, activity: ActivityId) -> i64 {
        self.books.get(&activity).map_or(0, |b| {
            b.seats
                .values()
                .filter(|s| {
                    matches!(
                        s.state,
                        SeatState::Held(_) | SeatState::Confirming(_) | SeatState::Releasing
                    )
                })
                .map(|s| s.units)
                .sum()
        })
    }

    /// Tries to take `units` for `user`: retry, duplicate, sold out or a new `Writing` seat.
    pub fn admit(
        &mut self,
        activity: ActivityId,
        user: &str,
        units: i64,
        limit: Option<i64>,
        now: Ts,
    ) -> Admit {
        let book = self.books.entry(activity).or_default();
        if let Some(seat) = book.seats.get(user) {
            return match &seat.state {
                SeatState::Held(h) if h.reservation_expires_at > now => Admit::Retry(h.clone()),
                SeatState::Writing => Admit::Duplicate { in_progress: true },
                _ => Admit::Duplicate { in_progress: false },
            };
        }
        if let Some(l) = limit {
            if book.used + units > l {
                return Admit::SoldOut {
                    remaining: (l - book.used).max(0),
                };
            }
        }
        book.used += units;
        book.next_order += 1;
        let order = book.next_order;
        book.seats.insert(
            user.to_string(),
            Seat {
                entry_id: 0,
                units,
                order,
                state: SeatState::Writing,
            },
        );
        Admit::Reserved { order }
    }

    /// The seat's write is durable: it becomes a hold (payment pending) or final.
    pub fn committed(
        &mut self,
        activity: ActivityId,
        user: &str,
        entry_id: i64,
        hold: Option<Hold>,
    ) {
        let Some(seat) = self
            .books
            .get_mut(&activity)
            .and_then(|b| b.seats.get_mut(user))
        else {
            return;
        };
        seat.entry_id = entry_id;
        match hold {
            Some(h) => {
                self.queue
                    .insert((h.expires_at, activity, user.to_string()));
                seat.state = SeatState::Held(h);
            }
            None => seat.state = SeatState::Final,
        }
    }

    /// The seat's write failed: forget it and give its units back.
    pub fn abort(&mut self, activity: ActivityId, user: &str) {
        if let Some(book) = self.books.get_mut(&activity) {
            if let Some(seat) = book.seats.get(user) {
                if seat.state == SeatState::Writing {
                    book.used -= seat.units;
                    book.seats.remove(user);
                }
            }
        }
    }

    /// Prepare: extends the hold to cover an approval token expiring at `approval_expires_at`.
    /// Refused (`Expired`) unless the reservation is still live.
    pub fn extend(
        &mut self,
        activity: ActivityId,
        user: &str,
        approval_expires_at: Ts,
        now: Ts,
    ) -> Result<(), ConfirmRefusal> {
        let seat = self
            .books
            .get_mut(&activity)
            .and_then(|b| b.seats.get_mut(user))
            .ok_or(ConfirmRefusal::Unknown)?;
        let SeatState::Held(h) = &mut seat.state else {
            return Err(match seat.state {
                SeatState::Final => ConfirmRefusal::AlreadyFinal,
                SeatState::Confirming(_) => ConfirmRefusal::InProgress,
                _ => ConfirmRefusal::Expired,
            });
        };
        if h.reservation_expires_at <= now {
            return Err(ConfirmRefusal::Expired);
        }
        if approval_expires_at > h.expires_at {
            self.queue
                .remove(&(h.expires_at, activity, user.to_string()));
            h.expires_at = approval_expires_at;
            self.queue
                .insert((h.expires_at, activity, user.to_string()));
        }
        Ok(())
    }

    /// Confirm, step 1: the hold must still be live at `now`; it becomes `Confirming` so the
    /// sweeper cannot release it while the purchase is written.
    pub fn begin_confirm(
        &mut self,
        activity: ActivityId,
        user: &str,
        now: Ts,
    ) -> Result<i64, ConfirmRefusal> {
        let seat = self
            .books
            .get_mut(&activity)
            .and_then(|b| b.seats.get_mut(user))
            .ok_or(ConfirmRefusal::Unknown)?;
        match &seat.state {
            SeatState::Held(h) if h.expires_at > now => {
                self.queue
                    .remove(&(h.expires_at, activity, user.to_string()));
                seat.state = SeatState::Confirming(h.clone());
                Ok(seat.units)
            }
            SeatState::Final => Err(ConfirmRefusal::AlreadyFinal),
            SeatState::Confirming(_) => Err(ConfirmRefusal::InProgress),
            SeatState::Writing => Err(ConfirmRefusal::Unknown),
            _ => Err(ConfirmRefusal::Expired),
        }
    }

    /// Confirm, step 2: `paid` → final; otherwise the hold goes back (and expires as before).
    pub fn end_confirm(&mut self, activity: ActivityId, user: &str, paid: bool) {
        let Some(seat) = self
            .books
            .get_mut(&activity)
            .and_then(|b| b.seats.get_mut(user))
        else {
            return;
        };
        if let SeatState::Confirming(h) = &seat.state {
            if paid {
                seat.state = SeatState::Final;
            } else {
                self.queue
                    .insert((h.expires_at, activity, user.to_string()));
                seat.state = SeatState::Held(h.clone());
            }
        }
    }

    /// Holds whose time has passed at `now` (at most `max`), moved to `Releasing`.
    pub fn due(&mut self, now: Ts, max: usize) -> Vec<Due> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(first) = self.queue.first().cloned() else {
                break;
            };
            if first.0 > now {
                break;
            }
            self.queue.remove(&first);
            let (_, activity, user) = first;
            if let Some(seat) = self
                .books
                .get_mut(&activity)
                .and_then(|b| b.seats.get_mut(&user))
            {
                if matches!(seat.state, SeatState::Held(_)) {
                    seat.state = SeatState::Releasing;
                    out.push(Due {
                        activity_id: activity,
                        entry_id: seat.entry_id,
                        units: seat.units,
                        user_id: user,
                    });
                }
            }
        }
        out
    }

    /// True when some hold of `activity` has passed its time and awaits release.
    pub fn has_due(&self, now: Ts) -> bool {
        self.queue.first().is_some_and(|f| f.0 <= now)
    }

    /// The cancellation is durable: the units come back — exactly once.
    pub fn released(&mut self, activity: ActivityId, user: &str) -> bool {
        let Some(book) = self.books.get_mut(&activity) else {
            return false;
        };
        match book.seats.get_mut(user) {
            Some(seat) if seat.state == SeatState::Releasing => {
                seat.state = SeatState::Cancelled;
                book.used -= seat.units;
                true
            }
            _ => false,
        }
    }

    /// A claimed seat turned out paid (the durable store says so): final, its units stay sold.
    pub fn finalised(&mut self, activity: ActivityId, user: &str) -> bool {
        match self
            .books
            .get_mut(&activity)
            .and_then(|b| b.seats.get_mut(user))
        {
            Some(seat) if seat.state == SeatState::Releasing => {
                seat.state = SeatState::Final;
                true
            }
            _ => false,
        }
    }

    /// The cancellation could not be written: keep the (expired) hold and try again soon.
    pub fn release_failed(&mut self, activity: ActivityId, user: &str, retry_at: Ts) {
        if let Some(seat) = self
            .books
            .get_mut(&activity)
            .and_then(|b| b.seats.get_mut(user))
        {
            if seat.state == SeatState::Releasing {
                seat.state = SeatState::Held(Hold {
                    reservation_token: String::new(),
                    reservation_expires_at: Ts(i64::MIN),
                    expires_at: retry_at,
                    order: seat.order,
                });
                self.queue.insert((retry_at, activity, user.to_string()));
            }
        }
    }

    /// Restores one stored entry at start-up as `seat` (`Final`, `Held` or `Cancelled`).
    pub fn restore(&mut self, activity: ActivityId, user: &str, seat: Seat) {
        let book = self.books.entry(activity).or_default();
        book.next_order = book.next_order.max(seat.order);
        if let SeatState::Held(h) = &seat.state {
            self.queue
                .insert((h.expires_at, activity, user.to_string()));
        }
        if seat.state.counts() {
            book.used += seat.units;
        }
        book.seats.insert(user.to_string(), seat);
    }

    /// Debug check used by tests: `used` equals the units of counting seats.
    pub fn check_invariants(&self) -> bool {
        self.books.values().all(|b| {
            b.used
                == b.seats
                    .values()
                    .filter(|s| s.state.counts())
                    .map(|s| s.units)
                    .sum::<i64>()
        })
    }
}
