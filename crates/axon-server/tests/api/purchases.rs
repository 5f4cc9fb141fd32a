//! Purchases (SPEC §4): idempotent on orderId, stock never below zero, profile and events.

use crate::gate_support::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn purchases_are_idempotent_on_order_id_and_decrease_stock() {
    let g = spawn_gate(300, 600).await;
    let app = &g.app;
    let p = app
        .post(
            "/api/v1/products",
            json!({"name": "Phone", "price": 500_000, "stock": 5}),
        )
        .await;
    let product = p.body["id"].as_i64().unwrap();
    let body = json!({"userId": 123, "productId": product, "price": 500_000, "quantity": 2, "orderId": "ORD-1"});
    let r = app.post("/api/v1/purchases", body.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["purchaseType"], "SHOP");
    assert_eq!(r.body["userId"], "123");
    let again = app.post("/api/v1/purchases", body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, r.body);
    assert_eq!(
        app.get(&format!("/api/v1/products/{product}")).await.body["stock"],
        3
    );
    let r = app
        .post("/api/v1/purchases", json!({"userId": "123", "productId": product, "price": 500_000, "quantity": 4, "orderId": "ORD-2"}))
        .await;
    assert_error(&r, 409, "OUT_OF_STOCK");
    assert_eq!(
        app.get(&format!("/api/v1/products/{product}")).await.body["stock"],
        3
    );
    let list = app.get("/api/v1/users/123/purchases").await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["totalAmount"], 1_000_000);
    assert_eq!(
        app.get("/api/v1/users/123").await.body["lastPurchaseAt"],
        "2026-11-15T00:00:00Z"
    );
    // A promotion purchase names its activity; one per (activity, user).
    let a = g.activity(json!({})).await;
    let promo = json!({"userId": "123", "productId": product, "activityId": a, "price": 400_000, "quantity": 1, "orderId": "ORD-3"});
    let r = app.post("/api/v1/purchases", promo).await;
    assert_eq!(
        (r.status, &r.body["purchaseType"]),
        (201, &json!("CAMPAIGNACTIVITY"))
    );
    let r = app
        .post("/api/v1/purchases", json!({"userId": "123", "productId": product, "activityId": a, "price": 1, "quantity": 1, "orderId": "ORD-4"}))
        .await;
    assert_error(&r, 409, "DUPLICATE_PURCHASE");
    let events = app
        .get("/api/v1/behavior/events?triggerType=PURCHASE")
        .await;
    assert_eq!(events.body["total"], 2, "{:?}", events.body);
}

#[tokio::test]
async fn bad_purchase_input_gets_4xx_json_and_changes_nothing() {
    let g = spawn_gate(300, 600).await;
    let app = &g.app;
    let p = app
        .post(
            "/api/v1/products",
            json!({"name": "Phone", "price": 500, "stock": 5}),
        )
        .await;
    let product = p.body["id"].as_i64().unwrap();
    let ok =
        json!({"userId": "u", "productId": product, "price": 500, "quantity": 1, "orderId": "O"});
    let bad = [
        ("userId", json!("")),
        ("userId", json!(1.5)),
        ("productId", json!("x")),
        ("price", json!(-1)),
        ("quantity", json!(0)),
        ("orderId", json!("")),
        ("purchasedAt", json!("yesterday")),
        ("purchasedAt", json!("2027-01-01T00:00:00Z")),
        ("extra", json!(1)),
    ];
    for (k, v) in bad {
        let mut b = ok.clone();
        b[k] = v.clone();
        let r = app.post("/api/v1/purchases", b).await;
        assert_eq!(r.status, 400, "{k}={v}: {:?}", r.body);
        assert!(r.body["error"].is_string());
    }
    let mut b = ok.clone();
    b["productId"] = json!(999);
    assert_error(
        &app.post("/api/v1/purchases", b).await,
        404,
        "PRODUCT_NOT_FOUND",
    );
    let mut b = ok.clone();
    b["activityId"] = json!(999);
    assert_error(
        &app.post("/api/v1/purchases", b).await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    let r = app
        .call(Method::POST, "/api/v1/purchases", None, Some(&ok))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(app.get("/api/v1/users/u/purchases").await.body["total"], 0);
    assert_eq!(
        app.get(&format!("/api/v1/products/{product}")).await.body["stock"],
        5
    );
}
