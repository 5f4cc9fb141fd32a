//! Annotations over HTTP: create/list/delete (ADMIN writes, VIEWER and a share link of the
//! scope read), bad input that changes nothing, the `annotations` of the dashboard answers
//! (an activity's own and its campaign's; a campaign's own and its activities'), and the
//! question box using a note as the boundary of two equal periods, in Korean and English.

use crate::helpers::*;
use crate::shares::{share, shared, spawn_clocked, viewer_key};
use axon_domain::Ts;
use reqwest::Method;
use serde_json::{json, Value};

const T0: i64 = 1_794_700_800_000;
const HOUR: i64 = 3_600_000;

fn note(scope: &str, id: i64, at: &str, text: &str) -> Value {
    json!({"scope": scope, "scopeId": id, "at": at, "text": text})
}

fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn notes_are_checked_listed_shown_on_dashboards_and_deleted() {
    let (app, _clock) = spawn_clocked().await;
    let c = app.campaign("Winter").await;
    let (a, a2) = (app.activity(c).await, app.activity(c).await);
    let viewer = viewer_key(&app).await;

    let tv = app
        .post(
            "/api/v1/annotations",
            note("ACTIVITY", a, "2026-11-14T22:00:00Z", " TV 광고 송출 "),
        )
        .await;
    assert_eq!(tv.status, 201, "{:?}", tv.body);
    assert_eq!(
        (&tv.body["text"], &tv.body["at"]),
        (&json!("TV 광고 송출"), &json!("2026-11-14T22:00:00Z"))
    );
    // A moment without an offset is read in the business time zone (Asia/Seoul).
    let price = app
        .post(
            "/api/v1/annotations",
            note("campaign", c, "2026-11-15T08:00", "가격 인하"),
        )
        .await;
    assert_eq!(price.status, 201, "{:?}", price.body);
    assert_eq!(price.body["at"], "2026-11-14T23:00:00Z");

    for (body, status, code) in [
        (
            note("ACTIVITY", a, "2026-11-14T22:00:00Z", "   "),
            400,
            "VALIDATION_ERROR",
        ),
        (
            note("ACTIVITY", a, "2026-11-14T22:00:00Z", &"가".repeat(201)),
            400,
            "VALIDATION_ERROR",
        ),
        (
            note("ACTIVITY", a, "2026-11-14T22:00:00Z", "a\u{0}b"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            note("ACTIVITY", a, "yesterday", "x"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            note("ACTIVITY", a, "2040-01-01", "x"),
            400,
            "VALIDATION_ERROR",
        ),
        (note("SHOP", a, "2026-11-14", "x"), 400, "VALIDATION_ERROR"),
        (
            note("ACTIVITY", 9999, "2026-11-14", "x"),
            404,
            "SCOPE_NOT_FOUND",
        ),
        (
            json!({"scope": "ACTIVITY", "scopeId": a, "at": "2026-11-14", "text": "x", "extra": 1}),
            400,
            "VALIDATION_ERROR",
        ),
    ] {
        let r = app.post("/api/v1/annotations", body.clone()).await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        assert_eq!(r.body["error"], code, "{body}");
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/annotations",
            Some(&viewer),
            Some(&note("ACTIVITY", a, "2026-11-14", "x")),
        )
        .await;
    assert_error(&r, 403, "FORBIDDEN");

    let own = app
        .get(&format!("/api/v1/annotations?scope=activity&id={a}"))
        .await;
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_eq!(
        texts(&own.body["annotations"]),
        ["TV 광고 송출"],
        "nothing else was stored"
    );
    let family = app
        .call(
            Method::GET,
            &format!("/api/v1/annotations?scope=activity&id={a}&related=true"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(
        texts(&family.body["annotations"]),
        ["TV 광고 송출", "가격 인하"],
        "by time"
    );
    let late = app
        .get(&format!(
            "/api/v1/annotations?scope=activity&id={a}&startDate=2026-11-14T22:00:01Z"
        ))
        .await;
    assert_eq!(late.body["total"], 0);
    assert_error(
        &app.get(&format!(
            "/api/v1/annotations?scope=activity&id={a}&startDate=2026-11-15&endDate=2026-11-14"
        ))
        .await,
        400,
        "INVALID_PERIOD",
    );
    assert_error(
        &app.get("/api/v1/annotations?scope=activity&id=9999").await,
        404,
        "SCOPE_NOT_FOUND",
    );

    // The dashboard answers list the window's notes of the scope's family.
    let dash = |path: String| {
        let app = &app;
        async move { app.get(&path).await.body["annotations"].clone() }
    };
    let act = dash(format!(
        "/api/v1/dashboard/activity/{a}?widgets=overview&period=1d"
    ))
    .await;
    assert_eq!(texts(&act), ["TV 광고 송출", "가격 인하"]);
    assert_eq!(
        (&act[0]["scope"], &act[1]["scope"]),
        (&json!("ACTIVITY"), &json!("CAMPAIGN"))
    );
    let camp = dash(format!(
        "/api/v1/dashboard/campaign/{c}?widgets=overview&period=1d"
    ))
    .await;
    assert_eq!(texts(&camp), ["TV 광고 송출", "가격 인하"]);
    let sibling = dash(format!(
        "/api/v1/dashboard/activity/{a2}?widgets=overview&period=1d"
    ))
    .await;
    assert_eq!(
        texts(&sibling),
        ["가격 인하"],
        "not the other activity's note"
    );
    let outside = dash(format!(
        "/api/v1/dashboard/activity/{a}?widgets=overview&period=custom&startDate=2026-11-01&endDate=2026-11-10"
    ))
    .await;
    assert_eq!(outside, json!([]), "only the window's notes");

    // A share link of the activity reads its notes, not its sibling's.
    let (_, token) = share(&app, "ACTIVITY", a, 24).await;
    let r = shared(
        &app,
        Method::GET,
        &format!("/api/v1/annotations?scope=activity&id={a}"),
        &token,
    )
    .await;
    assert_eq!(texts(&r.body["annotations"]), ["TV 광고 송출"]);
    let r = shared(
        &app,
        Method::GET,
        &format!("/api/v1/annotations?scope=activity&id={a2}"),
        &token,
    )
    .await;
    assert_error(&r, 403, "SHARE_SCOPE_FORBIDDEN");
    let r = shared(
        &app,
        Method::GET,
        &format!("/api/v1/dashboard/activity/{a}?widgets=overview&period=1d"),
        &token,
    )
    .await;
    assert_eq!(texts(&r.body["annotations"]), ["TV 광고 송출", "가격 인하"]);

    let id = tv.body["id"].as_i64().unwrap();
    assert_error(
        &app.call(
            Method::DELETE,
            &format!("/api/v1/annotations/{id}"),
            Some(&viewer),
            None,
        )
        .await,
        403,
        "FORBIDDEN",
    );
    assert_eq!(
        app.delete(&format!("/api/v1/annotations/{id}"))
            .await
            .status,
        204
    );
    assert_error(
        &app.delete(&format!("/api/v1/annotations/{id}")).await,
        404,
        "ANNOTATION_NOT_FOUND",
    );
    let act = dash(format!(
        "/api/v1/dashboard/activity/{a}?widgets=overview&period=1d"
    ))
    .await;
    assert_eq!(
        texts(&act),
        ["가격 인하"],
        "a deleted note leaves the answer at once"
    );
}

fn pv(a: i64, who: String) -> Value {
    json!({"triggerType": "PAGE_VIEW", "anonymousId": who, "properties": {"activityId": a}})
}

#[tokio::test]
async fn questions_compare_equal_periods_around_a_note_in_korean_and_english() {
    let (app, clock) = spawn_clocked().await;
    let c = app.campaign("Winter").await;
    let a = app.activity(c).await;
    // Two visits in the hour before the ad, five in the hour after it.
    for i in 0..2 {
        assert_eq!(app.track(pv(a, format!("b{i}"))).await.status, 202);
    }
    let r = app
        .post(
            "/api/v1/annotations",
            note("ACTIVITY", a, "2026-11-15T01:00:00Z", "TV 광고 송출"),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    app.post(
        "/api/v1/annotations",
        note("ACTIVITY", a, "2026-11-14T12:00:00Z", "가격 인하"),
    )
    .await;
    clock.set(Ts(T0 + 90 * 60_000));
    for i in 0..5 {
        assert_eq!(app.track(pv(a, format!("a{i}"))).await.status, 202);
    }
    clock.set(Ts(T0 + 2 * HOUR));
    let ask = |q: &'static str| {
        let app = &app;
        async move {
            let r = app
                .post(
                    &format!("/api/v1/dashboard/activity/{a}/query"),
                    json!({"query": q}),
                )
                .await;
            assert_eq!(r.status, 200, "{q}: {:?}", r.body);
            r.body
        }
    };
    let num = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap()
    };

    let ko = ask("광고 이후 방문이 늘었어?").await;
    assert_eq!(ko["intent"], "PERIOD_COMPARISON", "{ko}");
    assert_eq!(ko["parameters"]["comparison"], "annotation");
    assert_eq!(ko["parameters"]["annotation"]["text"], "TV 광고 송출");
    assert_eq!(ko["parameters"]["startDate"], "2026-11-15T01:00:00Z");
    assert_eq!(ko["parameters"]["endDate"], "2026-11-15T02:00:00Z");
    assert_eq!(
        ko["parameters"]["previousStartDate"],
        "2026-11-15T00:00:00Z"
    );
    assert_eq!(ko["parameters"]["previousEndDate"], "2026-11-15T01:00:00Z");
    assert_eq!(
        (num(&ko["data"]["value"]), num(&ko["data"]["previousValue"])),
        (5.0, 2.0)
    );
    assert_eq!(num(&ko["data"]["changePercent"]), 150.0);
    let def = ko["data"]["definition"].as_str().unwrap();
    assert!(
        def.contains("TV 광고 송출") && def.contains("10:00") && def.contains("09:00"),
        "{def}"
    );
    assert!(ko["answer"].as_str().unwrap().contains(def), "{ko}");

    let en = ask("did visits rise after the TV ad?").await;
    assert_eq!(en["parameters"]["annotation"]["text"], "TV 광고 송출");
    assert_eq!(
        (num(&en["data"]["value"]), num(&en["data"]["previousValue"])),
        (5.0, 2.0)
    );
    let def = en["data"]["definition"].as_str().unwrap();
    assert!(
        def.starts_with("Definition: around the annotation 'TV 광고 송출'"),
        "{def}"
    );

    // Named by its words: the price cut (its 14 h on each side), not the newest note.
    let named = ask("가격 인하 후에 방문은?").await;
    assert_eq!(named["parameters"]["annotation"]["text"], "가격 인하");
    assert_eq!(
        named["parameters"]["previousStartDate"],
        "2026-11-13T22:00:00Z"
    );
    // Generic: the newest note.
    let generic = ask("visits after the annotation?").await;
    assert_eq!(generic["parameters"]["annotation"]["text"], "TV 광고 송출");
    // No "after": the ordinary answer.
    let plain = ask("how many visits in the last 7 days?").await;
    assert_eq!(plain["intent"], "VISITS");
    assert!(plain["parameters"].get("annotation").is_none());
}
