//! Entries and purchases with events: counts, persons per funnel step, entry tallies, record
//! counts, purchases per day and cohorts. Entries change state and purchases are written again;
//! ClickHouse gets every state with its version, in a shuffled order, the engine in order.

use super::events::random_events;
use super::*;
use axon_clickhouse::projection::version;
use axon_domain::model::{Entry, EntryStatus, Purchase, PurchaseType};
use axon_domain::period::Window;
use axon_domain::{Dec2, Ts};
use axon_ports::aggregates::{Aggregates, CohortMember, PurchaseSet};

pub struct Dataset {
    pub entries: Vec<(u64, Entry)>,
    pub purchases: Vec<(u64, Purchase)>,
}

pub fn dataset(seed: u64) -> Dataset {
    let mut r = Lcg(seed);
    let mut n = 0u64;
    let mut next = || {
        n += 1;
        version(n, 0)
    };
    let mut entries = Vec::new();
    for i in 0..400 {
        let activity = 1 + r.next(5) as i64;
        let user = format!("user{}", r.next(25));
        let at = T0 + r.next(3 * DAY as u64) as i64;
        let first = match r.next(10) {
            0 => EntryStatus::Rejected,
            _ => EntryStatus::Approved,
        };
        let mut e = Entry {
            id: i + 1,
            activity_id: activity,
            user_id: user,
            status: first,
            order: i,
            quantity: 1 + r.next(3) as i64,
            requested_at: Ts(at),
            processed_at: Some(Ts(at)),
        };
        entries.push((next(), e.clone()));
        if first == EntryStatus::Approved {
            match r.next(3) {
                0 => {}
                1 => {
                    e.status = EntryStatus::Paid;
                    entries.push((next(), e.clone()));
                }
                _ => {
                    e.status = EntryStatus::Cancelled;
                    entries.push((next(), e));
                }
            }
        }
    }
    let mut purchases = Vec::new();
    for i in 0..500 {
        let promo = r.next(2) == 0;
        let mut p = Purchase {
            id: i + 1,
            user_id: format!("user{}", r.next(25)),
            product_id: (r.next(4) != 0).then(|| 1 + r.next(4) as i64),
            activity_id: promo.then(|| 1 + r.next(5) as i64),
            purchase_type: if promo {
                PurchaseType::CampaignActivity
            } else {
                PurchaseType::Shop
            },
            price: Dec2(100 + r.next(100_000) as i64),
            quantity: 1 + r.next(3) as i64,
            purchased_at: Ts(T0 - DAY + r.next(5 * DAY as u64) as i64),
            order_id: None,
        };
        purchases.push((next(), p.clone()));
        // Written again (a corrected price): the later one counts.
        if r.next(8) == 0 {
            p.price = Dec2(p.price.0 + 1);
            purchases.push((next(), p));
        }
    }
    Dataset { entries, purchases }
}

/// A deterministic shuffle: ClickHouse must not depend on the order writes arrive in.
pub fn shuffled<T: Clone>(v: &[T], seed: u64) -> Vec<T> {
    let mut out = v.to_vec();
    let mut r = Lcg(seed);
    for i in (1..out.len()).rev() {
        out.swap(i, r.next(i as u64 + 1) as usize);
    }
    out
}

/// Writes the events and the dataset's entries and purchases to ClickHouse (every state, in a
/// shuffled order from `seed`) and applies them in order to an engine, which it returns.
pub async fn load_both(ch: &ClickHouse, events: &[(u64, Event)], d: &Dataset, seed: u64) -> Engine {
    ch.insert_events(events).await.unwrap();
    ch.insert_entries(&shuffled(&d.entries, seed))
        .await
        .unwrap();
    ch.insert_purchases(&shuffled(&d.purchases, seed + 1))
        .await
        .unwrap();
    let mut engine = engine_of(events);
    for (_, e) in &d.entries {
        engine.apply_entry(e);
    }
    for (_, p) in &d.purchases {
        engine.apply_purchase(p);
    }
    engine
}

fn sorted(mut c: Vec<CohortMember>) -> Vec<CohortMember> {
    c.sort_by_key(|m| {
        let ps: Vec<(Ts, Dec2)> = m.purchases.iter().map(|p| (p.at, p.value)).collect();
        (m.first, ps)
    });
    c
}

#[tokio::test]
async fn commerce_aggregates_equal_the_engine_on_a_random_dataset() {
    let Some(ch) = clickhouse("clickhouse::conformance::commerce").await else {
        return;
    };
    let events = random_events(3_000, 9);
    let engine = load_both(&ch, &events, &dataset(11), 1).await;
    let mut r = Lcg(5);
    let mut windows = vec![
        Window::new(Ts(T0 - DAY), Ts(T0 + 4 * DAY)),
        Window::new(Ts(T0), Ts(T0)),
    ];
    for _ in 0..8 {
        let a = T0 - HOUR + r.next(3 * DAY as u64) as i64;
        windows.push(Window::new(Ts(a), Ts(a + r.next(2 * DAY as u64) as i64)));
    }
    let sets: [&[i64]; 5] = [&[1], &[2, 3], &[1, 2, 3, 4, 5], &[5, 99], &[]];
    let days: Vec<Ts> = (0..4).map(|d| Ts(T0 + d * DAY)).collect();
    for w in &windows {
        for set in sets {
            let what = format!("window {w:?}, activities {set:?}");
            assert_eq!(
                ch.counts(set, w).await.unwrap(),
                engine.counts(set, w),
                "counts, {what}"
            );
            assert_eq!(
                ch.step_users(set, w).await.unwrap(),
                engine.step_users(set, w),
                "step_users, {what}"
            );
            let promo = PurchaseSet::Promotion(set);
            assert_eq!(
                ch.purchases(promo, w, &days).await.unwrap(),
                engine.purchases(promo, w, &days),
                "promotion purchases, {what}"
            );
            assert_eq!(
                sorted(ch.cohort(set, w).await.unwrap()),
                sorted(engine.cohort(set, w)),
                "cohort, {what}"
            );
        }
        for products in [&[1i64][..], &[2, 3, 4], &[9]] {
            let normal = PurchaseSet::Normal(products);
            assert_eq!(
                ch.purchases(normal, w, &days).await.unwrap(),
                engine.purchases(normal, w, &days),
                "normal purchases of {products:?}, window {w:?}"
            );
        }
        assert_eq!(
            ch.purchases(PurchaseSet::Promotion(&[1, 2]), w, &[])
                .await
                .unwrap(),
            engine.purchases(PurchaseSet::Promotion(&[1, 2]), w, &[]),
            "no days, window {w:?}"
        );
    }
    for a in [1, 2, 3, 4, 5, 99] {
        assert_eq!(
            ch.entries(a).await.unwrap(),
            engine.entries(a),
            "entries of {a}"
        );
        assert_eq!(
            ch.has_records(a).await.unwrap(),
            engine.has_records(a),
            "records of {a}"
        );
    }
    assert!(
        engine.has_records(1) && !engine.has_records(99),
        "both answers occur"
    );
    // Spot check beside the engine: the cohort over everything has members, each first
    // purchase its own earliest.
    let all = ch
        .cohort(
            &[1, 2, 3, 4, 5],
            &Window::new(Ts(T0 - DAY), Ts(T0 + 4 * DAY)),
        )
        .await
        .unwrap();
    assert!(!all.is_empty());
    assert!(all
        .iter()
        .all(|m| m.purchases.first().map(|p| p.at) == Some(m.first)));
}

#[tokio::test]
async fn commits_written_twice_or_out_of_order_count_once() {
    let Some(ch) = clickhouse("clickhouse::conformance::commits").await else {
        return;
    };
    use axon_ports::feed::{Change, Commit};
    let events = random_events(200, 3);
    let d = dataset(4);
    // One commit per record, in the order the engine applies them.
    let mut commits = Vec::new();
    let mut number = 0;
    for (seq, e) in &events {
        number += 1;
        commits.push(Commit {
            number,
            changes: vec![Change::Event {
                seq: *seq,
                event: e.clone(),
            }],
        });
    }
    for (_, e) in &d.entries {
        number += 1;
        commits.push(Commit {
            number,
            changes: vec![Change::Entry(e.clone())],
        });
    }
    for (_, p) in &d.purchases {
        number += 1;
        commits.push(Commit {
            number,
            changes: vec![Change::Purchase(p.clone())],
        });
    }
    let mut engine = engine_of(&[]);
    for c in &commits {
        for change in &c.changes {
            engine.apply_change(change);
        }
    }
    let refs: Vec<&Commit> = commits.iter().collect();
    let half = shuffled(&refs[..refs.len() / 2], 8);
    ch.write_commits(&shuffled(&refs, 7)).await.unwrap();
    ch.write_commits(&half).await.unwrap();
    let w = Window::new(Ts(T0 - DAY), Ts(T0 + 4 * DAY));
    let set = [1, 2, 3, 4, 5];
    assert_eq!(ch.counts(&set, &w).await.unwrap(), engine.counts(&set, &w));
    assert_eq!(
        ch.step_users(&set, &w).await.unwrap(),
        engine.step_users(&set, &w)
    );
    for a in 1..=5 {
        assert_eq!(
            ch.entries(a).await.unwrap(),
            engine.entries(a),
            "entries of {a}"
        );
    }
}
