//! Admin sessions survive a restart and cross nodes: the cookie signing key is kept in the data
//! dir or shared through `AXON_SESSION_SECRET`. They die with their key's revocation and with a
//! sign-out, and so do the live streams of a revoked key.

use crate::helpers::*;
use axon_server::SessionSecret;

const SHARED: &str = "a-session-secret-shared-by-every-node";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in at `base` and returns the `axon_session=…` cookie.
async fn login(base: &str) -> String {
    login_with(base, ADMIN_KEY).await
}

async fn login_with(base: &str, key: &str) -> String {
    let r = client()
        .post(format!("{base}/admin/login"))
        .form(&[("key", key), ("next", "/admin/campaigns")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// The status of an API read authenticated by the cookie alone.
async fn with_cookie(base: &str, cookie: &str) -> u16 {
    client()
        .get(format!("{base}/api/v1/campaigns"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn shared(c: &mut axon_server::Config) {
    c.session_secret = Some(SessionSecret::new(SHARED).unwrap());
}

#[tokio::test]
async fn a_session_issued_before_a_restart_is_still_accepted_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), |_| {}).await;
    let cookie = login(&node.base).await;
    assert_eq!(with_cookie(&node.base, &cookie).await, 200);
    node.stop().await;
    assert!(dir.path().join("session.key").exists());
    let node = Node::start(dir.path(), |_| {}).await;
    assert_eq!(
        with_cookie(&node.base, &cookie).await,
        200,
        "the restarted server still knows the browser"
    );
    node.stop().await;
}

#[tokio::test]
async fn two_servers_with_the_same_session_secret_accept_each_others_sessions() {
    let a = spawn_with(shared).await;
    let b = spawn_with(shared).await;
    let stranger = spawn_app().await;
    let from_a = login(&a.base).await;
    let from_b = login(&b.base).await;
    assert_eq!(with_cookie(&b.base, &from_a).await, 200);
    assert_eq!(with_cookie(&a.base, &from_b).await, 200);
    assert_eq!(
        with_cookie(&stranger.base, &from_a).await,
        401,
        "a node with its own key refuses the cookie"
    );
}

/// Creates a stored key with `role`; returns its secret and id.
async fn stored_key(app: &TestApp, role: &str) -> (String, i64) {
    let r = app
        .post(
            "/api/v1/api-keys",
            serde_json::json!({"name": "k", "role": role}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (
        r.body["key"].as_str().unwrap().to_string(),
        r.body["id"].as_i64().unwrap(),
    )
}

async fn write_with_cookie(base: &str, cookie: &str) -> u16 {
    client()
        .post(format!("{base}/api/v1/campaigns"))
        .header("cookie", cookie)
        .json(&serde_json::json!({"name": format!("c{}", cookie.len() % 97)}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_session_dies_when_its_key_is_revoked() {
    let app = spawn_app().await;
    let (key, id) = stored_key(&app, "ADMIN").await;
    let cookie = login_with(&app.base, &key).await;
    assert_eq!(with_cookie(&app.base, &cookie).await, 200);
    assert_eq!(write_with_cookie(&app.base, &cookie).await, 201);
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}")).await.status,
        200
    );
    assert_eq!(with_cookie(&app.base, &cookie).await, 401, "read refused");
    assert_eq!(
        write_with_cookie(&app.base, &cookie).await,
        401,
        "write refused"
    );
    let page = client()
        .get(format!("{}/admin/campaigns", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        303,
        "the pages send the browser to the login"
    );
}

#[tokio::test]
async fn a_signed_out_session_is_refused_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), |_| {}).await;
    let cookie = login(&node.base).await;
    let other = login(&node.base).await;
    assert_eq!(with_cookie(&node.base, &cookie).await, 200);
    let out = client()
        .get(format!("{}/admin/logout", node.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        with_cookie(&node.base, &cookie).await,
        401,
        "a replayed cookie is refused after the sign-out"
    );
    assert_eq!(
        with_cookie(&node.base, &other).await,
        200,
        "other sessions live on"
    );
    node.stop().await;
    let node = Node::start(dir.path(), |_| {}).await;
    assert_eq!(
        with_cookie(&node.base, &cookie).await,
        401,
        "the sign-out is stored"
    );
    let keys = client()
        .get(format!("{}/api/v1/api-keys", node.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(keys["total"], 0, "sign-out markers are not listed as keys");
    node.stop().await;
}

#[tokio::test]
async fn a_session_of_a_replaced_bootstrap_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), |_| {}).await;
    let cookie = login(&node.base).await;
    node.stop().await;
    let node = Node::start(dir.path(), |c| {
        c.admin_key = axon_server::Secret::new("a-different-admin-key-now");
    })
    .await;
    assert_eq!(with_cookie(&node.base, &cookie).await, 401);
    node.stop().await;
}

#[tokio::test]
async fn a_live_stream_closes_when_its_key_is_revoked() {
    let app = spawn_app().await;
    let (key, id) = stored_key(&app, "VIEWER").await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/dashboard/stream/overview?widgets=overview"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk())
        .await
        .unwrap()
        .unwrap();
    assert!(first.is_some(), "the first update arrives");
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}")).await.status,
        200
    );
    let ended = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream of a revoked key ends");
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_configured() {
    async fn set_cookie(app: &TestApp) -> String {
        let r = client()
            .post(app.url("/admin/login"))
            .form(&[("key", ADMIN_KEY)])
            .send()
            .await
            .unwrap();
        r.headers()["set-cookie"].to_str().unwrap().to_string()
    }
    let plain = spawn_app().await;
    assert!(!set_cookie(&plain).await.contains("Secure"));
    let tls = spawn_with(|c| c.secure_cookie = true).await;
    let cookie = set_cookie(&tls).await;
    assert!(cookie.split("; ").any(|a| a == "Secure"), "{cookie}");
}

#[tokio::test]
async fn sign_in_attempts_are_throttled_per_address() {
    let app = spawn_with(|c| c.login_attempts_per_minute = 5).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = client()
            .post(app.url("/admin/login"))
            .form(&[("key", "a-wrong-guess")])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert_eq!(statuses[5..], [429; 3], "{statuses:?}");
    let r = client()
        .post(app.url("/admin/login"))
        .form(&[("key", ADMIN_KEY)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "even the right key waits: guessing gains nothing"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "TOO_MANY_ATTEMPTS");
}
