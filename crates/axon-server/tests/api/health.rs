use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn health_ready_and_metrics_answer() {
    let app = spawn_app().await;
    let r = app.call(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("ok")));
    let r = app.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, 200);
    app.track(serde_json::json!({"triggerType": "PAGE_VIEW", "anonymousId": "a"}))
        .await;
    let text = app.text("/metrics").await;
    assert!(text.contains("axon_events_accepted_total 1"), "{text}");
    assert!(text.contains("axon_event_log_last_seq 1"), "{text}");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    assert_error(&app.get("/api/v1/nothing").await, 404, "NOT_FOUND");
    assert_error(&app.delete("/healthz").await, 405, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn the_operations_figures_count_what_was_collected_and_need_a_key() {
    let app = spawn_app().await;
    let anonymous = app
        .call(reqwest::Method::GET, "/api/v1/operations", None, None)
        .await;
    assert_error(&anonymous, 401, "UNAUTHORIZED");
    let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    let events = serde_json::json!([
        {"triggerType": "PAGE_VIEW", "anonymousId": "a", "eventId": "e1"},
        {"triggerType": "PAGE_VIEW", "anonymousId": "a", "eventId": "e1"},
        {"triggerType": "PAGE_VIEW", "anonymousId": "b", "userAgent": bot}
    ]);
    assert_eq!(app.track(events).await.status, 202);
    assert_eq!(
        app.track(serde_json::json!({"triggerType": "NOPE"}))
            .await
            .status,
        400
    );
    let r = app.get("/api/v1/operations").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let e = &r.body["events"];
    assert_eq!(
        (&e["accepted"], &e["duplicates"], &e["bots"], &e["batches"]),
        (&json!(2), &json!(1), &json!(1), &json!(1)),
        "{e}"
    );
    assert_eq!(e["rejected"], 1, "{e}");
    assert_eq!(r.body["projection"]["lastSeq"], 2);
    assert!(r.body["residentBytes"].as_u64().unwrap() > 1_000_000);
    // The same figures on /metrics.
    let text = app.text("/metrics").await;
    assert!(text.contains("axon_events_bot_total 1"), "{text}");
    assert!(text.contains("axon_process_resident_bytes "), "{text}");
}
