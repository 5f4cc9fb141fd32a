//! The Redis stock gate against a real `redis-server` (started by `axon-testdb`): the same
//! decisions as the embedded ledger, claims that happen exactly once, a confirm racing an
//! expiry, and the rebuild after Redis lost its data.

use axon_domain::Ts;
use axon_ports::aggregates::StockLevels;
use axon_ports::stock::{Admit, ConfirmRefusal, Hold, RecoveredSeat, Seat, SeatState, StockGate};
use axon_redis::{RedisGate, RedisGateOptions};
use std::sync::Arc;
use std::time::Duration;

fn gate(url: &str, prefix: &str) -> RedisGate {
    let g = RedisGate::connect(
        url,
        RedisGateOptions {
            prefix: prefix.into(),
            writing_lease: Duration::from_secs(30),
            recovery_grace: Duration::ZERO,
        },
    )
    .unwrap();
    assert!(g.needs_recovery(), "a fresh Redis has no generation marker");
    g.recover(Vec::new());
    assert!(!g.needs_recovery());
    g
}

fn hold(token: &str, exp: i64) -> Hold {
    Hold {
        reservation_token: token.into(),
        reservation_expires_at: Ts(exp),
        expires_at: Ts(exp),
        order: 0,
    }
}

#[test]
fn decisions_match_the_ledger() {
    let Some(server) = axon_testdb::redis("redis::gate::decisions_match_the_ledger") else {
        return;
    };
    let g = gate(&server.url(), "t1:");
    let now = Ts(1_000);
    assert_eq!(
        g.admit(7, "a", 2, Some(3), now),
        Admit::Reserved { order: 1 }
    );
    assert_eq!(
        g.admit(7, "a", 1, Some(3), now),
        Admit::Duplicate { in_progress: true }
    );
    assert_eq!(
        g.admit(7, "b", 2, Some(3), now),
        Admit::SoldOut { remaining: 1 }
    );
    assert_eq!(g.remaining(7, Some(3)), 1);
    g.committed(7, "a", 11, Some(hold("rsv_a", 5_000)));
    assert_eq!(g.held(7), 2);
    assert_eq!(g.live_hold(7, "a", now).unwrap().reservation_token, "rsv_a");
    match g.admit(7, "a", 1, Some(3), now) {
        Admit::Retry(h) => assert_eq!(h.reservation_token, "rsv_a"),
        other => panic!("{other:?}"),
    }
    // A failed write gives its units back and forgets the person.
    assert_eq!(
        g.admit(7, "c", 1, Some(3), now),
        Admit::Reserved { order: 2 }
    );
    g.abort(7, "c");
    assert_eq!(g.remaining(7, Some(3)), 1);
    assert_eq!(
        g.admit(7, "c", 1, Some(3), now),
        Admit::Reserved { order: 3 }
    );
    g.committed(7, "c", 12, None);
    assert_eq!(g.remaining(7, Some(3)), 0);
    assert_eq!(g.held(7), 2);
    // Prepare extends; confirm finalises; a second confirm is refused as final.
    g.extend(7, "a", Ts(9_000), now).unwrap();
    assert_eq!(g.begin_confirm(7, "a", Ts(8_000)), Ok(2));
    assert_eq!(
        g.begin_confirm(7, "a", Ts(8_000)),
        Err(ConfirmRefusal::InProgress)
    );
    g.end_confirm(7, "a", true);
    assert_eq!(
        g.begin_confirm(7, "a", Ts(8_000)),
        Err(ConfirmRefusal::AlreadyFinal)
    );
    assert_eq!(g.held(7), 0);
    assert_eq!(g.begin_confirm(7, "zz", now), Err(ConfirmRefusal::Unknown));
    // The SPEC §11 keys are there under the prefix.
    let cli = |args: &[&str]| {
        let out = std::process::Command::new("redis-cli")
            .args(["-p", &server.port.to_string()])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(cli(&["GET", "t1:campaign:7:remaining"]), "0");
    assert_eq!(cli(&["SCARD", "t1:campaign:7:participants"]), "2");
    assert_eq!(cli(&["HGET", "t1:campaign:7:meta", "used"]), "3");
}

#[test]
fn expired_holds_are_claimed_exactly_once_and_never_while_confirming() {
    let Some(server) = axon_testdb::redis("redis::gate::claimed_exactly_once") else {
        return;
    };
    let url = server.url();
    let g = Arc::new(gate(&url, "t2:"));
    for i in 0..200 {
        let user = format!("u{i}");
        assert!(matches!(
            g.admit(1, &user, 1, Some(200), Ts(0)),
            Admit::Reserved { .. }
        ));
        g.committed(1, &user, i + 1, Some(hold("r", 100)));
    }
    // Ten are confirming when they expire: those are not claimed.
    for i in 0..10 {
        assert!(g.begin_confirm(1, &format!("u{i}"), Ts(99)).is_ok());
    }
    // Four "nodes" claim concurrently: every other hold exactly once.
    let others: Vec<Arc<RedisGate>> = (0..3)
        .map(|_| {
            Arc::new(
                RedisGate::connect(
                    &url,
                    RedisGateOptions {
                        prefix: "t2:".into(),
                        ..RedisGateOptions::default()
                    },
                )
                .unwrap(),
            )
        })
        .chain([g.clone()])
        .collect();
    let claimed: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = others
            .iter()
            .map(|n| {
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let d = n.due(Ts(100), 7);
                        if d.is_empty() {
                            return mine;
                        }
                        mine.extend(d.into_iter().map(|d| d.user_id));
                    }
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let unique: std::collections::HashSet<_> = claimed.iter().collect();
    assert_eq!(claimed.len(), 190, "each expired hold claimed once");
    assert_eq!(unique.len(), 190);
    assert!((0..10).all(|i| !unique.contains(&format!("u{i}"))));
    // The confirm that raced the expiry fails → its hold goes back and is claimed then.
    g.end_confirm(1, "u0", false);
    assert_eq!(g.due(Ts(100), 10).len(), 1);
    for u in &claimed {
        assert!(g.released(1, u));
        assert!(!g.released(1, u), "units come back only once");
    }
    assert!(g.released(1, "u0"));
    assert_eq!(g.remaining(1, Some(200)), 191);
    assert_eq!(g.held(1), 9);
}

#[test]
fn a_writing_seat_whose_node_died_is_reclaimed_after_its_lease() {
    let Some(server) = axon_testdb::redis("redis::gate::writing_lease") else {
        return;
    };
    let g = gate(&server.url(), "t3:");
    assert!(matches!(
        g.admit(4, "w", 1, Some(1), Ts(0)),
        Admit::Reserved { .. }
    ));
    assert!(
        g.due(Ts(29_999), 10).is_empty(),
        "not before the lease ends"
    );
    let due = g.due(Ts(30_000), 10);
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].entry_id, due[0].units), (0, 1));
    assert_eq!(g.held(4), 1);
    assert!(g.released(4, "w"));
    assert_eq!(g.remaining(4, Some(1)), 1);
    assert_eq!(g.held(4), 0);
}

#[test]
fn a_redis_that_lost_its_data_refuses_until_rebuilt() {
    let Some(server) = axon_testdb::redis("redis::gate::lost_data") else {
        return;
    };
    let g = gate(&server.url(), "t4:");
    assert!(matches!(
        g.admit(2, "a", 1, Some(2), Ts(0)),
        Admit::Reserved { .. }
    ));
    g.committed(2, "a", 1, Some(hold("ra", 10_000)));
    server.restart_empty();
    // The connection manager reconnects; the scripts are loaded again (NOSCRIPT).
    let mut refused = false;
    for _ in 0..50 {
        if g.needs_recovery() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(refused, "the missing marker is seen");
    assert_eq!(g.admit(2, "b", 1, Some(2), Ts(1)), Admit::Unavailable);
    assert_eq!(g.remaining(2, Some(2)), 0, "unknown stock shows none left");
    g.recover(vec![
        RecoveredSeat {
            activity_id: 2,
            user_id: "a".into(),
            seat: Seat {
                entry_id: 1,
                units: 1,
                order: 1,
                state: SeatState::Held(hold("ra", 10_000)),
            },
        },
        RecoveredSeat {
            activity_id: 2,
            user_id: "x".into(),
            seat: Seat {
                entry_id: 2,
                units: 1,
                order: 2,
                state: SeatState::Cancelled,
            },
        },
    ]);
    assert!(!g.needs_recovery());
    assert_eq!(g.remaining(2, Some(2)), 1);
    assert_eq!(g.held(2), 1);
    assert_eq!(g.live_hold(2, "a", Ts(1)).unwrap().reservation_token, "ra");
    assert_eq!(
        g.admit(2, "x", 1, Some(2), Ts(1)),
        Admit::Duplicate { in_progress: false }
    );
    assert_eq!(
        g.admit(2, "b", 1, Some(2), Ts(1)),
        Admit::Reserved { order: 3 }
    );
    assert_eq!(
        g.admit(2, "c", 1, Some(2), Ts(1)),
        Admit::SoldOut { remaining: 0 }
    );
    let due = g.due(Ts(10_000), 10);
    assert_eq!(due.len(), 1, "the recovered hold expires as before");
}

#[test]
fn a_node_dying_mid_confirm_or_mid_release_leaves_nothing_stuck() {
    let Some(server) = axon_testdb::redis("redis::gate::nothing_stuck") else {
        return;
    };
    // The gate of `gate()` has a 30 s lease.
    let g = gate(&server.url(), "t9:");
    let now = Ts(1_000);
    for (i, user) in ["paid", "unpaid", "claimed"].iter().enumerate() {
        assert!(matches!(
            g.admit(9, user, 1, Some(3), now),
            Admit::Reserved { .. }
        ));
        let id = i64::try_from(i).unwrap() + 1;
        g.committed(9, user, id, Some(hold("r", 5_000)));
    }
    assert_eq!(g.remaining(9, Some(3)), 0);
    // Two confirms begin and their node dies: not claimable at the hold's expiry ...
    assert_eq!(g.begin_confirm(9, "paid", now), Ok(1));
    assert_eq!(g.begin_confirm(9, "unpaid", now), Ok(1));
    let at_expiry: Vec<String> = g
        .due(Ts(5_000), 10)
        .into_iter()
        .map(|d| d.user_id)
        .collect();
    assert_eq!(at_expiry, vec!["claimed".to_string()]);
    // ... the claimer of "claimed" dies too; at expiry + lease all three are due, once.
    let mut late: Vec<String> = g
        .due(Ts(35_001), 10)
        .into_iter()
        .map(|d| d.user_id)
        .collect();
    late.sort();
    assert_eq!(late, vec!["claimed", "paid", "unpaid"]);
    assert!(g.due(Ts(35_001), 10).is_empty(), "claimed twice");
    // The sweeper settles them against SQL: the paid one stays sold, the others come back.
    assert!(g.finalised(9, "paid"));
    assert!(g.released(9, "unpaid"));
    assert!(g.released(9, "claimed"));
    assert!(!g.released(9, "claimed"), "released twice");
    assert!(!g.finalised(9, "unpaid"));
    assert_eq!(g.held(9), 0);
    assert_eq!(g.remaining(9, Some(3)), 2);
    assert_eq!(
        g.begin_confirm(9, "paid", Ts(40_000)),
        Err(ConfirmRefusal::AlreadyFinal)
    );
    assert!(
        !g.has_due(Ts(i64::MAX / 2)),
        "a settled seat is still queued"
    );
}
