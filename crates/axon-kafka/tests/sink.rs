//! The Kafka event log against a real broker (tansu, started by `axon-testdb`) and a real
//! PostgreSQL / MariaDB: acknowledged events are stored exactly once — across a client's retry,
//! a redelivered batch, a sink member replaced mid-stream and the broker killed mid-stream — and
//! the lag is measured per partition.

use axon_domain::event::Event;
use axon_domain::model::TriggerType;
use axon_domain::{SystemClock, Ts};
use axon_kafka::{Kafka, KafkaOptions};
use axon_ports::sink::{Consumed, SinkLog};
use axon_ports::{EventLog, StoreError};
use axon_store::sql::SqlStore;
use serde_json::{json, Map};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn view(id: Option<String>, user: &str, at: i64) -> Event {
    let mut props = Map::new();
    props.insert("activityId".into(), json!(1));
    let mut e = Event::backend(TriggerType::PageView, user, Ts(at), props);
    e.properties.insert("source".into(), json!("web"));
    e.event_id = id;
    e
}

fn options(broker: &axon_testdb::Broker, prefix: &str) -> KafkaOptions {
    KafkaOptions {
        brokers: broker.brokers(),
        prefix: prefix.into(),
        partitions: 3,
        delivery_timeout: Duration::from_secs(5),
        ..KafkaOptions::default()
    }
}

async fn wait_for_count(store: &SqlStore, want: u64, within: Duration) -> u64 {
    let deadline = Instant::now() + within;
    loop {
        let n = store.count().await.unwrap();
        if n >= want || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn postgres(test: &str) -> Option<Arc<SqlStore>> {
    let server = axon_testdb::postgres(test)?;
    Some(Arc::new(SqlStore::open(&server.database(test)).unwrap()))
}

/// Stored events per eventId (every one must be exactly 1).
async fn stored_ids(store: &SqlStore) -> std::collections::HashMap<String, u32> {
    let mut ids = std::collections::HashMap::new();
    store
        .replay(&mut |_, e| {
            *ids.entry(e.event_id.unwrap_or_default()).or_insert(0) += 1;
        })
        .await
        .unwrap();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_are_stored_once_and_a_retry_is_a_duplicate() {
    let test = "kafka::acknowledged_events_are_stored_once";
    let Some(broker) = axon_testdb::kafka(test) else {
        return;
    };
    let Some(store) = postgres("kafka_once") else {
        return;
    };
    let kafka = Kafka::start(
        &options(&broker, "t1."),
        store.clone(),
        None,
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    // Two events without an eventId, three with, one of them twice in the batch.
    let batch: Vec<Event> = vec![
        view(None, "u1", 1_000),
        view(Some("e1".into()), "u1", 1_001),
        view(Some("e2".into()), "u2", 1_002),
        view(Some("e1".into()), "u1", 1_003),
        view(None, "u3", 1_004),
        view(Some("e3".into()), "u3", 1_005),
    ];
    let r = kafka.events.append(batch.clone()).await.unwrap();
    assert_eq!((r.accepted(), r.duplicates()), (5, 1));
    assert_eq!(wait_for_count(&store, 5, Duration::from_secs(10)).await, 5);
    // The client retries the keyed events: all answered as duplicates, nothing stored.
    let keyed: Vec<Event> = batch.into_iter().filter(|e| e.event_id.is_some()).collect();
    let r = kafka.events.append(keyed).await.unwrap();
    assert_eq!((r.accepted(), r.duplicates()), (0, 4));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(store.count().await.unwrap(), 5);
    // The lag is measured on every partition and reaches zero once the sink has committed.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        use axon_ports::sink::LagSource;
        let lag = kafka.lag();
        if lag.partitions.len() == 3 && lag.total() == 0 && lag.error.is_none() {
            assert_eq!(lag.topic, "t1.axon.event.raw");
            assert_eq!(lag.group, "t1.axon-sink");
            assert_eq!(lag.partitions.iter().map(|p| p.end).sum::<i64>(), 5);
            assert_eq!(lag.sink.stored, 5);
            break;
        }
        assert!(Instant::now() < deadline, "lag never settled: {lag:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn redelivery_stores_nothing(store: &SqlStore) {
    let batch: Vec<Consumed> = (0..10)
        .map(|i| Consumed {
            partition: i % 2,
            offset: i64::from(i / 2),
            event: view(
                (i % 3 != 0).then(|| format!("r{i}")),
                "u",
                1_000 + i64::from(i),
            ),
        })
        .collect();
    let mut feed = axon_ports::CommitFeed::follow(store);
    let first = store.append_consumed("topic", batch.clone()).await.unwrap();
    assert_eq!((first.stored, first.redelivered), (10, 0));
    // The commit names each stored event by the sequence number it got (other nodes read the
    // events by these numbers), in batch order.
    let commit = tokio::time::timeout(Duration::from_secs(5), feed.recv())
        .await
        .unwrap()
        .unwrap();
    let mut by_seq = std::collections::HashMap::new();
    store
        .replay(&mut |seq, e| {
            by_seq.insert(seq, e.occurred_at.0);
        })
        .await
        .unwrap();
    let published: Vec<(u64, i64)> = commit
        .changes
        .iter()
        .filter_map(|c| match c {
            axon_ports::Change::Event { seq, event } => Some((*seq, event.occurred_at.0)),
            _ => None,
        })
        .collect();
    assert_eq!(published.len(), 10);
    for (seq, at) in &published {
        assert_eq!(by_seq.get(seq), Some(at), "seq {seq} is another event");
    }
    assert!(published
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
    // The same messages again (a crash before the offset commit): nothing stored, even the
    // events without an eventId.
    let again = store.append_consumed("topic", batch.clone()).await.unwrap();
    assert_eq!((again.stored, again.redelivered), (0, 10));
    // A batch straddling the stored position stores only what is past it.
    let mut more = batch[6..].to_vec();
    more.push(Consumed {
        partition: 0,
        offset: 5,
        event: view(None, "u", 2_000),
    });
    let r = store.append_consumed("topic", more).await.unwrap();
    assert_eq!((r.stored, r.redelivered), (1, 4));
    assert_eq!(store.count().await.unwrap(), 11);
    let mut pos = store.positions("topic").await.unwrap();
    pos.sort_unstable();
    assert_eq!(pos, vec![(0, 6), (1, 5)]);
    assert!(store.positions("other").await.unwrap().is_empty());
    // A new eventId on a new offset whose (source, eventId) is stored: a duplicate.
    let dup = Consumed {
        partition: 1,
        offset: 5,
        event: view(Some("r1".into()), "u", 3_000),
    };
    let r = store.append_consumed("topic", vec![dup]).await.unwrap();
    assert_eq!((r.stored, r.duplicates), (0, 1));
    let keys = [
        ("web".to_string(), "r1".to_string()),
        ("web".to_string(), "nope".to_string()),
        ("backend".to_string(), "r1".to_string()),
    ];
    assert_eq!(
        store.stored_keys(&keys).await.unwrap(),
        vec![true, false, false]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_batch_stores_nothing_on_postgres() {
    let Some(store) = postgres("kafka_redelivery") else {
        return;
    };
    redelivery_stores_nothing(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_batch_stores_nothing_on_mariadb() {
    let test = "kafka::a_redelivered_batch_stores_nothing_on_mariadb";
    let Some(server) = axon_testdb::mariadb(test) else {
        return;
    };
    let store = SqlStore::open(&server.database("kafka_redelivery")).unwrap();
    redelivery_stores_nothing(&store).await;
}

/// Posts numbered events until `n` are acknowledged, retrying refused batches (as a client
/// does after a 503); returns how many batches were refused.
async fn post_until_acked(kafka: &Kafka, from: usize, n: usize, mid: impl Fn(usize)) -> usize {
    let mut refused = 0;
    let mut i = from;
    while i < from + n {
        let batch: Vec<Event> = (i..i + 20)
            .map(|k| view(Some(format!("k{k}")), &format!("p{}", k % 17), k as i64))
            .collect();
        mid(i);
        match kafka.events.append(batch).await {
            Ok(_) => i += 20,
            Err(StoreError::Unavailable(_)) => {
                refused += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_broker_killed_mid_stream_loses_and_doubles_nothing() {
    let test = "kafka::the_broker_killed_mid_stream";
    let Some(broker) = axon_testdb::kafka(test) else {
        return;
    };
    let Some(store) = postgres("kafka_broker_kill") else {
        return;
    };
    let opts = options(&broker, "t2.");
    let kafka = Kafka::start(&opts, store.clone(), None, Arc::new(SystemClock))
        .await
        .unwrap();
    let broker = Arc::new(broker);
    post_until_acked(&kafka, 0, 400, |_| {}).await;
    // The broker dies (kill -9): a batch now waits out the delivery timeout and is refused —
    // 503 for the client, nothing acknowledged.
    broker.kill();
    let refused_at = Instant::now();
    let batch: Vec<Event> = (400..420)
        .map(|k| view(Some(format!("k{k}")), &format!("p{}", k % 17), k as i64))
        .collect();
    match kafka.events.append(batch).await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("a batch the broker never saw was answered {other:?}"),
    }
    assert!(refused_at.elapsed() < Duration::from_secs(15));
    // It comes back 1 s later while clients keep posting (the refused batch again first).
    let b = broker.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        b.start_again();
    });
    let refused = post_until_acked(&kafka, 400, 600, |_| {}).await;
    println!("batches refused while the broker was down: {refused}");
    assert_eq!(
        wait_for_count(&store, 1_000, Duration::from_secs(30)).await,
        1_000
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ids = stored_ids(&store).await;
    assert_eq!(ids.len(), 1_000);
    assert!(ids.values().all(|n| *n == 1), "an event was stored twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_member_replaced_mid_stream_doubles_nothing() {
    let test = "kafka::a_sink_member_replaced_mid_stream";
    let Some(broker) = axon_testdb::kafka(test) else {
        return;
    };
    let Some(store) = postgres("kafka_member_replaced") else {
        return;
    };
    let opts = options(&broker, "t3.");
    let first = Kafka::start(&opts, store.clone(), None, Arc::new(SystemClock))
        .await
        .unwrap();
    // Events without an eventId: only the stored offsets keep them single.
    let batch = |from: i64| -> Vec<Event> {
        (from..from + 250)
            .map(|k| view(None, &format!("p{}", k % 13), k))
            .collect()
    };
    for b in 0..4 {
        first.events.append(batch(b * 250)).await.unwrap();
    }
    // The member goes away at once (its offsets may not be committed); a second joins, and
    // more arrive.
    drop(first);
    let second = Kafka::start(&opts, store.clone(), None, Arc::new(SystemClock))
        .await
        .unwrap();
    for b in 4..8 {
        second.events.append(batch(b * 250)).await.unwrap();
    }
    assert_eq!(
        wait_for_count(&store, 2_000, Duration::from_secs(60)).await,
        2_000
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut at = std::collections::HashSet::new();
    store
        .replay(&mut |_, e| assert!(at.insert(e.occurred_at.0), "stored twice"))
        .await
        .unwrap();
    assert_eq!(at.len(), 2_000);
}
