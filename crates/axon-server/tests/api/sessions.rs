//! Admin sessions survive a restart and cross nodes: the cookie signing key is kept in the data
//! dir or shared through `AXON_SESSION_SECRET`.

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
    let r = client()
        .post(format!("{base}/admin/login"))
        .form(&[("key", ADMIN_KEY), ("next", "/admin/campaigns")])
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
