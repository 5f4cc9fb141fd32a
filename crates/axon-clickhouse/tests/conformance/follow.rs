//! The follower against a real store (the embedded SQLite store): what was stored before it
//! started is caught up — only what ClickHouse lacks — and every later commit is written, so
//! ClickHouse answers what the engine rebuilt from the same store answers.

use super::commerce::dataset;
use super::events::random_events;
use super::*;
use axon_clickhouse::follow::Follower;
use axon_domain::event::Event;
use axon_domain::model::{Entry, EntryStatus, Purchase, PurchaseType};
use axon_domain::period::Window;
use axon_domain::Dec2;
use axon_domain::Ts;
use axon_ports::aggregates::Aggregates;
use axon_ports::feed::CommitFeed;
use axon_ports::{CommerceRepo, EventLog, GateRepo, NewEntry, NewPurchase, Repo};
use axon_store::sqlite::SqliteStore;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

async fn rebuilt(store: &SqliteStore) -> Engine {
    let mut engine = Engine::new(axon_domain::BusinessTz::new("UTC").unwrap());
    store
        .all_entries(&mut |e| engine.apply_entry(&e))
        .await
        .unwrap();
    store
        .all_purchases(&mut |p| engine.apply_purchase(&p))
        .await
        .unwrap();
    store
        .replay(&mut |seq, e| engine.apply_event(seq, &e))
        .await
        .unwrap();
    engine
}

/// ClickHouse is marked complete through the store's newest event.
async fn assert_complete(ch: &ClickHouse, store: &SqliteStore) {
    let mut newest = 0;
    store
        .replay(&mut |seq, _| newest = newest.max(seq))
        .await
        .unwrap();
    assert_eq!(ch.loaded_through().await.unwrap(), newest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follower_catches_up_then_writes_every_commit() {
    let Some(ch) = clickhouse("clickhouse::conformance::follow").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let events: Vec<_> = random_events(3_000, 31)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let d = dataset(32);
    let entries: Vec<_> = d.entries.iter().map(|(_, e)| e.clone()).collect();
    // The store takes one promotion purchase per activity and user, each purchase once.
    let (mut ids, mut promo) = (HashSet::new(), HashSet::new());
    let mut purchases = Vec::new();
    for (_, p) in &d.purchases {
        let fresh = ids.insert(p.id);
        let one = p
            .activity_id
            .is_none_or(|a| promo.insert((a, p.user_id.clone())));
        if fresh && one {
            purchases.push(p.clone());
        }
    }
    // Before the follower: the first events, half of them already in ClickHouse.
    store.append(events[..2_000].to_vec()).await.unwrap();
    store.upsert_entries(entries).await.unwrap();
    store.upsert_purchases(purchases).await.unwrap();
    let mut stored = Vec::new();
    store
        .replay(&mut |seq, e| stored.push((seq, e)))
        .await
        .unwrap();
    ch.insert_events(&stored[..1_000]).await.unwrap();
    ch.mark_loaded(stored[999].0).await.unwrap();
    // A torn later load (a crash after one month's part of an INSERT, or before its links):
    // events above a gap, ClickHouse not marked complete through them.
    ch.insert_events(&stored[1_500..1_700]).await.unwrap();
    assert_eq!(ch.loaded_through().await.unwrap(), stored[999].0);

    let feed = store.follow();
    let follower = Follower::start(
        ch.clone(),
        store.clone() as Arc<dyn Repo>,
        store.clone() as Arc<dyn EventLog>,
        store.committed(),
        feed,
    )
    .await
    .unwrap();
    // After it started: the rest, in several commits.
    for part in events[2_000..].chunks(250) {
        store.append(part.to_vec()).await.unwrap();
    }
    // Through the gate's writes (what the feed carries): entries, cancellations, payments.
    let mut ids = Vec::new();
    for i in 0..60i64 {
        let (a, user, at) = (1 + i % 5, format!("late{i}"), T0 + i * 60_000);
        let entry = Entry {
            id: 0,
            activity_id: a,
            user_id: user.clone(),
            status: EntryStatus::Approved,
            order: i,
            quantity: 1,
            requested_at: Ts(at),
            processed_at: Some(Ts(at)),
        };
        let w = store
            .insert_entry(NewEntry {
                entry,
                event: Event::approved(&user, a, 1, i, 1, Ts(at)),
                reservation: None,
                coupon_id: None,
            })
            .await
            .unwrap();
        ids.push(w.entry);
    }
    let cancel: Vec<i64> = ids.iter().step_by(3).map(|e| e.id).collect();
    store.cancel_entries(cancel, Ts(T0 + DAY)).await.unwrap();
    for (k, e) in ids.iter().enumerate().filter(|(k, _)| k % 3 == 1) {
        let purchase = Purchase {
            id: 0,
            user_id: e.user_id.clone(),
            product_id: Some(1),
            activity_id: Some(e.activity_id),
            purchase_type: PurchaseType::CampaignActivity,
            price: Dec2(10_000 + k as i64),
            quantity: 1,
            purchased_at: Ts(e.requested_at.0 + 30_000),
            order_id: Some(format!("late-order-{k}")),
        };
        store
            .record_purchase(NewPurchase {
                event: Event::purchase(&purchase, Some(1)),
                purchase,
                entry_id: Some(e.id),
            })
            .await
            .unwrap();
    }
    assert!(
        follower
            .wait_for(store.committed(), Duration::from_secs(30))
            .await,
        "ClickHouse holds commit {} ({} written)",
        store.committed(),
        follower.written()
    );

    let engine = rebuilt(&store).await;
    let w = Window::new(Ts(T0 - DAY), Ts(T0 + 4 * DAY));
    let all = [1, 2, 3, 4, 5];
    // 3,000 behaviour events, 60 approvals and 20 purchases: each written once, although the
    // first 1,000 were in ClickHouse before the catch-up — and the torn part's 200 at most
    // twice (the catch-up starts where ClickHouse is complete, so the gap below them is
    // filled; a background merge may already have folded some of the 200).
    let raw = ch.raw_rows().await.unwrap();
    assert!(
        (3_080..=3_280).contains(&raw),
        "caught up only from where ClickHouse was complete: {raw} rows"
    );
    assert_complete(&ch, &store).await;
    assert_eq!(ch.counts(&all, &w).await.unwrap(), engine.counts(&all, &w));
    assert_eq!(
        ch.step_users(&all, &w).await.unwrap(),
        engine.step_users(&all, &w)
    );
    for a in all {
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
    let mut f = ch.ordered_funnel(&all, &w, None).await.unwrap();
    let mut g = engine.ordered_funnel(&all, &w, None);
    for s in f
        .seconds_to_convert
        .iter_mut()
        .chain(g.seconds_to_convert.iter_mut())
    {
        s.sort_unstable();
    }
    assert_eq!(f, g);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_dealt_to_two_inserts_writes_every_event_once_and_marks_the_end() {
    let Some(ch) = clickhouse("clickhouse::conformance::follow_load").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    // Three chunks of the load: the first and third go to one INSERT, the second to the other.
    let events: Vec<_> = random_events(25_000, 77)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    store.append(events).await.unwrap();
    let loaded = axon_clickhouse::follow::load_from_store(&ch, &store, &store, store.committed())
        .await
        .unwrap();
    assert_eq!(loaded.events, 25_000);
    assert_eq!(ch.raw_rows().await.unwrap(), 25_000, "each event once");
    assert_complete(&ch, &store).await;
    let engine = rebuilt(&store).await;
    let w = Window::new(Ts(T0 - DAY), Ts(T0 + 4 * DAY));
    let all = [1, 2, 3, 4, 5];
    assert_eq!(ch.counts(&all, &w).await.unwrap(), engine.counts(&all, &w));
    assert_eq!(
        ch.step_users(&all, &w).await.unwrap(),
        engine.step_users(&all, &w)
    );
    // Caught up: a second load finds nothing to write.
    let again = axon_clickhouse::follow::load_from_store(&ch, &store, &store, store.committed())
        .await
        .unwrap();
    assert_eq!(again.events, 0);
}
