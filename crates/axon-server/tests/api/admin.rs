use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn campaigns_crud_and_validation() {
    let app = spawn_app().await;
    let r = app.post("/api/v1/campaigns", json!({"name": " Black Friday ", "budget": 5000000, "startAt": "2026-11-20", "endAt": "2026-11-30T23:59:59"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["name"], "Black Friday");
    assert_eq!(r.body["startAt"], "2026-11-19T15:00:00Z");
    let id = r.body["id"].as_i64().unwrap();
    assert_error(
        &app.post("/api/v1/campaigns", json!({"name": "Black Friday"}))
            .await,
        409,
        "CAMPAIGN_NAME_TAKEN",
    );
    assert_error(
        &app.post("/api/v1/campaigns", json!({"name": ""})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post("/api/v1/campaigns", json!({"name": "x", "budget": -1}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post("/api/v1/campaigns", json!({"name": "x", "budget": "lots"}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post("/api/v1/campaigns", json!({"name": 5})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post(
            "/api/v1/campaigns",
            json!({"name": "x", "startAt": "2026-12-01", "endAt": "2026-11-01"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post(
            "/api/v1/campaigns",
            json!({"name": "x", "startAt": "someday"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    let bad = app
        .raw(
            Method::POST,
            "/api/v1/campaigns",
            Some(ADMIN_KEY),
            "application/json",
            "{\"name\": ",
        )
        .await;
    assert_error(&bad, 400, "MALFORMED_JSON");
    let no_type = app
        .raw(
            Method::POST,
            "/api/v1/campaigns",
            Some(ADMIN_KEY),
            "text/xml",
            "<x/>",
        )
        .await;
    assert_error(&no_type, 415, "UNSUPPORTED_MEDIA_TYPE");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    assert_error(
        &app.raw(
            Method::POST,
            "/api/v1/campaigns",
            Some(ADMIN_KEY),
            "application/json",
            huge,
        )
        .await,
        413,
        "PAYLOAD_TOO_LARGE",
    );
    assert_eq!(
        app.get("/api/v1/campaigns").await.body["total"],
        1,
        "no refused request created anything"
    );

    let u = app
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"budget": 7000000}),
        )
        .await;
    assert_eq!(
        (u.status, u.body["budget"].as_i64(), u.body["name"].as_str()),
        (200, Some(7_000_000), Some("Black Friday"))
    );
    let shown = app.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(shown.body["budget"], 7_000_000);
    assert!(shown.body["activities"].as_array().unwrap().is_empty());
    assert_error(
        &app.get("/api/v1/campaigns/999").await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    assert_error(&app.get("/api/v1/campaigns/abc").await, 400, "INVALID_PATH");
    assert_error(
        &app.put("/api/v1/campaigns/999", json!({"budget": 1})).await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    app.activity(id).await;
    assert_error(
        &app.delete(&format!("/api/v1/campaigns/{id}")).await,
        409,
        "CAMPAIGN_HAS_ACTIVITIES",
    );
    let other = app.campaign("Empty").await;
    assert_eq!(
        app.delete(&format!("/api/v1/campaigns/{other}"))
            .await
            .status,
        204
    );
    assert_error(
        &app.delete(&format!("/api/v1/campaigns/{other}")).await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
}

#[tokio::test]
async fn activities_crud_filters_and_status_machine() {
    let app = spawn_app().await;
    let c = app.campaign("C").await;
    let path = format!("/api/v1/campaigns/{c}/activities");
    let good = json!({"name": "TV", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 100, "startDate": "2026-11-01",
        "endDate": "2026-11-30", "price": 1290000, "budget": 5000000,
        "filters": [{"type": "AGE", "operator": "BETWEEN", "values": [20, 39]}, {"type": "REGION", "operator": "IN", "values": ["서울특별시"]}]});
    let r = app.post(&path, good.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "DRAFT");
    assert_eq!(
        r.body["endDate"], "2026-11-30T14:59:59.999Z",
        "a bare end date includes its whole day"
    );
    assert_eq!(r.body["filters"][0]["values"], json!(["20", "39"]));
    let id = r.body["id"].as_i64().unwrap();

    let mut bad_filter = good.clone();
    bad_filter["filters"] = json!([{"type": "AGE", "operator": "BETWEEN", "values": [20]}]);
    assert_error(&app.post(&path, bad_filter).await, 400, "INVALID_FILTER");
    let mut bad_op = good.clone();
    bad_op["filters"] = json!([{"type": "GRADE", "operator": "GTE", "values": ["GOLD"]}]);
    assert_error(&app.post(&path, bad_op).await, 400, "INVALID_FILTER");
    let mut bad_type = good.clone();
    bad_type["activityType"] = json!("LOTTERY");
    assert_error(&app.post(&path, bad_type).await, 400, "VALIDATION_ERROR");
    let mut bad_dates = good.clone();
    bad_dates["endDate"] = json!("2026-10-01");
    assert_error(&app.post(&path, bad_dates).await, 400, "VALIDATION_ERROR");
    let mut bad_limit = good.clone();
    bad_limit["limitCount"] = json!(-5);
    assert_error(&app.post(&path, bad_limit).await, 400, "VALIDATION_ERROR");
    let mut bad_product = good.clone();
    bad_product["productId"] = json!(42);
    assert_error(&app.post(&path, bad_product).await, 400, "UNKNOWN_PRODUCT");
    assert_error(
        &app.post("/api/v1/campaigns/999/activities", good.clone())
            .await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    assert_eq!(app.get(&path).await.body["total"], 1);

    let u = app
        .put(
            &format!("/api/v1/activities/{id}"),
            json!({"limitCount": null, "name": "TV 55\""}),
        )
        .await;
    assert_eq!(u.status, 200, "{:?}", u.body);
    assert!(u.body["limitCount"].is_null(), "null means unlimited");
    assert_eq!(u.body["price"], 1_290_000, "absent fields keep their value");
    assert_error(
        &app.get("/api/v1/activities/999").await,
        404,
        "ACTIVITY_NOT_FOUND",
    );

    let status = format!("/api/v1/activities/{id}/status");
    assert_error(
        &app.patch(&status, json!({"status": "PAUSED"})).await,
        409,
        "INVALID_STATUS_TRANSITION",
    );
    assert_eq!(
        app.patch(&status, json!({"status": "ACTIVE"})).await.body["status"],
        "ACTIVE"
    );
    assert_eq!(
        app.patch(&status, json!({"status": "ACTIVE"})).await.status,
        200,
        "same → same is allowed"
    );
    assert_eq!(
        app.patch(&status, json!({"status": "PAUSED"})).await.body["status"],
        "PAUSED"
    );
    assert_eq!(
        app.patch(&status, json!({"status": "ENDED"})).await.body["status"],
        "ENDED"
    );
    let back = app.patch(&status, json!({"status": "ACTIVE"})).await;
    assert_error(&back, 409, "INVALID_STATUS_TRANSITION");
    assert!(back.body["message"].as_str().unwrap().contains("ENDED"));
    assert_error(
        &app.patch(&status, json!({"status": "DONE"})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.patch(&status, json!({})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.patch("/api/v1/activities/999/status", json!({"status": "ACTIVE"}))
            .await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    assert_eq!(
        app.get(&format!("/api/v1/activities/{id}")).await.body["status"],
        "ENDED"
    );
}

#[tokio::test]
async fn products_and_user_profiles() {
    let app = spawn_app().await;
    let p = app.post("/api/v1/products", json!({"name": "OLED TV", "price": 1290000, "stock": 100, "category": "TV", "brand": "LG", "discountRate": 15.5})).await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    let id = p.body["id"].as_i64().unwrap();
    assert_eq!(p.body["discountRate"], 15.5);
    assert_error(
        &app.post(
            "/api/v1/products",
            json!({"name": "x", "price": 1, "stock": -1}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post("/api/v1/products", json!({"name": "x"})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.put(
            &format!("/api/v1/products/{id}"),
            json!({"discountRate": 101}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        app.put(&format!("/api/v1/products/{id}"), json!({"stock": 5}))
            .await
            .body["stock"],
        5
    );
    assert_eq!(app.get("/api/v1/products").await.body["total"], 1);
    assert_error(
        &app.get("/api/v1/products/77").await,
        404,
        "PRODUCT_NOT_FOUND",
    );

    let u = app
        .put(
            "/api/v1/users/u-1",
            json!({"grade": "GOLD", "age": 31, "region": "서울특별시-강남구"}),
        )
        .await;
    assert_eq!(u.status, 200, "{:?}", u.body);
    assert_eq!(u.body["userId"], "u-1");
    assert_error(
        &app.put("/api/v1/users/u-1", json!({"grade": "BRASS"}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.put("/api/v1/users/u-1", json!({"age": 400})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.put("/api/v1/users/u-1", json!({"age": "old"})).await,
        400,
        "VALIDATION_ERROR",
    );
    let partial = app.put("/api/v1/users/u-1", json!({"age": 32})).await;
    assert_eq!(
        (partial.body["age"].as_i64(), partial.body["grade"].as_str()),
        (Some(32), Some("GOLD"))
    );
    assert_eq!(
        app.get("/api/v1/users/u-1").await.body["region"],
        "서울특별시-강남구"
    );
    assert_error(
        &app.get("/api/v1/users/nobody").await,
        404,
        "USER_NOT_FOUND",
    );
}

#[tokio::test]
async fn event_definitions_and_the_public_active_list() {
    let app = spawn_app().await;
    let pv = app.post("/api/v1/event-definitions", json!({"name": "activity view", "triggerType": "PAGE_VIEW", "triggerPayload": {"urlPattern": "/campaign-activity/*/view"}})).await;
    assert_eq!(pv.status, 201, "{:?}", pv.body);
    let click = app.post("/api/v1/event-definitions", json!({"name": "buy click", "triggerType": "CLICK", "triggerPayload": {"selector": "#buy"}})).await;
    let click_id = click.body["id"].as_i64().unwrap();
    assert_error(
        &app.post(
            "/api/v1/event-definitions",
            json!({"name": "x", "triggerType": "CLICK", "triggerPayload": {}}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.post(
            "/api/v1/event-definitions",
            json!({"name": "x", "triggerType": "HOVER"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    let public = app
        .call(Method::GET, "/api/v1/event-definitions/active", None, None)
        .await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["definitions"].as_array().unwrap().len(), 2);
    let only_clicks = app
        .call(
            Method::GET,
            "/api/v1/event-definitions/active?triggerType=CLICK",
            None,
            None,
        )
        .await;
    assert_eq!(
        only_clicks.body["definitions"][0]["triggerPayload"]["selector"],
        "#buy"
    );
    assert_error(
        &app.call(
            Method::GET,
            "/api/v1/event-definitions/active?triggerType=NOPE",
            None,
            None,
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    let off = app
        .put(
            &format!("/api/v1/event-definitions/{click_id}"),
            json!({"status": "INACTIVE"}),
        )
        .await;
    assert_eq!(off.body["status"], "INACTIVE");
    let after = app
        .call(Method::GET, "/api/v1/event-definitions/active", None, None)
        .await;
    assert_eq!(after.body["definitions"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.delete(&format!("/api/v1/event-definitions/{click_id}"))
            .await
            .status,
        204
    );
    assert_error(
        &app.get(&format!("/api/v1/event-definitions/{click_id}"))
            .await,
        404,
        "DEFINITION_NOT_FOUND",
    );
    assert_eq!(app.get("/api/v1/event-definitions").await.body["total"], 1);
}
