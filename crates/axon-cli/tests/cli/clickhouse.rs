//! `scripts/cluster.sh up --clickhouse` (issue 15): two real `axon serve` processes on
//! PostgreSQL + Redis + a real ClickHouse with `AXON_ANALYTICS=clickhouse`: events posted to
//! one node are counted on the other's dashboard, the recount in ClickHouse itself agrees, and
//! with ClickHouse killed a fresh answer is 503 `ANALYTICS_UNAVAILABLE`, never zeros.

use crate::cluster::{clickhouse_present, prerequisites, Cluster};
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_with_clickhouse_answers_dashboards_from_clickhouse() {
    let test = "cli::clickhouse::a_cluster_with_clickhouse";
    if !prerequisites(test) || !clickhouse_present(test) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let cluster = Cluster::up_with(
        &tmp.path().join("c"),
        2,
        &[("AXON_ANALYTICS", "clickhouse")],
        &["--clickhouse"],
    );
    assert!(
        cluster.pids.contains_key("clickhouse"),
        "{:?}",
        cluster.pids
    );
    let env = std::fs::read_to_string(cluster.dir.join("cluster.env")).unwrap();
    let ch_url = env
        .lines()
        .find_map(|l| l.strip_prefix("AXON_CLICKHOUSE_URL="))
        .unwrap()
        .to_string();
    let client = reqwest::Client::new();
    let (one, two) = (cluster.urls[0].clone(), cluster.urls[1].clone());
    let c = admin(
        &client,
        reqwest::Method::POST,
        format!("{one}/api/v1/campaigns"),
        json!({"name": "clickhouse"}),
    )
    .await;
    let a = admin(
        &client,
        reqwest::Method::POST,
        format!("{one}/api/v1/campaigns/{}/activities", c["id"]),
        json!({"name": "ch", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 10,
            "startDate": "2026-01-01", "endDate": "2027-12-31"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let events: Vec<Value> = (0..120)
        .map(|i| {
            json!({"triggerType": if i % 3 == 0 { "CLICK" } else { "PAGE_VIEW" },
                "eventId": format!("ch{i}"), "anonymousId": format!("v{}", i % 30),
                "properties": {"activityId": a}})
        })
        .collect();
    let r = client
        .post(format!("{one}/api/v1/behavior/events"))
        .json(&events)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let path = format!("{two}/api/v1/dashboard/activity/{a}?widgets=overview");
    let started = Instant::now();
    loop {
        let d = admin(&client, reqwest::Method::GET, path.clone(), Value::Null).await;
        let o = &d["data"]["overview"];
        if o["totalVisits"] == 80 && o["totalParticipants"] == 40 {
            // v0..v29, less the ten (i % 3 == 0) who only click.
            assert_eq!(o["uniqueVisitors"], 20, "{o}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "node 2 after 10 s: {d}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The recount in ClickHouse itself (each node wrote every commit; FINAL reads them once).
    let count: String = client
        .post(format!("{ch_url}/?database=axon"))
        .body(format!(
            "SELECT count() FROM events FINAL WHERE activity_id = {a} AND trigger = 'PAGE_VIEW'"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(count.trim(), "80");
    // Answered by ClickHouse: with it gone, a fresh answer is a clear 503, never zeros
    // (`realtime` is never served from the answer cache).
    cluster.kill_9("clickhouse");
    let r = client
        .get(format!("{path},realtime"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "ANALYTICS_UNAVAILABLE", "{body}");
}
