//! The cases: every port method's success and failure paths, racing writers, migrations.

mod stock;
pub use stock::*;

use super::Backend;
use axon_domain::coupon::Coupon;
use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::{Dec2, Ts};
use axon_store::*;
use serde_json::{json, Map};
use std::time::Duration;

fn event(id: Option<&str>, activity: Option<i64>, user: &str, trigger: TriggerType) -> Event {
    let mut props = Map::new();
    if let Some(a) = activity {
        props.insert("activityId".into(), json!(a));
    }
    let mut e = Event::backend(trigger, user, Ts(1_000), props);
    e.properties.insert("source".into(), json!("web"));
    e.event_id = id.map(str::to_string);
    e
}

fn view(id: &str, activity: i64, user: &str) -> Event {
    event(Some(id), Some(activity), user, TriggerType::PageView)
}

fn campaign(name: &str) -> Campaign {
    Campaign {
        id: 0,
        name: name.into(),
        start_at: None,
        end_at: Some(Ts(9_000)),
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
        product_id: Some(3),
        coupon_id: None,
        price: Dec2::from_int(1000),
        quantity: 1,
        budget: Dec2::ZERO,
        filters: vec![],
        image_url: Some("https://img/x.png".into()),
        payment_required: true,
        created_at: Ts(1),
        updated_at: Ts(1),
    }
}

fn product(stock: i64) -> Product {
    Product {
        id: 0,
        name: "TV".into(),
        price: Dec2::from_int(100),
        stock,
        category: Some("tv".into()),
        brand: None,
        discount_rate: Some(Dec2::from_int(5)),
    }
}

fn new_entry(activity: i64, user: &str, token: &str) -> NewEntry {
    NewEntry {
        entry: Entry {
            id: 0,
            activity_id: activity,
            user_id: user.into(),
            status: EntryStatus::Approved,
            order: 1,
            quantity: 1,
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

fn code<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict { code, .. }) => code.to_string(),
        Err(StoreError::NotFound(_)) => "NOT_FOUND".into(),
        other => format!("{other:?}"),
    }
}

pub async fn events_dedupe_and_replay_in_order(b: &Backend) {
    let log = b.log();
    assert_eq!(log.last_seq().await.unwrap(), 0);
    let r = log
        .append(vec![
            view("e1", 1, "u1"),
            view("e1", 1, "u1"),
            event(None, None, "u2", TriggerType::Click),
            event(None, None, "u2", TriggerType::Click),
        ])
        .await
        .unwrap();
    assert_eq!((r.accepted(), r.duplicates()), (3, 1), "{}", b.name);
    assert!(r.seqs[1].is_none());
    let again = log.append(vec![view("e1", 1, "u1")]).await.unwrap();
    assert_eq!(
        again.duplicates(),
        1,
        "a stored eventId is a duplicate later too"
    );
    // Same eventId from another source is another event.
    let mut other = view("e1", 1, "u1");
    other.properties.insert("source".into(), json!("app"));
    assert_eq!(log.append(vec![other]).await.unwrap().accepted(), 1);
    let mut seen = Vec::new();
    assert_eq!(
        log.replay(&mut |seq, e| seen.push((seq, e.user_id, e.trigger_type)))
            .await
            .unwrap(),
        4
    );
    let seqs: Vec<u64> = seen.iter().map(|s| s.0).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(seen[0].1.as_deref(), Some("u1"));
    assert_eq!(seen[1].2, TriggerType::Click);
    let mut cores = Vec::new();
    log.replay_core(&mut |seq, c| cores.push((seq, c.activity_id, c.bot)))
        .await
        .unwrap();
    assert_eq!(cores[0], (seqs[0], Some(1), false));
    assert_eq!(cores.len(), 4);
    assert_eq!(log.count().await.unwrap(), 4);
    assert_eq!(log.last_seq().await.unwrap(), *seqs.last().unwrap());
}

pub async fn events_query_pages_by_cursor_and_filters(b: &Backend) {
    let log = b.log();
    let mut batch = Vec::new();
    for i in 0..30 {
        let trigger = if i % 3 == 0 {
            TriggerType::Click
        } else {
            TriggerType::PageView
        };
        let mut e = event(
            Some(&format!("q{i}")),
            Some(i % 2),
            &format!("u{}", i % 5),
            trigger,
        );
        e.occurred_at = Ts(100 * i);
        batch.push(e);
    }
    log.append(batch).await.unwrap();
    let page = log
        .query(&EventQuery {
            activity_id: Some(1),
            limit: 10,
            ..EventQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((page.total, page.events.len()), (15, 10));
    assert!(
        page.events.windows(2).all(|w| w[0].0 > w[1].0),
        "newest first"
    );
    let rest = log
        .query(&EventQuery {
            activity_id: Some(1),
            limit: 10,
            before: page.next_before,
            ..EventQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((rest.events.len(), rest.next_before), (5, None));
    let clicks_of_u0 = log
        .query(&EventQuery {
            trigger_type: Some(TriggerType::Click),
            user_id: Some("u0".into()),
            limit: 50,
            ..EventQuery::default()
        })
        .await
        .unwrap();
    // i in 0..30 with i % 3 == 0 and i % 5 == 0: 0, 15.
    assert_eq!(clicks_of_u0.total, 2);
    let all = log
        .query(&EventQuery {
            limit: 50,
            before: Some(u64::MAX),
            ..EventQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 30);
    let window = log.activity_events(0, Ts(200), Ts(1_000)).await.unwrap();
    // activity 0: even i, occurredAt 100*i in [200, 1000): i = 2, 4, 6, 8.
    assert_eq!(window.len(), 4);
    assert!(log
        .activity_events(9, Ts(0), Ts(i64::MAX))
        .await
        .unwrap()
        .is_empty());
}

pub async fn campaigns_names_unique_and_a_failed_job_spares_its_group(b: &Backend) {
    let r = b.repo();
    let a = r.save_campaign(campaign("Black Friday"));
    let dup = r.save_campaign(campaign("Black Friday"));
    let c = r.save_campaign(campaign("Cyber Monday"));
    assert_eq!(a.await.unwrap().id, 1);
    assert_eq!(code(dup.await), "CAMPAIGN_NAME_TAKEN", "{}", b.name);
    assert_eq!(c.await.unwrap().id, 2);
    let all = r.campaigns().await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Black Friday", "Cyber Monday"]
    );
    assert_eq!(all[0].end_at, Some(Ts(9_000)));
    assert_eq!(all[0].start_at, None);
}

pub async fn campaigns_update_delete_and_refuse(b: &Backend) {
    let r = b.repo();
    let c = r.save_campaign(campaign("Fall")).await.unwrap();
    let other = r.save_campaign(campaign("Spring")).await.unwrap();
    let renamed = r
        .save_campaign(Campaign {
            name: "Autumn".into(),
            created_at: Ts(777),
            updated_at: Ts(50),
            ..c.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        (
            renamed.id,
            renamed.name.as_str(),
            renamed.created_at,
            renamed.updated_at
        ),
        (c.id, "Autumn", Ts(1), Ts(50)),
        "an update keeps created_at"
    );
    let clash = r
        .save_campaign(Campaign {
            name: "Autumn".into(),
            ..other.clone()
        })
        .await;
    assert_eq!(
        code(clash),
        "CAMPAIGN_NAME_TAKEN",
        "renaming onto a taken name"
    );
    // An explicit id inserts, and later id-less inserts continue after it.
    let explicit = r
        .save_campaign(Campaign {
            id: 40,
            ..campaign("Imported")
        })
        .await
        .unwrap();
    assert_eq!(explicit.id, 40);
    assert_eq!(r.save_campaign(campaign("Next")).await.unwrap().id, 41);
    r.save_activity(activity(c.id)).await.unwrap();
    assert_eq!(
        code(r.delete_campaign(c.id).await),
        "CAMPAIGN_HAS_ACTIVITIES"
    );
    assert_eq!(code(r.delete_campaign(999).await), "NOT_FOUND");
    r.delete_campaign(other.id).await.unwrap();
    assert!(r.campaign(other.id).await.unwrap().is_none());
    assert_eq!(r.campaign(c.id).await.unwrap().unwrap().name, "Autumn");
}

pub async fn activities_need_a_campaign_and_change_status_only_from_expected(b: &Backend) {
    let r = b.repo();
    let c = r.save_campaign(campaign("C")).await.unwrap();
    let c2 = r.save_campaign(campaign("D")).await.unwrap();
    let a = r.save_activity(activity(c.id)).await.unwrap();
    assert_eq!(
        a,
        Activity {
            id: a.id,
            ..activity(c.id)
        }
    );
    r.save_activity(activity(c2.id)).await.unwrap();
    assert_eq!(code(r.save_activity(activity(99)).await), "NOT_FOUND");
    let mut edited = a.clone();
    edited.name = "Edited".into();
    edited.filters =
        serde_json::from_value(json!([{"type": "grade", "values": ["VIP"]}])).unwrap_or_default();
    edited.payment_required = false;
    edited.image_url = None;
    let saved = r.save_activity(edited.clone()).await.unwrap();
    assert_eq!(saved, edited);
    let on = r
        .set_activity_status(a.id, ActivityStatus::Draft, ActivityStatus::Active, Ts(5))
        .await
        .unwrap();
    assert_eq!((on.status, on.updated_at), (ActivityStatus::Active, Ts(5)));
    let stale = r
        .set_activity_status(a.id, ActivityStatus::Draft, ActivityStatus::Active, Ts(6))
        .await;
    assert_eq!(code(stale), "STATUS_CHANGED");
    let missing = r
        .set_activity_status(77, ActivityStatus::Draft, ActivityStatus::Active, Ts(6))
        .await;
    assert_eq!(code(missing), "NOT_FOUND");
    assert_eq!(r.activities(None).await.unwrap().len(), 2);
    assert_eq!(r.activities(Some(c2.id)).await.unwrap().len(), 1);
    assert!(r.activity(55).await.unwrap().is_none());
}

pub async fn catalog_products_profiles_definitions(b: &Backend) {
    let r = b.repo();
    let p = r.upsert_product(product(3)).await.unwrap();
    assert_eq!(
        p,
        Product {
            id: p.id,
            ..product(3)
        }
    );
    let p2 = r
        .upsert_product(Product {
            stock: 9,
            brand: Some("B".into()),
            ..p.clone()
        })
        .await
        .unwrap();
    assert_eq!((p2.id, p2.stock, p2.brand.as_deref()), (p.id, 9, Some("B")));
    assert_eq!(r.products().await.unwrap().len(), 1);
    assert!(r.product(999).await.unwrap().is_none());
    // A negative stock is refused by the schema itself.
    assert!(r
        .upsert_product(Product {
            stock: -1,
            ..p.clone()
        })
        .await
        .is_err());
    let prof = UserProfile {
        user_id: "u1".into(),
        grade: Some(Grade::Vip),
        age: Some(30),
        region: Some("Seoul".into()),
        last_purchase_at: None,
    };
    r.upsert_profile(prof.clone()).await.unwrap();
    r.upsert_profile(UserProfile {
        age: Some(31),
        ..prof.clone()
    })
    .await
    .unwrap();
    assert_eq!(r.profile("u1").await.unwrap().unwrap().age, Some(31));
    assert!(r.profile("nobody").await.unwrap().is_none());
    let got = r.profiles(&["u1".into(), "nobody".into()]).await.unwrap();
    assert_eq!(got.len(), 1);
    let def = EventDefinition {
        id: 0,
        name: "View".into(),
        description: Some("d".into()),
        status: DefinitionStatus::Active,
        trigger_type: TriggerType::PageView,
        trigger_payload: json!({"urlPattern": "/a/*"}),
        created_at: Ts(1),
        updated_at: Ts(1),
    };
    let d = r.upsert_definition(def.clone()).await.unwrap();
    assert_eq!(
        d,
        EventDefinition {
            id: d.id,
            ..def.clone()
        }
    );
    let d2 = r
        .upsert_definition(EventDefinition {
            status: DefinitionStatus::Inactive,
            ..d.clone()
        })
        .await
        .unwrap();
    assert_eq!((d2.id, d2.status), (d.id, DefinitionStatus::Inactive));
    assert_eq!(r.definitions().await.unwrap().len(), 1);
    r.delete_definition(d.id).await.unwrap();
    assert_eq!(code(r.delete_definition(d.id).await), "NOT_FOUND");
    assert!(r.definition(d.id).await.unwrap().is_none());
}

pub async fn keys_create_revoke_and_refuse_duplicates(b: &Backend) {
    let r = b.repo();
    let key = ApiKey {
        id: 0,
        name: "ops".into(),
        role: Role::Admin,
        prefix: "ax_1".into(),
        hash: "h1".into(),
        created_at: Ts(1),
        revoked_at: None,
    };
    let k = r.create_key(key.clone()).await.unwrap();
    assert!(k.id > 0);
    assert_eq!(code(r.create_key(key.clone()).await), "KEY_EXISTS");
    let v = r
        .create_key(ApiKey {
            role: Role::Viewer,
            hash: "h2".into(),
            ..key.clone()
        })
        .await
        .unwrap();
    let revoked = r.revoke_key(k.id, Ts(10)).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(Ts(10)));
    let again = r.revoke_key(k.id, Ts(20)).await.unwrap();
    assert_eq!(
        again.revoked_at,
        Some(Ts(10)),
        "the first revocation stands"
    );
    assert_eq!(code(r.revoke_key(99, Ts(1)).await), "NOT_FOUND");
    let by_hash = r.key_by_hash("h2").await.unwrap().unwrap();
    assert_eq!((by_hash.id, by_hash.role), (v.id, Role::Viewer));
    assert!(r.key_by_hash("nope").await.unwrap().is_none());
    assert_eq!(r.keys().await.unwrap().len(), 2);
}

pub async fn entries_and_purchases_upsert_idempotently(b: &Backend) {
    let r = b.repo();
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
    r.upsert_entries(vec![e.clone()]).await.unwrap();
    r.upsert_entries(vec![Entry {
        status: EntryStatus::Paid,
        ..e.clone()
    }])
    .await
    .unwrap();
    let es = r.entries(1).await.unwrap();
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
    r.upsert_purchases(vec![p.clone(), p.clone()])
        .await
        .unwrap();
    assert_eq!(r.purchases_of_user("u").await.unwrap(), vec![p.clone()]);
    let older = Purchase {
        id: 8,
        purchased_at: Ts(3),
        order_id: Some("O-8".into()),
        ..p.clone()
    };
    r.upsert_purchases(vec![older.clone()]).await.unwrap();
    assert_eq!(
        r.profile("u").await.unwrap().unwrap().last_purchase_at,
        Some(Ts(9)),
        "an older purchase keeps the latest date"
    );
    let dup = r
        .upsert_purchases(vec![Purchase {
            id: 9,
            ..older.clone()
        }])
        .await;
    assert_eq!(code(dup), "DUPLICATE_PURCHASE", "{}", b.name);
    let mut all = Vec::new();
    r.all_purchases(&mut |p| all.push(p.id)).await.unwrap();
    assert_eq!(all, vec![7, 8]);
    let mut entries = Vec::new();
    r.all_entries(&mut |e| entries.push(e.user_id))
        .await
        .unwrap();
    assert_eq!(entries, vec!["u".to_string()]);
    assert_eq!(
        r.purchases_of_user("u").await.unwrap()[0].id,
        8,
        "ordered by purchase time"
    );
}

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
