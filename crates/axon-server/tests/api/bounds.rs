//! Bounded dates and work (issue 16): every date the API accepts lies within the horizon
//! (facts 2000-01-01 … now + 24 h, plans up to a decade ahead), cohort windows named by the
//! caller are at most 400 days, and `page × size` can never overflow — each a clear 400.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_purchase_or_event_dated_before_the_horizon_is_refused() {
    let app = spawn_app().await;
    let p = app
        .post(
            "/api/v1/products",
            json!({"name": "Phone", "price": 1000, "stock": 5}),
        )
        .await;
    let product = p.body["id"].as_i64().unwrap();
    for at in [
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "2999-01-01T00:00:00Z",
    ] {
        let r = app
            .post(
                "/api/v1/purchases",
                json!({"userId": "u", "productId": product, "price": 1000, "quantity": 1, "orderId": format!("o-{at}"), "purchasedAt": at}),
            )
            .await;
        assert_error(&r, 400, "DATE_OUT_OF_RANGE");
        let e = app
            .track(json!({"triggerType": "PAGE_VIEW", "anonymousId": "a", "occurredAt": at}))
            .await;
        assert_error(&e, 400, "INVALID_EVENTS");
        let why = e.body["errors"][0]["reasons"][0].as_str().unwrap();
        assert!(why.contains("must lie between 2000-01-01"), "{why}");
    }
    let c = app.campaign("Old").await;
    let r = app
        .post(
            &format!("/api/v1/campaigns/{c}/activities"),
            json!({"name": "ancient", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 1,
                   "startDate": "0001-01-01", "endDate": "2026-12-31"}),
        )
        .await;
    assert_error(&r, 400, "DATE_OUT_OF_RANGE");
}

#[tokio::test]
async fn cohort_windows_and_pages_are_bounded() {
    let app = spawn_app().await;
    let c = app.campaign("C").await;
    let a = app.activity(c).await;
    for q in [
        format!("/api/v1/dashboard/cohort/campaign/{c}?granularity=week&startDate=0001-01-01"),
        format!("/api/v1/dashboard/cohort/activity/{a}?startDate=2020-01-01&endDate=2026-01-01"),
        format!("/api/v1/dashboard/cohort/activity/{a}/retention?startDate=2001-01-01"),
    ] {
        assert_error(&app.get(&q).await, 400, "INVALID_PERIOD");
    }
    let huge = usize::MAX;
    let r = app
        .get(&format!(
            "/api/v1/dashboard/activity/{a}/funnel/dropoff?page={huge}&size=1000"
        ))
        .await;
    assert_error(&r, 400, "INVALID_QUERY");
    let r = app
        .get(&format!(
            "/api/v1/activities/{a}/entries?page={}&size=100",
            i64::MAX
        ))
        .await;
    assert_error(&r, 400, "INVALID_QUERY");
}
