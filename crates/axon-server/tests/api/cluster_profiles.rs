//! The eligibility cache on Redis across two nodes: warmed filter inputs serve entries on
//! every node without a profile read, a profile write drops them at once, an unwarmed person
//! is read once and then cached.

use crate::cluster::{activity, admin, dashboard, redis_cli, servers, two, T0};
use crate::helpers::ADMIN_KEY;
use reqwest::Client;
use serde_json::{json, Value};

async fn enter(client: &Client, base: &str, aid: i64, user: &str) -> (u16, Value) {
    let r = client
        .post(format!("{base}/api/v1/activities/{aid}/entries"))
        .bearer_auth(axon_server::auth::mint_jwt(
            crate::helpers::JWT_SECRET.as_bytes(),
            user,
            axon_domain::Ts(T0 + 3_600_000),
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warmed_filter_inputs_serve_entries_on_every_node_until_the_profile_changes() {
    let Some((db, redis)) = servers("api::cluster::warmed_filter_inputs") else {
        return;
    };
    let t = two(&db, &redis.url(), |c| c.redis.prefix = "elig:".into()).await;
    let (c, post, put) = (&t.client, reqwest::Method::POST, reqwest::Method::PUT);
    let (cid, _) = activity(c, &t.a.base).await;
    let a = admin(
        c,
        &t.a.base,
        post.clone(),
        &format!("/api/v1/campaigns/{cid}/activities"),
        json!({"name": "filtered", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 10,
            "startDate": "2026-11-01", "endDate": "2026-11-30",
            "filters": [{"type": "AGE", "operator": "BETWEEN", "values": [20, 39]}]}),
    )
    .await;
    let aid = a["id"].as_i64().unwrap();
    admin(
        c,
        &t.a.base,
        reqwest::Method::PATCH,
        &format!("/api/v1/activities/{aid}/status"),
        json!({"status": "ACTIVE"}),
    )
    .await;
    for (user, age) in [("u1", 31), ("u2", 50), ("u4", 22)] {
        admin(
            c,
            &t.a.base,
            put.clone(),
            &format!("/api/v1/users/{user}"),
            json!({"age": age}),
        )
        .await;
    }
    // u1, u2 and u3 (no profile) looked at the activity; u4 did not.
    let events: Vec<Value> = ["u1", "u2", "u3"]
        .iter()
        .map(
            |u| json!({"triggerType": "PAGE_VIEW", "userId": u, "properties": {"activityId": aid}}),
        )
        .collect();
    let r = c
        .post(format!("{}/api/v1/behavior/events", t.a.base))
        .json(&events)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);

    let w = admin(
        c,
        &t.a.base,
        post.clone(),
        &format!("/api/v1/activities/{aid}/warm"),
        json!({}),
    )
    .await;
    assert_eq!(w["candidates"], 3, "{w}");
    assert_eq!(w["withProfile"], 2, "{w}");
    assert_eq!(w["cached"], 3, "{w}");
    assert_eq!(w["cacheEnabled"], true);
    let key = |u: &str| format!("elig:validation:{u}:{aid}");
    let u1: Value = serde_json::from_str(&redis_cli(&redis, &["GET", &key("u1")])).unwrap();
    assert_eq!(u1["age"], 31);
    assert_eq!(
        redis_cli(&redis, &["GET", &key("u3")]),
        "null",
        "known to have no profile"
    );
    let ttl: i64 = redis_cli(&redis, &["PTTL", &key("u1")]).parse().unwrap();
    assert!((290_000..=300_000).contains(&ttl), "kept 5 minutes: {ttl}");
    assert_eq!(
        redis_cli(&redis, &["EXISTS", &key("u4")]),
        "0",
        "u4 was not a likely entrant"
    );

    // B decides from the cache, not the database: a cached age of 25 lets the 50-year-old in.
    redis_cli(
        &redis,
        &[
            "SET",
            &key("u2"),
            r#"{"userId":"u2","age":25}"#,
            "PX",
            "300000",
        ],
    );
    assert_eq!(
        enter(c, &t.b.base, aid, "u2").await.0,
        200,
        "B read the cached inputs"
    );
    assert_eq!(enter(c, &t.b.base, aid, "u1").await.0, 200);
    let (s, v) = enter(c, &t.b.base, aid, "u3").await;
    assert_eq!((s, v["error"].as_str()), (400, Some("NOT_ELIGIBLE")), "{v}");

    // A profile written on A drops its cached inputs: B's next entry reads the new profile.
    admin(c, &t.a.base, put, "/api/v1/users/u3", json!({"age": 30})).await;
    assert_eq!(
        redis_cli(&redis, &["EXISTS", &key("u3")]),
        "0",
        "dropped on the write"
    );
    assert_eq!(
        enter(c, &t.b.base, aid, "u3").await.0,
        200,
        "the new profile counts at once"
    );
    // A person who was not warmed is read once and then cached.
    assert_eq!(enter(c, &t.b.base, aid, "u4").await.0, 200);
    let u4: Value = serde_json::from_str(&redis_cli(&redis, &["GET", &key("u4")])).unwrap();
    assert_eq!(u4["age"], 22);

    let (s, v) = dashboard(c, &t.a.base, "/api/v1/activities/999").await;
    assert_eq!(s, 404, "{v}");
    let r = c
        .post(format!("{}/api/v1/activities/999/warm", t.a.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .post(format!("{}/api/v1/activities/{aid}/warm", t.a.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "admins only");
}
