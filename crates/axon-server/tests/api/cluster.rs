//! Several nodes on one PostgreSQL and one Redis (issue 13): the bus carries each node's
//! commits to the others at once (live viewers on B see A's writes within 1 s although B's own
//! poll is set to 30 s, and again after Redis restarted), the answer cache is shared (B serves
//! what A cached; a write makes the next answer fresh; realtime is never cached; a Redis that is
//! gone degrades to computing), the rate limits are one budget for all nodes (and each node's
//! own while Redis is away), and an admin session signed in on A works on B and dies on B —
//! its live stream too — when it is signed out on A. The eligibility cache: `cluster_profiles`.

use crate::helpers::{Node, ADMIN_KEY};
use axon_server::{Secret, SessionSecret};
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// 2026-11-15T00:00:00Z.
pub(crate) const T0: i64 = 1_794_700_800_000;

pub(crate) struct Two {
    pub a: Node,
    pub b: Node,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    pub client: Client,
}

/// Two nodes on `db` and `redis`, one manual clock; `tune` adjusts both configs.
pub(crate) async fn two(db: &str, redis: &str, tune: impl Fn(&mut axon_server::Config)) -> Two {
    let clock = Arc::new(axon_domain::ManualClock::new(axon_domain::Ts(T0)));
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = |c: &mut axon_server::Config| {
        c.database_url = Some(Secret::new(db));
        c.redis_url = Some(Secret::new(redis));
        c.redis.recovery_grace = Duration::from_millis(200);
        c.clock = clock.clone();
        // Only the bus can bring A's commits to B within a second.
        c.bus_poll = Duration::from_secs(30);
        tune(c);
    };
    let a = Node::start(dirs.0.path(), config).await;
    let b = Node::start(dirs.1.path(), config).await;
    Two {
        a,
        b,
        _dirs: dirs,
        client: Client::new(),
    }
}

pub(crate) fn servers(test: &str) -> Option<(String, axon_testdb::RedisServer)> {
    let pg = axon_testdb::postgres(test)?;
    let redis = axon_testdb::redis(test)?;
    let name: String = test.rsplit("::").next().unwrap().chars().take(24).collect();
    Some((pg.database(&name), redis))
}

pub(crate) async fn admin(
    client: &Client,
    base: &str,
    m: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let r = client
        .request(m, format!("{base}{path}"))
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// A campaign and an activity created on `base`; their ids.
pub(crate) async fn activity(client: &Client, base: &str) -> (i64, i64) {
    let post = reqwest::Method::POST;
    let c = admin(
        client,
        base,
        post.clone(),
        "/api/v1/campaigns",
        json!({"name": "Cluster", "budget": 1000}),
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    let a = admin(
        client,
        base,
        post,
        &format!("/api/v1/campaigns/{cid}/activities"),
        json!({"name": "deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 10,
            "startDate": "2026-11-01", "endDate": "2026-11-30"}),
    )
    .await;
    (cid, a["id"].as_i64().unwrap())
}

async fn visit(client: &Client, base: &str, aid: i64, n: usize) {
    let events: Vec<Value> = (0..n)
        .map(|i| {
            json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("v{i}"),
            "properties": {"activityId": aid}})
        })
        .collect();
    let r = client
        .post(format!("{base}/api/v1/behavior/events"))
        .json(&events)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

pub(crate) async fn dashboard(client: &Client, base: &str, path: &str) -> (u16, Value) {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Polls `base` until `path` answers 200 with `done`, for at most `limit`.
async fn until(
    client: &Client,
    base: &str,
    path: &str,
    limit: Duration,
    done: impl Fn(&Value) -> bool,
) -> Option<Value> {
    let deadline = Instant::now() + limit;
    loop {
        let (s, v) = dashboard(client, base, path).await;
        if s == 200 && done(&v) {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The next `dashboard-update` of an SSE stream, or `None` at the deadline.
async fn next_update(
    resp: &mut reqwest::Response,
    buf: &mut String,
    deadline: Instant,
) -> Option<Value> {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            if frame.contains("event: dashboard-update") {
                let data: String = frame
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                return Some(serde_json::from_str(&data).unwrap());
            }
            continue;
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, resp.chunk()).await {
            Ok(Ok(Some(bytes))) => buf.push_str(&String::from_utf8_lossy(&bytes)),
            _ => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_on_b_see_writes_made_on_a_through_the_bus_even_after_a_redis_restart() {
    let Some((db, redis)) = servers("api::cluster::viewers_on_b_see_writes_via_bus") else {
        return;
    };
    let t = two(&db, &redis.url(), |_| {}).await;
    let (_, aid) = activity(&t.client, &t.a.base).await;
    let path = format!("/api/v1/dashboard/activity/{aid}?widgets=overview&period=30d");
    let known = until(&t.client, &t.b.base, &path, Duration::from_secs(1), |_| {
        true
    })
    .await;
    assert!(known.is_some(), "B knows A's new activity within 1 s");
    let mut stream = t
        .client
        .get(format!(
            "{}/api/v1/dashboard/stream/activity/{aid}?widgets=overview&period=30d",
            t.b.base
        ))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut buf = String::new();
    let first = next_update(
        &mut stream,
        &mut buf,
        Instant::now() + Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_eq!(first["data"]["overview"]["totalVisits"], 0);
    let mut total = 0;
    for round in 0..3 {
        if round == 2 {
            // A Redis restart: both nodes resubscribe, and A's announcements reach B again.
            redis.restart_empty();
        }
        let sent = Instant::now();
        visit(&t.client, &t.a.base, aid, 2).await;
        total += 2;
        let limit = if round == 2 { 5 } else { 1 };
        let got = next_update(&mut stream, &mut buf, sent + Duration::from_secs(limit))
            .await
            .unwrap_or_else(|| panic!("round {round}: B's viewer saw nothing within {limit} s"));
        // Woken only once B's engine has A's events: the very next push carries them.
        assert_eq!(
            got["data"]["overview"]["totalVisits"], total,
            "round {round}: the push after A's write shows it"
        );
        eprintln!(
            "round {round}: A's write on B's stream in {:?}",
            sent.elapsed()
        );
    }
}

pub(crate) fn redis_cli(redis: &axon_testdb::RedisServer, args: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &redis.port.to_string()])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_share_cached_answers_and_a_write_makes_the_next_one_fresh() {
    let Some((db, redis)) = servers("api::cluster::nodes_share_cached_answers") else {
        return;
    };
    let t = two(&db, &redis.url(), |c| c.redis.prefix = "cache-test:".into()).await;
    let (cid, aid) = activity(&t.client, &t.a.base).await;
    visit(&t.client, &t.a.base, aid, 3).await;
    let path = format!("/api/v1/dashboard/activity/{aid}?widgets=overview,funnel&period=7d");
    let on_b = until(&t.client, &t.b.base, &path, Duration::from_secs(1), |v| {
        v["data"]["overview"]["totalVisits"] == 3
    })
    .await;
    assert!(on_b.is_some(), "B has A's visits");
    let keys = redis_cli(&redis, &["--scan", "--pattern", "cache-test:dashboard:*"]);
    let key = format!("cache-test:dashboard:activity:{aid}:overview,funnel:7d:");
    // B may also have cached an earlier answer (before A's visits reached it), under an older
    // version: exactly one holds the three visits.
    let cached: Vec<&str> = keys
        .lines()
        .filter(|k| k.starts_with(&key))
        .filter(|k| {
            let v: Value = serde_json::from_str(&redis_cli(&redis, &["GET", k])).unwrap();
            v["overview"]["totalVisits"] == 3
        })
        .collect();
    assert_eq!(
        cached.len(),
        1,
        "one cached answer under the seed's key: {keys}"
    );
    let ttl: i64 = redis_cli(&redis, &["PTTL", cached[0]]).parse().unwrap();
    assert!(
        (290_000..=300_000).contains(&ttl),
        "kept 5 minutes: {ttl} ms"
    );

    // The same answer as an uncached call (same data, same clock).
    let (_, from_a) = dashboard(&t.client, &t.a.base, &path).await;
    let (_, from_b) = dashboard(&t.client, &t.b.base, &path).await;
    assert_eq!(from_a, from_b);
    let uncached =
        format!("/api/v1/dashboard/activity/{aid}?widgets=overview,funnel,trend&period=7d");
    let (_, fresh) = dashboard(&t.client, &t.a.base, &uncached).await;
    assert_eq!(fresh["data"]["overview"], from_a["data"]["overview"]);
    assert_eq!(fresh["data"]["funnel"], from_a["data"]["funnel"]);

    // B answers from the cache: a marked entry put there shows on B (and on A).
    let raw = redis_cli(&redis, &["GET", cached[0]]);
    let mut marked: Value = serde_json::from_str(&raw).unwrap();
    marked["overview"]["totalVisits"] = json!(777);
    redis_cli(
        &redis,
        &["SET", cached[0], &marked.to_string(), "PX", "300000"],
    );
    // (Asked without `period`: the same answer — 7d is the default — but not the node's own
    // in-process render of the exact same call, which it would share at the same version.)
    let same = format!("/api/v1/dashboard/activity/{aid}?widgets=overview,funnel");
    let (_, hit) = dashboard(&t.client, &t.b.base, &same).await;
    assert_eq!(
        hit["data"]["overview"]["totalVisits"], 777,
        "B served the cached widgets"
    );
    assert_eq!(hit["data"]["funnel"], from_a["data"]["funnel"]);
    assert_eq!(hit["timestamp"], from_a["timestamp"]);
    assert_eq!(hit["activityId"], aid);

    // A write in the scope moves its version: the next answer is computed, on every node.
    let sent = Instant::now();
    visit(&t.client, &t.a.base, aid, 1).await;
    let fresh = until(&t.client, &t.b.base, &path, Duration::from_secs(1), |v| {
        v["data"]["overview"]["totalVisits"] == 4
    })
    .await;
    assert!(
        fresh.is_some(),
        "after a write B answers fresh, not the cached 777"
    );
    eprintln!("A's write in B's REST answer after {:?}", sent.elapsed());
    let (_, a_now) = dashboard(&t.client, &t.a.base, &path).await;
    assert_eq!(a_now["data"]["overview"]["totalVisits"], 4);

    // Realtime is never cached: nothing is stored for an answer that contains it.
    let realtime = format!("/api/v1/dashboard/activity/{aid}?widgets=overview,realtime&period=7d");
    let (s, v) = dashboard(&t.client, &t.b.base, &realtime).await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["realtime"]["inflowLastHour"], 4);
    let campaign =
        format!("/api/v1/dashboard/campaign/{cid}?widgets=overview,comparison&period=7d");
    let (s, c) = dashboard(&t.client, &t.b.base, &campaign).await;
    assert_eq!(s, 200);
    assert_eq!(c["data"]["overview"]["totalVisits"], 4);
    let keys = redis_cli(&redis, &["--scan", "--pattern", "cache-test:dashboard:*"]);
    assert!(!keys.contains("realtime"), "{keys}");
    assert!(
        keys.contains(&format!("dashboard:campaign:{cid}:overview,comparison:7d:")),
        "{keys}"
    );

    // Redis gone: answers are computed, never an error.
    redis.stop();
    let (s, v) = dashboard(&t.client, &t.b.base, &path).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["overview"]["totalVisits"], 4);
    let (s, _) = dashboard(&t.client, &t.a.base, &campaign).await;
    assert_eq!(s, 200);
}

async fn collect(client: &Client, base: &str) -> u16 {
    client
        .post(format!("{base}/api/v1/behavior/events"))
        .json(&json!({"triggerType": "PAGE_VIEW", "anonymousId": "r1", "properties": {}}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_one_rate_limit_budget_and_fall_back_to_their_own() {
    let Some((db, redis)) = servers("api::cluster::two_nodes_share_one_rate_limit") else {
        return;
    };
    const RATE: u32 = 5;
    let t = two(&db, &redis.url(), |c| c.rate_limit_per_ip = RATE).await;
    let started = Instant::now();
    let (mut allowed, mut refused) = ([0u32; 2], [0u32; 2]);
    for i in 0..40 {
        let base = if i % 2 == 0 { &t.a.base } else { &t.b.base };
        match collect(&t.client, base).await {
            202 => allowed[i % 2] += 1,
            429 => refused[i % 2] += 1,
            other => panic!("unexpected {other}"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = allowed[0] + allowed[1];
    // One budget: the burst plus what refilled meanwhile (two separate ones would allow twice).
    let most = RATE + (elapsed * f64::from(RATE)).ceil() as u32;
    eprintln!("shared budget: {allowed:?} allowed, {refused:?} refused in {elapsed:.2} s");
    assert!(total >= RATE, "{allowed:?}");
    assert!(
        total <= most,
        "{total} allowed in {elapsed:.2} s, at most {most}"
    );
    assert!(
        refused[0] > 0 && refused[1] > 0,
        "both nodes refuse: {refused:?}"
    );

    // Redis gone: each node limits on its own (the manual clock does not move: no refill).
    redis.stop();
    for base in [&t.a.base, &t.b.base] {
        let mut ok = 0;
        for _ in 0..(2 * RATE) {
            match collect(&t.client, base).await {
                202 => ok += 1,
                429 => {}
                other => panic!("unexpected {other} while Redis is away"),
            }
        }
        assert_eq!(ok, RATE, "{base}: its own budget while Redis is away");
    }
}

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn with_cookie(base: &str, cookie: &str) -> u16 {
    no_redirects()
        .get(format!("{base}/api/v1/campaigns"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_a_works_on_b_and_its_sign_out_on_a_ends_it_on_b_at_once() {
    let Some((db, redis)) = servers("api::cluster::a_session_from_a_works_on_b") else {
        return;
    };
    let secret = SessionSecret::new("a-session-secret-shared-by-every-node").unwrap();
    let t = two(&db, &redis.url(), |c| {
        c.session_secret = Some(secret.clone())
    })
    .await;
    let r = no_redirects()
        .post(format!("{}/admin/login", t.a.base))
        .form(&[("key", ADMIN_KEY), ("next", "/admin/campaigns")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    assert_eq!(
        with_cookie(&t.b.base, &cookie).await,
        200,
        "A's session works on B"
    );
    let mut stream = no_redirects()
        .get(format!(
            "{}/api/v1/dashboard/stream/overview?widgets=overview",
            t.b.base
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let first = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await;
    assert!(matches!(first, Ok(Ok(Some(_)))), "B's stream started");

    let out = no_redirects()
        .get(format!("{}/admin/logout", t.a.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let signed_out = Instant::now();
    assert_eq!(
        with_cookie(&t.b.base, &cookie).await,
        401,
        "refused on B too"
    );
    // The bus tells B at once; without it B's streams re-check every 5 s.
    let ended = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "B's stream of the signed-out session ended within 2 s"
    );
    eprintln!(
        "sign-out on A → B's stream closed in {:?}",
        signed_out.elapsed()
    );
}
