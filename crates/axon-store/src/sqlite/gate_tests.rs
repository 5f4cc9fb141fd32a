//! The gate's adapter: each acknowledging write is atomic and idempotent where promised.

use super::tests::wait;
use super::SqliteStore;
use crate::StoreError;
use crate::*;
use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::{Dec2, Ts};
use serde_json::Map;

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    (dir, s)
}

fn new_entry(user: &str, token: &str) -> NewEntry {
    NewEntry {
        entry: Entry {
            id: 0,
            activity_id: 7,
            user_id: user.into(),
            status: EntryStatus::Approved,
            order: 1,
            quantity: 2,
            requested_at: Ts(1_000),
            processed_at: Some(Ts(1_000)),
        },
        event: Event::backend(TriggerType::Approved, user, Ts(1_000), Map::new()),
        reservation: Some((token.into(), Ts(5_000))),
        coupon_id: None,
    }
}

fn purchase(user: &str, order: &str, product: Option<i64>, qty: i64) -> Purchase {
    Purchase {
        id: 0,
        user_id: user.into(),
        product_id: product,
        activity_id: Some(7),
        purchase_type: PurchaseType::CampaignActivity,
        price: Dec2::from_int(100),
        quantity: qty,
        purchased_at: Ts(2_000),
        order_id: Some(order.into()),
    }
}

#[test]
fn an_entry_its_token_and_its_event_are_written_together_or_not_at_all() {
    let (_d, s) = store();
    let w = s.insert_entry(new_entry("u", "tok-1")).wait().unwrap();
    assert!(w.entry.id > 0 && w.seq.is_some());
    let again = s.insert_entry(new_entry("u", "tok-2")).wait();
    assert!(matches!(
        again,
        Err(StoreError::Conflict {
            code: "DUPLICATED",
            ..
        })
    ));
    assert!(
        wait(s.token("tok-2")).unwrap().is_none(),
        "the failed job left a token"
    );
    assert_eq!(wait(s.count()).unwrap(), 1, "the failed job left an event");
    let t = wait(s.token("tok-1")).unwrap().unwrap();
    assert_eq!(
        (t.entry_id, t.kind, t.user_id.as_str()),
        (w.entry.id, TokenKind::Reservation, "u")
    );
    assert_eq!(wait(s.open_tokens()).unwrap().len(), 1);
}

#[test]
fn a_confirmed_purchase_is_recorded_once_and_a_short_stock_changes_nothing() {
    let (_d, s) = store();
    let p = s
        .upsert_product(Product {
            id: 0,
            name: "TV".into(),
            price: Dec2::from_int(100),
            stock: 1,
            category: None,
            brand: None,
            discount_rate: None,
        })
        .wait()
        .unwrap();
    let w = s.insert_entry(new_entry("u", "t")).wait().unwrap();
    let pay = |qty| NewPurchase {
        purchase: purchase("u", "ORD-u", Some(p.id), qty),
        event: Event::backend(TriggerType::Purchase, "u", Ts(2_000), Map::new()),
        entry_id: Some(w.entry.id),
    };
    let short = s.record_purchase(pay(2)).wait();
    assert!(matches!(
        short,
        Err(StoreError::Conflict {
            code: "OUT_OF_STOCK",
            ..
        })
    ));
    assert_eq!(
        wait(s.entry(w.entry.id)).unwrap().unwrap().status,
        EntryStatus::Approved
    );
    let first = s.record_purchase(pay(1)).wait().unwrap();
    assert!(first.created);
    assert_eq!(first.product.as_ref().map(|p| p.stock), Some(0));
    assert_eq!(first.entry.unwrap().status, EntryStatus::Paid);
    let second = s.record_purchase(pay(1)).wait().unwrap();
    assert!(!second.created);
    assert_eq!(second.purchase.id, first.purchase.id);
    assert_eq!(wait(s.product(p.id)).unwrap().unwrap().stock, 0);
    assert_eq!(
        wait(s.profile("u")).unwrap().unwrap().last_purchase_at,
        Some(Ts(2_000))
    );
    // Cancelling a paid entry changes nothing.
    assert!(s
        .cancel_entries(vec![w.entry.id], Ts(9_000))
        .wait()
        .unwrap()
        .is_empty());
}
