//! What several writers and nodes rely on: the commit feed, bulk loads, racing writers,
//! migrations, and other nodes following.

use super::*;

pub async fn feed_publishes_what_each_commit_made_durable(b: &Backend) {
    let mut feed = b.store.follow();
    let base = b.store.committed();
    let r = b
        .log()
        .append(vec![view("e1", 3, "u1"), view("e2", 4, "u2")])
        .await
        .unwrap();
    // A duplicate is acknowledged but stores nothing: no commit.
    b.log().append(vec![view("e1", 3, "u1")]).await.unwrap();
    let c = b.repo().save_campaign(campaign("Fall")).await.unwrap();
    // A refused write rolls back its savepoint: nothing published.
    assert!(b.repo().save_campaign(campaign("Fall")).await.is_err());
    assert_eq!(b.store.committed(), base + 2, "{}", b.name);
    let first = feed.recv().await.unwrap();
    assert_eq!(first.number, base + 1);
    let seqs: Vec<u64> = first
        .changes
        .iter()
        .map(|ch| match ch {
            Change::Event { seq, .. } => *seq,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(seqs, r.seqs.iter().flatten().copied().collect::<Vec<_>>());
    let second = feed.recv().await.unwrap();
    assert_eq!(second.number, base + 2);
    assert!(matches!(&second.changes[..], [Change::Campaign(x)] if x.id == c.id));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(feed.try_recv().is_err(), "nothing else was published");
}

pub async fn bulk_load_is_all_or_nothing_and_idempotent(b: &Backend) {
    let load = |abort: bool| {
        let (tx, rx) = std::sync::mpsc::channel();
        let c = Campaign {
            id: 5,
            ..campaign("Imported")
        };
        let a = Activity {
            id: 9,
            ..activity(5)
        };
        tx.send(BulkChunk::Products(vec![Product {
            id: 3,
            ..product(4)
        }]))
        .unwrap();
        tx.send(BulkChunk::Campaigns(vec![c])).unwrap();
        tx.send(BulkChunk::Activities(vec![a])).unwrap();
        tx.send(BulkChunk::Entries(vec![Entry {
            id: 0,
            activity_id: 9,
            user_id: "u".into(),
            status: EntryStatus::Paid,
            order: 1,
            quantity: 1,
            requested_at: Ts(5),
            processed_at: None,
        }]))
        .unwrap();
        tx.send(BulkChunk::Purchases(vec![Purchase {
            id: 11,
            ..purchase("u", "ORD-1", Some(3), 1)
        }]))
        .unwrap();
        let events = (0..3)
            .map(|i| EncodedEvent::new(view(&format!("b{i}"), 9, "u")).unwrap())
            .collect();
        tx.send(BulkChunk::Events(events)).unwrap();
        if abort {
            tx.send(BulkChunk::Abort("row 7 is bad".into())).unwrap();
        }
        drop(tx);
        b.store.bulk_load(rx)
    };
    assert_eq!(code(load(true).await), "IMPORT_ABORTED", "{}", b.name);
    assert!(
        b.repo().campaigns().await.unwrap().is_empty(),
        "nothing of an aborted load"
    );
    assert_eq!(b.log().count().await.unwrap(), 0);
    let first = load(false).await.unwrap();
    assert_eq!(
        (
            first.products,
            first.campaigns,
            first.activities,
            first.entries,
            first.purchases,
            first.events
        ),
        (1, 1, 1, 1, 1, 3)
    );
    let again = load(false).await.unwrap();
    assert_eq!((again.events, again.duplicate_events), (0, 3));
    assert_eq!(b.repo().entries(9).await.unwrap().len(), 1);
    assert_eq!(b.repo().purchases_of_user("u").await.unwrap().len(), 1);
    assert_eq!(b.repo().activity(9).await.unwrap().unwrap().campaign_id, 5);
}

/// Event text arrives as given whatever it holds (tabs, newlines, backslashes, Korean — the
/// PostgreSQL path streams it through `COPY`'s text format), sequence numbers follow the load's
/// order, and an event already stored by the one-row path is a duplicate of the bulk path.
pub async fn bulk_load_keeps_odd_text_the_load_order_and_stored_duplicates(b: &Backend) {
    b.log().append(vec![view("pre", 9, "u0")]).await.unwrap();
    let users = [
        "tab\there",
        "line\nbreak",
        "back\\slash\\N",
        "한글 사용자",
        "\\N",
    ];
    let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    let mut events: Vec<EncodedEvent> = users
        .iter()
        .enumerate()
        .map(|(i, u)| EncodedEvent::new(view(&format!("odd{i}"), 9, u)).unwrap())
        .collect();
    events.insert(2, EncodedEvent::new(view("pre", 9, "u0")).unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    tx.send(BulkChunk::Events(events)).unwrap();
    drop(tx);
    let r = b.store.bulk_load(rx).await.unwrap();
    assert_eq!((r.events, r.duplicate_events), (5, 1), "{}", b.name);
    let mut seen = Vec::new();
    b.log()
        .replay(&mut |_, e| seen.push((e.event_id.clone().unwrap(), e.user_id.clone().unwrap())))
        .await
        .unwrap();
    let mut want = vec![("pre".to_string(), "u0".to_string())];
    want.extend(
        users
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("odd{i}"), u.clone())),
    );
    assert_eq!(seen, want, "{}", b.name);
    let mut by_column = Vec::new();
    b.log()
        .replay_core(&mut |_, e| by_column.push(e.user_id.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        by_column,
        want.iter().map(|w| w.1.clone()).collect::<Vec<_>>(),
        "{}",
        b.name
    );
    // An event written after the load is numbered after every loaded one.
    let mut newest = 0;
    b.log()
        .replay(&mut |seq, _| newest = newest.max(seq))
        .await
        .unwrap();
    let after = b.log().append(vec![view("after", 9, "u9")]).await.unwrap();
    assert!(
        after.seqs[0].is_some_and(|s| s > newest),
        "{}: {:?} after {newest}",
        b.name,
        after.seqs
    );
}

/// A load larger than one PostgreSQL staging batch (100,000 events), other rows arriving
/// between its event chunks, and an eventId repeated inside the files past the first batch: the
/// first of the two is kept, the events replay in file order, and a later write is numbered
/// after them.
pub async fn bulk_load_of_many_events_keeps_file_order_and_the_first_duplicate(b: &Backend) {
    const N: usize = 230_000;
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    let producer = std::thread::spawn(move || {
        let mut chunk = Vec::with_capacity(5_000);
        for i in 0..N {
            // Event 150,000 repeats the eventId of event 120,000, for another user.
            let (id, user) = match i {
                150_000 => ("m120000".to_string(), "second"),
                _ => (format!("m{i}"), "u"),
            };
            chunk.push(EncodedEvent::new(view(&id, 9, user)).unwrap());
            if chunk.len() == 5_000 {
                tx.send(BulkChunk::Events(std::mem::take(&mut chunk)))
                    .unwrap();
                if i == 124_999 {
                    tx.send(BulkChunk::Campaigns(vec![campaign("Between")]))
                        .unwrap();
                }
            }
        }
        tx.send(BulkChunk::Events(chunk)).unwrap();
    });
    let r = b.store.bulk_load(rx).await.unwrap();
    producer.join().unwrap();
    assert_eq!(
        (r.events, r.duplicate_events, r.campaigns),
        (N as u64 - 1, 1, 1),
        "{}",
        b.name
    );
    let (mut seqs, mut ids) = (Vec::new(), Vec::new());
    b.log()
        .replay(&mut |seq, e| {
            seqs.push(seq);
            ids.push((e.event_id.unwrap(), e.user_id.unwrap()));
        })
        .await
        .unwrap();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{}", b.name);
    let want: Vec<(String, String)> = (0..N)
        .filter(|&i| i != 150_000)
        .map(|i| (format!("m{i}"), "u".to_string()))
        .collect();
    assert!(
        ids == want,
        "{}: events not in file order or the later duplicate kept",
        b.name
    );
    let after = b.log().append(vec![view("after", 9, "u")]).await.unwrap();
    assert!(
        after.seqs[0].is_some_and(|s| Some(&s) > seqs.last()),
        "{}: {:?}",
        b.name,
        after.seqs
    );
}

/// Thousands of rows in one load (the SQL backends write many rows per statement): the later
/// of two rows for one entry key wins, duplicate events inside the load are skipped, ids are
/// assigned past the explicit ones, each buyer keeps the latest purchase time, and a repeated
/// orderId fails the whole load.
pub async fn bulk_load_in_large_batches_keeps_the_one_row_semantics(b: &Backend) {
    let load = |chunks: Vec<BulkChunk>| {
        let (tx, rx) = std::sync::mpsc::channel();
        for c in chunks {
            tx.send(c).unwrap();
        }
        drop(tx);
        b.store.bulk_load(rx)
    };
    let entry = |user: String, order: i64| Entry {
        id: 0,
        activity_id: 9,
        user_id: user,
        status: EntryStatus::Approved,
        order,
        quantity: 1,
        requested_at: Ts(5),
        processed_at: None,
    };
    let mut entries: Vec<Entry> = (0..2500).map(|i| entry(format!("e{i}"), i)).collect();
    entries.push(entry("e7".into(), 9_999));
    let purchases: Vec<Purchase> = (0..2500)
        .map(|i| {
            let mut p = purchase(&format!("b{}", i % 100), &format!("BULK-{i}"), None, 1);
            p.activity_id = None;
            p.purchase_type = PurchaseType::Shop;
            p.purchased_at = Ts(1_000 + i);
            p.id = if i % 2 == 0 { 0 } else { 10_000 + i };
            p
        })
        .collect();
    let events: Vec<EncodedEvent> = (0..2600)
        .map(|i| EncodedEvent::new(view(&format!("big{}", i % 2500), 9, "u")).unwrap())
        .collect();
    let r = load(vec![
        BulkChunk::Entries(entries),
        BulkChunk::Purchases(purchases),
        BulkChunk::Events(events),
    ])
    .await
    .unwrap();
    assert_eq!((r.events, r.duplicate_events), (2500, 100), "{}", b.name);
    let stored = b.repo().entries(9).await.unwrap();
    assert_eq!(stored.len(), 2500, "{}", b.name);
    assert_eq!(
        stored.iter().find(|e| e.user_id == "e7").unwrap().order,
        9_999,
        "{}: the later row wins",
        b.name
    );
    let mut ids = std::collections::HashSet::new();
    let mut n = 0;
    b.repo()
        .all_purchases(&mut |p| {
            ids.insert(p.id);
            n += 1;
        })
        .await
        .unwrap();
    assert_eq!((n, ids.len()), (2500, 2500), "{}", b.name);
    let latest = b
        .repo()
        .profile("b7")
        .await
        .unwrap()
        .unwrap()
        .last_purchase_at;
    assert_eq!(latest, Some(Ts(1_000 + 2407)), "{}", b.name);
    assert_eq!(b.log().count().await.unwrap(), 2500, "{}", b.name);
    // A repeated orderId under a new id: refused, and nothing of that load is written.
    let mut again = purchase("z", "BULK-3", None, 1);
    again.activity_id = None;
    again.purchase_type = PurchaseType::Shop;
    again.id = 99_999;
    let fresh = EncodedEvent::new(view("fresh-1", 9, "u")).unwrap();
    let r = load(vec![
        BulkChunk::Events(vec![fresh]),
        BulkChunk::Purchases(vec![again]),
    ])
    .await;
    assert_eq!(code(r), "DUPLICATE_PURCHASE", "{}", b.name);
    assert_eq!(b.log().count().await.unwrap(), 2500, "{}", b.name);
}

pub async fn racing_writers_on_one_unique_key(b: &Backend) {
    let other = b.second_node();
    let mut wins = 0;
    let mut dup = 0;
    for round in 0..20 {
        let user = format!("racer{round}");
        let x = b
            .store
            .insert_entry(new_entry(7, &user, &format!("a{round}")));
        let y = other.insert_entry(new_entry(7, &user, &format!("b{round}")));
        for r in [x.await, y.await] {
            match r {
                Ok(_) => wins += 1,
                Err(StoreError::Conflict {
                    code: "DUPLICATED", ..
                }) => dup += 1,
                Err(e) => panic!("{}: {e}", b.name),
            }
        }
        let k = b.store.save_campaign(campaign(&format!("C{round}")));
        let l = other.save_campaign(campaign(&format!("C{round}")));
        let (k, l) = (k.await, l.await);
        assert!(
            k.is_ok() != l.is_ok(),
            "exactly one campaign named C{round}: {k:?} {l:?}"
        );
    }
    assert_eq!((wins, dup), (20, 20), "{}", b.name);
    let (_, total) = b.repo().entries_page(7, None, 0, 1).await.unwrap();
    assert_eq!(total, 20);
    assert_eq!(b.repo().campaigns().await.unwrap().len(), 20);
}

pub async fn racing_buyers_never_oversell(b: &Backend) {
    let other = b.second_node();
    let p = b.repo().upsert_product(product(5)).await.unwrap();
    let mut pending = Vec::new();
    for i in 0..16 {
        let node = if i % 2 == 0 {
            b.store.clone()
        } else {
            other.clone()
        };
        let mut shop = purchase(&format!("buyer{i}"), &format!("O{i}"), Some(p.id), 1);
        shop.activity_id = None;
        shop.purchase_type = PurchaseType::Shop;
        pending.push(node.record_purchase(NewPurchase {
            purchase: shop,
            event: Event::backend(TriggerType::Purchase, "x", Ts(2_000), Map::new()),
            entry_id: None,
        }));
    }
    let mut sold = 0;
    let mut refused = 0;
    for r in pending {
        match r.await {
            Ok(w) if w.created => sold += 1,
            Err(StoreError::Conflict {
                code: "OUT_OF_STOCK",
                ..
            }) => refused += 1,
            other => panic!("{}: {other:?}", b.name),
        }
    }
    assert_eq!((sold, refused), (5, 11), "{}", b.name);
    assert_eq!(b.repo().product(p.id).await.unwrap().unwrap().stock, 0);
}

pub async fn migrations_from_empty_rerun_and_concurrent(b: &Backend) {
    let Some(url) = &b.url else {
        // SQLite: re-opening an existing store re-runs nothing and keeps the data.
        b.repo().save_campaign(campaign("kept")).await.unwrap();
        return;
    };
    let fresh = axon_store::sql::SqlStore::open(url).unwrap();
    assert!(
        fresh.migrations_applied().is_empty(),
        "the schema was current"
    );
    drop(fresh);
    // A fresh database opened by two nodes at the same moment: each version applied once.
    let server = match b.name {
        "postgres" => axon_testdb::postgres("migrations"),
        _ => axon_testdb::mariadb("migrations"),
    }
    .unwrap();
    let empty = server.database("migrate_race");
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let url = empty.clone();
            std::thread::spawn(move || {
                let s = axon_store::sql::SqlStore::open(&url).unwrap();
                s.migrations_applied().to_vec()
            })
        })
        .collect();
    let mut applied: Vec<usize> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    applied.sort_unstable();
    let expected: Vec<usize> = (1..=applied.len().max(1)).collect();
    assert_eq!(applied, expected, "every version exactly once");
    assert!(applied.len() >= 2);
    let again = axon_store::sql::SqlStore::open(&empty).unwrap();
    assert!(again.migrations_applied().is_empty());
    again.save_campaign(campaign("works")).await.unwrap();
}

pub async fn other_nodes_follow_within_a_second(b: &Backend) {
    if b.url.is_none() {
        return; // one embedded store per data directory: there is no other node
    }
    let other = b.second_node();
    let mut feed = other.follow();
    let started = std::time::Instant::now();
    let c = b.repo().save_campaign(campaign("Remote")).await.unwrap();
    b.log().append(vec![view("r1", 1, "u")]).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let commit = tokio::time::timeout(Duration::from_secs(2), feed.recv())
            .await
            .expect("the other node saw the commit")
            .unwrap();
        seen.extend(commit.changes.iter().cloned());
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(&seen[0], Change::Campaign(x) if x.id == c.id));
    assert!(
        matches!(&seen[1], Change::Event { event, .. } if event.event_id.as_deref() == Some("r1"))
    );
    assert_eq!(other.committed(), 2);
}
