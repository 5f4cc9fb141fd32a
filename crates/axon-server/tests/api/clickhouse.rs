//! `AXON_ANALYTICS=clickhouse` against the engine, end to end: a node with ClickHouse configured
//! writes every commit there; the same data dir served again with ClickHouse answering the
//! aggregates gives the same dashboards, cohorts, drop-offs and breakdowns, field by field. A real
//! ClickHouse (Debian's 18.16, started by `axon-testdb`).

use crate::gate_support::{jwt, T0};
use crate::helpers::*;
use axon_domain::{ManualClock, Ts};
use axon_server::{Analytics, ClickHouseConfig, Config, Secret};
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

fn node_config(
    url: &str,
    db: &str,
    analytics: Analytics,
    clock: &Arc<ManualClock>,
) -> impl FnOnce(&mut Config) {
    let (url, db, clock) = (url.to_string(), db.to_string(), clock.clone());
    move |c: &mut Config| {
        c.clock = clock;
        // Holds outlive the day the test moves the clock by: stock stays as written.
        c.reservation_ttl = Duration::from_secs(3 * 86_400);
        c.approval_ttl = Duration::from_secs(3 * 86_400);
        c.jwt.max_lifetime = Duration::from_secs(120 * 86_400);
        c.clickhouse = Some(ClickHouseConfig {
            url: Secret::new(url),
            database: db,
        });
        c.analytics = analytics;
    }
}

async fn call(client: &Client, base: &str, path: &str, auth: &str, body: Value) -> Value {
    let r = client
        .post(format!("{base}{path}"))
        .bearer_auth(auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn get(client: &Client, base: &str, path: &str) -> Value {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// Campaign, activity, events with identity links, entries (some paid) and purchases.
async fn write_data(client: &Client, base: &str) -> (i64, i64) {
    let c = call(
        client,
        base,
        "/api/v1/campaigns",
        ADMIN_KEY,
        json!({"name": "CH", "budget": 5000}),
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    let a = call(
        client,
        base,
        &format!("/api/v1/campaigns/{cid}/activities"),
        ADMIN_KEY,
        json!({"name": "deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 50,
            "startDate": "2026-11-01", "endDate": "2026-11-30", "price": 10_000}),
    )
    .await;
    let aid = a["id"].as_i64().unwrap();
    let r = client
        .patch(format!("{base}/api/v1/activities/{aid}/status"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"status": "ACTIVE"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let events: Vec<Value> = (0..90i64)
        .map(|j| {
            let trigger = ["PAGE_VIEW", "CLICK", "PAGE_VIEW", "SCROLL_DEPTH"][(j % 4) as usize];
            let at = Ts(T0 - (j % 20) * 3_600_000 - j * 1_000);
            let mut e = json!({"triggerType": trigger, "anonymousId": format!("anon{}", j % 17),
                "eventId": format!("e{j}"), "occurredAt": at.to_string(),
                "properties": {"activityId": aid}});
            // Some anonymous visitors sign in later: their earlier visits are theirs.
            if j % 5 == 0 {
                e["userId"] = json!(format!("user{}", j % 7));
            }
            e
        })
        .collect();
    call(
        client,
        base,
        "/api/v1/behavior/events",
        ADMIN_KEY,
        json!(events),
    )
    .await;
    for i in 0..12 {
        let user = format!("user{i}");
        let path = format!("/api/v1/activities/{aid}/entries");
        let entry = call(client, base, &path, &jwt(&user), json!({})).await;
        if i % 3 == 0 {
            let v = call(
                client,
                base,
                "/api/v1/payments/prepare",
                &jwt(&user),
                json!({"reservationToken": entry["reservationToken"]}),
            )
            .await;
            call(
                client,
                base,
                "/api/v1/payments/confirm",
                &jwt(&user),
                json!({"approvalToken": v["approvalToken"]}),
            )
            .await;
        }
    }
    let p = call(
        client,
        base,
        "/api/v1/products",
        ADMIN_KEY,
        json!({"name": "Phone", "price": 20_000, "stock": 100}),
    )
    .await;
    let product = p["id"].as_i64().unwrap();
    for k in 0..6 {
        call(
            client,
            base,
            "/api/v1/purchases",
            ADMIN_KEY,
            json!({"userId": format!("user{k}"), "productId": product, "price": 20_000 + k, "quantity": 1,
                "orderId": format!("shop-{k}"), "purchasedAt": Ts(T0 - k * 86_400_000).to_string()}),
        )
        .await;
    }
    (cid, aid)
}

/// The answers to compare, without the answer's own time.
async fn answers(client: &Client, base: &str, cid: i64, aid: i64) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/dashboard/activity/{aid}?period=30d"),
        format!("/api/v1/dashboard/activity/{aid}?period=7d&widgets=funnel&conversionWindow=3600"),
        format!("/api/v1/dashboard/campaign/{cid}?period=30d&widgets=overview,funnel,activities,heatmap"),
        "/api/v1/dashboard/overview?period=30d".to_string(),
        format!("/api/v1/dashboard/activity/{aid}/funnel/dropoff?step=VISIT&period=30d"),
        format!("/api/v1/dashboard/activity/{aid}/funnel/dropoff?step=ENGAGE&period=30d"),
        format!("/api/v1/dashboard/cohort/activity/{aid}"),
        format!("/api/v1/dashboard/cohort/campaign/{cid}"),
        format!("/api/v1/dashboard/activity/{aid}?period=30d&widgets=overview,funnel&breakdown=device"),
        format!("/api/v1/dashboard/campaign/{cid}?period=30d&widgets=overview&breakdown=utm_source"),
    ] {
        let mut v = get(client, base, &path).await;
        if let Some(o) = v.as_object_mut() {
            o.remove("timestamp");
        }
        out.push(json!({"path": path, "answer": v}));
    }
    out
}

/// Where two answers first differ: the JSON path and both values.
fn difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x
            .keys()
            .chain(y.keys())
            .find_map(|k| {
                difference(
                    &x[k.as_str()],
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{at}.{k}"),
                )
            })
            .or_else(|| {
                (x.len() != y.len()).then(|| format!("{at}: keys {:?} vs {:?}", x.keys(), y.keys()))
            }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| difference(p, q, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: engine {a}, ClickHouse {b}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickhouse_answers_the_dashboards_the_engine_answers() {
    let Some(server) = axon_testdb::clickhouse("api::clickhouse::same_dashboards") else {
        return;
    };
    let db = server.database("api");
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new();
    // Written at T0, read a day later (so today's payments are in the cohorts' windows).
    let clock = Arc::new(ManualClock::new(Ts(T0)));
    let a = Node::start(
        dir.path(),
        node_config(&server.url(), &db, Analytics::Engine, &clock),
    )
    .await;
    let (cid, aid) = write_data(&client, &a.base).await;
    settle(&client, &a.base).await;
    clock.set(Ts(T0 + 86_400_000));
    let by_engine = answers(&client, &a.base, cid, aid).await;
    a.stop().await;

    let b = Node::start(
        dir.path(),
        node_config(&server.url(), &db, Analytics::ClickHouse, &clock),
    )
    .await;
    let by_clickhouse = answers(&client, &b.base, cid, aid).await;
    // The data is there: the comparison is not of two empty answers.
    assert!(by_engine[0]["answer"]["data"]["overview"]["totalVisits"].as_i64() > Some(10));
    assert!(
        by_engine[6]["answer"]["totalCustomers"].as_i64() > Some(0),
        "{}",
        by_engine[6]
    );
    let funnel = &by_engine[0]["answer"]["data"]["funnel"];
    assert!(funnel["steps"][2]["users"].as_i64() > Some(0), "{funnel}");
    for (e, c) in by_engine.iter().zip(&by_clickhouse) {
        if let Some(d) = difference(e, c, "") {
            panic!("{}: engine and ClickHouse differ at {d}", e["path"]);
        }
    }
    b.stop().await;
}
