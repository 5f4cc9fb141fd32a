//! Ledger unit tests: holds, expiry released exactly once, failed writes undone, draws.

use super::*;
use axon_ports::stock::RecoveredSeat;

const A: ActivityId = 1;

fn hold(token: &str, res: i64, exp: i64, order: i64) -> Hold {
    Hold {
        reservation_token: token.into(),
        reservation_expires_at: Ts(res),
        expires_at: Ts(exp),
        order,
    }
}

fn enter(l: &mut Ledger, user: &str, units: i64, limit: i64, now: i64, ttl: i64) -> Admit {
    let a = l.admit(A, user, units, Some(limit), Ts(now));
    if let Admit::Reserved { order } = a {
        l.committed(
            A,
            user,
            order,
            Some(hold(user, now + ttl, now + ttl, order)),
        );
    }
    a
}

#[test]
fn entry_is_rejected_when_stock_is_exhausted_and_units_count_quantity() {
    let mut l = Ledger::new();
    assert_eq!(
        enter(&mut l, "a", 2, 3, 0, 100),
        Admit::Reserved { order: 1 }
    );
    assert_eq!(
        enter(&mut l, "b", 2, 3, 0, 100),
        Admit::SoldOut { remaining: 1 }
    );
    assert_eq!(
        enter(&mut l, "c", 1, 3, 0, 100),
        Admit::Reserved { order: 2 }
    );
    assert_eq!(l.remaining(A, Some(3)), 0);
    assert!(l.check_invariants());
}

#[test]
fn retry_returns_the_live_hold_and_duplicates_are_refused() {
    let mut l = Ledger::new();
    enter(&mut l, "a", 1, 5, 0, 100);
    assert!(
        matches!(l.admit(A, "a", 1, Some(5), Ts(50)), Admit::Retry(h) if h.reservation_token == "a")
    );
    assert_eq!(
        l.admit(A, "a", 1, Some(5), Ts(150)),
        Admit::Duplicate { in_progress: false }
    );
    let _ = l.admit(A, "w", 1, Some(5), Ts(0));
    assert_eq!(
        l.admit(A, "w", 1, Some(5), Ts(0)),
        Admit::Duplicate { in_progress: true }
    );
}

#[test]
fn expired_holds_are_released_exactly_once() {
    let mut l = Ledger::new();
    enter(&mut l, "a", 2, 2, 0, 100);
    assert!(l.due(Ts(99), 10).is_empty());
    let due = l.due(Ts(100), 10);
    assert_eq!(due.len(), 1);
    assert!(l.due(Ts(200), 10).is_empty());
    assert_eq!(l.remaining(A, Some(2)), 0, "units return only once durable");
    assert!(l.released(A, "a"));
    assert!(!l.released(A, "a"));
    assert_eq!(l.remaining(A, Some(2)), 2);
    assert!(l.check_invariants());
}

#[test]
fn confirm_needs_a_live_hold_and_blocks_release() {
    let mut l = Ledger::new();
    enter(&mut l, "a", 1, 1, 0, 100);
    assert!(l.extend(A, "a", Ts(300), Ts(50)).is_ok());
    assert!(l.due(Ts(150), 10).is_empty(), "approval extends the hold");
    assert_eq!(l.begin_confirm(A, "a", Ts(250)), Ok(1));
    assert!(
        l.due(Ts(400), 10).is_empty(),
        "a confirming hold is not released"
    );
    l.end_confirm(A, "a", true);
    assert_eq!(
        l.begin_confirm(A, "a", Ts(260)),
        Err(ConfirmRefusal::AlreadyFinal)
    );
    enter(&mut l, "b", 1, 2, 0, 100);
    assert_eq!(
        l.begin_confirm(A, "b", Ts(100)),
        Err(ConfirmRefusal::Expired)
    );
    assert_eq!(
        l.extend(A, "b", Ts(500), Ts(100)),
        Err(ConfirmRefusal::Expired)
    );
}

#[test]
fn failed_writes_and_failed_confirms_give_back_correctly() {
    let mut l = Ledger::new();
    assert_eq!(
        l.admit(A, "a", 1, Some(1), Ts(0)),
        Admit::Reserved { order: 1 }
    );
    l.abort(A, "a");
    assert_eq!(l.remaining(A, Some(1)), 1);
    enter(&mut l, "b", 1, 1, 0, 100);
    assert!(l.begin_confirm(A, "b", Ts(10)).is_ok());
    l.end_confirm(A, "b", false);
    assert_eq!(l.due(Ts(100), 10).len(), 1);
    l.release_failed(A, "b", Ts(150));
    assert!(l.due(Ts(149), 10).is_empty());
    assert_eq!(l.due(Ts(150), 10).len(), 1);
    assert!(l.released(A, "b"));
    assert!(l.check_invariants());
}

#[test]
fn restore_rebuilds_units_holds_and_orders() {
    let mut l = Ledger::new();
    let seat = |entry_id, units, order, state| Seat {
        entry_id,
        units,
        order,
        state,
    };
    l.restore(A, "a", seat(1, 2, 1, SeatState::Final));
    l.restore(A, "b", seat(2, 1, 2, SeatState::Held(hold("t", 50, 80, 2))));
    l.restore(A, "c", seat(3, 1, 3, SeatState::Cancelled));
    assert_eq!(l.used(A), 3);
    assert_eq!(l.held(A), 1);
    assert_eq!(
        l.admit(A, "c", 1, Some(10), Ts(0)),
        Admit::Duplicate { in_progress: false }
    );
    assert_eq!(
        l.admit(A, "d", 1, Some(10), Ts(0)),
        Admit::Reserved { order: 4 }
    );
    assert_eq!(l.due(Ts(80), 10).len(), 1);
}

#[test]
fn draws_are_reproducible_from_the_seed_and_uniform_without_repeats() {
    let people: Vec<u32> = (0..50).collect();
    let a = draw_winners(&people, 10, 42);
    assert_eq!(a, draw_winners(&people, 10, 42));
    assert_ne!(a, draw_winners(&people, 10, 43));
    let mut s = a.clone();
    s.sort_unstable();
    s.dedup();
    assert_eq!(s.len(), 10);
    assert_eq!(draw_winners(&people, 100, 1).len(), 50);
    // Each person wins about k/n of the time.
    let mut wins = [0u32; 10];
    for seed in 0..10_000 {
        for w in draw_winners(&(0..10).collect::<Vec<usize>>(), 3, seed) {
            wins[w] += 1;
        }
    }
    assert!(
        wins.iter().all(|&w| (2_700..3_300).contains(&w)),
        "{wins:?}"
    );
}

#[test]
fn the_embedded_gate_asks_for_recovery_once_and_recovery_replaces_its_state() {
    let g = InMemoryLedger::default();
    assert!(g.needs_recovery(), "a fresh process has lost its state");
    assert!(matches!(
        g.admit(A, "stray", 1, Some(5), Ts(0)),
        Admit::Reserved { .. }
    ));
    let seat = |entry_id, state| Seat {
        entry_id,
        units: 2,
        order: entry_id,
        state,
    };
    g.recover(vec![
        RecoveredSeat {
            activity_id: A,
            user_id: "paid".into(),
            seat: seat(1, SeatState::Final),
        },
        RecoveredSeat {
            activity_id: A,
            user_id: "held".into(),
            seat: seat(2, SeatState::Held(hold("t", 50, 50, 2))),
        },
    ]);
    assert!(!g.needs_recovery());
    assert_eq!(
        g.remaining(A, Some(5)),
        1,
        "the stray admission is gone; 4 units restored"
    );
    assert_eq!(g.held(A), 2);
    assert_eq!(
        g.admit(A, "paid", 1, Some(5), Ts(0)),
        Admit::Duplicate { in_progress: false }
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn used_never_exceeds_the_limit(ops in proptest::collection::vec((0u8..5, 0u8..20, 1i64..3), 1..200)) {
            let mut l = Ledger::new();
            let limit = 7;
            let mut now = 0;
            for (op, user, units) in ops {
                let u = format!("u{user}");
                now += 7;
                match op {
                    0 | 1 => { enter(&mut l, &u, units, limit, now, 40); }
                    2 => { if l.begin_confirm(A, &u, Ts(now)).is_ok() { l.end_confirm(A, &u, units == 1); } }
                    3 => { for d in l.due(Ts(now), 100) { l.released(d.activity_id, &d.user_id); } }
                    _ => { let _ = l.extend(A, &u, Ts(now + 60), Ts(now)); }
                }
                prop_assert!(l.used(A) <= limit);
                prop_assert!(l.check_invariants());
            }
        }
    }
}
