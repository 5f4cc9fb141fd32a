use crate::helpers::*;

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
