//! Three real `axon serve` processes on one PostgreSQL and one Redis, started by
//! `scripts/cluster.sh` (issue 13): `kill -9` of one node in the middle of a herd loses no
//! acknowledged entry or payment, never oversells, and the holds it left — acknowledged ones and
//! seats it was still writing — return to stock exactly once, claimed by the surviving nodes.
//! Also `axon loadtest` spread over the nodes.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const STOCK: i64 = 100;

/// A cluster started by `scripts/cluster.sh up`; `down` on drop stops exactly what it started.
pub(crate) struct Cluster {
    pub(crate) dir: PathBuf,
    pub(crate) urls: Vec<String>,
    pub(crate) pids: HashMap<String, u32>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/cluster.sh")
}

/// Whether PostgreSQL and Redis are installed; under `CI=true` their absence fails the test.
pub(crate) fn prerequisites(test: &str) -> bool {
    let pg = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.path().join("bin/postgres").exists())
        })
        .unwrap_or(false);
    let redis = Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok();
    if pg && redis {
        return true;
    }
    let why = format!("PostgreSQL installed: {pg}, redis-server installed: {redis}");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: CI=true but a cluster prerequisite is missing ({why})");
    }
    println!("SKIPPED {test}: {why}");
    false
}

/// Whether the tansu broker is there; under `CI=true` its absence fails the test.
pub(crate) fn tansu_present(test: &str) -> bool {
    available(test, axon_testdb::tansu_bin().map(|_| ()))
}

/// Whether ClickHouse (server and client) is installed; under `CI=true` its absence fails.
pub(crate) fn clickhouse_present(test: &str) -> bool {
    available(test, axon_testdb::clickhouse_bins().map(|_| ()))
}

fn available(test: &str, found: Result<(), String>) -> bool {
    match found {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "{test}: CI=true but {why}"
            );
            println!("SKIPPED {test}: {why}");
            false
        }
    }
}

impl Cluster {
    fn up(dir: &Path, nodes: usize, envs: &[(&str, &str)]) -> Cluster {
        Cluster::up_with(dir, nodes, envs, &[])
    }

    /// `up` with more arguments for the script (`--kafka`).
    pub(crate) fn up_with(
        dir: &Path,
        nodes: usize,
        envs: &[(&str, &str)],
        args: &[&str],
    ) -> Cluster {
        let out = Command::new("bash")
            .arg(script())
            .args(["up", "--nodes", &nodes.to_string()])
            .args(args)
            .arg("--dir")
            .arg(dir)
            .env("AXON_BIN", env!("CARGO_BIN_EXE_axon"))
            .env("AXON_ADMIN_KEY", ADMIN_KEY)
            .env("AXON_JWT_SECRET", JWT_SECRET)
            // AXON_TEST_CLUSTER_LOG=info shows more of the nodes' logs (DIR/nodeN.log).
            .env(
                "AXON_LOG",
                std::env::var("AXON_TEST_CLUSTER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .envs(envs.iter().copied())
            .output()
            .expect("run scripts/cluster.sh");
        let mut c = Cluster {
            dir: dir.to_path_buf(),
            urls: Vec::new(),
            pids: HashMap::new(),
        };
        assert!(
            out.status.success(),
            "cluster.sh up failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8_lossy(&out.stdout).to_string();
        let pids = std::fs::read_to_string(dir.join("pids")).unwrap();
        let env = std::fs::read_to_string(dir.join("cluster.env")).unwrap();
        let urls = env
            .lines()
            .find_map(|l| l.strip_prefix("AXON_CLUSTER_URLS="))
            .unwrap()
            .split(',')
            .map(String::from)
            .collect::<Vec<_>>();
        assert_eq!(urls.len(), nodes, "{printed}");
        for u in &urls {
            assert!(printed.contains(u.as_str()), "{u} not printed: {printed}");
        }
        let pids = pids
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, p)| (n.to_string(), p.trim().parse().unwrap()))
            .collect();
        c.urls = urls;
        c.pids = pids;
        c
    }

    pub(crate) fn kill_9(&self, name: &str) {
        let pid = self.pids[name];
        let ok = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -9 {name} ({pid})");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = Command::new("bash")
            .arg(script())
            .args(["down", "--dir"])
            .arg(&self.dir)
            .output();
        if let Ok(o) = out {
            eprintln!("{}", String::from_utf8_lossy(&o.stdout));
        }
        // `down` stopped every recorded process.
        for (name, pid) in &self.pids {
            let alive = Path::new(&format!("/proc/{pid}")).exists()
                && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .unwrap_or_default()
                    .contains(") Z ");
            if alive && !std::thread::panicking() {
                panic!("{name} ({pid}) still runs after cluster.sh down");
            }
        }
    }
}

async fn post(
    client: &reqwest::Client,
    url: String,
    user: &str,
    body: Value,
) -> Option<(u16, Value)> {
    let r = client
        .post(url)
        .bearer_auth(jwt(user))
        .json(&body)
        .send()
        .await
        .ok()?;
    let s = r.status().as_u16();
    Some((s, r.json().await.ok()?))
}

fn taken(stored: &HashMap<String, (String, i64)>) -> i64 {
    stored
        .values()
        .filter(|(s, _)| s == "APPROVED" || s == "PAID")
        .map(|(_, q)| q)
        .sum()
}

async fn fcfs_activity(client: &reqwest::Client, base: &str) -> i64 {
    let c = admin(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns"),
        json!({"name": "cluster crash"}),
    )
    .await;
    let now = jiff::Timestamp::now();
    let a = admin(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns/{}/activities", c["id"]),
        json!({"name": "herd", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": STOCK,
            "startDate": (now - jiff::SignedDuration::from_hours(1)).to_string(),
            "endDate": (now + jiff::SignedDuration::from_hours(1)).to_string()}),
    )
    .await;
    let a = a["id"].as_i64().unwrap();
    admin(
        client,
        reqwest::Method::PATCH,
        format!("{base}/api/v1/activities/{a}/status"),
        json!({"status": "ACTIVE"}),
    )
    .await;
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_one_node_mid_herd_loses_nothing_and_never_oversells() {
    let test = "cli::cluster::kill_9_of_one_node_mid_herd";
    if prerequisites(test) {
        herd(&[]).await;
    }
}

/// The same herd with the broker in the cluster: every entry, token, payment and cancellation
/// goes through `axon.campaign-activity.command` (issue 14); the killed node's command
/// partitions move to a survivor, which applies what it acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_one_node_mid_herd_with_commands_through_kafka() {
    let test = "cli::cluster::kill_9_of_one_node_mid_herd_with_commands_through_kafka";
    if prerequisites(test) && tansu_present(test) {
        herd(&["--kafka"]).await;
    }
}

/// `kill -9` of one of three nodes in the middle of a herd; `args` go to `cluster.sh up`.
async fn herd(args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = Cluster::up_with(
        &tmp.path().join("c"),
        3,
        &[("AXON_RESERVATION_TTL", "4"), ("AXON_APPROVAL_TTL", "4")],
        args,
    );
    let client = reqwest::Client::new();
    let survivor = cluster.urls[0].clone();
    let a = fcfs_activity(&client, &survivor).await;

    // user → node of every acknowledged entry; users whose payment was acknowledged.
    let acked = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let paid = Arc::new(Mutex::new(Vec::<String>::new()));
    let approvals = Arc::new(AtomicI64::new(0));
    let mut tasks = Vec::new();
    for t in 0..24usize {
        let node = t % 3;
        let base = cluster.urls[node].clone();
        let (client, acked, paid, approvals) = (
            client.clone(),
            acked.clone(),
            paid.clone(),
            approvals.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0..60 {
                let user = format!("n{node}-t{t}-{i}");
                let Some((s, b)) = post(
                    &client,
                    format!("{base}/api/v1/activities/{a}/entries"),
                    &user,
                    json!({}),
                )
                .await
                else {
                    return; // the node is gone
                };
                if s != 200 {
                    continue;
                }
                approvals.fetch_add(1, Ordering::Relaxed);
                acked.lock().unwrap().insert(user.clone(), node);
                if i % 3 == 0 {
                    let token = b["reservationToken"].clone();
                    let Some((_, v)) = post(
                        &client,
                        format!("{base}/api/v1/payments/prepare"),
                        &user,
                        json!({"reservationToken": token}),
                    )
                    .await
                    else {
                        return;
                    };
                    let Some((s, _)) = post(
                        &client,
                        format!("{base}/api/v1/payments/confirm"),
                        &user,
                        json!({"approvalToken": v["approvalToken"]}),
                    )
                    .await
                    else {
                        return;
                    };
                    if s == 200 {
                        paid.lock().unwrap().push(user);
                    }
                }
            }
        }));
    }
    // Held + paid is never seen above the stock while the herd runs.
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (client, base, done) = (client.clone(), survivor.clone(), done.clone());
        tokio::spawn(async move {
            let mut most = 0;
            while !done.load(Ordering::Relaxed) {
                most = most.max(taken(&entries(&client, &base, a).await));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            most
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    // Mid-herd: a third of the stock approved, and the victim has acknowledged some of it.
    let victim_acked = || acked.lock().unwrap().values().any(|n| *n == 1);
    while (approvals.load(Ordering::Relaxed) < STOCK / 3 || !victim_acked())
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cluster.kill_9("node2");
    for t in tasks {
        t.await.unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let most = watcher.await.unwrap();
    assert!(
        most <= STOCK,
        "{most} units held or sold at one moment for a stock of {STOCK}"
    );
    let acked = acked.lock().unwrap().clone();
    let paid = paid.lock().unwrap().clone();
    let from_victim = acked.values().filter(|n| **n == 1).count();
    assert!(
        from_victim > 0,
        "the killed node acknowledged nothing before it died"
    );
    eprintln!(
        "{} entries acknowledged ({from_victim} by the killed node), {} payments",
        acked.len(),
        paid.len()
    );

    // With commands on Kafka an acknowledged entry is on the broker and applied by the command
    // group; the killed node's partitions move to a survivor when its session ends (6 s).
    let mut stored = entries(&client, &survivor, a).await;
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until
        && (acked.keys().any(|u| !stored.contains_key(u))
            || paid
                .iter()
                .any(|u| stored.get(u).is_none_or(|(s, _)| s != "PAID")))
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stored = entries(&client, &survivor, a).await;
    }
    let lost: Vec<&String> = acked.keys().filter(|u| !stored.contains_key(*u)).collect();
    if !lost.is_empty() {
        for n in ["node1", "node3"] {
            let log = std::fs::read_to_string(cluster.dir.join(format!("{n}.log")));
            let log = log.unwrap_or_default();
            let tail: String = log.lines().rev().take(30).collect::<Vec<_>>().join("\n");
            eprintln!("--- {n}.log (last lines, newest first)\n{tail}");
        }
    }
    assert!(lost.is_empty(), "acknowledged entries lost: {lost:?}");
    for user in &paid {
        assert_eq!(
            stored[user].0, "PAID",
            "acknowledged payment of {user} lost"
        );
    }
    assert!(taken(&stored) <= STOCK);

    // Every unpaid hold — the killed node's too — expires (TTL 4 s), claimed by a survivor;
    // seats the killed node was still writing, and confirms it had in flight, are claimed when
    // their 30 s lease ends (a confirm's lease starts at its hold's expiry).
    let mut after = stored;
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until && after.values().any(|(s, _)| s == "APPROVED") {
        tokio::time::sleep(Duration::from_millis(200)).await;
        after = entries(&client, &survivor, a).await;
    }
    let stuck: Vec<_> = after
        .iter()
        .filter(|(_, (s, _))| s == "APPROVED")
        .map(|(u, _)| (u.clone(), acked.get(u).copied(), paid.contains(u)))
        .collect();
    assert!(
        stuck.is_empty(),
        "holds never expired (user, node that acknowledged, paid): {stuck:?}"
    );
    // The surviving nodes released expired holds (the killed node is gone). Exactly once,
    // never twice: the stock checks below.
    let expired = after.values().filter(|(s, _)| s == "CANCELLED").count();
    let mut released = 0.0;
    for base in [&cluster.urls[0], &cluster.urls[2]] {
        released += counters(&client, base, &["axon_gate_holds_expired_total"]).await;
    }
    eprintln!("{expired} entries cancelled at expiry; the survivors released {released} seats");
    assert!(expired > 0 && released > 0.0, "no hold expired: {after:?}");
    let paid_units: i64 = after
        .values()
        .filter(|(s, _)| s == "PAID")
        .map(|(_, q)| q)
        .sum();
    let free = STOCK - paid_units;
    let stock_url = format!("{survivor}/api/v1/activities/{a}/stock");
    let until = Instant::now() + Duration::from_secs(45);
    let mut remaining = -1;
    while Instant::now() < until {
        let v: Value = client
            .get(&stock_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        remaining = v["remaining"].as_i64().unwrap_or(-1);
        if remaining == free {
            break;
        }
        assert!(
            remaining < free,
            "{remaining} units free, more than the {free} unsold: a hold came back twice"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        remaining, free,
        "the unsold units did not all return to stock"
    );

    // Exactly the unsold units can be sold again, on either surviving node: each winner pays at
    // once (a hold that still expired before its payment comes back and another shopper wins
    // it), so in the end exactly the stock is paid — no unit lost, none sold twice.
    let mut bought = 0;
    for i in 0..(free + 40) {
        let base = &cluster.urls[if i % 2 == 0 { 0 } else { 2 }];
        let user = format!("after-{i}");
        let (s, b) = post(
            &client,
            format!("{base}/api/v1/activities/{a}/entries"),
            &user,
            json!({}),
        )
        .await
        .unwrap();
        match s {
            200 => {}
            410 => continue,
            other => panic!("unexpected {other}: {b}"),
        }
        let prepare = json!({"reservationToken": b["reservationToken"]});
        let Some((200, v)) = post(
            &client,
            format!("{base}/api/v1/payments/prepare"),
            &user,
            prepare,
        )
        .await
        else {
            continue;
        };
        let confirm = json!({"approvalToken": v["approvalToken"]});
        if let Some((200, _)) = post(
            &client,
            format!("{base}/api/v1/payments/confirm"),
            &user,
            confirm,
        )
        .await
        {
            bought += 1;
        }
    }
    let last = entries(&client, &survivor, a).await;
    let paid_now: i64 = last
        .values()
        .filter(|(s, _)| s == "PAID")
        .map(|(_, q)| q)
        .sum();
    assert_eq!(
        bought, free,
        "re-entries bought {bought} of {free} unsold units; paid now {paid_now}"
    );
    assert_eq!(paid_now, STOCK);
    assert!(taken(&last) <= STOCK);
}

/// The sum of the named counters on a node's `/metrics`.
async fn counters(client: &reqwest::Client, base: &str, names: &[&str]) -> f64 {
    let m = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    m.lines()
        .filter(|l| names.iter().any(|n| l.split([' ', '{']).next() == Some(*n)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loadtest_spreads_its_users_over_the_nodes() {
    let test = "cli::cluster::loadtest_spreads_its_users_over_the_nodes";
    if !prerequisites(test) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let cluster = Cluster::up(&tmp.path().join("c"), 2, &[]);
    let urls = cluster.urls.join(",");
    let out = tokio::task::spawn_blocking(move || {
        succeeds(axon().args([
            "loadtest",
            "--url",
            &urls,
            "--admin-key",
            ADMIN_KEY,
            "--jwt-secret",
            JWT_SECRET,
            "--users",
            "40",
            "--stock",
            "30",
            "--ramp-secs",
            "0.5",
            "--hold-secs",
            "2",
            "--decay-secs",
            "0.5",
        ]))
    })
    .await
    .unwrap();
    assert!(
        out.contains(&cluster.urls[0]) && out.contains(&cluster.urls[1]),
        "{out}"
    );
    assert!(out.contains("verdict           OK"), "{out}");
    // Both nodes decided entries.
    let client = reqwest::Client::new();
    let decided = [
        "axon_gate_approved_total",
        "axon_gate_sold_out_total",
        "axon_gate_duplicates_total",
    ];
    for url in &cluster.urls {
        let n = counters(&client, url, &decided).await;
        assert!(n > 0.0, "{url} decided no entry");
    }
}
