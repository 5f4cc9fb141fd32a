//! The FCFS gate's durable side (`GateRepo`): entries with their token and event, purchases,
//! coupons, giveaways, entry pages.

use super::*;

pub async fn gate_entry_token_event_together_or_not_at_all(b: &Backend) {
    let r = b.repo();
    let w = r.insert_entry(new_entry(7, "u", "tok-1")).await.unwrap();
    assert!(w.entry.id > 0 && w.seq.is_some());
    let again = r.insert_entry(new_entry(7, "u", "tok-2")).await;
    assert_eq!(code(again), "DUPLICATED", "{}", b.name);
    assert!(
        r.token("tok-2").await.unwrap().is_none(),
        "the failed job left a token"
    );
    assert_eq!(
        b.log().count().await.unwrap(),
        1,
        "the failed job left an event"
    );
    let t = r.token("tok-1").await.unwrap().unwrap();
    assert_eq!(
        (t.entry_id, t.kind, t.user_id.as_str(), t.expires_at),
        (w.entry.id, TokenKind::Reservation, "u", Ts(5_000))
    );
    r.add_token(TokenRecord {
        token: "appr-1".into(),
        kind: TokenKind::Approval,
        entry_id: w.entry.id,
        activity_id: 7,
        user_id: "u".into(),
        expires_at: Ts(9_000),
    })
    .await
    .unwrap();
    assert_eq!(r.tokens_of_entry(w.entry.id).await.unwrap().len(), 2);
    assert_eq!(r.open_tokens().await.unwrap().len(), 2);
    assert_eq!(r.entry(w.entry.id).await.unwrap().unwrap(), w.entry);
    assert_eq!(r.entry_of(7, "u").await.unwrap().unwrap().id, w.entry.id);
    assert!(r.entry_of(7, "v").await.unwrap().is_none());
    let other = r.insert_entry(new_entry(8, "u", "tok-3")).await.unwrap();
    assert_ne!(
        other.entry.id, w.entry.id,
        "another activity is another entry"
    );
}

pub async fn gate_purchase_once_and_short_stock_changes_nothing(b: &Backend) {
    let r = b.repo();
    let p = r.upsert_product(product(1)).await.unwrap();
    let w = r.insert_entry(new_entry(7, "u", "t")).await.unwrap();
    let pay = |qty, entry: Option<i64>| NewPurchase {
        purchase: purchase("u", "ORD-u", Some(p.id), qty),
        event: Event::backend(TriggerType::Purchase, "u", Ts(2_000), Map::new()),
        entry_id: entry,
    };
    assert_eq!(
        code(r.record_purchase(pay(2, Some(w.entry.id))).await),
        "OUT_OF_STOCK"
    );
    assert_eq!(
        r.entry(w.entry.id).await.unwrap().unwrap().status,
        EntryStatus::Approved,
        "the refused purchase changed the entry"
    );
    let first = r.record_purchase(pay(1, Some(w.entry.id))).await.unwrap();
    assert!(first.created && first.seq.is_some());
    assert_eq!(first.product.as_ref().map(|p| p.stock), Some(0));
    assert_eq!(first.entry.as_ref().unwrap().status, EntryStatus::Paid);
    let second = r.record_purchase(pay(1, Some(w.entry.id))).await.unwrap();
    assert!(!second.created);
    assert_eq!(second.purchase.id, first.purchase.id);
    assert_eq!(r.product(p.id).await.unwrap().unwrap().stock, 0);
    assert_eq!(
        r.profile("u").await.unwrap().unwrap().last_purchase_at,
        Some(Ts(2_000))
    );
    assert_eq!(
        r.purchase_of_entry(&w.entry).await.unwrap().unwrap().id,
        first.purchase.id
    );
    let mut stored = None;
    b.log()
        .replay(&mut |_, e| {
            if e.trigger_type == TriggerType::Purchase {
                stored = e.properties.get("purchaseId").cloned();
            }
        })
        .await
        .unwrap();
    assert_eq!(stored, Some(json!(first.purchase.id)));
    // A new order for an entry no longer awaiting payment.
    let other = NewPurchase {
        purchase: purchase("u", "ORD-2", None, 1),
        ..pay(1, Some(w.entry.id))
    };
    assert_eq!(code(r.record_purchase(other).await), "ENTRY_NOT_PAYABLE");
    assert!(r
        .cancel_entries(vec![w.entry.id], Ts(9_000))
        .await
        .unwrap()
        .is_empty());
}

pub async fn gate_coupons_issue_use_once_and_delete_rules(b: &Backend) {
    let r = b.repo();
    let coupon = Coupon {
        id: 0,
        name: "10%".into(),
        discount_amount: None,
        discount_rate: Some(Dec2::from_int(10)),
        min_order_amount: Dec2::from_int(50),
        target_category: Some("tv".into()),
        start_date: Ts(0),
        end_date: Ts(100_000),
        created_at: Ts(1),
    };
    let c = r.save_coupon(coupon.clone()).await.unwrap();
    assert_eq!(
        c,
        Coupon {
            id: c.id,
            ..coupon.clone()
        }
    );
    let renamed = r
        .save_coupon(Coupon {
            name: "Ten".into(),
            ..c.clone()
        })
        .await
        .unwrap();
    assert_eq!((renamed.id, renamed.name.as_str()), (c.id, "Ten"));
    let spare = r.save_coupon(coupon.clone()).await.unwrap();
    let mut with_coupon = new_entry(7, "u", "tok");
    with_coupon.coupon_id = Some(c.id);
    with_coupon.reservation = None;
    let w = r.insert_entry(with_coupon.clone()).await.unwrap();
    let uc = w.user_coupon.unwrap();
    assert_eq!(
        (uc.coupon_id, uc.activity_id, uc.status),
        (c.id, Some(7), CouponStatus::Issued)
    );
    let mut unknown = new_entry(8, "u", "tok-x");
    unknown.coupon_id = Some(999);
    assert_eq!(code(r.insert_entry(unknown).await), "UNKNOWN_COUPON");
    assert!(
        r.entry_of(8, "u").await.unwrap().is_none(),
        "rolled back with it"
    );
    let used = r.use_coupon(uc.id, Ts(50)).await.unwrap();
    assert_eq!(
        (used.status, used.used_at),
        (CouponStatus::Used, Some(Ts(50)))
    );
    assert_eq!(
        code(r.use_coupon(uc.id, Ts(60)).await),
        "COUPON_ALREADY_USED"
    );
    assert_eq!(code(r.use_coupon(999, Ts(60)).await), "NOT_FOUND");
    assert_eq!(r.user_coupons("u").await.unwrap().len(), 1);
    assert_eq!(
        r.user_coupon(uc.id).await.unwrap().unwrap().status,
        CouponStatus::Used
    );
    assert_eq!(code(r.delete_coupon(c.id).await), "COUPON_IN_USE");
    r.delete_coupon(spare.id).await.unwrap();
    assert_eq!(code(r.delete_coupon(spare.id).await), "NOT_FOUND");
    assert_eq!(r.coupons().await.unwrap().len(), 1);
    assert!(r.coupon(spare.id).await.unwrap().is_none());
}

pub async fn gate_giveaway_participants_and_one_draw(b: &Backend) {
    let r = b.repo();
    assert_eq!(r.add_participant(5, "a".into(), Ts(1)).await.unwrap(), 1);
    assert_eq!(r.add_participant(5, "b".into(), Ts(2)).await.unwrap(), 2);
    assert_eq!(
        code(r.add_participant(5, "a".into(), Ts(3)).await),
        "DUPLICATED"
    );
    assert_eq!(r.add_participant(6, "a".into(), Ts(3)).await.unwrap(), 1);
    assert_eq!(
        r.participants(5).await.unwrap(),
        vec![("a".to_string(), Ts(1)), ("b".to_string(), Ts(2))]
    );
    let draw = Draw {
        activity_id: 5,
        seed: u64::MAX - 3,
        participants: 2,
        winners: vec!["b".into()],
        drawn_at: Ts(10),
    };
    let entry = |user: &str, status| Entry {
        id: 0,
        activity_id: 5,
        user_id: user.into(),
        status,
        order: 1,
        quantity: 1,
        requested_at: Ts(10),
        processed_at: Some(Ts(10)),
    };
    let entries = vec![
        entry("b", EntryStatus::Approved),
        entry("a", EntryStatus::Rejected),
    ];
    let events = vec![Event::backend(
        TriggerType::Approved,
        "b",
        Ts(10),
        Map::new(),
    )];
    let (stored, seqs) = r
        .record_draw(draw.clone(), entries.clone(), events.clone())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|e| e.id > 0));
    assert_eq!(seqs.len(), 1);
    assert_eq!(r.draw(5).await.unwrap(), Some(draw.clone()));
    assert_eq!(
        code(r.record_draw(draw, entries, events).await),
        "ALREADY_DRAWN"
    );
    assert_eq!(
        b.log().count().await.unwrap(),
        1,
        "the refused draw stored no event"
    );
    assert!(r.draw(6).await.unwrap().is_none());
}

pub async fn gate_entries_page_and_cancel(b: &Backend) {
    let r = b.repo();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            r.insert_entry(new_entry(3, &format!("u{i}"), &format!("t{i}")))
                .await
                .unwrap()
                .entry
                .id,
        );
    }
    let cancelled = r
        .cancel_entries(vec![ids[0], ids[1], 999], Ts(7))
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 2);
    assert!(cancelled
        .iter()
        .all(|e| e.status == EntryStatus::Cancelled && e.processed_at == Some(Ts(7))));
    assert!(r
        .cancel_entries(vec![ids[0]], Ts(8))
        .await
        .unwrap()
        .is_empty());
    let (page, total) = r.entries_page(3, None, 1, 2).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[3], ids[2]]
    );
    let (approved, n) = r
        .entries_page(3, Some(EntryStatus::Approved), 0, 10)
        .await
        .unwrap();
    assert_eq!((approved.len(), n), (3, 3));
    assert_eq!(
        r.open_tokens().await.unwrap().len(),
        3,
        "tokens of approved entries only"
    );
    assert_eq!(r.entries(3).await.unwrap()[0].id, ids[4], "newest first");
}
