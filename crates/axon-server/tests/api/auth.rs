use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn admin_endpoints_need_a_valid_key() {
    let app = spawn_app().await;
    assert_error(
        &app.call(Method::GET, "/api/v1/campaigns", None, None).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &app.call(Method::GET, "/api/v1/campaigns", Some("wrong"), None)
            .await,
        401,
        "UNAUTHORIZED",
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/campaigns",
            None,
            Some(&json!({"name": "x"})),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    assert_eq!(
        app.get("/api/v1/campaigns").await.body["total"],
        0,
        "the refused write changed nothing"
    );
}

#[tokio::test]
async fn viewer_keys_read_but_cannot_write_and_revoked_keys_stop_working() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/api-keys",
            json!({"name": "analyst", "role": "VIEWER"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let key = r.body["key"].as_str().unwrap().to_string();
    let id = r.body["id"].as_i64().unwrap();
    assert!(r.body.get("hash").is_none());
    assert_eq!(
        app.call(Method::GET, "/api/v1/campaigns", Some(&key), None)
            .await
            .status,
        200
    );
    let w = app
        .call(
            Method::POST,
            "/api/v1/campaigns",
            Some(&key),
            Some(&json!({"name": "x"})),
        )
        .await;
    assert_error(&w, 403, "FORBIDDEN");
    assert_error(
        &app.call(Method::GET, "/api/v1/api-keys", Some(&key), None)
            .await,
        403,
        "FORBIDDEN",
    );
    let listed = app.get("/api/v1/api-keys").await;
    assert_eq!(listed.body["total"], 1);
    assert!(
        !listed.body.to_string().contains(&key),
        "the secret is never listed"
    );
    let revoked = app.delete(&format!("/api/v1/api-keys/{id}")).await;
    assert_eq!(revoked.status, 200);
    assert!(revoked.body["revokedAt"].is_string());
    assert_error(
        &app.call(Method::GET, "/api/v1/campaigns", Some(&key), None)
            .await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(&app.delete("/api/v1/api-keys/999").await, 404, "NOT_FOUND");
}

#[tokio::test]
async fn admin_keys_created_by_the_api_can_write() {
    let app = spawn_app().await;
    let r = app
        .post("/api/v1/api-keys", json!({"name": "ops", "role": "ADMIN"}))
        .await;
    let key = r.body["key"].as_str().unwrap().to_string();
    let w = app
        .call(
            Method::POST,
            "/api/v1/campaigns",
            Some(&key),
            Some(&json!({"name": "by ops"})),
        )
        .await;
    assert_eq!(w.status, 201);
    assert_error(
        &app.post("/api/v1/api-keys", json!({"name": "x", "role": "ROOT"}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post("/api/v1/api-keys", json!({"role": "ADMIN"})).await,
        400,
        "VALIDATION_ERROR",
    );
}
