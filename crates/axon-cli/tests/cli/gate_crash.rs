//! The FCFS gate across `kill -9`: no acknowledged entry or payment lost, no unit sold twice,
//! and holds live at the crash still expire (once) after the restart.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const STOCK: i64 = 1000;
const TTL: &str = "4";

async fn enter(client: &reqwest::Client, base: &str, a: i64, user: &str) -> Option<(u16, Value)> {
    let r = client
        .post(format!("{base}/api/v1/activities/{a}/entries"))
        .bearer_auth(jwt(user))
        .json(&json!({}))
        .send()
        .await
        .ok()?;
    let s = r.status().as_u16();
    Some((s, r.json().await.ok()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_entries_survive_kill_9_and_holds_still_expire_once() {
    let dir = tempfile::tempdir().unwrap();
    let envs = [("AXON_RESERVATION_TTL", TTL), ("AXON_APPROVAL_TTL", TTL)];
    let server = start_server_with(dir.path(), &envs);
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let c = admin(
        &client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns"),
        json!({"name": "crash"}),
    )
    .await;
    let now = jiff::Timestamp::now();
    let a = admin(
        &client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns/{}/activities", c["id"]),
        json!({"name": "herd", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": STOCK,
            "startDate": (now - jiff::SignedDuration::from_hours(1)).to_string(),
            "endDate": (now + jiff::SignedDuration::from_hours(1)).to_string()}),
    )
    .await;
    let a = a["id"].as_i64().unwrap();
    admin(
        &client,
        reqwest::Method::PATCH,
        format!("{base}/api/v1/activities/{a}/status"),
        json!({"status": "ACTIVE"}),
    )
    .await;

    // user → reservation token of every acknowledged entry; users whose payment was acknowledged.
    let acked = Arc::new(Mutex::new(HashMap::<String, String>::new()));
    let paid = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for t in 0..24 {
        let (client, base, acked, paid) =
            (client.clone(), base.clone(), acked.clone(), paid.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let user = format!("c{t}-{i}");
                let Some((s, b)) = enter(&client, &base, a, &user).await else {
                    break;
                };
                if s != 200 {
                    continue;
                }
                let token = b["reservationToken"].as_str().unwrap().to_string();
                acked.lock().unwrap().insert(user.clone(), token.clone());
                if i % 3 == 0 {
                    let Ok(r) = client
                        .post(format!("{base}/api/v1/payments/prepare"))
                        .bearer_auth(jwt(&user))
                        .json(&json!({"reservationToken": token}))
                        .send()
                        .await
                    else {
                        break;
                    };
                    let Ok(v) = r.json::<Value>().await else {
                        break;
                    };
                    let Ok(r) = client
                        .post(format!("{base}/api/v1/payments/confirm"))
                        .bearer_auth(jwt(&user))
                        .json(&json!({"approvalToken": v["approvalToken"]}))
                        .send()
                        .await
                    else {
                        break;
                    };
                    if r.status() == 200 {
                        paid.lock().unwrap().push(user);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    server.kill_hard();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    let paid = paid.lock().unwrap().clone();
    assert!(
        !acked.is_empty(),
        "no entry was acknowledged before the crash"
    );
    eprintln!(
        "before the crash: {} entries and {} payments acknowledged",
        acked.len(),
        paid.len()
    );

    let server = start_server_with(dir.path(), &envs);
    let base = server.base.clone();
    let stored = entries(&client, &base, a).await;
    for user in acked.keys() {
        assert!(
            stored.contains_key(user),
            "acknowledged entry of {user} lost"
        );
    }
    for user in &paid {
        assert_eq!(
            stored[user].0, "PAID",
            "acknowledged payment of {user} lost"
        );
    }
    let counted: i64 = stored
        .values()
        .filter(|(s, _)| s == "APPROVED" || s == "PAID")
        .map(|(_, q)| q)
        .sum();
    assert!(
        counted <= STOCK,
        "{counted} units held or sold for a stock of {STOCK}"
    );
    // A live reservation survives the restart: the retry answers the same token.
    if let Some((user, token)) = acked.iter().find(|(u, _)| stored[*u].0 == "APPROVED") {
        let (s, b) = enter(&client, &base, a, user).await.unwrap();
        if s == 200 {
            assert_eq!(b["reservationToken"].as_str(), Some(token.as_str()));
        }
    }
    // Every unpaid hold expires (the TTL is 4 s) and is cancelled exactly once.
    let mut after = stored.clone();
    for _ in 0..100 {
        after = entries(&client, &base, a).await;
        if after.values().all(|(s, _)| s != "APPROVED") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        after.values().all(|(s, _)| s != "APPROVED"),
        "some holds never expired"
    );
    let paid_units: i64 = after
        .values()
        .filter(|(s, _)| s == "PAID")
        .map(|(_, q)| q)
        .sum();
    // Exactly the unsold units can be taken again.
    let mut won = 0;
    for i in 0..(STOCK + 20) {
        let (s, _) = enter(&client, &base, a, &format!("after-{i}"))
            .await
            .unwrap();
        match s {
            200 => won += 1,
            410 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(won, STOCK - paid_units);
}
