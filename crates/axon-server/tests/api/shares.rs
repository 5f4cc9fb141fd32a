//! Share links over HTTP: ADMIN-only management, the shared page without login, the token's
//! one scope (other scopes, writes and admin routes → 403), revocation and expiry (410, with a
//! manual clock), unknown tokens (404), and bad input that changes nothing.

use crate::helpers::*;
use axon_domain::{ManualClock, Ts};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;

/// 2026-11-15T00:00:00Z: inside the helper activities' dates.
const T0: i64 = 1_794_700_800_000;

/// A request carrying a share token in `X-Axon-Share` (no key, no cookie).
pub async fn shared(app: &TestApp, method: Method, path: &str, token: &str) -> Reply {
    if path.starts_with("/api/v1/dashboard") {
        app.settled().await;
    }
    let r = app
        .client
        .request(method, app.url(path))
        .header("x-axon-share", token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply { status, body }
}

pub async fn viewer_key(app: &TestApp) -> String {
    let r = app
        .post(
            "/api/v1/api-keys",
            json!({"name": "analyst", "role": "VIEWER"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["key"].as_str().unwrap().to_string()
}

pub async fn spawn_clocked() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Ts(T0)));
    let c = clock.clone();
    (spawn_with(move |config| config.clock = c).await, clock)
}

/// Creates a link and returns (id, token).
pub async fn share(app: &TestApp, scope: &str, id: i64, hours: i64) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/admin/shares",
            json!({"scope": scope, "scopeId": id, "expiresInHours": hours, "label": "대행사", "period": "30d"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (
        r.body["id"].as_i64().unwrap(),
        r.body["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_link_opens_its_one_scope_without_login_and_nothing_else() {
    let (app, _clock) = spawn_clocked().await;
    let c = app.campaign("Winter").await;
    let (a, b) = (app.activity(c).await, app.activity(c).await);
    for i in 0..3 {
        let e = json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("v{i}"), "properties": {"activityId": a}});
        assert_eq!(app.track(e).await.status, 202);
    }
    let viewer = viewer_key(&app).await;

    // Bad input: a 4xx in our shape, and nothing stored.
    for (body, status, code) in [
        (
            json!({"scope": "ACTIVITY", "scopeId": a}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"scope": "ACTIVITY", "scopeId": a, "expiresInHours": 2161}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"scope": "ACTIVITY", "scopeId": a, "expiresInHours": 0}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"scope": "ACTIVITY", "scopeId": a, "expiresInHours": 5, "period": "custom"}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"scope": "ACTIVITY", "scopeId": a, "expiresInHours": 5, "label": "x".repeat(101)}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"scope": "SHOP", "scopeId": a, "expiresInHours": 5}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"scope": "ACTIVITY", "scopeId": 9999, "expiresInHours": 5}),
            404,
            "SCOPE_NOT_FOUND",
        ),
    ] {
        let r = app.post("/api/v1/admin/shares", body.clone()).await;
        assert_error(&r, status, code);
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/admin/shares",
            Some(&viewer),
            Some(&json!({"scope": "ACTIVITY", "scopeId": a, "expiresInHours": 5})),
        )
        .await;
    assert_error(&r, 403, "FORBIDDEN");
    assert_error(
        &app.call(Method::GET, "/api/v1/admin/shares", Some(&viewer), None)
            .await,
        403,
        "FORBIDDEN",
    );
    assert_eq!(app.get("/api/v1/admin/shares").await.body["total"], 0);

    let r = app
        .post(
            "/api/v1/admin/shares",
            json!({"scope": "activity", "scopeId": a, "expiresInHours": 48, "label": " 대행사 ", "period": "30d"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let token = r.body["token"].as_str().unwrap().to_string();
    let id = r.body["id"].as_i64().unwrap();
    assert!(
        token.starts_with("axs_") && token.len() >= 4 + 32,
        "{token}"
    );
    assert_eq!(r.body["path"], format!("/share/{token}"));
    assert_eq!(
        [
            &r.body["status"],
            &r.body["scope"],
            &r.body["label"],
            &r.body["period"]
        ],
        [
            &json!("ACTIVE"),
            &json!("ACTIVITY"),
            &json!("대행사"),
            &json!("30d")
        ]
    );
    assert!(r.body.get("tokenHash").is_none());
    let list = app.get("/api/v1/admin/shares").await;
    assert_eq!(list.body["total"], 1);
    let entry = &list.body["shares"][0];
    assert_eq!(
        (&entry["id"], &entry["status"]),
        (&json!(id), &json!("ACTIVE"))
    );
    assert_eq!(entry["scopeName"], "TV deal");
    assert!(
        entry.get("token").is_none() && entry.get("tokenHash").is_none(),
        "{entry}"
    );
    assert_eq!(entry["expiresAt"], "2026-11-17T00:00:00Z");

    // The page, with no key and no cookie.
    let page = app
        .client
        .get(app.url(&format!("/share/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"data-page="activity""#) && html.contains(&format!(r#"data-id="{a}""#))
    );
    assert!(
        html.contains(&format!(r#"data-share="{token}""#)) && html.contains(r#"data-period="30d""#)
    );
    assert!(
        !html.contains("/admin/campaigns"),
        "no admin links on a shared page"
    );

    // Its dashboard, live stream, cohort and context: the same numbers as an admin sees.
    let dash = format!("/api/v1/dashboard/activity/{a}?widgets=overview,realtime&period=7d");
    let mine = app.get(&dash).await;
    let theirs = shared(&app, Method::GET, &dash, &token).await;
    assert_eq!(theirs.status, 200, "{:?}", theirs.body);
    assert_eq!(theirs.body["data"]["overview"]["totalVisits"], 3);
    assert_eq!(theirs.body["data"], mine.body["data"]);
    let by_query = app
        .call(Method::GET, &format!("{dash}&share={token}"), None, None)
        .await;
    assert_eq!(by_query.status, 200, "the ?share= form (for EventSource)");
    let ctx = shared(&app, Method::GET, "/api/v1/share/context", &token).await;
    assert_eq!(
        (&ctx.body["name"], &ctx.body["scopeId"], &ctx.body["period"]),
        (&json!("TV deal"), &json!(a), &json!("30d"))
    );
    let cohort = shared(
        &app,
        Method::GET,
        &format!("/api/v1/dashboard/cohort/activity/{a}"),
        &token,
    )
    .await;
    assert_eq!(cohort.status, 200, "{:?}", cohort.body);
    let stream = app
        .client
        .get(app.url(&format!(
            "/api/v1/dashboard/stream/activity/{a}?widgets=overview&period=1d&share={token}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    drop(stream);

    // Any other scope, any write, any admin route: 403, and nothing changed.
    for path in [
        format!("/api/v1/dashboard/activity/{b}?widgets=overview"),
        format!("/api/v1/dashboard/campaign/{c}?widgets=overview"),
        "/api/v1/dashboard/overview".to_string(),
        format!("/api/v1/dashboard/activity/{a}/funnel/dropoff?step=VISIT"),
        format!("/api/v1/dashboard/activity/{a}/events"),
        format!("/api/v1/dashboard/stream/activity/{b}?widgets=overview"),
        format!("/api/v1/annotations?scope=activity&id={b}"),
        "/api/v1/campaigns".to_string(),
        "/api/v1/admin/shares".to_string(),
        format!("/api/v1/activities/{a}/entries"),
    ] {
        assert_error(
            &shared(&app, Method::GET, &path, &token).await,
            403,
            "SHARE_SCOPE_FORBIDDEN",
        );
    }
    for (method, path) in [
        (Method::POST, "/api/v1/admin/shares".to_string()),
        (Method::DELETE, format!("/api/v1/admin/shares/{id}")),
        (Method::POST, "/api/v1/annotations".to_string()),
        (
            Method::POST,
            format!("/api/v1/dashboard/activity/{a}/query"),
        ),
        (Method::PUT, format!("/api/v1/activities/{a}")),
    ] {
        assert_error(
            &shared(&app, method, &path, &token).await,
            403,
            "SHARE_SCOPE_FORBIDDEN",
        );
    }
    assert_eq!(
        app.get("/api/v1/admin/shares").await.body["shares"][0]["status"],
        "ACTIVE"
    );

    // Unknown tokens: 404 (API) and a page saying so.
    assert_error(
        &shared(&app, Method::GET, &dash, "axs_nope").await,
        404,
        "SHARE_NOT_FOUND",
    );
    let page = app
        .client
        .get(app.url("/share/axs_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("does not exist"));

    // Revoked: 410 everywhere it opened, the page says so in both languages.
    let r = app.delete(&format!("/api/v1/admin/shares/{id}")).await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("REVOKED")),
        "{:?}",
        r.body
    );
    assert_error(
        &shared(&app, Method::GET, &dash, &token).await,
        410,
        "SHARE_REVOKED",
    );
    assert_error(
        &shared(&app, Method::GET, "/api/v1/share/context", &token).await,
        410,
        "SHARE_REVOKED",
    );
    let page = app
        .client
        .get(app.url(&format!("/share/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("취소되었습니다") && html.contains("has been revoked"),
        "{html}"
    );
    assert!(!html.contains("\"error\""), "a page, not JSON");
    assert_error(
        &app.delete("/api/v1/admin/shares/99999").await,
        404,
        "SHARE_NOT_FOUND",
    );
    assert_eq!(
        app.get("/api/v1/admin/shares").await.body["shares"][0]["status"],
        "REVOKED"
    );
}

#[tokio::test]
async fn a_link_expires_on_the_injected_clock() {
    let (app, clock) = spawn_clocked().await;
    let c = app.campaign("Winter").await;
    let (id, token) = share(&app, "CAMPAIGN", c, 1).await;
    let dash = format!("/api/v1/dashboard/campaign/{c}?widgets=overview");
    clock.set(Ts(T0 + 3_599_000));
    assert_eq!(shared(&app, Method::GET, &dash, &token).await.status, 200);
    clock.set(Ts(T0 + 3_600_000));
    assert_error(
        &shared(&app, Method::GET, &dash, &token).await,
        410,
        "SHARE_EXPIRED",
    );
    let page = app
        .client
        .get(app.url(&format!("/share/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("만료되었습니다") && html.contains("has expired"),
        "{html}"
    );
    let list = app.get("/api/v1/admin/shares").await;
    assert_eq!(
        (
            &list.body["shares"][0]["id"],
            &list.body["shares"][0]["status"]
        ),
        (&json!(id), &json!("EXPIRED"))
    );
    // Revoking an expired link is allowed and then says REVOKED.
    let r = app.delete(&format!("/api/v1/admin/shares/{id}")).await;
    assert_eq!(r.body["status"], "REVOKED");
    assert_error(
        &shared(&app, Method::GET, &dash, &token).await,
        410,
        "SHARE_REVOKED",
    );
}
