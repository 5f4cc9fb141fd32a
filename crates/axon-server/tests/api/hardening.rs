//! The smaller holes of issue 16: every error in our JSON shape (also on the pages' routes and
//! the login form), DRAFT activities invisible to shoppers, and save-time limits on coupon
//! references, quantities and trigger payloads.

use crate::helpers::*;
use serde_json::{json, Value};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The answer must be our JSON error (`{"error": CODE, "message": …}`), not plain text.
async fn json_error(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    let text = r.text().await.unwrap();
    assert!(ct.starts_with("application/json"), "{ct}: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
    v
}

#[tokio::test]
async fn rejections_on_pages_and_the_login_form_are_json() {
    let app = spawn_app().await;
    let c = no_redirects();
    for path in [
        "/admin/dashboard/abc",
        "/admin/dashboard/campaign/1x",
        "/admin/dashboard/cohort/%FF",
        "/demo/shop/activity/nope",
    ] {
        json_error(c.get(app.url(path)).send().await.unwrap(), 400).await;
    }
    // A login form without its field, with the wrong type, and far over the body limit.
    json_error(
        c.post(app.url("/admin/login"))
            .form(&[("next", "/")])
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    json_error(
        c.post(app.url("/admin/login"))
            .body("key=x")
            .send()
            .await
            .unwrap(),
        415,
    )
    .await;
    let big = format!("key={}", "k".repeat(2 * 1024 * 1024));
    json_error(
        c.post(app.url("/admin/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(big)
            .send()
            .await
            .unwrap(),
        413,
    )
    .await;
}

#[tokio::test]
async fn a_draft_activity_is_invisible_to_shoppers() {
    let app = spawn_app().await;
    let c = app.campaign("Draft").await;
    let r = app
        .post(
            &format!("/api/v1/campaigns/{c}/activities"),
            json!({"name": "secret deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 5,
                   "startDate": "2026-11-01", "endDate": "2027-11-30"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "DRAFT");
    let id = r.body["id"].as_i64().unwrap();
    let shop = no_redirects()
        .get(app.url(&format!("/demo/shop/activity/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(shop.status(), 404);
    assert!(!shop.text().await.unwrap().contains("secret deal"));
    let stock = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/activities/{id}/stock"),
            None,
            None,
        )
        .await;
    assert_eq!(stock.status, 404, "{:?}", stock.body);
    let r = app
        .patch(
            &format!("/api/v1/activities/{id}/status"),
            json!({"status": "ACTIVE"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let stock = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/activities/{id}/stock"),
            None,
            None,
        )
        .await;
    assert_eq!(stock.status, 200, "published, it is visible");
}

#[tokio::test]
async fn unknown_coupons_huge_quantities_and_big_payloads_are_refused_on_save() {
    let app = spawn_app().await;
    let c = app.campaign("Limits").await;
    let base = json!({"name": "deal", "activityType": "COUPON", "limitCount": 5,
                      "startDate": "2026-11-01", "endDate": "2026-11-30"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let url = format!("/api/v1/campaigns/{c}/activities");
    let r = app.post(&url, with("couponId", json!(999))).await;
    assert_error(&r, 400, "COUPON_NOT_FOUND");
    let r = app.post(&url, with("quantity", json!(i64::MAX))).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert!(r
        .body
        .to_string()
        .contains("quantity must be between 1 and 1000000"));
    let r = app
        .post(
            "/api/v1/event-definitions",
            json!({"name": "huge", "triggerType": "CLICK",
                   "triggerPayload": {"selector": "#buy", "junk": "x".repeat(100_000)}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert!(r.body.to_string().contains("at most 4096 bytes"));
}
