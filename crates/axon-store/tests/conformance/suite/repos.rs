//! The relational repos and the event log: every method's success and failure paths.

use super::*;

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
    // The stored JSON, undecoded: the same events, in the same order, as the decoded replay.
    let (mut decoded, mut json) = (Vec::new(), Vec::new());
    log.replay(&mut |seq, e| decoded.push((seq, e)))
        .await
        .unwrap();
    let all = log
        .replay_json(0, &mut |seq, text| {
            json.push((
                seq,
                serde_json::from_str::<axon_domain::event::Event>(text).unwrap(),
            ))
        })
        .await
        .unwrap();
    assert_eq!((all, &json), (4, &decoded), "{}", b.name);
    // Above a sequence number: only the later events.
    let mut later = Vec::new();
    let n = log
        .replay_json(seqs[1], &mut |seq, _| later.push(seq))
        .await
        .unwrap();
    assert_eq!((n, later), (2, seqs[2..].to_vec()), "{}", b.name);
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
    // The same window in pages of 3 by sequence number: 3, then 1, then none.
    let first = log
        .activity_events_after(0, Ts(200), Ts(1_000), 0, 3)
        .await
        .unwrap();
    assert_eq!(first.len(), 3, "{}", b.name);
    assert!(
        first.windows(2).all(|p| p[0].0 < p[1].0),
        "in sequence order"
    );
    let cursor = first[2].0;
    let second = log
        .activity_events_after(0, Ts(200), Ts(1_000), cursor, 3)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert!(second[0].0 > cursor);
    let paged: Vec<Event> = first.into_iter().chain(second).map(|(_, e)| e).collect();
    assert_eq!(paged, window, "the pages are the window, in the same order");
    let past = log
        .activity_events_after(0, Ts(200), Ts(1_000), u64::MAX >> 1, 3)
        .await
        .unwrap();
    assert!(past.is_empty());
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
