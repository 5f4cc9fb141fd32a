//! CSV exports: one widget (or part) of a dashboard, and the raw events of a window — RFC 4180,
//! UTF-8 with a byte-order mark, as named downloads.

use crate::helpers::*;
use serde_json::json;

/// The body of a CSV download, checked for its type, name and byte-order mark.
async fn download(app: &TestApp, path: &str, file: &str) -> Vec<String> {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"{file}\"").as_str()
    );
    let bytes = r.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "Excel needs the BOM"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends: {text:?}");
    text.lines().map(str::to_string).collect()
}

#[tokio::test]
async fn a_widget_and_the_raw_events_download_as_csv() {
    let app = spawn_app().await;
    let c = app.campaign("Export").await;
    let a = app.activity(c).await;
    let views: Vec<_> = (0..3)
        .map(|i| json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("x{i}"), "pageUrl": "https://shop.example/p?q=a,b", "properties": {"activityId": a}}))
        .collect();
    assert_eq!(app.track(json!(views)).await.status, 202);
    app.settled().await;

    let funnel = download(
        &app,
        &format!("/api/v1/dashboard/activity/{a}?widgets=funnel&format=csv"),
        &format!("activity-{a}-funnel.csv"),
    )
    .await;
    assert!(funnel[0].starts_with("step,name,value,"), "{funnel:?}");
    assert!(funnel[1].starts_with("VISIT,방문,3,"), "{funnel:?}");
    assert_eq!(funnel.len(), 5, "a header and four steps");

    let overview = download(
        &app,
        &format!("/api/v1/dashboard/activity/{a}?widgets=overview,funnel&part=overview&format=csv"),
        &format!("activity-{a}-overview.csv"),
    )
    .await;
    assert_eq!(overview[0], "metric,value,previous,changePercent");
    assert!(
        overview.iter().any(|l| l.starts_with("totalVisits,3,0,")),
        "{overview:?}"
    );

    let heat = download(
        &app,
        &format!("/api/v1/dashboard/campaign/{c}?widgets=heatmap&format=csv"),
        &format!("campaign-{c}-heatmap.csv"),
    )
    .await;
    assert_eq!(heat.len(), 8, "a header and seven weekdays: {heat:?}");
    assert_eq!(heat[0].split(',').count(), 25);

    let efficiency = download(
        &app,
        "/api/v1/dashboard/overview?format=csv&part=efficiency",
        "overview-efficiency.csv",
    )
    .await;
    assert!(efficiency[1].contains("Export"), "{efficiency:?}");

    let events = download(
        &app,
        &format!("/api/v1/dashboard/activity/{a}/events?period=7d"),
        &format!("events-activity-{a}.csv"),
    )
    .await;
    assert!(events[0].starts_with("occurredAt,triggerType,eventName,eventId,userId,anonymousId"));
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(
        events[1].contains("\"https://shop.example/p?q=a,b\""),
        "a comma is quoted: {events:?}"
    );

    // One part per file; unknown parts, scopes and periods are refused as usual.
    assert_error(
        &app.get(&format!(
            "/api/v1/dashboard/activity/{a}?widgets=overview,funnel&format=csv"
        ))
        .await,
        400,
        "CSV_NEEDS_ONE_PART",
    );
    assert_error(
        &app.get(&format!(
            "/api/v1/dashboard/activity/{a}?widgets=funnel&part=nothing&format=csv"
        ))
        .await,
        400,
        "UNKNOWN_PART",
    );
    assert_error(
        &app.get("/api/v1/dashboard/activity/999999/events?period=7d")
            .await,
        404,
        "NOT_FOUND",
    );
    assert_eq!(
        app.get(&format!("/api/v1/dashboard/activity/{a}/events?period=9y"))
            .await
            .status,
        400
    );
    let anonymous = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/dashboard/activity/{a}/events"),
            None,
            None,
        )
        .await;
    assert_error(&anonymous, 401, "UNAUTHORIZED");
}
