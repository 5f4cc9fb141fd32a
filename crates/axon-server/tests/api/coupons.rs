//! Coupons and giveaways (SPEC §3.4).

use crate::gate_support::*;
use crate::helpers::*;
use serde_json::{json, Value};

async fn coupon(app: &TestApp, body: Value) -> i64 {
    let r = app.post("/api/v1/coupons", body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn coupon_crud_validates_and_refuses_deleting_issued_coupons() {
    let g = spawn_gate(300, 600).await;
    let app = &g.app;
    let base = json!({"name": "10%", "discountRate": 10, "startDate": "2026-11-01", "endDate": "2026-11-30"});
    let id = coupon(app, base.clone()).await;
    for bad in [
        json!({"name": "x", "discountRate": 10, "discountAmount": 5, "startDate": "2026-11-01", "endDate": "2026-11-30"}),
        json!({"name": "x", "startDate": "2026-11-01", "endDate": "2026-11-30"}),
        json!({"name": "x", "discountRate": 150, "startDate": "2026-11-01", "endDate": "2026-11-30"}),
        json!({"name": "", "discountAmount": 5, "startDate": "2026-11-01", "endDate": "2026-11-30"}),
        json!({"name": "x", "discountAmount": 5, "startDate": "2026-11-30", "endDate": "2026-11-01"}),
        json!({"name": "x", "discountAmount": 5, "startDate": "2026-11-01"}),
    ] {
        assert_eq!(
            app.post("/api/v1/coupons", bad.clone()).await.status,
            400,
            "{bad}"
        );
    }
    let mut upd = base.clone();
    upd["name"] = json!("15%");
    upd["discountRate"] = json!(15);
    assert_eq!(
        app.put(&format!("/api/v1/coupons/{id}"), upd).await.body["discountRate"],
        15
    );
    assert_eq!(app.get("/api/v1/coupons").await.body["total"], 1);
    assert_error(
        &app.get("/api/v1/coupons/77").await,
        404,
        "COUPON_NOT_FOUND",
    );
    let a = g
        .activity(json!({"activityType": "COUPON", "couponId": id, "limitCount": 1}))
        .await;
    assert_eq!(g.enter(a, "x", json!({})).await.status, 200);
    assert_error(
        &app.delete(&format!("/api/v1/coupons/{id}")).await,
        409,
        "COUPON_IN_USE",
    );
    let other = coupon(app, base).await;
    assert_eq!(
        app.delete(&format!("/api/v1/coupons/{other}")).await.status,
        204
    );
}

#[tokio::test]
async fn coupon_activities_issue_one_coupon_per_user_up_to_the_limit_and_coupons_apply_once() {
    let g = spawn_gate(300, 600).await;
    let app = &g.app;
    let c = coupon(
        app,
        json!({"name": "5,000 off TVs", "discountAmount": 5_000, "minOrderAmount": 20_000, "targetCategory": "TV",
            "startDate": "2026-11-01", "endDate": "2026-11-30"}),
    )
    .await;
    let a = g
        .activity(json!({"activityType": "COUPON", "couponId": c, "limitCount": 2}))
        .await;
    let r = g.enter(a, "u1", json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let uc = r.body["userCouponId"].as_i64().unwrap();
    assert_eq!(r.body["reservationToken"], Value::Null);
    assert_eq!(g.enter(a, "u2", json!({})).await.status, 200);
    assert_error(&g.enter(a, "u1", json!({})).await, 409, "DUPLICATED");
    assert_error(&g.enter(a, "u3", json!({})).await, 410, "SOLD_OUT");
    let mine = app.get("/api/v1/users/u1/coupons").await;
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["coupons"][0]["status"], "ISSUED");
    let check_path = format!("/api/v1/user-coupons/{uc}/check");
    let check =
        |price: i64, cat: &str| app.post(&check_path, json!({"price": price, "category": cat}));
    assert_eq!(
        check(30_000, "TV").await.body,
        json!({"applicable": true, "discount": 5_000, "finalPrice": 25_000})
    );
    assert_eq!(check(10_000, "TV").await.body["applicable"], false);
    assert_eq!(check(30_000, "Phone").await.body["applicable"], false);
    let r = app
        .post(
            &format!("/api/v1/user-coupons/{uc}/use"),
            json!({"price": 10_000, "category": "TV"}),
        )
        .await;
    assert_error(&r, 409, "COUPON_NOT_APPLICABLE");
    let r = app
        .post(
            &format!("/api/v1/user-coupons/{uc}/use"),
            json!({"price": 30_000, "category": "TV"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["userCoupon"]["status"], "USED");
    assert_eq!(r.body["finalPrice"], 25_000);
    let r = app
        .post(
            &format!("/api/v1/user-coupons/{uc}/use"),
            json!({"price": 30_000, "category": "TV"}),
        )
        .await;
    assert_error(&r, 409, "COUPON_NOT_APPLICABLE");
    g.clock.advance_ms(30 * 86_400_000);
    let theirs = app.get("/api/v1/users/u2/coupons").await;
    assert_eq!(theirs.body["coupons"][0]["status"], "EXPIRED");
    assert_error(
        &app.post("/api/v1/user-coupons/999/check", json!({"price": 1}))
            .await,
        404,
        "USER_COUPON_NOT_FOUND",
    );
    let no_coupon = g.activity(json!({"activityType": "COUPON"})).await;
    g.clock.advance_ms(-30 * 86_400_000);
    assert_error(
        &g.enter(no_coupon, "u1", json!({})).await,
        400,
        "COUPON_NOT_CONFIGURED",
    );
}

#[tokio::test]
async fn giveaways_collect_entries_and_draw_winners_with_a_recorded_seed() {
    let g = spawn_gate(300, 600).await;
    let app = &g.app;
    let a = g
        .activity(json!({"activityType": "GIVEAWAY", "limitCount": 2, "endDate": "2026-11-20"}))
        .await;
    let b = g
        .activity(json!({"activityType": "GIVEAWAY", "limitCount": 2, "endDate": "2026-11-20"}))
        .await;
    for i in 0..6 {
        for act in [a, b] {
            let r = g.enter(act, &format!("g{i}"), json!({})).await;
            assert_eq!(
                (r.status, &r.body["order"]),
                (200, &json!(i + 1)),
                "{:?}",
                r.body
            );
        }
    }
    assert_error(&g.enter(a, "g0", json!({})).await, 409, "DUPLICATED");
    assert_error(
        &app.post(&format!("/api/v1/activities/{a}/draw"), json!({}))
            .await,
        409,
        "DRAW_TOO_EARLY",
    );
    assert_error(
        &app.get(&format!("/api/v1/activities/{a}/draw")).await,
        404,
        "NOT_DRAWN",
    );
    g.clock.advance_ms(10 * 86_400_000);
    assert_error(&g.enter(a, "late", json!({})).await, 400, "ACTIVITY_CLOSED");
    let d = app
        .post(&format!("/api/v1/activities/{a}/draw"), Value::Null)
        .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["participants"], 6);
    assert_eq!(d.body["winners"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get(&format!("/api/v1/activities/{a}/draw")).await.body,
        d.body
    );
    assert_error(
        &app.post(&format!("/api/v1/activities/{a}/draw"), json!({}))
            .await,
        409,
        "ALREADY_DRAWN",
    );
    let (approved, list) = g.entries(a, Some("APPROVED")).await;
    assert_eq!(approved, 2);
    let mut won: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["userId"].as_str().unwrap())
        .collect();
    won.sort_unstable();
    let mut drawn: Vec<&str> = d.body["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    drawn.sort_unstable();
    assert_eq!(won, drawn);
    assert_eq!(g.entries(a, Some("REJECTED")).await.0, 4);
    // The recorded seed replays the same draw.
    let seed: u64 = d.body["seed"].as_str().unwrap().parse().unwrap();
    let replay = app
        .post(
            &format!("/api/v1/activities/{b}/draw"),
            json!({"seed": seed}),
        )
        .await;
    assert_eq!(replay.body["winners"], d.body["winners"]);
    let fcfs = g.activity(json!({})).await;
    assert_error(
        &app.post(&format!("/api/v1/activities/{fcfs}/draw"), json!({}))
            .await,
        400,
        "NOT_A_GIVEAWAY",
    );
}
