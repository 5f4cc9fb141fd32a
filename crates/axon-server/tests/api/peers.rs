//! What every peer's dashboard has (issue 10): the global overview split by a dimension, the
//! drop-off list as a CSV download, and an activity cohort's retention matrix.

use crate::helpers::*;
use serde_json::{json, Value};

fn rows(v: &Value) -> Vec<Value> {
    v["data"]["breakdown"]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no breakdown rows: {v}"))
        .clone()
}

fn row<'a>(rows: &'a [Value], value: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["value"] == value)
        .unwrap_or_else(|| panic!("no row {value}: {rows:?}"))
}

#[tokio::test]
async fn the_global_overview_splits_every_campaign_by_a_dimension() {
    let app = spawn_app().await;
    let c1 = app.campaign("One").await;
    let c2 = app.campaign("Two").await;
    let (a1, a2) = (app.activity(c1).await, app.activity(c2).await);
    let url = |a: i64, src: &str| {
        format!("https://shop.example/campaign-activity/{a}/view?utm_source={src}")
    };
    let events = json!([
        {"triggerType": "PAGE_VIEW", "anonymousId": "g1", "pageUrl": url(a1, "naver")},
        {"triggerType": "PAGE_VIEW", "anonymousId": "g2", "pageUrl": url(a2, "naver")},
        {"triggerType": "PAGE_VIEW", "anonymousId": "g3", "pageUrl": url(a2, "kakao")},
        {"triggerType": "CLICK", "anonymousId": "g3", "pageUrl": url(a2, "kakao")}
    ]);
    assert_eq!(app.track(events).await.status, 202);
    let split = app
        .get("/api/v1/dashboard/overview?period=7d&breakdown=utm_source")
        .await;
    assert_eq!(split.status, 200, "{:?}", split.body);
    let r = rows(&split.body);
    assert_eq!(split.body["data"]["breakdown"]["dimension"], "utm_source");
    assert_eq!(
        row(&r, "naver")["totalVisits"],
        2,
        "both campaigns' naver visits"
    );
    assert_eq!(row(&r, "kakao")["funnel"], json!([1, 1, 0, 0]));
    let visits: i64 = r.iter().map(|r| r["totalVisits"].as_i64().unwrap()).sum();
    assert_eq!(
        json!(visits),
        split.body["data"]["totals"]["totalVisits"],
        "the split adds up to the totals"
    );
    let plain = app.get("/api/v1/dashboard/overview?period=7d").await;
    assert!(
        plain.body["data"].get("breakdown").is_none(),
        "no split unless asked"
    );
    assert_error(
        &app.get("/api/v1/dashboard/overview?breakdown=shoe_size")
            .await,
        400,
        "INVALID_BREAKDOWN",
    );
}

#[tokio::test]
async fn a_drop_off_list_downloads_as_csv_with_a_header_row() {
    let app = spawn_app().await;
    let c = app.campaign("Drop").await;
    let a = app.activity(c).await;
    let pv = |who: &str| json!({"triggerType": "PAGE_VIEW", "anonymousId": who, "properties": {"activityId": a}});
    let events = json!([pv("d1"), pv("d2"), pv("d3,\"odd\""),
        {"triggerType": "CLICK", "anonymousId": "d1", "properties": {"activityId": a}}]);
    assert_eq!(app.track(events).await.status, 202);
    let path = format!("/api/v1/dashboard/activity/{a}/funnel/dropoff?step=VISIT");
    let page = app.get(&format!("{path}&size=1&page=1")).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    assert_eq!(
        (
            page.body["totalElements"].as_i64(),
            page.body["totalPages"].as_i64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(page.body["persons"].as_array().unwrap().len(), 1);
    app.settled().await;
    // A download link cannot set Accept: `format=csv` asks for the file.
    let r = app
        .client
        .get(app.url(&format!("{path}&format=csv")))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"dropoff-activity-{a}-VISIT.csv\"")
    );
    let bytes = r.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "Excel needs the BOM"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0], "personId,userId,anonymousId,sessionId,reachedAt",
        "{text}"
    );
    assert_eq!(
        lines.len(),
        3,
        "the whole list, not one page, and d1 who went on is not in it: {text}"
    );
    assert!(lines[1].starts_with("a:d2,,d2,,"), "{text}");
    assert!(
        lines[2].starts_with("\"a:d3,\"\"odd\"\"\",,\"d3,\"\"odd\"\"\",,"),
        "a comma and quotes are quoted: {text}"
    );
    let json_anyway = app
        .client
        .get(app.url(&format!("{path}&format=json")))
        .bearer_auth(ADMIN_KEY)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(json_anyway.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_error(
        &app.get(&format!("{path}&format=xlsx")).await,
        400,
        "INVALID_FORMAT",
    );
}

#[tokio::test]
async fn an_activity_cohort_has_a_weekly_and_monthly_retention_matrix() {
    let app = spawn_app().await;
    let c = app.campaign("Retain").await;
    let a = app.activity(c).await;
    let p = app
        .post(
            "/api/v1/products",
            json!({"name": "TV", "price": 1000, "stock": 1000}),
        )
        .await;
    let product = p.body["id"].as_i64().unwrap();
    let buy = |user: &str, order: &str, activity: Option<i64>, at: &str| {
        json!({"userId": user, "productId": product, "activityId": activity, "price": 1000,
            "quantity": 1, "orderId": order, "purchasedAt": at})
    };
    // Two first-time buyers in the week of Monday 2026-11-02 (KST); u1 buys again the week
    // after (in the shop: any purchase counts), u2 never again.
    for b in [
        buy("u1", "o1", Some(a), "2026-11-03T03:00:00Z"),
        buy("u2", "o2", Some(a), "2026-11-04T03:00:00Z"),
        buy("u1", "o3", None, "2026-11-12T03:00:00Z"),
    ] {
        let r = app.post("/api/v1/purchases", b).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let path = format!("/api/v1/dashboard/cohort/activity/{a}/retention");
    let week = app.get(&format!("{path}?granularity=week")).await;
    assert_eq!(week.status, 200, "{:?}", week.body);
    assert_eq!(week.body["cohortId"], format!("activity-{a}"));
    assert_eq!(week.body["granularity"], "week");
    assert_eq!(week.body["totalCustomers"], 2);
    let first = &week.body["cohorts"][0];
    assert_eq!(first["cohort"], "2026-11-02");
    assert_eq!(first["size"], 2);
    assert_eq!(first["counts"][0], 2);
    assert_eq!(first["counts"][1], 1, "u1 bought again the next week");
    assert_eq!(first["retention"][1], 50);
    assert_eq!(first["counts"][2], 0);
    let month = app.get(&path).await;
    assert_eq!(month.body["granularity"], "month", "monthly by default");
    assert_eq!(month.body["cohorts"][0]["cohort"], "2026-11");
    assert_eq!(month.body["cohorts"][0]["retention"][0], 100);
    let cohort = app
        .get(&format!("/api/v1/dashboard/cohort/activity/{a}"))
        .await;
    assert_eq!(
        cohort.body["totalCustomers"], month.body["totalCustomers"],
        "the same cohort as the LTV page"
    );
    assert_error(
        &app.get(&format!("{path}?granularity=year")).await,
        400,
        "INVALID_QUERY",
    );
    assert_error(
        &app.get("/api/v1/dashboard/cohort/activity/999/retention")
            .await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
}
