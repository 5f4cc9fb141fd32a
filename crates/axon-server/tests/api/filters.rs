//! Entry filters (SPEC §3.3): every operator passing and failing, and missing profile data.

use crate::gate_support::*;
use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn every_filter_operator_passes_and_fails_as_specified() {
    let g = spawn_gate(300, 600).await;
    let r = g
        .app
        .put(
            "/api/v1/users/fu",
            json!({"grade": "GOLD", "age": 30, "region": "서울특별시-강남구", "lastPurchaseAt": "2026-10-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    g.app.put("/api/v1/users/bare", json!({})).await;
    let cases = [
        (
            json!({"type": "AGE", "operator": "GTE", "values": [30]}),
            json!({"type": "AGE", "operator": "GTE", "values": [31]}),
        ),
        (
            json!({"type": "AGE", "operator": "LTE", "values": [30]}),
            json!({"type": "AGE", "operator": "LTE", "values": [29]}),
        ),
        (
            json!({"type": "AGE", "operator": "BETWEEN", "values": [20, 39]}),
            json!({"type": "AGE", "operator": "BETWEEN", "values": [31, 39]}),
        ),
        (
            json!({"type": "AGE", "operator": "NOT_GTE", "values": [31]}),
            json!({"type": "AGE", "operator": "NOT_GTE", "values": [30]}),
        ),
        (
            json!({"type": "AGE", "operator": "NOT_LTE", "values": [29]}),
            json!({"type": "AGE", "operator": "NOT_LTE", "values": [30]}),
        ),
        (
            json!({"type": "AGE", "operator": "NOT_BETWEEN", "values": [31, 40]}),
            json!({"type": "AGE", "operator": "NOT_BETWEEN", "values": [20, 30]}),
        ),
        (
            json!({"type": "GRADE", "operator": "IN", "values": ["GOLD", "VIP"]}),
            json!({"type": "GRADE", "operator": "IN", "values": ["VIP"]}),
        ),
        (
            json!({"type": "GRADE", "operator": "NOT_IN", "values": ["VIP"]}),
            json!({"type": "GRADE", "operator": "NOT_IN", "values": ["GOLD"]}),
        ),
        (
            json!({"type": "REGION", "operator": "IN", "values": ["서울특별시"]}),
            json!({"type": "REGION", "operator": "IN", "values": ["부산광역시"]}),
        ),
        (
            json!({"type": "REGION", "operator": "NOT_IN", "values": ["부산광역시"]}),
            json!({"type": "REGION", "operator": "NOT_IN", "values": ["서울특별시"]}),
        ),
        (
            json!({"type": "RECENT_PURCHASE", "operator": "BETWEEN", "values": ["2026-09-01T00:00:00Z", "2026-10-31T00:00:00Z"]}),
            json!({"type": "RECENT_PURCHASE", "operator": "BETWEEN", "values": ["2026-10-02T00:00:00Z", "2026-10-31T00:00:00Z"]}),
        ),
        (
            json!({"type": "RECENT_PURCHASE", "operator": "NOT_BETWEEN", "values": ["2026-10-02T00:00:00Z", "2026-10-31T00:00:00Z"]}),
            json!({"type": "RECENT_PURCHASE", "operator": "NOT_BETWEEN", "values": ["2026-09-01T00:00:00Z", "2026-10-31T00:00:00Z"]}),
        ),
        (
            json!({"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["2026-09-01T00:00:00Z"]}),
            json!({"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["2026-10-02T00:00:00Z"]}),
        ),
        (
            json!({"type": "RECENT_PURCHASE", "operator": "LTE", "values": ["2026-10-02T00:00:00Z"]}),
            json!({"type": "RECENT_PURCHASE", "operator": "LTE", "values": ["2026-09-01T00:00:00Z"]}),
        ),
    ];
    for (pass, fail) in cases {
        let a = g.activity(json!({"filters": [pass.clone()]})).await;
        let r = g.enter(a, "fu", json!({})).await;
        assert_eq!(r.status, 200, "{pass} should pass: {:?}", r.body);
        let b = g.activity(json!({"filters": [fail.clone()]})).await;
        let r = g.enter(b, "fu", json!({})).await;
        assert_error(&r, 400, "NOT_ELIGIBLE");
        assert_eq!(r.body["filter"]["type"], fail["type"], "{fail}");
        assert!(r.body["reason"].as_str().is_some_and(|s| !s.is_empty()));
        // Missing profile data is refused with a reason.
        let r = g.enter(a, "bare", json!({})).await;
        assert_error(&r, 400, "NOT_ELIGIBLE");
        assert!(
            r.body["reason"].as_str().unwrap().contains("no "),
            "{:?}",
            r.body
        );
        let r = g.enter(a, "nobody", json!({})).await;
        assert_error(&r, 400, "NOT_ELIGIBLE");
    }
    // Bad filters are refused when the activity is saved.
    let c = g.app.campaign("bad-filters").await;
    let r = g
        .app
        .post(
            &format!("/api/v1/campaigns/{c}/activities"),
            json!({"name": "x", "activityType": "FIRST_COME_FIRST_SERVE", "startDate": "2026-11-01", "endDate": "2026-11-30",
                "filters": [{"type": "AGE", "operator": "BETWEEN", "values": [1]}]}),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
}

/// A refusal carries what a page needs to phrase it in the shopper's language: the failing
/// filter, the profile field that was missing (or null) and a reason in words.
#[tokio::test]
async fn not_eligible_names_the_condition_in_words_and_what_was_missing() {
    let g = spawn_gate(300, 600).await;
    g.app
        .put(
            "/api/v1/users/silver",
            json!({"grade": "SILVER", "age": 31}),
        )
        .await;
    g.app.put("/api/v1/users/nograde", json!({"age": 31})).await;
    let a = g
        .activity(
            json!({"filters": [{"type": "GRADE", "operator": "IN", "values": ["GOLD", "VIP"]}]}),
        )
        .await;
    let r = g.enter(a, "silver", json!({})).await;
    assert_error(&r, 400, "NOT_ELIGIBLE");
    assert_eq!(
        r.body["filter"],
        json!({"type": "GRADE", "operator": "IN", "values": ["GOLD", "VIP"]})
    );
    assert_eq!(r.body["missing"], json!(null), "{:?}", r.body);
    assert_eq!(
        r.body["reason"],
        "only users whose grade is one of GOLD, VIP may enter"
    );
    assert_eq!(
        r.body["message"],
        "not eligible for this activity: only users whose grade is one of GOLD, VIP may enter"
    );
    let r = g.enter(a, "nograde", json!({})).await;
    assert_error(&r, 400, "NOT_ELIGIBLE");
    assert_eq!(r.body["missing"], "grade", "{:?}", r.body);
    let r = g.enter(a, "stranger", json!({})).await;
    assert_error(&r, 400, "NOT_ELIGIBLE");
    assert_eq!(r.body["missing"], "profile", "{:?}", r.body);
    let b = g
        .activity(json!({"filters": [{"type": "RECENT_PURCHASE", "operator": "GTE", "values": ["2026-01-01"]}]}))
        .await;
    let r = g.enter(b, "silver", json!({})).await;
    assert_eq!(r.body["missing"], "lastPurchaseAt", "{:?}", r.body);
}
