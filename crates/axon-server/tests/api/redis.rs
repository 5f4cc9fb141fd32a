//! Scale-out on Redis (issue 13): three `axon serve` nodes sharing one PostgreSQL and one Redis
//! stock gate. A 10,000-request herd spread over the three approves exactly the stock, held +
//! paid is never observed above it, repeat entries answer 409; and a Redis restarted empty
//! mid-sale is rebuilt from the SQL store before any node admits again — still exactly the
//! stock, never more.

use crate::helpers::{Node, ADMIN_KEY, JWT_SECRET};
use axon_server::Secret;
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const STOCK: i64 = 100;
const HERD: usize = 10_000;
/// 2026-11-15T00:00:00Z, inside the activity's dates.
const T0: i64 = 1_794_700_800_000;

struct Cluster {
    nodes: Vec<Node>,
    _dirs: Vec<tempfile::TempDir>,
    bases: Vec<String>,
    client: Client,
    aid: i64,
}

async fn cluster(db: &str, redis: &str, n: usize) -> Cluster {
    let clock = Arc::new(axon_domain::ManualClock::new(axon_domain::Ts(T0)));
    let mut nodes = Vec::new();
    let mut dirs = Vec::new();
    for _ in 0..n {
        let dir = tempfile::tempdir().unwrap();
        let node = Node::start(dir.path(), |c| {
            c.database_url = Some(Secret::new(db));
            c.redis_url = Some(Secret::new(redis));
            c.redis.recovery_grace = Duration::from_millis(300);
            c.clock = clock.clone();
            c.reservation_ttl = Duration::from_secs(300);
            c.approval_ttl = Duration::from_secs(600);
        })
        .await;
        nodes.push(node);
        dirs.push(dir);
    }
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    let client = Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let admin = |m: reqwest::Method, path: String, body: Value| {
        let client = client.clone();
        let base = bases[0].clone();
        async move {
            let r = client
                .request(m, format!("{base}{path}"))
                .bearer_auth(ADMIN_KEY)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let c = admin(
        reqwest::Method::POST,
        "/api/v1/campaigns".into(),
        json!({"name": "Redis herd", "budget": 1000}),
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    let a = admin(
        reqwest::Method::POST,
        format!("/api/v1/campaigns/{cid}/activities"),
        json!({"name": "deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": STOCK,
            "startDate": "2026-11-01", "endDate": "2026-11-30", "price": 10_000}),
    )
    .await;
    let aid = a["id"].as_i64().unwrap();
    admin(
        reqwest::Method::PATCH,
        format!("/api/v1/activities/{aid}/status"),
        json!({"status": "ACTIVE"}),
    )
    .await;
    Cluster {
        nodes,
        _dirs: dirs,
        bases,
        client,
        aid,
    }
}

async fn enter(client: &Client, base: &str, aid: i64, user: &str) -> (u16, Value) {
    let r = client
        .post(format!("{base}/api/v1/activities/{aid}/entries"))
        .bearer_auth(axon_server::auth::mint_jwt(
            JWT_SECRET.as_bytes(),
            user,
            axon_domain::Ts(T0 + 3_600_000),
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// APPROVED + PAID entries in the SQL store (what was sold or is held).
async fn taken(client: &Client, base: &str, aid: i64) -> i64 {
    let mut n = 0;
    for status in ["APPROVED", "PAID"] {
        let v: Value = client
            .get(format!(
                "{base}/api/v1/activities/{aid}/entries?size=1&status={status}"
            ))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        n += v["totalElements"].as_i64().unwrap();
    }
    n
}

#[derive(Default)]
struct Tally {
    approved: AtomicI64,
    sold_out: AtomicI64,
    duplicates: AtomicI64,
    unavailable: AtomicI64,
}

/// `count` entries by `users` people (so some enter twice), spread over the nodes.
async fn herd(c: &Cluster, from: usize, count: usize, users: usize, tally: Arc<Tally>) {
    let sem = Arc::new(tokio::sync::Semaphore::new(48));
    let mut tasks = Vec::with_capacity(count);
    for i in from..from + count {
        let (client, base, sem, tally) = (
            c.client.clone(),
            c.bases[i % c.bases.len()].clone(),
            sem.clone(),
            tally.clone(),
        );
        let aid = c.aid;
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let user = format!("p{}", i % users);
            let (status, body) = enter(&client, &base, aid, &user).await;
            match (status, body["error"].as_str()) {
                (200, _) if body["isRetry"] == json!(true) => &tally.duplicates,
                (200, _) => &tally.approved,
                (409, Some("DUPLICATED")) => &tally.duplicates,
                (410, Some("SOLD_OUT")) => &tally.sold_out,
                // While Redis is being rebuilt the gate decides nothing (503, never a 500).
                (503, Some("GATE_UNAVAILABLE")) => &tally.unavailable,
                other => panic!("unexpected answer {other:?}: {body}"),
            }
            .fetch_add(1, Ordering::Relaxed);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Samples APPROVED + PAID until `stop`; answers the highest value seen.
fn watch(c: &Cluster, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<i64> {
    let (client, base, aid) = (c.client.clone(), c.bases[1].clone(), c.aid);
    tokio::spawn(async move {
        let mut max = 0;
        while !stop.load(Ordering::Relaxed) {
            max = max.max(taken(&client, &base, aid).await);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        max
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_herd_over_three_nodes_on_redis_approves_exactly_the_stock() {
    let Some(pg) = axon_testdb::postgres("api::redis::herd") else {
        return;
    };
    let Some(redis) = axon_testdb::redis("api::redis::herd") else {
        return;
    };
    let c = cluster(&pg.database("redis_herd"), &redis.url(), 3).await;
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(&c, stop.clone());
    let tally = Arc::new(Tally::default());
    // 10,000 requests by 8,000 people: 2,000 repeat entries.
    herd(&c, 0, HERD, 8_000, tally.clone()).await;
    stop.store(true, Ordering::Relaxed);
    let max_seen = watcher.await.unwrap();
    let approved = tally.approved.load(Ordering::Relaxed);
    assert_eq!(approved, STOCK, "exactly the stock is approved");
    assert_eq!(tally.unavailable.load(Ordering::Relaxed), 0);
    assert_eq!(
        approved
            + tally.sold_out.load(Ordering::Relaxed)
            + tally.duplicates.load(Ordering::Relaxed),
        HERD as i64
    );
    assert!(
        tally.duplicates.load(Ordering::Relaxed) > 0,
        "repeat entries were refused"
    );
    assert!(max_seen <= STOCK, "held + paid observed at {max_seen}");
    for base in &c.bases {
        assert_eq!(taken(&c.client, base, c.aid).await, STOCK);
        let s: Value = c
            .client
            .get(format!("{base}/api/v1/activities/{}/stock", c.aid))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (s["remaining"].clone(), s["held"].clone()),
            (json!(0), json!(STOCK)),
            "{s}"
        );
    }
    for n in c.nodes {
        n.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_restarted_empty_mid_sale_is_rebuilt_before_admitting_and_never_oversells() {
    let Some(pg) = axon_testdb::postgres("api::redis::restart") else {
        return;
    };
    let Some(redis) = axon_testdb::redis("api::redis::restart") else {
        return;
    };
    let c = cluster(&pg.database("redis_restart"), &redis.url(), 3).await;
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(&c, stop.clone());
    let tally = Arc::new(Tally::default());
    // The first 60 people get in, then Redis dies and comes back empty while the herd goes on.
    herd(&c, 0, 60, 60, tally.clone()).await;
    assert_eq!(tally.approved.load(Ordering::Relaxed), 60);
    let rest = {
        let tally = tally.clone();
        let c2 = Cluster {
            nodes: Vec::new(),
            _dirs: Vec::new(),
            bases: c.bases.clone(),
            client: c.client.clone(),
            aid: c.aid,
        };
        tokio::spawn(async move {
            // Repeat entries of the first 60 among them: they must stay duplicates.
            herd(&c2, 0, 3_000, 1_000, tally).await;
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    // (Blocks this worker for the restart; the herd runs on the others.)
    tokio::task::block_in_place(|| redis.restart_empty());
    rest.await.unwrap();
    // The gate was rebuilt (a node saw the marker gone) and admits again.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = enter(&c.client, &c.bases[2], c.aid, "after-restart").await;
        if status == 410 {
            break;
        }
        assert!(
            status == 503 && std::time::Instant::now() < deadline,
            "after the restart: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let max_seen = watcher.await.unwrap();
    assert!(max_seen <= STOCK, "held + paid observed at {max_seen}");
    assert_eq!(
        taken(&c.client, &c.bases[0], c.aid).await,
        STOCK,
        "exactly the stock, never more"
    );
    assert_eq!(tally.approved.load(Ordering::Relaxed), STOCK);
    for base in &c.bases {
        let s: Value = c
            .client
            .get(format!("{base}/api/v1/activities/{}/stock", c.aid))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(s["remaining"], json!(0), "{s}");
        assert_eq!(
            s["held"],
            json!(STOCK),
            "the rebuilt gate holds every live hold: {s}"
        );
    }
    for n in c.nodes {
        n.stop().await;
    }
}
