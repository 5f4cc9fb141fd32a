//! Nothing acknowledged is lost across `kill -9`, and nothing is stored twice.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn all_event_ids(client: &reqwest::Client, base: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut before: Option<u64> = None;
    loop {
        let mut url = format!("{base}/api/v1/behavior/events?limit=1000");
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        let page: Value = client
            .get(&url)
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for e in page["events"].as_array().unwrap() {
            ids.push(e["eventId"].as_str().unwrap().to_string());
        }
        match page["nextBefore"].as_u64() {
            Some(b) => before = Some(b),
            None => return ids,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_events_survive_kill_9_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..100_000 {
                let batch: Vec<Value> = (0..5)
                    .map(|k| json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("a{t}"), "eventId": format!("t{t}-{i}-{k}")}))
                    .collect();
                let Ok(r) = client.post(format!("{base}/api/v1/behavior/events")).json(&batch).send().await else { break };
                if r.status() != 202 {
                    break;
                }
                acked.lock().unwrap().extend(batch.iter().map(|e| e["eventId"].as_str().unwrap().to_string()));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.kill_hard();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 100,
        "the burst was acknowledged before the kill ({} events)",
        acked.len()
    );

    let server = start_server(dir.path());
    let stored = all_event_ids(&client, &server.base).await;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &stored {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    assert!(counts.values().all(|n| *n == 1), "no event is stored twice");
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !counts.contains_key(id.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events were lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );

    // Re-sending everything that was acknowledged is deduplicated, not counted again.
    let resend: Vec<Value> = acked
        .iter()
        .take(500)
        .map(|id| json!({"triggerType": "PAGE_VIEW", "anonymousId": "x", "eventId": id}))
        .collect();
    let r: Value = client
        .post(format!("{}/api/v1/behavior/events", server.base))
        .json(&resend)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r, json!({"accepted": 0, "duplicates": resend.len()}));
}
