//! The alert evaluator over a real embedded store and a small engine, with the clock injected:
//! each rule kind fires (and resolves) past its threshold, a change is announced once, deliveries
//! retry until a 2xx and every attempt is logged, and of two evaluators on one store only the
//! lease holder evaluates and delivers.

mod support;

use axon_domain::alert::{AlertDraft, AlertKind, AlertScopeKind, AlertTransition};
use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::{BusinessTz, Dec2, ManualClock, Ts};
use axon_engine::ledger::InMemoryLedger;
use axon_engine::local::{GovernorRateLimit, LocalChanges};
use axon_engine::Engine;
use axon_ports::aggregates::FixedSource;
use axon_ports::cache::NoCache;
use axon_services::alerts::webhook::{Posted, Retry, Transport, SIGNATURE_HEADER};
use axon_services::alerts::Alerts;
use axon_services::Backends;
use axon_store::sqlite::SqliteStore;
use parking_lot::Mutex;
use serde_json::{json, Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

const T0: i64 = 1_790_000_000_000;
const MIN: i64 = 60_000;

/// One received POST: its headers and JSON body.
type Got = (Vec<(&'static str, String)>, Value);

/// Records every POST and answers the programmed statuses in turn (then 200).
#[derive(Default)]
struct Receiver {
    answers: Mutex<Vec<u16>>,
    got: Mutex<Vec<Got>>,
}

impl Transport for Receiver {
    fn post(
        &self,
        _url: String,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Pin<Box<dyn Future<Output = Posted> + Send>> {
        self.got
            .lock()
            .push((headers, serde_json::from_slice(&body).unwrap()));
        let mut a = self.answers.lock();
        let status = if a.is_empty() { 200 } else { a.remove(0) };
        Box::pin(async move { Ok(status) })
    }
}

impl Receiver {
    fn transitions(&self) -> Vec<(i64, String)> {
        self.got
            .lock()
            .iter()
            .map(|(_, b)| {
                (
                    b["ruleId"].as_i64().unwrap(),
                    b["transition"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn activity() -> Activity {
    Activity {
        id: 1,
        campaign_id: 1,
        name: "A".into(),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Active,
        limit_count: Some(10),
        start_date: Ts(T0 - 1000 * MIN),
        end_date: Ts(T0 + 10_000 * MIN),
        product_id: None,
        coupon_id: None,
        price: Dec2::from_int(1000),
        quantity: 1,
        budget: Dec2::ZERO,
        filters: vec![],
        image_url: None,
        payment_required: true,
        created_at: Ts(T0),
        updated_at: Ts(T0),
    }
}

fn event(trigger: TriggerType, user: &str, at: i64) -> Event {
    let mut props = Map::new();
    props.insert("activityId".into(), json!(1));
    let mut ev = Event::backend(trigger, user, Ts(at), props);
    ev.activity_id = Some(1);
    ev.campaign_id = Some(1);
    ev
}

/// The world at one moment: `sold` units taken of 10; per hour before `now` (the previous and
/// the current), visits and purchases; the newest event `quiet_min` minutes before `now`.
struct World {
    sold: i64,
    previous: (u64, u64),
    current: (u64, u64),
    quiet_min: i64,
}

fn backends(store: &Arc<SqliteStore>, w: &World, now: i64) -> Backends {
    let mut e = Engine::new(BusinessTz::default());
    e.upsert_campaign(&support::campaign());
    e.upsert_activity(&activity());
    let mut seq = 0;
    let mut add = |e: &mut Engine, ev: Event| {
        seq += 1;
        e.apply_event(seq, &ev);
    };
    // Spread each hour's events between 15 and 45 minutes before its end.
    for (hour_end, (visits, purchases)) in [
        (now - 60 * MIN, w.previous),
        (now - w.quiet_min * MIN, w.current),
    ] {
        for i in 0..visits {
            add(
                &mut e,
                event(
                    TriggerType::PageView,
                    &format!("v{i}"),
                    hour_end - 1 - i as i64,
                ),
            );
        }
        for i in 0..purchases {
            add(
                &mut e,
                event(
                    TriggerType::Purchase,
                    &format!("v{i}"),
                    hour_end - 1 - i as i64,
                ),
            );
        }
    }
    let entries: Vec<Entry> = (0..w.sold)
        .map(|i| Entry {
            id: i + 1,
            activity_id: 1,
            user_id: format!("u{i}"),
            status: EntryStatus::Paid,
            order: i + 1,
            quantity: 1,
            requested_at: Ts(now - 100 * MIN),
            processed_at: None,
        })
        .collect();
    Backends {
        broker: None,
        events: store.clone(),
        repo: store.clone(),
        fcfs: store.clone(),
        commits: store.clone(),
        stock: Arc::new(InMemoryLedger::from_entries(&entries)),
        analytics: Arc::new(FixedSource(Arc::new(e))),
        changes: Arc::new(LocalChanges::default()),
        cache: Arc::new(NoCache),
        limits: Arc::new(GovernorRateLimit::new(Arc::new(ManualClock::new(Ts(now))))),
        profiles: Arc::new(axon_ports::eligibility::NoProfileCache),
    }
}

fn evaluator(b: Backends, clock: &Arc<ManualClock>, rx: &Arc<Receiver>, node: &str) -> Alerts {
    Alerts::new(b, clock.clone(), rx.clone())
        .with_node(node)
        .with_retry(Retry {
            attempts: 3,
            base: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
}

async fn tick(a: &Alerts) -> Vec<(i64, AlertTransition)> {
    let t = a.tick().await.unwrap();
    assert!(t.evaluated, "the only node holds the lease");
    for d in t.deliveries {
        d.await.unwrap();
    }
    t.changed
}

fn draft(scope: AlertScopeKind, id: i64, kind: AlertKind, threshold: Option<i64>) -> AlertDraft {
    AlertDraft {
        scope,
        scope_id: id,
        kind,
        threshold,
        window_minutes: Some(60),
        webhook_url: "http://127.0.0.1:9/hook".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_kind_fires_and_resolves_past_its_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::new(Ts(T0)));
    let rx = Arc::new(Receiver::default());
    let calm = World {
        sold: 8,
        previous: (10, 2),
        current: (10, 2),
        quiet_min: 10,
    };
    let a = evaluator(backends(&store, &calm, T0), &clock, &rx, "n1");
    let sold = a
        .create(draft(AlertScopeKind::Activity, 1, AlertKind::SoldOut, None))
        .await
        .unwrap();
    let low = a
        .create(draft(
            AlertScopeKind::Activity,
            1,
            AlertKind::StockBelow,
            Some(20),
        ))
        .await
        .unwrap();
    let conv = a
        .create(draft(
            AlertScopeKind::Activity,
            1,
            AlertKind::ConversionDrop,
            Some(50),
        ))
        .await
        .unwrap();
    let quiet = a
        .create(draft(
            AlertScopeKind::Campaign,
            1,
            AlertKind::NoEvents,
            Some(30),
        ))
        .await
        .unwrap();
    let missing = a
        .create(draft(
            AlertScopeKind::Activity,
            99,
            AlertKind::SoldOut,
            None,
        ))
        .await;
    assert_eq!(missing.unwrap_err().code, "SCOPE_NOT_FOUND");

    // 2 of 10 left (20 %, not below 20), conversion 20 % → 20 %, an event 10 minutes ago.
    assert!(tick(&a).await.is_empty());
    assert!(rx.got.lock().is_empty());

    // 1 left (10 %): only STOCK_BELOW fires.
    let now = T0 + MIN;
    clock.set(Ts(now));
    let a = evaluator(
        backends(&store, &World { sold: 9, ..calm }, now),
        &clock,
        &rx,
        "n1",
    );
    assert_eq!(tick(&a).await, [(low.id, AlertTransition::Firing)]);
    // Nothing changed since: nothing is announced again.
    assert!(tick(&a).await.is_empty());
    let firing = a.firing(AlertScopeKind::Activity, 1).await.unwrap();
    assert_eq!(firing.len(), 1);
    assert_eq!(firing[0].detail, "remaining 1 of 10 (10.00%)");
    assert_eq!(firing[0].since.as_deref(), Some(Ts(now).to_iso().as_str()));

    // Sold out, conversion 20 % → 10 % (−50 %), and 40 minutes without events (M = 30).
    let now = T0 + 2 * MIN;
    clock.set(Ts(now));
    let w = World {
        sold: 10,
        previous: (10, 2),
        current: (10, 1),
        quiet_min: 40,
    };
    let a = evaluator(backends(&store, &w, now), &clock, &rx, "n1");
    let mut changed = tick(&a).await;
    changed.sort();
    assert_eq!(
        changed,
        [
            (sold.id, AlertTransition::Firing),
            (conv.id, AlertTransition::Firing),
            (quiet.id, AlertTransition::Firing)
        ]
    );

    // Back to calm: every firing rule resolves, each announced once.
    let now = T0 + 3 * MIN;
    clock.set(Ts(now));
    let a = evaluator(backends(&store, &calm, now), &clock, &rx, "n1");
    assert_eq!(tick(&a).await.len(), 4);
    assert!(a
        .firing(AlertScopeKind::Activity, 1)
        .await
        .unwrap()
        .is_empty());
    let mut seen = rx.transitions();
    seen.sort();
    let mut want = vec![
        (sold.id, "FIRING".to_string()),
        (sold.id, "RESOLVED".into()),
        (low.id, "FIRING".into()),
        (low.id, "RESOLVED".into()),
        (conv.id, "FIRING".into()),
        (conv.id, "RESOLVED".into()),
        (quiet.id, "FIRING".into()),
        (quiet.id, "RESOLVED".into()),
    ];
    want.sort();
    assert_eq!(seen, want);
    // The payload names the scope and says what was seen; the signature header is there.
    let got = rx.got.lock();
    let (headers, body) = got
        .iter()
        .find(|(_, b)| b["ruleId"] == json!(conv.id))
        .unwrap();
    assert_eq!(body["kind"], "CONVERSION_DROP");
    assert_eq!(body["scopeName"], "A");
    assert_eq!(
        body["detail"],
        "conversion rate 10.00% (previous 20.00%, change -50.00%)"
    );
    assert_eq!(body["timestamp"], json!((T0 + 2 * MIN) / 1000));
    assert!(headers
        .iter()
        .any(|(k, v)| *k == SIGNATURE_HEADER && v.starts_with("sha256=")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_is_retried_and_every_attempt_logged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::new(Ts(T0)));
    let rx = Arc::new(Receiver::default());
    rx.answers.lock().extend([500, 503]);
    let w = World {
        sold: 10,
        previous: (1, 0),
        current: (1, 0),
        quiet_min: 1,
    };
    let a = evaluator(backends(&store, &w, T0), &clock, &rx, "n1");
    let rule = a
        .create(draft(AlertScopeKind::Activity, 1, AlertKind::SoldOut, None))
        .await
        .unwrap();
    assert_eq!(tick(&a).await.len(), 1);
    let log = a.deliveries(rule.id, 10).await.unwrap();
    let seen: Vec<(i64, Option<i64>)> = log.iter().map(|d| (d.attempt, d.status)).collect();
    assert_eq!(seen, [(3, Some(200)), (2, Some(503)), (1, Some(500))]);
    assert_eq!(rx.got.lock().len(), 3);
    // After the last attempt fails, no more are made.
    let rx2 = Arc::new(Receiver::default());
    rx2.answers.lock().extend([500, 500, 500, 500]);
    let now = T0 + MIN;
    clock.set(Ts(now));
    let w = World { sold: 0, ..w };
    let a = evaluator(backends(&store, &w, now), &clock, &rx2, "n1");
    assert_eq!(tick(&a).await, [(rule.id, AlertTransition::Resolved)]);
    assert_eq!(rx2.got.lock().len(), 3, "three attempts, then it gives up");
    assert_eq!(a.deliveries(rule.id, 10).await.unwrap().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_evaluators_on_one_store_only_the_lease_holder_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = Arc::new(ManualClock::new(Ts(T0)));
    let rx = Arc::new(Receiver::default());
    let w = World {
        sold: 10,
        previous: (1, 0),
        current: (1, 0),
        quiet_min: 1,
    };
    let b = backends(&store, &w, T0);
    let one = Arc::new(evaluator(b.clone(), &clock, &rx, "a").with_lease(Duration::from_secs(30)));
    let two = Arc::new(evaluator(b, &clock, &rx, "b").with_lease(Duration::from_secs(30)));
    one.create(draft(AlertScopeKind::Activity, 1, AlertKind::SoldOut, None))
        .await
        .unwrap();
    let (x, y) = tokio::join!(one.tick(), two.tick());
    let (x, y) = (x.unwrap(), y.unwrap());
    assert!(x.evaluated ^ y.evaluated, "exactly one evaluates");
    for d in x.deliveries.into_iter().chain(y.deliveries) {
        d.await.unwrap();
    }
    assert_eq!(rx.got.lock().len(), 1, "one delivery, not two");
    let (holder, other) = if x.evaluated { (one, two) } else { (two, one) };
    // Renewed by its holder, refused to the other while it lasts.
    clock.advance_ms(20_000);
    assert!(holder.tick().await.unwrap().evaluated);
    assert!(!other.tick().await.unwrap().evaluated);
    // The holder stops; once its lease has expired the other takes over, and finds the rule
    // already announced: no second delivery.
    clock.advance_ms(31_000);
    let t = other.tick().await.unwrap();
    assert!(t.evaluated && t.changed.is_empty());
    assert!(!holder.tick().await.unwrap().evaluated);
    assert_eq!(rx.got.lock().len(), 1);
}
