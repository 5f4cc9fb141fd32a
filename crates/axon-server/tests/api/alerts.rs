//! Alerts over HTTP: rules CRUD (ADMIN), a real local webhook receiver that checks the
//! HMAC-SHA256 signature, a 500 retried until a 200, the delivery log, the firing list a
//! dashboard shows, and the rule resolving when events arrive.

use crate::helpers::*;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on a free port: answers 500 to the first request, 200 after.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let s = s.clone();
            async move {
                let mut got = s.lock().unwrap();
                got.push((headers, body));
                if got.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), seen)
}

async fn wait_for(seen: &Seen, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().len() < n {
        assert!(Instant::now() < deadline, "no delivery #{n} within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> Value {
    let ts = headers["x-axon-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        headers["x-axon-signature"].to_str().unwrap(),
        format!("sha256={want}")
    );
    assert_eq!(headers["content-type"], "application/json");
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        v["timestamp"].to_string(),
        ts,
        "the signed timestamp is in the body"
    );
    v
}

async fn fast_app() -> TestApp {
    spawn_with(|c| {
        c.alert_interval = Duration::from_millis(100);
        c.alert_retry = axon_services::alerts::webhook::Retry {
            attempts: 4,
            base: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
        };
    })
    .await
}

#[tokio::test]
async fn a_rule_fires_a_signed_webhook_retried_after_a_500_and_resolves() {
    let app = fast_app().await;
    let (url, seen) = receiver().await;
    let c = app.campaign("Alerts").await;
    let a = app.activity(c).await;
    let r = app
        .post(
            "/api/v1/alerts",
            json!({"scope": "ACTIVITY", "scopeId": a, "kind": "NO_EVENTS", "threshold": 1, "webhookUrl": url}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let secret = r.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));

    // No events yet: it fires; the first attempt gets a 500, the retry a 200.
    wait_for(&seen, 2).await;
    let got = seen.lock().unwrap().clone();
    for (headers, body) in &got {
        let v = verify(&secret, headers, body);
        assert_eq!(
            (v["ruleId"].as_i64(), v["transition"].as_str()),
            (Some(id), Some("FIRING"))
        );
        assert_eq!(v["scopeId"], a);
        assert_eq!(v["kind"], "NO_EVENTS");
    }
    // The log row of an attempt is written after its answer reached the receiver: wait for it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = app.get(&format!("/api/v1/alerts/{id}/deliveries")).await;
        assert_eq!(log.status, 200);
        if log.body["total"].as_i64() >= Some(2) || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let attempts: Vec<(i64, i64)> = log.body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["attempt"].as_i64().unwrap(),
                d["status"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(attempts, [(2, 200), (1, 500)]);

    // The dashboard's scope lists it; a VIEWER sees it without the URL or the secret.
    let viewer = app
        .post("/api/v1/api-keys", json!({"name": "v", "role": "VIEWER"}))
        .await
        .body["key"]
        .as_str()
        .unwrap()
        .to_string();
    let firing = app
        .call(
            Method::GET,
            &format!("/api/v1/dashboard/activity/{a}/alerts"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(firing.status, 200, "{:?}", firing.body);
    assert_eq!(firing.body["total"], 1);
    assert_eq!(firing.body["alerts"][0]["ruleId"], id);
    assert!(firing.body.to_string().find("whsec_").is_none());
    let campaign_firing = app
        .get(&format!("/api/v1/dashboard/campaign/{c}/alerts"))
        .await;
    assert_eq!(campaign_firing.body["total"], 0);

    // An event arrives: the rule resolves, delivered at once.
    let ev =
        json!({"triggerType": "PAGE_VIEW", "anonymousId": "x", "properties": {"activityId": a}});
    assert_eq!(app.track(ev).await.status, 202);
    wait_for(&seen, 3).await;
    let (headers, body) = seen.lock().unwrap()[2].clone();
    assert_eq!(verify(&secret, &headers, &body)["transition"], "RESOLVED");
    let now = app
        .get(&format!("/api/v1/dashboard/activity/{a}/alerts"))
        .await;
    assert_eq!(now.body["total"], 0);

    // Deleted: gone from the list, its log too.
    assert_eq!(
        app.delete(&format!("/api/v1/alerts/{id}")).await.status,
        204
    );
    assert_eq!(app.get("/api/v1/alerts").await.body["total"], 0);
    assert_error(
        &app.get(&format!("/api/v1/alerts/{id}/deliveries")).await,
        404,
        "ALERT_NOT_FOUND",
    );
}

#[tokio::test]
async fn bad_rules_are_refused_with_a_4xx_and_viewers_cannot_manage_rules() {
    let app = spawn_app().await;
    let c = app.campaign("Refusals").await;
    let bad = [
        json!({"scope": "ACTIVITY", "scopeId": 999, "kind": "SOLD_OUT", "webhookUrl": "http://x/h"}),
        json!({"scope": "SHOP", "scopeId": c, "kind": "SOLD_OUT", "webhookUrl": "http://x/h"}),
        json!({"scope": "CAMPAIGN", "scopeId": c, "kind": "LOUD", "webhookUrl": "http://x/h"}),
        json!({"scope": "CAMPAIGN", "scopeId": c, "kind": "STOCK_BELOW", "webhookUrl": "http://x/h"}),
        json!({"scope": "CAMPAIGN", "scopeId": c, "kind": "STOCK_BELOW", "threshold": 0, "webhookUrl": "http://x/h"}),
        json!({"scope": "CAMPAIGN", "scopeId": c, "kind": "SOLD_OUT", "webhookUrl": "file:///etc/passwd"}),
        json!({"scope": "CAMPAIGN", "scopeId": c, "kind": "SOLD_OUT"}),
    ];
    for body in bad {
        let r = app.post("/api/v1/alerts", body.clone()).await;
        assert!(
            (400..500).contains(&r.status),
            "{body} → {} {:?}",
            r.status,
            r.body
        );
    }
    assert_error(
        &app.delete("/api/v1/alerts/12345").await,
        404,
        "ALERT_NOT_FOUND",
    );
    let ok = app
        .post(
            "/api/v1/alerts",
            json!({"scope": "campaign", "scopeId": c, "kind": "CONVERSION_DROP", "threshold": 30, "windowMinutes": 120, "webhookUrl": "https://hooks.example/x"}),
        )
        .await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["windowMinutes"], 120);
    let listed = app
        .get(&format!("/api/v1/alerts?scope=CAMPAIGN&scopeId={c}"))
        .await;
    assert_eq!(listed.body["total"], 1);
    let viewer = app
        .post("/api/v1/api-keys", json!({"name": "v", "role": "VIEWER"}))
        .await
        .body["key"]
        .as_str()
        .unwrap()
        .to_string();
    for (m, path) in [
        (Method::GET, "/api/v1/alerts"),
        (Method::POST, "/api/v1/alerts"),
    ] {
        let r = app.call(m, path, Some(&viewer), Some(&json!({}))).await;
        assert_eq!(r.status, 403, "{path}");
    }
    assert_eq!(
        app.call(Method::GET, "/api/v1/alerts", None, None)
            .await
            .status,
        401
    );
}
