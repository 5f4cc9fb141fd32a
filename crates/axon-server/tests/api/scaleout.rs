//! Scale-out: two `axon serve` nodes on one PostgreSQL (or MariaDB) database give the same
//! dashboards, whichever node received the events (the commit feed carries every node's writes
//! to every node's engine within a second), and share one FCFS stock gate on the database: a
//! herd through both nodes approves exactly the stock, and an expiry racing a confirm ends in
//! the purchase or the release, never both.

use crate::helpers::{settle, Node, ADMIN_KEY};
use axon_server::Secret;
use reqwest::Client;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn get(client: &Client, base: &str, path: &str) -> Value {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let mut v: Value = r.json().await.unwrap();
    // Only the clock-derived fields may differ between two nodes.
    for k in ["timestamp", "startDate", "endDate", "calculatedAt"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

async fn post(client: &Client, base: &str, path: &str, body: Value) -> Value {
    let r = client
        .post(format!("{base}{path}"))
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_serve_the_same_dashboards() {
    let Some(server) = axon_testdb::postgres("api::scaleout::two_nodes_on_one_postgres") else {
        return;
    };
    same_dashboards(server.database("two_nodes")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_mariadb_serve_the_same_dashboards() {
    let Some(server) = axon_testdb::mariadb("api::scaleout::two_nodes_on_one_mariadb") else {
        return;
    };
    same_dashboards(server.database("two_nodes")).await;
}

async fn same_dashboards(url: String) {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Node::start(dir_a.path(), |c| c.database_url = Some(Secret::new(&url))).await;
    let b = Node::start(dir_b.path(), |c| c.database_url = Some(Secret::new(&url))).await;
    let client = Client::new();
    // The catalogue is written on A, half the events on each node.
    let c = post(
        &client,
        &a.base,
        "/api/v1/campaigns",
        json!({"name": "Two nodes", "budget": 1000}),
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    let act = post(
        &client,
        &a.base,
        &format!("/api/v1/campaigns/{cid}/activities"),
        json!({"name": "A", "activityType": "FIRST_COME_FIRST_SERVE", "startDate": "2026-01-01",
            "endDate": "2026-12-31", "limitCount": 10}),
    )
    .await;
    let aid = act["id"].as_i64().unwrap();
    for (i, node) in [&a, &b].into_iter().enumerate() {
        let events: Vec<Value> = (0..40)
            .map(|j| {
                let trigger = ["PAGE_VIEW", "CLICK", "PAGE_VIEW"][j % 3];
                json!({"triggerType": trigger,
                    "userId": format!("u{}", (i * 40 + j) % 13), "eventId": format!("n{i}-{j}"),
                    "properties": {"activityId": aid}})
            })
            .collect();
        let r = client
            .post(format!("{}/api/v1/behavior/events", node.base))
            .json(&events)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
    }
    settle(&client, &a.base).await;
    settle(&client, &b.base).await;
    let path = format!("/api/v1/dashboard/activity/{aid}?period=30d&widgets=overview,funnel");
    let campaign =
        format!("/api/v1/dashboard/campaign/{cid}?period=30d&widgets=overview,activities");
    let started = Instant::now();
    loop {
        let (da, db) = (
            get(&client, &a.base, &path).await,
            get(&client, &b.base, &path).await,
        );
        let (ca, cb) = (
            get(&client, &a.base, &campaign).await,
            get(&client, &b.base, &campaign).await,
        );
        // Every one of the 80 events, whichever node took it: 54 views and 26 clicks.
        let all = da["data"]["overview"]["totalVisits"] == 54
            && da["data"]["overview"]["totalParticipants"] == 26;
        if da == db && ca == cb && all {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the nodes disagree after 1 s:\nA {da}\nB {db}\nA {ca}\nB {cb}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_on_one_postgres_share_the_stock_gate() {
    let Some(server) = axon_testdb::postgres("api::scaleout::two_nodes_share_the_gate") else {
        return;
    };
    shared_gate(server.database("shared_gate"), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_on_one_mariadb_share_the_stock_gate() {
    let Some(server) = axon_testdb::mariadb("api::scaleout::two_nodes_share_the_gate") else {
        return;
    };
    shared_gate(server.database("shared_gate"), None).await;
}

/// The same herd and expiry-vs-confirm race with the gate on Redis (issue 13).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_on_one_postgres_and_one_redis_share_the_stock_gate() {
    let Some(server) = axon_testdb::postgres("api::scaleout::redis_gate") else {
        return;
    };
    let Some(redis) = axon_testdb::redis("api::scaleout::redis_gate") else {
        return;
    };
    shared_gate(server.database("redis_gate"), Some(redis.url())).await;
}

/// 2026-11-15T00:00:00Z, inside the activity's dates.
const T0: i64 = 1_794_700_800_000;
const STOCK: usize = 15;

async fn user_call(
    client: &Client,
    base: &str,
    path: &str,
    user: &str,
    body: Value,
) -> (u16, Value) {
    let r = client
        .post(format!("{base}{path}"))
        .bearer_auth(axon_server::auth::mint_jwt(
            crate::helpers::JWT_SECRET.as_bytes(),
            user,
            axon_domain::Ts(T0 + 3_600_000),
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn entries_total(client: &Client, base: &str, aid: i64, status: &str) -> i64 {
    let v = get(
        client,
        base,
        &format!("/api/v1/activities/{aid}/entries?size=1&status={status}"),
    )
    .await;
    v["totalElements"].as_i64().unwrap()
}

pub(crate) async fn shared_gate(url: String, redis: Option<String>) {
    let clock = std::sync::Arc::new(axon_domain::ManualClock::new(axon_domain::Ts(T0)));
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let node = |c: &mut axon_server::Config| {
        c.database_url = Some(Secret::new(&url));
        c.redis_url = redis.as_deref().map(Secret::new);
        c.clock = clock.clone();
        c.reservation_ttl = Duration::from_secs(60);
        c.approval_ttl = Duration::from_secs(60);
    };
    let a = Node::start(dir_a.path(), node).await;
    let b = Node::start(dir_b.path(), node).await;
    let nodes = [a.base.clone(), b.base.clone()];
    let client = Client::new();
    let c = post(
        &client,
        &a.base,
        "/api/v1/campaigns",
        json!({"name": "Herd", "budget": 1000}),
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    let act = post(
        &client,
        &a.base,
        &format!("/api/v1/campaigns/{cid}/activities"),
        json!({"name": "deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": STOCK,
            "startDate": "2026-11-01", "endDate": "2026-11-30", "price": 10_000}),
    )
    .await;
    let aid = act["id"].as_i64().unwrap();
    let r = client
        .patch(format!("{}/api/v1/activities/{aid}/status", b.base))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"status": "ACTIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The herd: 150 people, the first 50 twice, alternating nodes, all at once.
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = Vec::new();
    for i in 0..200usize {
        let (client, base, sem) = (client.clone(), nodes[i % 2].clone(), sem.clone());
        let user = format!("herd-{}", i % 150);
        let path = format!("/api/v1/activities/{aid}/entries");
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let (status, body) = user_call(&client, &base, &path, &user, json!({})).await;
            (user, status, body)
        }));
    }
    let mut approved = std::collections::HashMap::new();
    let (mut sold_out, mut duplicates) = (0, 0);
    for t in tasks {
        let (user, status, body) = t.await.unwrap();
        match (status, body["error"].as_str()) {
            (200, _) if body["isRetry"] == json!(true) => duplicates += 1,
            (200, _) => {
                let token = body["reservationToken"].as_str().unwrap().to_string();
                assert!(
                    approved.insert(user, token).is_none(),
                    "approved twice: {body}"
                );
            }
            (409, Some("DUPLICATED")) => duplicates += 1,
            (410, Some("SOLD_OUT")) => sold_out += 1,
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!(approved.len(), STOCK, "exactly the stock is approved");
    assert_eq!(approved.len() + sold_out + duplicates, 200);
    assert_eq!(
        entries_total(&client, &a.base, aid, "APPROVED").await,
        STOCK as i64
    );

    // Every approved person prepares on one node; five pay on the other.
    let mut approvals = Vec::new();
    for (k, (user, rsv)) in approved.iter().enumerate() {
        let (status, body) = user_call(
            &client,
            &nodes[k % 2],
            "/api/v1/payments/prepare",
            user,
            json!({"reservationToken": rsv}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        approvals.push((user.clone(), body["approvalToken"].clone()));
    }
    for (k, (user, apv)) in approvals[..5].iter().enumerate() {
        let (status, body) = user_call(
            &client,
            &nodes[(k + 1) % 2],
            "/api/v1/payments/confirm",
            user,
            json!({"approvalToken": apv}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    for base in &nodes {
        let s = get(&client, base, &format!("/api/v1/activities/{aid}/stock")).await;
        assert_eq!(
            (s["remaining"].clone(), s["held"].clone()),
            (json!(0), json!(10)),
            "{s}"
        );
    }

    // The last ten confirm at the moment their holds expire, on both nodes, while both nodes'
    // sweepers run: each ends paid or released, never both.
    clock.set(axon_domain::Ts(T0 + 60_000 - 5));
    let mut confirms = Vec::new();
    for (k, (user, apv)) in approvals[5..].iter().cloned().enumerate() {
        let (client, base) = (client.clone(), nodes[k % 2].clone());
        confirms.push(tokio::spawn(async move {
            user_call(
                &client,
                &base,
                "/api/v1/payments/confirm",
                &user,
                json!({"approvalToken": apv}),
            )
            .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(3)).await;
    clock.set(axon_domain::Ts(T0 + 60_001));
    let mut late_paid = 0;
    for t in confirms {
        match t.await.unwrap() {
            (200, _) => late_paid += 1,
            (410, body) => assert_eq!(body["error"], "APPROVAL_EXPIRED", "{body}"),
            other => panic!("unexpected confirm answer {other:?}"),
        }
    }
    let started = Instant::now();
    let released = 10 - late_paid;
    while entries_total(&client, &a.base, aid, "CANCELLED").await < released {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the holds were never released"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paid = entries_total(&client, &a.base, aid, "PAID").await;
    assert_eq!(
        paid,
        5 + late_paid,
        "every successful confirm is a purchase"
    );
    assert_eq!(
        entries_total(&client, &a.base, aid, "CANCELLED").await,
        released
    );
    assert_eq!(entries_total(&client, &a.base, aid, "APPROVED").await, 0);
    for base in &nodes {
        let s = get(&client, base, &format!("/api/v1/activities/{aid}/stock")).await;
        assert_eq!(s["held"], json!(0), "{s}");
        assert_eq!(
            s["remaining"],
            json!(released),
            "exactly the released units are back: {s}"
        );
    }
    // Held + paid never exceeds the stock: the released units go to new people, then no more.
    let mut newcomers = 0;
    for i in 0..(released + 3) {
        let (status, _) = user_call(
            &client,
            &nodes[i as usize % 2],
            &format!("/api/v1/activities/{aid}/entries"),
            &format!("late-{i}"),
            json!({}),
        )
        .await;
        if status == 200 {
            newcomers += 1;
        } else {
            assert_eq!(status, 410);
        }
    }
    assert_eq!(newcomers, released);
    assert_eq!(
        entries_total(&client, &a.base, aid, "APPROVED").await + paid,
        STOCK as i64
    );
    a.stop().await;
    b.stop().await;
}
