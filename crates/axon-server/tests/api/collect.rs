use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

const EVENTS: &str = "/api/v1/behavior/events";

#[tokio::test]
async fn single_and_batched_events_are_acknowledged_with_dedupe_counts() {
    let app = spawn_app().await;
    let c = app.campaign("C").await;
    let a = app.activity(c).await;
    let one = app
        .track(
            json!({"triggerType": "PAGE_VIEW", "anonymousId": "a-1", "eventId": "e-1",
        "pageUrl": format!("https://shop.example/campaign-activity/{a}/view")}),
        )
        .await;
    assert_eq!(
        (one.status, one.body.clone()),
        (202, json!({"accepted": 1, "duplicates": 0}))
    );
    let batch = app.track(json!([
        {"triggerType": "PAGE_VIEW", "anonymousId": "a-1", "eventId": "e-1"},
        {"triggerType": "CLICK", "userId": 7, "anonymousId": "a-1", "eventId": "e-2", "properties": {"activityId": a}},
        {"triggerType": "CLICK", "userId": 7, "eventId": "e-2", "properties": {"activityId": a}},
        {"triggerType": "PAGE_VIEW", "sessionId": "s-9"}
    ])).await;
    assert_eq!(
        (batch.status, batch.body.clone()),
        (202, json!({"accepted": 2, "duplicates": 2}))
    );
    let listed = app.get(&format!("{EVENTS}?activityId={a}")).await;
    assert_eq!(listed.body["total"], 2);
    for e in listed.body["events"].as_array().unwrap() {
        assert_eq!(e["campaignId"], c, "enriched with the activity's campaign");
        assert_eq!(e["properties"]["campaignId"], c);
    }
    assert_eq!(app.get(EVENTS).await.body["total"], 3);
}

#[tokio::test]
async fn text_plain_bodies_are_accepted_like_send_beacon() {
    let app = spawn_app().await;
    let r = app
        .raw(
            Method::POST,
            EVENTS,
            None,
            "text/plain;charset=UTF-8",
            r#"[{"triggerType":"PAGE_VIEW","anonymousId":"a"}]"#,
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let r = app
        .raw(Method::POST, EVENTS, None, "application/xml", "<e/>")
        .await;
    assert_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn an_invalid_event_rejects_the_whole_batch_with_reasons_per_index() {
    let app = spawn_app().await;
    let r = app
        .track(json!([
            {"triggerType": "PAGE_VIEW", "anonymousId": "ok"},
            {"triggerType": "WAVE", "anonymousId": "x"},
            {"eventName": "no trigger and no person"},
            {"triggerType": "CLICK", "userId": "u", "occurredAt": "2099-01-01T00:00:00Z"}
        ]))
        .await;
    assert_error(&r, 400, "INVALID_EVENTS");
    let errors = r.body["errors"].as_array().unwrap();
    let indexes: Vec<i64> = errors
        .iter()
        .map(|e| e["index"].as_i64().unwrap())
        .collect();
    assert_eq!(indexes, vec![1, 2, 3]);
    assert!(errors[1]["reasons"].as_array().unwrap().len() >= 2);
    assert_eq!(
        app.get(EVENTS).await.body["total"],
        0,
        "nothing of a rejected batch is stored"
    );
}

#[tokio::test]
async fn malformed_empty_oversize_and_overlong_batches_are_refused() {
    let app = spawn_app().await;
    assert_error(
        &app.raw(Method::POST, EVENTS, None, "application/json", "{not json")
            .await,
        400,
        "MALFORMED_JSON",
    );
    assert_error(&app.track(json!([])).await, 400, "EMPTY_BATCH");
    assert_error(&app.track(json!("PAGE_VIEW")).await, 400, "INVALID_EVENTS");
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("a{i}")}))
        .collect();
    assert_error(&app.track(Value::Array(many)).await, 400, "TOO_MANY_EVENTS");
    let big = json!({"triggerType": "PAGE_VIEW", "anonymousId": "a", "properties": {"blob": "x".repeat(1024 * 1024)}});
    assert_error(&app.track(big).await, 413, "PAYLOAD_TOO_LARGE");
    let props = json!({"triggerType": "PAGE_VIEW", "anonymousId": "a", "properties": {"blob": "x".repeat(9000)}});
    assert_error(&app.track(props).await, 400, "INVALID_EVENTS");
    assert_eq!(app.get(EVENTS).await.body["total"], 0);
}

#[tokio::test]
async fn a_configured_write_key_is_required_by_header_or_query() {
    let app = spawn_with(|c| c.write_key = Some(axon_server::Secret::new("wk-1"))).await;
    let ev = json!({"triggerType": "PAGE_VIEW", "anonymousId": "a"});
    assert_error(&app.track(ev.clone()).await, 401, "INVALID_WRITE_KEY");
    let r = app
        .client
        .post(app.url(EVENTS))
        .header("x-axon-key", "nope")
        .json(&ev)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .post(app.url(EVENTS))
        .header("x-axon-key", "wk-1")
        .json(&ev)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = app
        .client
        .post(app.url(&format!("{EVENTS}?key=wk-1")))
        .json(&ev)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(app.get(EVENTS).await.body["total"], 2);
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let app = spawn_with(|c| c.cors_origins = vec!["https://shop.example".into()]).await;
    let pre = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url(EVENTS))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = pre("https://shop.example").await.unwrap();
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "https://shop.example"
    );
    let other = pre("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_event_listing_pages_newest_first_and_validates_its_query() {
    let app = spawn_app().await;
    let batch: Vec<Value> = (0..25).map(|i| json!({"triggerType": if i % 5 == 0 { "CLICK" } else { "PAGE_VIEW" }, "userId": format!("u{}", i % 2), "eventId": format!("e{i}")})).collect();
    assert_eq!(app.track(Value::Array(batch)).await.status, 202);
    let p1 = app.get(&format!("{EVENTS}?limit=10")).await;
    assert_eq!(p1.body["total"], 25);
    let events = p1.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 10);
    assert_eq!(events[0]["eventId"], "e24");
    let next = p1.body["nextBefore"].as_u64().unwrap();
    let p3 = app
        .get(&format!("{EVENTS}?limit=10&before={}", next - 10))
        .await;
    assert_eq!(p3.body["events"].as_array().unwrap().len(), 5);
    assert!(p3.body["nextBefore"].is_null());
    assert_eq!(
        app.get(&format!("{EVENTS}?triggerType=CLICK")).await.body["total"],
        5
    );
    assert_eq!(
        app.get(&format!("{EVENTS}?userId=u1")).await.body["total"],
        12
    );
    assert_eq!(
        app.get(&format!("{EVENTS}?userId=u1&triggerType=CLICK"))
            .await
            .body["total"],
        2
    );
    assert_error(
        &app.get(&format!("{EVENTS}?limit=1001")).await,
        400,
        "INVALID_QUERY",
    );
    assert_error(
        &app.get(&format!("{EVENTS}?limit=abc")).await,
        400,
        "INVALID_QUERY",
    );
    assert_error(
        &app.get(&format!("{EVENTS}?triggerType=NOPE")).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.call(Method::GET, EVENTS, None, None).await,
        401,
        "UNAUTHORIZED",
    );
}

#[tokio::test]
async fn acknowledged_events_survive_a_restart_of_the_store() {
    let app = spawn_app().await;
    for i in 0..20 {
        assert_eq!(
            app.track(
                json!({"triggerType": "PAGE_VIEW", "anonymousId": "a", "eventId": format!("r{i}")})
            )
            .await
            .status,
            202
        );
    }
    let dir = app.data_dir.clone();
    if let Ok(url) = std::fs::read_to_string(dir.join("test-database-url")) {
        // A shared database: another connection (another node) sees every acked event.
        let store = axon_store::sql::SqlStore::open(&url).unwrap();
        assert_eq!(axon_store::EventLog::count(&store).await.unwrap(), 20);
        return;
    }
    let copy = tempfile::tempdir().unwrap();
    for f in ["axon.db", "axon.db-wal"] {
        if dir.join(f).exists() {
            std::fs::copy(dir.join(f), copy.path().join(f)).unwrap();
        }
    }
    let store = axon_store::sqlite::SqliteStore::open(copy.path()).unwrap();
    assert_eq!(
        axon_store::EventLog::count(&store).await.unwrap(),
        20,
        "a copy of the files taken while running holds every acked event"
    );
}

#[tokio::test]
async fn anonymous_clients_cannot_forge_purchases_or_approvals() {
    let app = spawn_app().await;
    let c = app.campaign("Forge").await;
    let a = app.activity(c).await;
    let view =
        json!({"triggerType": "PAGE_VIEW", "anonymousId": "v", "properties": {"activityId": a}});
    assert_eq!(app.track(view).await.status, 202);
    for forged in [
        json!({"triggerType": "PURCHASE", "userId": "x", "properties": {"activityId": a, "source": "backend", "amount": 9_000_000}}),
        json!({"triggerType": "APPROVED", "userId": "x", "properties": {"activityId": a, "source": "backend"}}),
        json!({"triggerType": "PURCHASE", "userId": "x", "properties": {"activityId": a}}),
        json!([{"triggerType": "CLICK", "userId": "x"}, {"triggerType": "PAGE_VIEW", "userId": "x", "properties": {"source": "backend"}}]),
    ] {
        let r = app.track(forged.clone()).await;
        assert_error(&r, 403, "BACKEND_EVENT_FORBIDDEN");
        assert!(
            r.body["errors"][0]["index"].is_number(),
            "{forged}: {:?}",
            r.body
        );
    }
    // Sent as text/plain (the tracker's beacon path) it is refused too.
    let beacon = app
        .client
        .post(app.url(EVENTS))
        .header("content-type", "text/plain")
        .body(r#"{"triggerType":"PURCHASE","userId":"x","properties":{"source":"backend"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(beacon.status(), 403);
    let (viewer, admin) = (
        app.post("/api/v1/api-keys", json!({"name": "v", "role": "VIEWER"}))
            .await,
        app.post("/api/v1/api-keys", json!({"name": "b", "role": "ADMIN"}))
            .await,
    );
    let purchase = json!({"triggerType": "PURCHASE", "userId": "buyer", "properties": {"activityId": a, "source": "backend", "amount": 900}});
    let as_key = |k: String| {
        let (app, purchase) = (&app, &purchase);
        async move {
            app.call(Method::POST, EVENTS, Some(&k), Some(purchase))
                .await
        }
    };
    assert_error(
        &as_key(viewer.body["key"].as_str().unwrap().into()).await,
        403,
        "FORBIDDEN",
    );
    assert_error(&as_key("not-a-key".into()).await, 401, "UNAUTHORIZED");
    let r = app
        .call(
            Method::GET,
            &format!("{EVENTS}?triggerType=PURCHASE"),
            Some(ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(r.body["total"], 0, "nothing forged was stored");
    let o = app
        .get(&format!("/api/v1/dashboard/activity/{a}?widgets=overview"))
        .await;
    assert_eq!(
        o.body["data"]["overview"]["purchaseCount"], 0,
        "{:?}",
        o.body
    );
    assert_eq!(
        as_key(admin.body["key"].as_str().unwrap().into())
            .await
            .status,
        202,
        "a backend key may"
    );
    let o = app
        .get(&format!("/api/v1/dashboard/activity/{a}?widgets=overview"))
        .await;
    assert_eq!(o.body["data"]["overview"]["purchaseCount"], 1);
}
