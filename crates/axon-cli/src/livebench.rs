//! `axon bench live`: opens N Server-Sent-Events dashboard viewers on a running server, posts
//! one event every 500 ms, and measures how long each viewer takes to see each event
//! (event acknowledged → `dashboard-update` received), with the number of viewers held.

use crate::bench::Samples;
use crate::cli::LiveBenchArgs;
use crate::CliError;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Shared {
    posted: Mutex<Vec<Instant>>,
    connected: AtomicU64,
    updates: AtomicU64,
    samples: Mutex<Samples>,
}

async fn viewer(
    client: reqwest::Client,
    url: String,
    key: String,
    shared: Arc<Shared>,
    deadline: Instant,
) {
    let Ok(mut resp) = client.get(&url).bearer_auth(&key).send().await else {
        return;
    };
    if !resp.status().is_success() {
        return;
    }
    shared.connected.fetch_add(1, Ordering::Relaxed);
    let (mut buf, mut base, mut seen) = (String::new(), None::<u64>, 0usize);
    while Instant::now() < deadline {
        let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_secs(1), resp.chunk())
            .await
            .map_err(|_| ())
            .map(|r| r.map_err(|_| ()))
        else {
            continue;
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let data: String = frame
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            let Ok(v) = serde_json::from_str::<Value>(&data) else {
                continue;
            };
            shared.updates.fetch_add(1, Ordering::Relaxed);
            let inflow = v["data"]["realtime"]["inflowLastHour"]
                .as_u64()
                .unwrap_or(0);
            let b = *base.get_or_insert(inflow);
            let arrived = usize::try_from(inflow.saturating_sub(b)).unwrap_or(0);
            let now = Instant::now();
            let posted = shared
                .posted
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            let mut samples = shared
                .samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            while seen < arrived.min(posted.len()) {
                samples.push(now.saturating_duration_since(posted[seen]));
                seen += 1;
            }
        }
    }
}

pub fn run(args: &LiveBenchArgs) -> Result<(), CliError> {
    let rt = crate::serve::runtime()?;
    rt.block_on(async {
        let base = args.url.trim_end_matches('/').to_string();
        let client = reqwest::Client::builder().pool_max_idle_per_host(args.viewers).build().map_err(|e| CliError::Config(e.to_string()))?;
        let shared = Arc::new(Shared { posted: Mutex::new(Vec::new()), connected: AtomicU64::new(0), updates: AtomicU64::new(0), samples: Mutex::new(Samples::default()) });
        let deadline = Instant::now() + Duration::from_secs(args.duration + 5);
        let url = format!("{base}/api/v1/dashboard/stream/activity/{}?widgets=realtime", args.activity);
        let mut tasks = Vec::new();
        for _ in 0..args.viewers {
            tasks.push(tokio::spawn(viewer(client.clone(), url.clone(), args.admin_key.clone(), shared.clone(), deadline)));
        }
        // Let the viewers connect and receive their first answer.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let events = format!("{base}/api/v1/behavior/events");
        let posts = args.duration * 2;
        for i in 0..posts {
            let ev = json!({"triggerType": "PAGE_VIEW", "anonymousId": format!("live-bench-{i}"), "properties": {"activityId": args.activity}});
            let r = client.post(&events).json(&ev).send().await;
            if r.is_ok_and(|r| r.status().as_u16() == 202) {
                shared.posted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        for t in tasks {
            let _ = t.await;
        }
        let mut s = std::mem::take(&mut *shared.samples.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let posted = shared.posted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len();
        println!("axon bench live: {url}");
        println!("  viewers connected  {} of {}", shared.connected.load(Ordering::Relaxed), args.viewers);
        println!("  events posted      {posted} (one per 500 ms)");
        println!("  updates received   {}", shared.updates.load(Ordering::Relaxed));
        println!("  deliveries         {} of {} expected", s.len(), posted as u64 * shared.connected.load(Ordering::Relaxed));
        println!("  event → viewer ms  p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}", s.quantile_ms(0.5), s.quantile_ms(0.9), s.quantile_ms(0.99), s.quantile_ms(1.0));
        Ok(())
    })
}
