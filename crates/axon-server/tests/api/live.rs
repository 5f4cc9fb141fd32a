use crate::helpers::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Reads the stream until a `dashboard-update` whose JSON satisfies `done`, or the deadline.
async fn next_update(
    resp: &mut reqwest::Response,
    buf: &mut String,
    deadline: Instant,
    done: impl Fn(&Value) -> bool,
) -> Option<Value> {
    loop {
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            if frame.contains("event: dashboard-update") {
                let data: String = frame
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                let v: Value = serde_json::from_str(&data).unwrap();
                if done(&v) {
                    return Some(v);
                }
            }
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, resp.chunk()).await {
            Ok(Ok(Some(bytes))) => buf.push_str(&String::from_utf8_lossy(&bytes)),
            _ => return None,
        }
    }
}

/// Opens a live stream as an admin; it must answer as an event stream.
async fn open(app: &TestApp, path: String) -> reqwest::Response {
    let r = app
        .client
        .get(app.url(&path))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    r
}

#[tokio::test]
async fn open_dashboards_receive_acknowledged_events_live() {
    let app = spawn_app().await;
    let c = app.campaign("Live").await;
    let a = app.activity(c).await;
    let mut act = open(
        &app,
        format!("/api/v1/dashboard/stream/activity/{a}?widgets=overview,realtime&period=1d"),
    )
    .await;
    let mut camp = open(
        &app,
        format!("/api/v1/dashboard/stream/campaign/{c}?widgets=overview"),
    )
    .await;
    let (mut b1, mut b2) = (String::new(), String::new());
    let first = next_update(
        &mut act,
        &mut b1,
        Instant::now() + Duration::from_secs(15),
        |_| true,
    )
    .await
    .unwrap();
    assert_eq!(first["data"]["overview"]["totalVisits"], 0);
    assert!(first["data"]["realtime"].is_object());
    assert!(
        first["data"].get("funnel").is_none(),
        "only the requested widgets"
    );
    next_update(
        &mut camp,
        &mut b2,
        Instant::now() + Duration::from_secs(15),
        |_| true,
    )
    .await
    .unwrap();

    let sent = Instant::now();
    let ev = json!({"triggerType": "PAGE_VIEW", "anonymousId": "live-1", "properties": {"activityId": a}});
    assert_eq!(app.track(ev).await.status, 202);
    let deadline = Instant::now() + Duration::from_secs(15);
    let got = next_update(&mut act, &mut b1, deadline, |v| {
        v["data"]["overview"]["totalVisits"] == 1
    })
    .await;
    assert!(got.is_some(), "the activity stream pushed the new visit");
    assert_eq!(got.unwrap()["data"]["realtime"]["inflowLastHour"], 1);
    let got = next_update(&mut camp, &mut b2, deadline, |v| {
        v["data"]["overview"]["totalVisits"] == 1
    })
    .await;
    assert!(got.is_some(), "the campaign stream pushed the new visit");
    eprintln!("event → both streams in {:?}", sent.elapsed());
}

#[tokio::test]
async fn streams_validate_before_they_start() {
    let app = spawn_app().await;
    let c = app.campaign("Live").await;
    assert_error(
        &app.get("/api/v1/dashboard/stream/activity/999").await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    assert_error(
        &app.get("/api/v1/dashboard/stream/campaign/999").await,
        404,
        "CAMPAIGN_NOT_FOUND",
    );
    assert_error(
        &app.get(&format!(
            "/api/v1/dashboard/stream/campaign/{c}?period=custom"
        ))
        .await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get(&format!(
            "/api/v1/dashboard/stream/campaign/{c}?widgets=nope"
        ))
        .await,
        400,
        "INVALID_WIDGETS",
    );
    assert_error(
        &app.call(
            reqwest::Method::GET,
            &format!("/api/v1/dashboard/stream/campaign/{c}"),
            None,
            None,
        )
        .await,
        401,
        "UNAUTHORIZED",
    );
}

#[tokio::test]
async fn the_overview_streams_every_change() {
    let app = spawn_app().await;
    let c = app.campaign("Global").await;
    let a = app.activity(c).await;
    let mut s = open(&app, "/api/v1/dashboard/stream/overview?period=1d".into()).await;
    let mut buf = String::new();
    let deadline = || Instant::now() + Duration::from_secs(15);
    let first = next_update(&mut s, &mut buf, deadline(), |_| true)
        .await
        .unwrap();
    assert_eq!(first["period"], "1d");
    assert_eq!(first["data"]["totals"]["totalVisits"], 0);
    let rest = app.get("/api/v1/dashboard/overview?period=1d").await;
    assert_eq!(
        rest.body["data"], first["data"],
        "the same JSON as the REST call"
    );

    let traffic = |v: &Value| -> i64 {
        v["data"]["hourlyTraffic"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["count"].as_i64().unwrap())
            .sum()
    };
    let ev =
        json!({"triggerType": "PAGE_VIEW", "anonymousId": "g-1", "properties": {"activityId": a}});
    assert_eq!(app.track(ev).await.status, 202);
    let got = next_update(&mut s, &mut buf, deadline(), |v| {
        v["data"]["totals"]["totalVisits"] == 1
    })
    .await
    .expect("the overview stream pushed the activity's visit");
    assert_eq!(got["data"]["efficiency"][0]["totalVisits"], 1);
    // A page view of no activity is global traffic only: it still moves the overview.
    let before = traffic(&got);
    let ev = json!({"triggerType": "PAGE_VIEW", "anonymousId": "g-2", "pageUrl": "https://shop.example/"});
    assert_eq!(app.track(ev).await.status, 202);
    let got = next_update(&mut s, &mut buf, deadline(), |v| traffic(v) == before + 1).await;
    assert!(
        got.is_some(),
        "an unattributed page view moved the overview"
    );
    assert_eq!(got.unwrap()["data"]["totals"]["totalVisits"], 1);
}

#[tokio::test]
async fn the_overview_stream_validates_before_it_starts() {
    let app = spawn_app().await;
    assert_error(
        &app.get("/api/v1/dashboard/stream/overview?period=custom")
            .await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get("/api/v1/dashboard/stream/overview?period=2w").await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.call(
            reqwest::Method::GET,
            "/api/v1/dashboard/stream/overview",
            None,
            None,
        )
        .await,
        401,
        "UNAUTHORIZED",
    );
}

/// The `axon_dashboard_renders` gauge of `/metrics`.
async fn renders(app: &TestApp) -> u64 {
    let text = app.text("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix("axon_dashboard_renders "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no renders gauge in {text}"))
}

#[tokio::test]
async fn many_viewers_share_one_render_per_version_and_other_scopes_wake_nobody() {
    // A fixed clock: the render key's second never turns, so every render counted is one
    // data version.
    let clock = std::sync::Arc::new(axon_domain::ManualClock::new(axon_domain::Ts(
        1_780_000_000_000,
    )));
    let app = spawn_with(|c| c.clock = clock.clone()).await;
    let c = app.campaign("Shared").await;
    let (a, other) = (app.activity(c).await, app.activity(c).await);
    let path = format!("/api/v1/dashboard/stream/activity/{a}?widgets=overview&period=1d");
    let mut streams = Vec::new();
    for _ in 0..12 {
        streams.push((open(&app, path.clone()).await, String::new()));
    }
    let deadline = || Instant::now() + Duration::from_secs(15);
    for (r, buf) in &mut streams {
        let first = next_update(r, buf, deadline(), |_| true).await.unwrap();
        assert_eq!(first["data"]["overview"]["totalVisits"], 0);
    }
    let rest = app
        .get(&format!(
            "/api/v1/dashboard/activity/{a}?widgets=overview&period=1d"
        ))
        .await;
    assert_eq!(rest.status, 200);
    let before = renders(&app).await;
    assert!(
        before <= 2,
        "12 viewers and a REST call rendered {before} times"
    );

    // An event for another activity wakes the streams but renders and pushes nothing here.
    let ev = |activity: i64, id: &str| {
        json!({"eventId": id, "triggerType": "PAGE_VIEW", "anonymousId": "v1",
            "occurredAt": "2026-05-28T20:26:00Z", "properties": {"activityId": activity}})
    };
    assert_eq!(app.track(ev(other, "o1")).await.status, 202);
    app.settled().await;
    for (r, buf) in &mut streams {
        let quiet = Instant::now() + Duration::from_millis(300);
        assert!(
            next_update(r, buf, quiet, |_| true).await.is_none(),
            "a change of another activity pushed an update"
        );
    }
    assert_eq!(renders(&app).await, before);

    // An event for this activity: every viewer gets it, from one render.
    assert_eq!(app.track(ev(a, "e1")).await.status, 202);
    for (r, buf) in &mut streams {
        let v = next_update(r, buf, deadline(), |v| {
            v["data"]["overview"]["totalVisits"] == 1
        })
        .await;
        assert!(v.is_some(), "a viewer missed the update");
    }
    assert_eq!(renders(&app).await, before + 1, "one render for 12 viewers");
}

#[tokio::test]
async fn live_streams_are_capped_per_key() {
    let app = spawn_with(|c| c.streams_per_key = 2).await;
    let url = app.url("/api/v1/dashboard/stream/overview?widgets=overview");
    let get = |key: &str| app.client.get(&url).bearer_auth(key).send();
    let first = get(ADMIN_KEY).await.unwrap();
    let second = get(ADMIN_KEY).await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = get(ADMIN_KEY).await.unwrap();
    assert_eq!(third.status(), 429);
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"], "TOO_MANY_STREAMS");
    let other = app
        .post("/api/v1/api-keys", json!({"name": "v", "role": "VIEWER"}))
        .await;
    let v = get(other.body["key"].as_str().unwrap()).await.unwrap();
    assert_eq!(v.status(), 200, "another key has its own slots");
}
