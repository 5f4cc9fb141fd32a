//! The collection rate limits (issue 16, deliverable 4): `governor` per client address and per
//! sender key; the address is the socket's unless the peer is a configured trusted proxy.

use crate::helpers::*;
use serde_json::json;

async fn send(app: &TestApp, xff: Option<&str>, bearer: Option<&str>, event: &str) -> u16 {
    let mut r = app
        .client
        .post(app.url("/api/v1/behavior/events"))
        .header("content-type", "text/plain")
        .body(json!({"triggerType": event, "anonymousId": "a1", "properties": {}}).to_string());
    if let Some(x) = xff {
        r = r.header("x-forwarded-for", x);
    }
    if let Some(k) = bearer {
        r = r.bearer_auth(k);
    }
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = spawn_with(|c| {
        c.rate_limit_per_ip = 2;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let a = Some("198.51.100.7, 203.0.113.1");
    assert_eq!(send(&app, a, None, "VISIT").await, 202);
    assert_eq!(send(&app, a, None, "VISIT").await, 202);
    let r = app
        .client
        .post(app.url("/api/v1/behavior/events"))
        .header("x-forwarded-for", "203.0.113.1")
        .json(&json!({"triggerType": "VISIT", "anonymousId": "a1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "RATE_LIMITED");
    // The client-written left part of the header does not matter; the nearest hop does.
    assert_eq!(
        send(&app, Some("1.2.3.4, 203.0.113.1"), None, "VISIT").await,
        429
    );
    assert_eq!(send(&app, Some("203.0.113.2"), None, "VISIT").await, 202);
    let metrics = app.text("/metrics").await;
    assert!(metrics.contains("axon_rate_limited_total 2"), "{metrics}");
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_cannot_buy_a_fresh_budget() {
    let app = spawn_with(|c| c.rate_limit_per_ip = 2).await;
    assert_eq!(send(&app, Some("203.0.113.1"), None, "VISIT").await, 202);
    assert_eq!(send(&app, Some("203.0.113.2"), None, "VISIT").await, 202);
    assert_eq!(send(&app, Some("203.0.113.3"), None, "VISIT").await, 429);
}

#[tokio::test]
async fn a_backend_sender_is_limited_per_key_not_per_address() {
    let app = spawn_with(|c| {
        c.rate_limit_per_ip = 1;
        c.rate_limit_per_key = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(send(&app, None, Some(ADMIN_KEY), "VISIT").await, 202);
    }
    assert_eq!(send(&app, None, Some(ADMIN_KEY), "VISIT").await, 429);
    // The anonymous budget of the same address is separate (and smaller).
    assert_eq!(send(&app, None, None, "VISIT").await, 202);
    assert_eq!(send(&app, None, None, "VISIT").await, 429);
}
