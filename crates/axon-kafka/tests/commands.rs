//! FCFS commands over Kafka against a real broker (tansu) and a real PostgreSQL: an entry
//! acknowledged by the broker is applied once and seen by reads on another node's gate; payments
//! and cancellations answer what the store decided; a redelivered batch applies nothing.

use axon_domain::event::Event;
use axon_domain::model::{Entry, EntryStatus, Purchase, PurchaseType};
use axon_domain::{Dec2, SystemClock, Ts};
use axon_kafka::commands::CommandStore;
use axon_kafka::{Kafka, KafkaOptions};
use axon_ports::commands::{Command, CommandLog, ConsumedCommand};
use axon_ports::{GateRepo, NewEntry, NewPurchase, StoreError, TokenKind, TokenRecord};
use axon_store::sql::SqlStore;
use std::sync::Arc;
use std::time::Duration;

fn options(broker: &axon_testdb::Broker, prefix: &str) -> KafkaOptions {
    KafkaOptions {
        brokers: broker.brokers(),
        prefix: prefix.into(),
        partitions: 3,
        delivery_timeout: Duration::from_secs(5),
        ..KafkaOptions::default()
    }
}

fn new_entry(activity: i64, user: &str, token: &str) -> NewEntry {
    let now = Ts(1_700_000_000_000);
    NewEntry {
        entry: Entry {
            id: 0,
            activity_id: activity,
            user_id: user.into(),
            status: EntryStatus::Approved,
            order: 1,
            quantity: 2,
            requested_at: now,
            processed_at: Some(now),
        },
        event: Event::approved(user, activity, 1, 1, 2, now),
        reservation: Some((token.into(), Ts(now.0 + 300_000))),
        coupon_id: None,
    }
}

fn purchase(activity: i64, user: &str, entry: i64) -> NewPurchase {
    let p = Purchase {
        id: 0,
        user_id: user.into(),
        product_id: None,
        activity_id: Some(activity),
        purchase_type: PurchaseType::CampaignActivity,
        price: Dec2(12_345),
        quantity: 2,
        purchased_at: Ts(1_700_000_100_000),
        order_id: Some(format!("AXON-{activity}-{entry}")),
    };
    NewPurchase {
        event: Event::purchase(&p, Some(1)),
        purchase: p,
        entry_id: Some(entry),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_applied_once_and_reads_see_every_acknowledged_one() {
    let test = "kafka::commands_are_applied_once";
    let Some(broker) = axon_testdb::kafka(test) else {
        return;
    };
    let Some(server) = axon_testdb::postgres(test) else {
        return;
    };
    let store = Arc::new(SqlStore::open(&server.database("kafka_commands")).unwrap());
    let opts = options(&broker, "c1.");
    let start = |store: Arc<SqlStore>| {
        let opts = opts.clone();
        async move {
            Kafka::start(
                &opts,
                store.clone(),
                Some(store as Arc<dyn CommandStore>),
                Arc::new(SystemClock),
            )
            .await
            .unwrap()
        }
    };
    // Two nodes on one database and one broker.
    let (a, b) = (start(store.clone()).await, start(store.clone()).await);
    let (ga, gb) = (a.gate.clone().unwrap(), b.gate.clone().unwrap());

    // Answered at the broker's acknowledgement: no id yet. Node B's read waits for the
    // consumer and finds the reservation token with the stored entry's id.
    let w = ga.insert_entry(new_entry(7, "u1", "rsv_1")).await.unwrap();
    assert_eq!(w.entry.id, 0);
    let rsv = gb.token("rsv_1").await.unwrap().expect("the token is seen");
    assert_eq!(rsv.kind, TokenKind::Reservation);
    let entry = gb.entry(rsv.entry_id).await.unwrap().unwrap();
    assert_eq!((entry.user_id.as_str(), entry.quantity), ("u1", 2));
    assert_eq!(gb.entry_of(7, "u1").await.unwrap().unwrap().id, entry.id);
    assert!(gb.token("rsv_nope").await.unwrap().is_none());

    // A second entry of the same person is refused by the store's unique key (the gate in
    // Redis refuses it first; the store is the last word): nothing changes.
    ga.insert_entry(new_entry(7, "u1", "rsv_dup"))
        .await
        .unwrap();
    assert!(gb.token("rsv_dup").await.unwrap().is_none());

    // The approval token, then the payment, answered with the id the store assigned.
    ga.add_token(TokenRecord {
        token: "apv_1".into(),
        kind: TokenKind::Approval,
        entry_id: entry.id,
        activity_id: 7,
        user_id: "u1".into(),
        expires_at: Ts(1_700_000_600_000),
    })
    .await
    .unwrap();
    let tokens = gb.tokens_of_entry(entry.id).await.unwrap();
    assert!(tokens.iter().any(|t| t.token == "apv_1"));
    let paid = gb
        .record_purchase(purchase(7, "u1", entry.id))
        .await
        .unwrap();
    assert!(paid.created && paid.purchase.id > 0);
    assert_eq!(paid.entry.unwrap().status, EntryStatus::Paid);
    // Confirmed twice: the original purchase, not a second one.
    let again = ga
        .record_purchase(purchase(7, "u1", entry.id))
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.purchase.id, paid.purchase.id);

    // A cancellation answers the entries that were still APPROVED (the paid one is not).
    ga.insert_entry(new_entry(7, "u2", "rsv_2")).await.unwrap();
    let e2 = gb.entry_of(7, "u2").await.unwrap().unwrap();
    let cancelled = gb
        .cancel_entries(vec![entry.id, e2.id], Ts(1_700_000_700_000))
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0].id, e2.id);
    assert_eq!(cancelled[0].status, EntryStatus::Cancelled);
    // Paying a cancelled entry: the store's refusal is the answer.
    let refused = ga.record_purchase(purchase(7, "u2", e2.id)).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict {
                code: "ENTRY_NOT_PAYABLE",
                ..
            })
        ),
        "{refused:?}"
    );
    let (_, total) = store.entries_page(7, None, 0, 10).await.unwrap();
    assert_eq!(total, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_command_batch_applies_nothing() {
    let test = "kafka::a_redelivered_command_batch";
    let Some(server) = axon_testdb::postgres(test) else {
        return;
    };
    let store = SqlStore::open(&server.database("kafka_cmd_redelivery")).unwrap();
    let batch: Vec<ConsumedCommand> = (0..4)
        .map(|i| ConsumedCommand {
            partition: i % 2,
            offset: i64::from(i / 2),
            id: format!("cmd-{i}"),
            command: Command::Enter(new_entry(9, &format!("u{i}"), &format!("rsv_{i}"))),
        })
        .collect();
    let first = store.apply_commands("cmds", batch.clone()).await.unwrap();
    assert_eq!((first.applied, first.refused, first.redelivered), (4, 0, 0));
    // The same batch again (a crash before the offset commit): nothing applied.
    let again = store.apply_commands("cmds", batch.clone()).await.unwrap();
    assert_eq!((again.applied, again.redelivered), (0, 4));
    // The same command id on a new offset (a producer that sent it twice): applied once.
    let mut twice = batch[0].clone();
    twice.offset = 2;
    let r = store.apply_commands("cmds", vec![twice]).await.unwrap();
    assert_eq!((r.applied, r.redelivered), (0, 1));
    // A new command for a person already entered: refused, its outcome recorded.
    let dup = ConsumedCommand {
        partition: 1,
        offset: 2,
        id: "cmd-dup".into(),
        command: Command::Enter(new_entry(9, "u1", "rsv_x")),
    };
    let r = store.apply_commands("cmds", vec![dup]).await.unwrap();
    assert_eq!(r.refused, 1);
    match store.outcome("cmd-dup").await.unwrap() {
        Some(axon_ports::commands::Outcome::Refused { code, .. }) => assert_eq!(code, "DUPLICATED"),
        other => panic!("{other:?}"),
    }
    assert!(store.token("rsv_x").await.unwrap().is_none());
    let (_, total) = store.entries_page(9, None, 0, 10).await.unwrap();
    assert_eq!(total, 4);
    let mut pos = axon_ports::sink::SinkLog::positions(&store, "cmds")
        .await
        .unwrap();
    pos.sort_unstable();
    assert_eq!(pos, vec![(0, 3), (1, 3)]);
}

/// Outcomes older than the cut-off are deleted, newer ones kept — on both SQL backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_command_outcomes_are_pruned_and_new_ones_kept() {
    let test = "kafka::old_command_outcomes_are_pruned";
    let servers = [
        ("postgres", axon_testdb::postgres(test)),
        ("mariadb", axon_testdb::mariadb(test)),
    ];
    for (name, server) in servers {
        let Some(server) = server else { continue };
        let store = SqlStore::open(&server.database("kafka_cmd_prune")).unwrap();
        let batch: Vec<ConsumedCommand> = (0..3)
            .map(|i| ConsumedCommand {
                partition: 0,
                offset: i64::from(i),
                id: format!("prune-{i}"),
                command: Command::Enter(new_entry(4, &format!("p{i}"), &format!("rsv_p{i}"))),
            })
            .collect();
        store.apply_commands("cmds", batch).await.unwrap();
        let now = axon_domain::Clock::now(&SystemClock).0;
        // Recorded just now: an hour-old cut-off keeps them.
        assert_eq!(
            store.prune_outcomes(Ts(now - 3_600_000)).await.unwrap(),
            0,
            "{name}"
        );
        assert!(store.outcome("prune-1").await.unwrap().is_some(), "{name}");
        // A cut-off after them deletes them all.
        assert_eq!(
            store.prune_outcomes(Ts(now + 60_000)).await.unwrap(),
            3,
            "{name}"
        );
        for i in 0..3 {
            assert!(
                store
                    .outcome(&format!("prune-{i}"))
                    .await
                    .unwrap()
                    .is_none(),
                "{name}"
            );
        }
        // The entries they made stay.
        let (_, total) = store.entries_page(4, None, 0, 10).await.unwrap();
        assert_eq!(total, 3, "{name}");
    }
}
