use crate::helpers::*;
use serde_json::{json, Value};

async fn setup(app: &TestApp) -> (i64, i64) {
    let c = app.campaign("Dash").await;
    let a = app.activity(c).await;
    (c, a)
}

fn pv(a: i64, who: &str) -> Value {
    json!({"triggerType": "PAGE_VIEW", "anonymousId": who, "properties": {"activityId": a}})
}

#[tokio::test]
async fn an_acknowledged_event_is_counted_by_the_very_next_dashboard_call() {
    let app = spawn_app().await;
    let (c, a) = setup(&app).await;
    let path = format!("/api/v1/dashboard/activity/{a}?widgets=overview,realtime");
    let before = app.get(&path).await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    assert_eq!(before.body["data"]["overview"]["totalVisits"], 0);
    for i in 0..3 {
        assert_eq!(app.track(pv(a, &format!("v{i}"))).await.status, 202);
        let after = app.get(&path).await;
        assert_eq!(after.body["data"]["overview"]["totalVisits"], i + 1);
        assert_eq!(
            after.body["data"]["realtime"]["inflowLastHour"],
            i + 1,
            "{}",
            after.body["data"]["realtime"]
        );
    }
    let click = json!({"triggerType": "CLICK", "userId": "u1", "anonymousId": "v0", "properties": {"activityId": a}});
    assert_eq!(app.track(click).await.status, 202);
    let d = app.get(&format!("/api/v1/dashboard/activity/{a}")).await;
    let f = &d.body["data"]["funnel"];
    assert_eq!(f["steps"][0]["users"], 3);
    assert_eq!(
        f["ordered"]["users"],
        json!([3, 1, 0, 0]),
        "the anonymous visit and the user's click are one person"
    );
    assert_eq!(d.body["activityId"], a);
    assert_eq!(d.body["campaignId"], c);
    assert_eq!(d.body["period"], "7d");
    for w in ["overview", "funnel", "comparison", "realtime", "trend"] {
        assert!(d.body["data"][w].is_object(), "widget {w}");
        let def = if w == "comparison" {
            &d.body["data"][w]["significance"]["verdict"]
        } else {
            &d.body["data"][w]["definition"]
        };
        assert!(def.is_string(), "definition of {w}");
    }
    let camp = app
        .get(&format!(
            "/api/v1/dashboard/campaign/{c}?widgets=overview,funnel,activities,heatmap&period=7d"
        ))
        .await;
    assert_eq!(camp.status, 200, "{:?}", camp.body);
    assert_eq!(camp.body["data"]["overview"]["totalVisits"], 3);
    assert_eq!(camp.body["data"]["activities"][0]["activityId"], a);
    let total: i64 = camp.body["data"]["heatmap"]["byHour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 3);
    let g = app.get("/api/v1/dashboard/overview?period=30d").await;
    assert_eq!(g.body["data"]["totals"]["totalVisits"], 3);
    assert_eq!(g.body["data"]["topCampaignsByVisits"][0]["campaignId"], c);
    let drop = app
        .get(&format!(
            "/api/v1/dashboard/activity/{a}/funnel/dropoff?step=VISIT"
        ))
        .await;
    assert_eq!(drop.body["totalElements"], 2, "{:?}", drop.body);
    let csv = app
        .client
        .get(app.url(&format!(
            "/api/v1/dashboard/activity/{a}/funnel/dropoff?step=ENGAGE"
        )))
        .bearer_auth(ADMIN_KEY)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap().replace("\r\n", "\n");
    assert!(
        text.trim_start_matches('\u{feff}')
            .starts_with("personId,userId,anonymousId,sessionId,reachedAt\nu:u1,u1,,,"),
        "{text}"
    );
}

#[tokio::test]
async fn dashboard_parameters_are_validated() {
    let app = spawn_app().await;
    let (c, a) = setup(&app).await;
    let base = format!("/api/v1/dashboard/activity/{a}");
    assert_error(
        &app.get(&format!("{base}?period=custom")).await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get(&format!("{base}?period=custom&startDate=2026-11-10"))
            .await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get(&format!(
            "{base}?period=custom&startDate=2026-11-10&endDate=2026-11-01"
        ))
        .await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get(&format!(
            "{base}?period=custom&startDate=2024-01-01&endDate=2026-11-01"
        ))
        .await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get(&format!("{base}?period=2w")).await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get(&format!("{base}?widgets=overview,pie")).await,
        400,
        "INVALID_WIDGETS",
    );
    assert_error(
        &app.get(&format!("{base}?widgets=heatmap")).await,
        400,
        "INVALID_WIDGETS",
    );
    assert_error(
        &app.get(&format!("{base}?breakdown=shoe_size")).await,
        400,
        "INVALID_BREAKDOWN",
    );
    assert_error(
        &app.get(&format!("{base}?conversionWindowHours=0")).await,
        400,
        "INVALID_QUERY",
    );
    assert_error(
        &app.get(&format!("{base}/funnel/dropoff?step=PURCHASE"))
            .await,
        400,
        "INVALID_STEP",
    );
    assert_error(
        &app.get(&format!("{base}/funnel/dropoff?step=FLY")).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &app.get("/api/v1/dashboard/activity/999").await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    assert_error(
        &app.get("/api/v1/dashboard/campaign/999").await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    assert_error(
        &app.get("/api/v1/dashboard/cohort/activity/999").await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    assert_error(
        &app.get("/api/v1/dashboard/cohort/campaign/999").await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    assert_error(
        &app.get(&format!(
            "/api/v1/dashboard/cohort/campaign/{c}?granularity=year"
        ))
        .await,
        400,
        "INVALID_QUERY",
    );
    assert_error(
        &app.call(reqwest::Method::GET, &base, None, None).await,
        401,
        "UNAUTHORIZED",
    );
    let custom = app.get(&format!("{base}?period=custom&startDate=2026-11-10T00:00:07&endDate=2026-11-10T00:00:09&widgets=overview")).await;
    assert_eq!(custom.status, 200);
    assert_eq!(custom.body["startDate"], "2026-11-09T15:00:07Z");
    assert_eq!(custom.body["data"].as_object().unwrap().len(), 1);
    let cohort = app
        .get(&format!("/api/v1/dashboard/cohort/activity/{a}"))
        .await;
    assert_eq!(cohort.status, 200, "{:?}", cohort.body);
    assert_eq!(
        (
            cohort.body["totalCustomers"].as_i64(),
            cohort.body["ltvCurrent"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        app.get(&format!(
            "/api/v1/dashboard/cohort/campaign/{c}?granularity=week"
        ))
        .await
        .status,
        200
    );
}

const TRIGGERS: [&str; 3] = ["PAGE_VIEW", "CLICK", "PURCHASE"];

#[tokio::test]
async fn answers_are_the_same_before_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = |dir: std::path::PathBuf| async move {
        let mut config = axon_server::Config::new(dir, axon_server::Secret::new(ADMIN_KEY));
        config.jwt_secret = axon_server::Secret::new(JWT_SECRET);
        let state = axon_server::open_state(config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(axon_server::serve(state, listener, async move {
            let _ = rx.await;
        }));
        (base, tx, handle)
    };
    let client = reqwest::Client::new();
    let get = |base: String, path: String| {
        let client = client.clone();
        async move {
            client
                .get(format!("{base}{path}"))
                .bearer_auth(ADMIN_KEY)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let (base, stop, handle) = start(dir.path().to_path_buf()).await;
    let c: Value = client
        .post(format!("{base}/api/v1/campaigns"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"name": "R", "budget": 1000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = c["id"].as_i64().unwrap_or_else(|| panic!("{c}"));
    let a: Value = client
        .post(format!("{base}/api/v1/campaigns/{cid}/activities"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"name": "A", "activityType": "FIRST_COME_FIRST_SERVE", "startDate": "2026-01-01", "endDate": "2026-12-31", "limitCount": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let aid = a["id"].as_i64().unwrap();
    let events: Vec<Value> = (0..50)
        .map(|i| json!({"triggerType": TRIGGERS[i % 3], "userId": format!("u{}", i % 7), "anonymousId": format!("a{}", i % 11), "properties": {"activityId": aid}}))
        .collect();
    client
        .post(format!("{base}/api/v1/behavior/events"))
        .bearer_auth(ADMIN_KEY)
        .json(&events)
        .send()
        .await
        .unwrap();
    let paths = [
        format!("/api/v1/dashboard/activity/{aid}?period=30d&widgets=overview,funnel,comparison,trend"),
        format!("/api/v1/dashboard/campaign/{cid}?period=30d&widgets=overview,funnel,activities,heatmap"),
        format!("/api/v1/dashboard/cohort/activity/{aid}"),
    ];
    settle(&client, &base).await;
    let mut before = Vec::new();
    for p in &paths {
        before.push(get(base.clone(), p.clone()).await);
    }
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
    let (base, _stop, _h) = start(dir.path().to_path_buf()).await;
    for (p, b) in paths.iter().zip(before) {
        let mut after = get(base.clone(), p.clone()).await;
        let mut b = b;
        for v in [&mut after, &mut b] {
            // Only the clock-derived fields may differ.
            for k in [
                "timestamp",
                "startDate",
                "endDate",
                "calculatedAt",
                "cohortEndDate",
            ] {
                v.as_object_mut().unwrap().remove(k);
            }
            if let Some(d) = v.get_mut("data").and_then(Value::as_object_mut) {
                for w in d.values_mut().filter_map(Value::as_object_mut) {
                    w.remove("definition");
                    w.remove("hourly");
                }
            }
        }
        assert_eq!(after, b, "{p}");
    }
}

#[tokio::test]
async fn a_purchase_without_browser_context_is_credited_to_the_buyers_source() {
    let app = spawn_app().await;
    let (_, a) = setup(&app).await;
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
    let page = format!("https://shop.example/campaign-activity/{a}/view?utm_source=kakao");
    // The shopper arrives from kakao on a phone; the shop's backend reports the purchase.
    let events = json!([
        {"triggerType": "PAGE_VIEW", "anonymousId": "k1", "userAgent": iphone, "pageUrl": page},
        {"triggerType": "CLICK", "userId": "buyer", "anonymousId": "k1", "userAgent": iphone, "pageUrl": page},
        {"triggerType": "PURCHASE", "userId": "buyer", "properties": {"activityId": a, "source": "backend", "amount": 900}}
    ]);
    assert_eq!(app.track_as_backend(events).await.status, 202);
    for (dim, value) in [
        ("utm_source", "kakao"),
        ("device", "mobile"),
        ("browser", "Safari"),
    ] {
        let r = app
            .get(&format!(
                "/api/v1/dashboard/activity/{a}?widgets=overview&breakdown={dim}"
            ))
            .await;
        let rows = r.body["data"]["breakdown"]["rows"].as_array().unwrap();
        let of = |v: &str| {
            rows.iter()
                .find(|r| r["value"] == v)
                .map(|r| r["purchaseCount"].clone())
        };
        assert_eq!(of(value), Some(json!(1)), "{dim}: {rows:?}");
        assert_eq!(
            of("(none)"),
            None,
            "{dim}: nothing is left unattributed: {rows:?}"
        );
    }
}

#[tokio::test]
async fn breakdowns_split_the_funnel_by_event_and_profile_properties() {
    let app = spawn_app().await;
    let (c, a) = setup(&app).await;
    let chrome = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
    let url =
        |src: &str| format!("https://shop.example/campaign-activity/{a}/view?utm_source={src}");
    let events = json!([
        {"triggerType": "PAGE_VIEW", "anonymousId": "x1", "userAgent": chrome, "pageUrl": url("naver"), "referrer": "https://www.naver.com/search"},
        {"triggerType": "PAGE_VIEW", "anonymousId": "x2", "userAgent": iphone, "pageUrl": url("kakao")},
        {"triggerType": "PAGE_VIEW", "anonymousId": "x3", "userAgent": iphone, "pageUrl": url("kakao")},
        {"triggerType": "CLICK", "userId": "u1", "anonymousId": "x2", "userAgent": iphone, "pageUrl": url("kakao")},
        {"triggerType": "PAGE_VIEW", "userId": "u9", "userAgent": chrome, "properties": {"activityId": a}}
    ]);
    assert_eq!(app.track(events).await.status, 202);
    app.put(
        "/api/v1/users/u1",
        json!({"grade": "VIP", "region": "서울특별시-강남구"}),
    )
    .await;
    let by = |dim: &str| {
        let app = &app;
        let path = format!("/api/v1/dashboard/activity/{a}?widgets=overview&breakdown={dim}");
        async move { app.get(&path).await }
    };
    let utm = by("utm_source").await;
    assert_eq!(utm.status, 200, "{:?}", utm.body);
    let rows = utm.body["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let find = |rows: &[Value], v: &str| {
        rows.iter()
            .find(|r| r["value"] == v)
            .cloned()
            .unwrap_or_else(|| panic!("no row {v}: {rows:?}"))
    };
    assert_eq!(find(&rows, "kakao")["totalVisits"], 2);
    assert_eq!(find(&rows, "kakao")["totalParticipants"], 1);
    assert_eq!(find(&rows, "naver")["totalVisits"], 1);
    assert_eq!(find(&rows, "(none)")["totalVisits"], 1);
    let device = by("device").await.body["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(find(&device, "mobile")["totalVisits"], 2);
    assert_eq!(find(&device, "desktop")["uniqueVisitors"], 2);
    let referrer = by("referrerDomain").await.body["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(find(&referrer, "naver.com")["totalVisits"], 1);
    let grade = by("grade").await.body["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        find(&grade, "VIP")["totalParticipants"],
        1,
        "x2's click is u1's, a VIP"
    );
    assert_eq!(
        find(&grade, "VIP")["totalVisits"],
        1,
        "x2 linked to u1 earlier in the batch counts as u1"
    );
    let region = by("region").await.body["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(find(&region, "서울특별시")["totalVisits"], 1);
    let camp = app
        .get(&format!(
            "/api/v1/dashboard/campaign/{c}?widgets=overview&breakdown=browser"
        ))
        .await;
    let rows = camp.body["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(find(&rows, "Safari")["totalVisits"], 2);
    assert_eq!(find(&rows, "Chrome")["totalVisits"], 2);
}

#[tokio::test]
async fn the_realtime_stock_is_the_gates_stock() {
    let g = crate::gate_support::spawn_gate(300, 600).await;
    let a = g.activity(json!({"limitCount": 5})).await;
    for (user, quantity) in [("s1", 2), ("s2", 1)] {
        let r = g.enter(a, user, json!({"quantity": quantity})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let stock = g.app.get(&format!("/api/v1/activities/{a}/stock")).await;
    let rt = g
        .app
        .get(&format!("/api/v1/dashboard/activity/{a}?widgets=realtime"))
        .await;
    let rt = &rt.body["data"]["realtime"];
    assert_eq!(stock.body["remaining"], 2);
    assert_eq!(rt["remainingStock"], stock.body["remaining"], "{rt}");
    assert_eq!(rt["heldQuantity"], stock.body["held"]);
    assert_eq!(
        (rt["totalStock"].as_i64(), rt["participants"].as_i64()),
        (Some(5), Some(2))
    );
}

#[tokio::test]
async fn the_uplift_measures_only_the_promotions_run_and_says_when_it_did_not_run() {
    let app = spawn_app().await;
    let c = app.campaign("Uplift").await;
    let p = app
        .post(
            "/api/v1/products",
            json!({"name": "TV", "price": 1000, "stock": 1000}),
        )
        .await;
    let product = p.body["id"].as_i64().unwrap();
    let a = app
        .post(
            &format!("/api/v1/campaigns/{c}/activities"),
            json!({"name": "Ended deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 10,
                "startDate": "2026-10-15", "endDate": "2026-10-20", "price": 900, "productId": product}),
        )
        .await;
    let a = a.body["id"].as_i64().unwrap();
    // Normal sales: 7 in the baseline (the 14 days before the start), 6 after the end.
    let buy = |order: String, at: &str| {
        json!({"userId": "u1", "productId": product, "price": 1000, "quantity": 1,
            "orderId": order, "purchasedAt": at})
    };
    for i in 0..7 {
        let r = app
            .post(
                "/api/v1/purchases",
                buy(format!("B{i}"), "2026-10-10T03:00:00Z"),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    for i in 0..6 {
        let r = app
            .post(
                "/api/v1/purchases",
                buy(format!("A{i}"), "2026-11-02T03:00:00Z"),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let after_the_end = app
        .get(&format!(
            "/api/v1/dashboard/activity/{a}?widgets=comparison&period=custom&startDate=2026-11-01&endDate=2026-11-03"
        ))
        .await;
    let cmp = &after_the_end.body["data"]["comparison"];
    assert_eq!(
        cmp["normalPurchases"], 6,
        "the window's sales are still shown: {cmp}"
    );
    assert_eq!(cmp["upliftPercent"], Value::Null, "{cmp}");
    assert_eq!(cmp["significance"]["verdict"], "NOT_RUNNING", "{cmp}");
}

#[tokio::test]
async fn has_data_says_whether_anything_was_ever_collected_for_the_activity() {
    let app = spawn_app().await;
    let (c, a) = setup(&app).await;
    let other = app.activity(c).await;
    let has_data = |path: String| {
        let app = &app;
        async move {
            let r = app.get(&path).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["hasData"].clone()
        }
    };
    let now = format!("/api/v1/dashboard/activity/{a}?widgets=overview");
    assert_eq!(has_data(now.clone()).await, false, "a fresh activity");
    assert_eq!(app.track(pv(other, "v1")).await.status, 202);
    assert_eq!(
        has_data(now.clone()).await,
        false,
        "another activity's event"
    );
    assert_eq!(app.track(pv(a, "v1")).await.status, 202);
    assert_eq!(has_data(now).await, true);
    // All time, not the window: a window without the event still knows the activity has data.
    let old = format!(
        "/api/v1/dashboard/activity/{a}?widgets=overview&period=custom&startDate=2020-01-01&endDate=2020-01-02"
    );
    let r = app.get(&old).await;
    assert_eq!(r.body["data"]["overview"]["totalVisits"], 0);
    assert_eq!(r.body["hasData"], true);
}

#[tokio::test]
async fn an_entry_alone_is_data_too() {
    let g = crate::gate_support::spawn_gate(300, 600).await;
    let a = g.activity(json!({"limitCount": 5})).await;
    let path = format!("/api/v1/dashboard/activity/{a}?widgets=realtime");
    assert_eq!(g.app.get(&path).await.body["hasData"], false);
    assert_eq!(g.enter(a, "s1", json!({})).await.status, 200);
    g.app.settled().await;
    assert_eq!(g.app.get(&path).await.body["hasData"], true);
}
