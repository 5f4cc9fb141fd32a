//! Adapter tests against a real SQLite file in a temp directory.

use super::SqliteStore;
use crate::StoreError;
use crate::*;
use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::{Dec2, Ts};
use serde_json::{json, Map};
use std::sync::Arc;

fn event(id: Option<&str>, activity: Option<i64>, user: &str) -> Event {
    let mut props = Map::new();
    if let Some(a) = activity {
        props.insert("activityId".into(), json!(a));
    }
    let mut e = Event::backend(TriggerType::PageView, user, Ts(1_000), props);
    e.properties.insert("source".into(), json!("web"));
    e.event_id = id.map(str::to_string);
    e
}

fn campaign(name: &str) -> Campaign {
    Campaign {
        id: 0,
        name: name.into(),
        start_at: None,
        end_at: None,
        budget: Dec2::from_int(100),
        created_at: Ts(1),
        updated_at: Ts(1),
    }
}

fn activity(campaign_id: i64) -> Activity {
    Activity {
        id: 0,
        campaign_id,
        name: "A".into(),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Draft,
        limit_count: Some(10),
        start_date: Ts(0),
        end_date: Ts(10_000),
        product_id: None,
        coupon_id: None,
        price: Dec2::from_int(1000),
        quantity: 1,
        budget: Dec2::ZERO,
        filters: vec![],
        image_url: None,
        payment_required: true,
        created_at: Ts(1),
        updated_at: Ts(1),
    }
}

#[test]
fn appended_events_replay_in_order_and_duplicates_are_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let r = store
        .append(vec![
            event(Some("e1"), Some(1), "u1"),
            event(Some("e1"), Some(1), "u1"),
            event(None, None, "u2"),
        ])
        .wait()
        .unwrap();
    assert_eq!((r.accepted(), r.duplicates()), (2, 1));
    let r = store
        .append(vec![event(Some("e1"), Some(1), "u1")])
        .wait()
        .unwrap();
    assert_eq!(r.duplicates(), 1);
    let mut seen = Vec::new();
    assert_eq!(
        wait(store.replay(&mut |seq, e| seen.push((seq, e.user_id)))).unwrap(),
        2
    );
    assert_eq!(seen, vec![(1, Some("u1".into())), (2, Some("u2".into()))]);
}

#[test]
fn concurrent_appends_share_commits_and_all_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let s = store.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let id = format!("t{t}-{i}");
                        s.append(vec![event(Some(&id), Some(t), "u")])
                            .wait()
                            .unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(wait(store.count()).unwrap(), 400);
    let page = wait(store.query(&EventQuery {
        activity_id: Some(3),
        limit: 20,
        ..EventQuery::default()
    }))
    .unwrap();
    assert_eq!(page.total, 50);
    assert_eq!(page.events.len(), 20);
    let next = page.next_before.unwrap();
    assert!(page.events.windows(2).all(|w| w[0].0 > w[1].0));
    let p2 = wait(store.query(&EventQuery {
        activity_id: Some(3),
        limit: 40,
        before: Some(next),
        ..EventQuery::default()
    }))
    .unwrap();
    assert_eq!(p2.events.len(), 30);
    assert_eq!(p2.next_before, None);
}

#[test]
fn a_locked_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _a = SqliteStore::open(dir.path()).unwrap();
    assert!(matches!(
        SqliteStore::open(dir.path()),
        Err(StoreError::Locked(_))
    ));
}

#[test]
fn campaign_names_are_unique_and_a_failed_job_does_not_spoil_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let a = store.save_campaign(campaign("Black Friday"));
    let b = store.save_campaign(campaign("Black Friday"));
    let c = store.save_campaign(campaign("Cyber Monday"));
    assert_eq!(a.wait().unwrap().id, 1);
    assert!(matches!(
        b.wait(),
        Err(StoreError::Conflict {
            code: "CAMPAIGN_NAME_TAKEN",
            ..
        })
    ));
    assert_eq!(c.wait().unwrap().name, "Cyber Monday");
    assert_eq!(wait(store.campaigns()).unwrap().len(), 2);
}

#[test]
fn activity_status_changes_only_from_the_expected_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let c = store.save_campaign(campaign("C")).wait().unwrap();
    let a = store.save_activity(activity(c.id)).wait().unwrap();
    assert!(matches!(
        store.save_activity(activity(99)).wait(),
        Err(StoreError::NotFound(_))
    ));
    let a2 = store
        .set_activity_status(a.id, ActivityStatus::Draft, ActivityStatus::Active, Ts(5))
        .wait()
        .unwrap();
    assert_eq!(a2.status, ActivityStatus::Active);
    let stale = store
        .set_activity_status(a.id, ActivityStatus::Draft, ActivityStatus::Active, Ts(6))
        .wait();
    assert!(matches!(
        stale,
        Err(StoreError::Conflict {
            code: "STATUS_CHANGED",
            ..
        })
    ));
    assert!(matches!(
        store.delete_campaign(c.id).wait(),
        Err(StoreError::Conflict { .. })
    ));
}

#[test]
fn entries_and_purchases_upsert_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let e = Entry {
        id: 0,
        activity_id: 1,
        user_id: "u".into(),
        status: EntryStatus::Approved,
        order: 1,
        quantity: 1,
        requested_at: Ts(5),
        processed_at: Some(Ts(5)),
    };
    store.upsert_entries(vec![e.clone()]).wait().unwrap();
    store
        .upsert_entries(vec![Entry {
            status: EntryStatus::Paid,
            ..e
        }])
        .wait()
        .unwrap();
    let es = wait(store.entries(1)).unwrap();
    assert_eq!(es.len(), 1);
    assert_eq!(es[0].status, EntryStatus::Paid);
    let p = Purchase {
        id: 7,
        user_id: "u".into(),
        product_id: Some(1),
        activity_id: None,
        purchase_type: PurchaseType::Shop,
        price: Dec2::from_int(10),
        quantity: 2,
        purchased_at: Ts(9),
        order_id: None,
    };
    store
        .upsert_purchases(vec![p.clone(), p.clone()])
        .wait()
        .unwrap();
    assert_eq!(wait(store.purchases_of_user("u")).unwrap(), vec![p]);
}

#[test]
fn each_commit_publishes_exactly_what_it_made_durable_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let mut feed = store.follow();
    let r = store
        .append(vec![
            event(Some("e1"), Some(3), "u1"),
            event(Some("e2"), None, "u2"),
        ])
        .wait()
        .unwrap();
    // A duplicate is acknowledged but stores nothing: no commit.
    store
        .append(vec![event(Some("e1"), Some(3), "u1")])
        .wait()
        .unwrap();
    let c = store.save_campaign(campaign("Fall")).wait().unwrap();
    // A refused write (duplicate name) rolls back its savepoint: nothing published.
    assert!(store.save_campaign(campaign("Fall")).wait().is_err());
    assert_eq!(store.committed(), 2);
    let first = feed.try_recv().unwrap();
    assert_eq!(first.number, 1);
    let seqs: Vec<u64> = first
        .changes
        .iter()
        .map(|ch| match ch {
            Change::Event { seq, .. } => *seq,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(seqs, r.seqs.iter().flatten().copied().collect::<Vec<_>>());
    let second = feed.try_recv().unwrap();
    assert_eq!(second.number, 2);
    assert!(matches!(&second.changes[..], [Change::Campaign(x)] if x.id == c.id));
    assert!(feed.try_recv().is_err(), "nothing else was published");
}

#[test]
fn closing_the_store_folds_the_write_ahead_log_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    let events: Vec<Event> = (0..2000)
        .map(|i| event(Some(&format!("e{i}")), Some(1), "u"))
        .collect();
    store.append(events).wait().unwrap();
    let wal = dir.path().join("axon.db-wal");
    assert!(
        wal.metadata().map(|m| m.len()).unwrap_or(0) > 0,
        "the batch went to the log"
    );
    // A reader connection stays open in the pool, so SQLite would not checkpoint on its own.
    assert_eq!(wait(store.count()).unwrap(), 2000);
    drop(store);
    assert_eq!(wal.metadata().map(|m| m.len()).unwrap_or(0), 0);
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(
        wait(store.count()).unwrap(),
        2000,
        "nothing was lost by the checkpoint"
    );
}

/// Runs a store read from a synchronous test (the SQLite adapter's reads finish at once).
pub(super) fn wait<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}
