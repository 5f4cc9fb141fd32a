//! Scale-out: two `axon serve` nodes on one PostgreSQL database give the same dashboards,
//! whichever node received the events (the commit feed carries every node's writes to every
//! node's engine within a second).

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
    let url = server.database("two_nodes");
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
