use crate::helpers::*;
use serde_json::{json, Value};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn pages_need_a_login_and_the_session_cookie_opens_pages_and_apis() {
    let app = spawn_app().await;
    let c = no_redirects();
    let r = c
        .get(app.url("/admin/dashboard/overview"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/admin/login?next=/admin/dashboard/overview"
    );
    let bad = c
        .post(app.url("/admin/login"))
        .form(&[("key", "nope"), ("next", "/admin/campaigns")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let ok = c
        .post(app.url("/admin/login"))
        .form(&[("key", ADMIN_KEY), ("next", "/admin/campaigns")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/admin/campaigns");
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let evil = c
        .post(app.url("/admin/login"))
        .form(&[("key", ADMIN_KEY), ("next", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        evil.headers()["location"],
        "/admin/dashboard/overview",
        "never redirects off-site"
    );
    for path in [
        "/admin/dashboard/overview",
        "/admin/dashboard/campaign/1",
        "/admin/dashboard/7",
        "/admin/dashboard/cohort/7",
        "/admin/campaigns",
    ] {
        let r = c
            .get(app.url(path))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("/assets/chart.umd.min.js") && html.contains("data-page="),
            "{path}"
        );
    }
    let api: Value = c
        .get(app.url("/api/v1/campaigns"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        api["total"], 0,
        "the session cookie authenticates API calls from the pages"
    );
    let forged = c
        .get(app.url("/api/v1/campaigns"))
        .header("cookie", "axon_session=ADMIN.99999999999999.forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let out = c.get(app.url("/admin/logout")).send().await.unwrap();
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test]
async fn assets_are_embedded_and_the_tracker_is_small() {
    let app = spawn_app().await;
    for (path, ty) in [
        ("/axon.js", "javascript"),
        ("/assets/app.js", "javascript"),
        ("/assets/app.css", "text/css"),
        ("/assets/chart.umd.min.js", "javascript"),
        ("/assets/chart.js.LICENSE.md", "text/plain"),
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"].to_str().unwrap().contains(ty),
            "{path}"
        );
        assert!(!r.text().await.unwrap().is_empty());
    }
    let chart = app.text("/assets/chart.umd.min.js").await;
    assert!(chart.contains("Chart.js v4"), "the vendored Chart.js build");
    let tracker = app
        .client
        .get(app.url("/axon.js"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        tracker.len() < 16 * 1024,
        "tracker source stays small ({} bytes)",
        tracker.len()
    );
}

#[tokio::test]
async fn pages_have_a_favicon() {
    let app = spawn_app().await;
    for path in ["/favicon.svg", "/favicon.ico"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "image/svg+xml", "{path}");
        assert!(r.text().await.unwrap().starts_with("<svg"), "{path}");
    }
    let login = app.text("/admin/login").await;
    assert!(
        login.contains(r#"rel="icon" href="/favicon.svg""#),
        "{login}"
    );
}

/// The tab title of an activity, cohort or campaign page is its name (escaped), not "Activity 7";
/// an unknown id still gets the page (which then shows the API's 404) with the id as title.
#[tokio::test]
async fn page_titles_are_names_and_the_nav_is_one_language() {
    let app = spawn_app().await;
    let c = no_redirects();
    let ok = c
        .post(app.url("/admin/login"))
        .form(&[("key", ADMIN_KEY), ("next", "/admin/campaigns")])
        .send()
        .await
        .unwrap();
    let session = ok.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let campaign = app.campaign("겨울 <세일> & 특가").await;
    let activity = app.activity(campaign).await;
    let page = |path: String| {
        let (c, session, url) = (c.clone(), session.clone(), app.url(&path));
        async move {
            let r = c.get(url).header("cookie", session).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        }
    };
    let html = page(format!("/admin/dashboard/{activity}")).await;
    assert!(html.contains("<title>Axon · TV deal</title>"), "{html}");
    let html = page(format!("/admin/dashboard/cohort/{activity}")).await;
    assert!(
        html.contains("<title>Axon · TV deal · 코호트 LTV</title>"),
        "{html}"
    );
    let html = page(format!("/admin/dashboard/campaign/{campaign}")).await;
    assert!(
        html.contains("<title>Axon · 겨울 &lt;세일&gt; &amp; 특가</title>"),
        "{html}"
    );
    let html = page("/admin/dashboard/999".into()).await;
    assert!(html.contains("<title>Axon · #999</title>"), "{html}");
    // The nav names each link once, in Korean until app.js switches it; the language buttons
    // say which language they are in.
    assert!(
        html.contains(r#"data-t="overview">전체 개요</a>"#)
            && !html.contains("· Overview")
            && html.contains(r#"data-lang="en" lang="en">English"#),
        "{html}"
    );
    let out = c
        .get(app.url(&format!("/admin/dashboard/{activity}")))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303, "no title lookup without a session");
}

#[tokio::test]
async fn the_integration_guide_is_served_with_the_tracker_section_anchored() {
    let app = spawn_app().await;
    let r = no_redirects()
        .get(app.url("/docs/integration"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "public: a shop engineer reads it without a key"
    );
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<h2 id="1-the-tracker">1. The tracker</h2>"#));
    assert!(html.contains("&lt;script async src=&quot;https://axon.example.com/axon.js&quot;&gt;"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_shop_page_has_no_inline_script() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));
    let api = app.get("/healthz").await;
    assert_eq!(api.status, 200);
    let c = app.campaign("Shop").await;
    let a = app.activity(c).await;
    app.patch(
        &format!("/api/v1/activities/{a}/status"),
        json!({"status": "ACTIVE"}),
    )
    .await;
    let shop = app.text(&format!("/demo/shop/activity/{a}")).await;
    assert!(shop.contains(r#"id="axon-shop""#), "{shop}");
    // Every <script> either loads a file of ours or is data (application/json).
    for tag in shop.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap();
        assert!(
            open.contains("src=\"/") || open.contains("type=\"application/json\""),
            "an inline script: <script{open}>"
        );
    }
}
