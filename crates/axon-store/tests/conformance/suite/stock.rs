//! The FCFS stock gate port: admission to the limit, one seat per person, holds that are
//! extended, confirmed or released exactly once, recovery, and two nodes racing.

use super::super::Backend;
use axon_domain::Ts;
use axon_store::stock::{Admit, ConfirmRefusal, Hold, RecoveredSeat, Seat, SeatState, StockGate};
use std::collections::HashSet;
use std::sync::Arc;

fn hold(token: &str, reservation: i64, expires: i64, order: i64) -> Hold {
    Hold {
        reservation_token: token.into(),
        reservation_expires_at: Ts(reservation),
        expires_at: Ts(expires),
        order,
    }
}

/// A fresh gate has no state: it asks for recovery once, and after it no longer.
fn fresh(b: &Backend) -> &dyn StockGate {
    let g = &*b.gate;
    assert!(
        g.needs_recovery(),
        "{}: a fresh gate needs recovery",
        b.name
    );
    g.recover(vec![]);
    assert!(!g.needs_recovery(), "{}", b.name);
    g
}

/// Admits and commits `user` with a hold expiring at `expires` (returns the order).
fn held(g: &dyn StockGate, a: i64, user: &str, entry: i64, expires: i64) -> i64 {
    let Admit::Reserved { order } = g.admit(a, user, 1, Some(1000), Ts(0)) else {
        panic!("{user} not admitted");
    };
    g.committed(
        a,
        user,
        entry,
        Some(hold(&format!("t-{user}"), expires, expires, order)),
    );
    order
}

pub async fn stock_gate_admits_to_the_limit_once_per_user(b: &Backend) {
    let g = fresh(b);
    let n = b.name;
    assert_eq!(g.remaining(1, Some(3)), 3, "{n}");
    assert_eq!(g.remaining(1, None), i64::MAX, "{n}");
    assert_eq!(
        g.admit(1, "u1", 2, Some(3), Ts(10)),
        Admit::Reserved { order: 1 },
        "{n}"
    );
    // Still being written: a second attempt is a duplicate in progress.
    assert_eq!(
        g.admit(1, "u1", 2, Some(3), Ts(10)),
        Admit::Duplicate { in_progress: true },
        "{n}"
    );
    assert_eq!(
        g.admit(1, "u2", 2, Some(3), Ts(10)),
        Admit::SoldOut { remaining: 1 },
        "{n}"
    );
    assert_eq!(
        g.admit(1, "u2", 1, Some(3), Ts(10)),
        Admit::Reserved { order: 2 },
        "{n}"
    );
    assert_eq!(g.remaining(1, Some(3)), 0, "{n}");
    assert_eq!(
        g.admit(1, "u3", 1, Some(3), Ts(10)),
        Admit::SoldOut { remaining: 0 },
        "{n}"
    );
    let h = hold("rsv_1", 100, 100, 1);
    g.committed(1, "u1", 11, Some(h.clone()));
    g.committed(1, "u2", 12, None);
    assert_eq!(g.held(1), 2, "{n}: only u1's hold is held; u2 is sold");
    assert_eq!(g.live_hold(1, "u1", Ts(50)), Some(h.clone()), "{n}");
    assert_eq!(
        g.live_hold(1, "u1", Ts(100)),
        None,
        "{n}: the reservation expired"
    );
    assert_eq!(g.live_hold(1, "u2", Ts(50)), None, "{n}");
    assert_eq!(g.admit(1, "u1", 2, Some(3), Ts(50)), Admit::Retry(h), "{n}");
    assert_eq!(
        g.admit(1, "u1", 2, Some(3), Ts(150)),
        Admit::Duplicate { in_progress: false },
        "{n}"
    );
    assert_eq!(
        g.admit(1, "u2", 1, Some(3), Ts(50)),
        Admit::Duplicate { in_progress: false },
        "{n}"
    );
    // A failed write gives the units back; abort of anything but a writing seat changes nothing.
    assert_eq!(
        g.admit(2, "w", 4, Some(5), Ts(0)),
        Admit::Reserved { order: 1 },
        "{n}"
    );
    assert_eq!(g.remaining(2, Some(5)), 1, "{n}");
    g.abort(2, "w");
    g.abort(1, "u1");
    g.abort(9, "nobody");
    assert_eq!(g.remaining(2, Some(5)), 5, "{n}");
    assert_eq!(g.remaining(1, Some(3)), 0, "{n}");
    assert_eq!(
        g.admit(2, "w", 5, Some(5), Ts(0)),
        Admit::Reserved { order: 2 },
        "{n}"
    );
    assert!(!g.has_due(Ts(99)), "{n}");
    assert!(g.has_due(Ts(100)), "{n}");
}

pub async fn stock_gate_confirm_extend_and_expiry(b: &Backend) {
    let g = fresh(b);
    let n = b.name;
    held(g, 1, "a", 1, 100);
    held(g, 1, "b", 2, 100);
    held(g, 1, "c", 3, 100);
    assert_eq!(
        g.extend(1, "zz", Ts(500), Ts(10)),
        Err(ConfirmRefusal::Unknown),
        "{n}"
    );
    assert_eq!(
        g.begin_confirm(1, "zz", Ts(10)),
        Err(ConfirmRefusal::Unknown),
        "{n}"
    );
    // b: a failed confirm puts the hold back, to expire as before.
    assert_eq!(g.begin_confirm(1, "b", Ts(50)), Ok(1), "{n}");
    g.end_confirm(1, "b", false);
    // a: prepared (hold extended to 300), confirmed and paid.
    assert_eq!(g.extend(1, "a", Ts(300), Ts(10)), Ok(()), "{n}");
    assert_eq!(
        g.extend(1, "a", Ts(200), Ts(10)),
        Ok(()),
        "{n}: never shortened"
    );
    assert_eq!(
        g.extend(1, "a", Ts(300), Ts(100)),
        Err(ConfirmRefusal::Expired),
        "{n}"
    );
    assert_eq!(
        g.begin_confirm(1, "a", Ts(250)),
        Ok(1),
        "{n}: live until 300"
    );
    assert_eq!(
        g.begin_confirm(1, "a", Ts(250)),
        Err(ConfirmRefusal::InProgress),
        "{n}"
    );
    assert_eq!(
        g.extend(1, "a", Ts(900), Ts(10)),
        Err(ConfirmRefusal::InProgress),
        "{n}"
    );
    assert_eq!(g.held(1), 3, "{n}");
    // A confirm in flight is never claimed by the expiry; b (back to held) and c are.
    let mut claimed: Vec<String> = g
        .due(Ts(1_000), 10)
        .into_iter()
        .map(|d| d.user_id)
        .collect();
    claimed.sort();
    assert_eq!(claimed, ["b", "c"], "{n}");
    assert_eq!(
        g.due(Ts(1_000), 10),
        vec![],
        "{n}: each hold is claimed once"
    );
    g.end_confirm(1, "a", true);
    assert_eq!(
        g.begin_confirm(1, "a", Ts(250)),
        Err(ConfirmRefusal::AlreadyFinal),
        "{n}"
    );
    assert_eq!(
        g.extend(1, "a", Ts(900), Ts(10)),
        Err(ConfirmRefusal::AlreadyFinal),
        "{n}"
    );
    assert_eq!(
        g.begin_confirm(1, "b", Ts(50)),
        Err(ConfirmRefusal::Expired),
        "{n}"
    );
    assert_eq!(g.held(1), 2, "{n}: releasing still holds");
    assert_eq!(g.remaining(1, Some(3)), 0, "{n}");
    assert!(g.released(1, "b"), "{n}");
    assert!(!g.released(1, "b"), "{n}: units come back once");
    assert!(g.released(1, "c"), "{n}");
    assert_eq!(g.remaining(1, Some(3)), 2, "{n}: a stays sold");
    assert_eq!(g.held(1), 0, "{n}");
    assert_eq!(
        g.admit(1, "b", 1, Some(3), Ts(2_000)),
        Admit::Duplicate { in_progress: false },
        "{n}: a released person has entered"
    );
    // A release that could not be written is retried later.
    held(g, 2, "d", 4, 100);
    let d = g.due(Ts(100), 10);
    assert_eq!(d.len(), 1, "{n}");
    assert_eq!(
        (d[0].activity_id, d[0].entry_id, d[0].units),
        (2, 4, 1),
        "{n}"
    );
    g.release_failed(2, "d", Ts(1_100));
    assert!(!g.has_due(Ts(1_099)), "{n}");
    assert_eq!(
        g.live_hold(2, "d", Ts(0)),
        None,
        "{n}: no longer a live reservation"
    );
    assert_eq!(g.due(Ts(1_100), 10).len(), 1, "{n}");
    assert!(g.released(2, "d"), "{n}");
    assert_eq!(g.remaining(2, Some(1000)), 1000, "{n}");
}

pub async fn stock_gate_recovers_from_stored_seats(b: &Backend) {
    let g = &*b.gate;
    let n = b.name;
    assert!(g.needs_recovery(), "{n}");
    let seat =
        |a: i64, user: &str, entry: i64, units: i64, order: i64, state: SeatState| RecoveredSeat {
            activity_id: a,
            user_id: user.into(),
            seat: Seat {
                entry_id: entry,
                units,
                order,
                state,
            },
        };
    g.recover(vec![
        seat(1, "paid", 1, 2, 1, SeatState::Final),
        seat(
            1,
            "held",
            2,
            3,
            2,
            SeatState::Held(hold("rsv_h", 500, 700, 2)),
        ),
        seat(1, "gone", 3, 4, 3, SeatState::Cancelled),
        seat(2, "x", 4, 1, 7, SeatState::Final),
    ]);
    assert!(!g.needs_recovery(), "{n}");
    assert_eq!(g.remaining(1, Some(10)), 5, "{n}");
    assert_eq!(g.held(1), 3, "{n}");
    assert_eq!(g.remaining(2, Some(1)), 0, "{n}");
    assert_eq!(
        g.live_hold(1, "held", Ts(499)),
        Some(hold("rsv_h", 500, 700, 2)),
        "{n}"
    );
    for u in ["paid", "held", "gone"] {
        assert!(
            matches!(g.admit(1, u, 1, Some(10), Ts(600)), Admit::Duplicate { .. }),
            "{n}: {u}"
        );
    }
    // Orders continue after the recovered ones.
    assert_eq!(
        g.admit(1, "new", 1, Some(10), Ts(600)),
        Admit::Reserved { order: 4 },
        "{n}"
    );
    assert_eq!(
        g.admit(2, "new", 1, Some(2), Ts(600)),
        Admit::Reserved { order: 8 },
        "{n}"
    );
    assert!(!g.has_due(Ts(699)), "{n}");
    let due = g.due(Ts(700), 10);
    assert_eq!(due.len(), 1, "{n}");
    assert_eq!((due[0].entry_id, due[0].units), (2, 3), "{n}");
}

/// Many people (and some twice) racing for 10 units through two nodes.
pub async fn stock_gate_two_nodes_never_oversell(b: &Backend) {
    fresh(b);
    let nodes = [b.gate.clone(), b.second_gate()];
    let mut tasks = Vec::new();
    for i in 0..60usize {
        let g: Arc<dyn StockGate> = nodes[i % 2].clone();
        // Users 0..40, the first 20 of them twice (once on each node).
        let user = format!("p{}", i % 40);
        tasks.push(tokio::task::spawn_blocking(move || {
            let r = g.admit(5, &user, 1, Some(10), Ts(0));
            if let Admit::Reserved { order } = r {
                g.committed(5, &user, i as i64 + 1, Some(hold("t", 100, 100, order)));
            }
            (user, r)
        }));
    }
    let mut winners = HashSet::new();
    let mut orders = HashSet::new();
    let (mut sold_out, mut dup) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (u, Admit::Reserved { order }) => {
                assert!(winners.insert(u), "{}: one seat per person", b.name);
                assert!(orders.insert(order), "{}: orders are unique", b.name);
            }
            (_, Admit::SoldOut { remaining: 0 }) => sold_out += 1,
            (_, Admit::Duplicate { .. } | Admit::Retry(_)) => dup += 1,
            (_, other) => panic!("{}: {other:?}", b.name),
        }
    }
    assert_eq!(winners.len(), 10, "{}: exactly the stock", b.name);
    assert_eq!(orders, (1..=10).collect(), "{}", b.name);
    assert_eq!(winners.len() + sold_out + dup, 60, "{}", b.name);
    for g in &nodes {
        assert_eq!(g.remaining(5, Some(10)), 0, "{}", b.name);
        assert_eq!(g.held(5), 10, "{}", b.name);
    }
}

/// Each hold raced by a confirm on one node and the expiry on the other: the purchase or the
/// release, never both, and every unit accounted for.
pub async fn stock_gate_expiry_racing_a_confirm(b: &Backend) {
    fresh(b);
    let (a, other) = (b.gate.clone(), b.second_gate());
    for i in 0..20 {
        held(&*a, 6, &format!("r{i}"), i + 1, 100);
    }
    let confirm = {
        let g = a.clone();
        tokio::task::spawn_blocking(move || {
            (0..20)
                .filter(|i| {
                    let user = format!("r{i}");
                    let ok = g.begin_confirm(6, &user, Ts(99)).is_ok();
                    if ok {
                        g.end_confirm(6, &user, true);
                    }
                    ok
                })
                .map(|i| format!("r{i}"))
                .collect::<HashSet<_>>()
        })
    };
    let expire = {
        let g = other.clone();
        tokio::task::spawn_blocking(move || {
            let mut out = HashSet::new();
            for _ in 0..40 {
                for d in g.due(Ts(100), 3) {
                    assert!(g.released(d.activity_id, &d.user_id));
                    out.insert(d.user_id);
                }
            }
            out
        })
    };
    let (paid, released) = (confirm.await.unwrap(), expire.await.unwrap());
    // Whatever the confirm did not win is due now.
    let mut late = released.clone();
    for d in a.due(Ts(100), 100) {
        assert!(a.released(d.activity_id, &d.user_id));
        late.insert(d.user_id);
    }
    assert!(
        paid.is_disjoint(&late),
        "{}: paid and released: {paid:?} {late:?}",
        b.name
    );
    assert_eq!(paid.len() + late.len(), 20, "{}", b.name);
    assert_eq!(
        a.remaining(6, Some(20)),
        20 - paid.len() as i64,
        "{}",
        b.name
    );
    assert_eq!(a.held(6), 0, "{}", b.name);
}

/// The writer's lease on a shared database (30 s after admission; the embedded ledger dies with
/// its node and is rebuilt from the entries, so it has none): a seat whose node died before
/// its entry was written is taken back by a sweeper, its units return, the person may enter
/// again — and a late write of that entry is refused, so the units cannot be sold twice.
pub async fn stock_gate_takes_back_a_seat_whose_writer_died(b: &Backend) {
    if b.url.is_none() {
        return;
    }
    let g = fresh(b);
    let n = b.name;
    const LEASE: i64 = 30_000;
    assert_eq!(
        g.admit(7, "w", 2, Some(2), Ts(0)),
        Admit::Reserved { order: 1 },
        "{n}"
    );
    assert_eq!(g.remaining(7, Some(2)), 0, "{n}");
    assert!(!g.has_due(Ts(LEASE - 1)), "{n}: within its lease");
    assert!(g.due(Ts(LEASE - 1), 10).is_empty(), "{n}");
    assert!(g.has_due(Ts(LEASE)), "{n}");
    let due = g.due(Ts(LEASE), 10);
    assert_eq!(due.len(), 1, "{n}");
    assert_eq!((due[0].entry_id, due[0].units), (0, 2), "{n}");
    // The dead node's entry arrives late: refused, nothing stored.
    let mut late = super::new_entry(7, "w", "tok-late");
    late.entry.quantity = 2;
    assert_eq!(
        super::code(b.repo().insert_entry(late).await),
        "RESERVATION_LOST",
        "{n}"
    );
    assert!(b.repo().entry_of(7, "w").await.unwrap().is_none(), "{n}");
    assert!(g.released(7, "w"), "{n}");
    assert_eq!(g.remaining(7, Some(2)), 2, "{n}: the units are back");
    assert_eq!(g.held(7), 0, "{n}");
    // The person may enter again, and this time the entry is written.
    assert_eq!(
        g.admit(7, "w", 1, Some(2), Ts(LEASE + 1)),
        Admit::Reserved { order: 2 },
        "{n}"
    );
    let mut again = super::new_entry(7, "w", "tok-again");
    again.reservation = Some(("tok-again".into(), Ts(LEASE + 600_000)));
    let w = b.repo().insert_entry(again).await.unwrap();
    // The entry's own transaction settled the seat: held, with its reservation, before (and
    // without) `committed`.
    let h = g.live_hold(7, "w", Ts(LEASE + 2)).expect("held");
    assert_eq!(h.reservation_token, "tok-again", "{n}");
    g.committed(7, "w", w.entry.id, Some(h.clone()));
    assert_eq!(g.remaining(7, Some(2)), 1, "{n}");
    assert!(!g.has_due(Ts(LEASE + 2)), "{n}: a settled seat is not due");
}

/// A confirm or a release whose node died is taken over a minute past the hold's expiry (or
/// the claim): the seat is claimed again and settles like any expired hold.
pub async fn stock_gate_takes_over_stale_confirms_and_releases(b: &Backend) {
    if b.url.is_none() {
        return;
    }
    let g = fresh(b);
    let n = b.name;
    const STALE: i64 = 60_000;
    held(g, 8, "c", 11, 1_000);
    held(g, 8, "r", 12, 1_000);
    assert_eq!(g.begin_confirm(8, "c", Ts(500)), Ok(1), "{n}");
    // "r" is claimed by a sweeper that dies before releasing it.
    let first = g.due(Ts(1_000), 10);
    assert_eq!(first.len(), 1, "{n}: the confirming seat is not due yet");
    assert_eq!(first[0].user_id, "r", "{n}");
    assert!(g.due(Ts(1_000 + STALE - 1), 10).is_empty(), "{n}");
    let mut again: Vec<String> = g
        .due(Ts(1_000 + STALE), 10)
        .into_iter()
        .map(|d| d.user_id)
        .collect();
    again.sort();
    assert_eq!(again, ["c", "r"], "{n}");
    assert!(g.released(8, "r"), "{n}");
    assert!(g.finalised(8, "c"), "{n}: the sweeper found it paid");
    // The dead confirm's node comes back: its end changes nothing.
    g.end_confirm(8, "c", false);
    assert_eq!(g.held(8), 0, "{n}");
    assert_eq!(
        g.remaining(8, Some(1000)),
        999,
        "{n}: c's unit stays sold, r's is back"
    );
}
