//! `axon bench ingest`: drives a running server's collection endpoint and prints throughput and
//! acknowledgement latency. Closed loop (C clients, as fast as acked) by default; `--rate` makes
//! it open loop at a fixed request rate, with latency measured from each request's scheduled
//! start so a stalled server cannot hide its queueing (no coordinated omission).

use crate::cli::IngestArgs;
use crate::CliError;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Latency samples in microseconds, summarised as percentiles.
#[derive(Default)]
pub struct Samples(Vec<u64>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0
            .push(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The q-quantile (0..=1) in milliseconds.
    pub fn quantile_ms(&mut self, q: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        self.0.sort_unstable();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let i = ((self.0.len() - 1) as f64 * q).round() as usize;
        self.0[i] as f64 / 1000.0
    }
}

fn batch_body(batch: usize, worker: usize) -> String {
    let events: Vec<Value> = (0..batch)
        .map(|i| {
            json!({"triggerType": if i % 3 == 0 { "CLICK" } else { "PAGE_VIEW" }, "anonymousId": format!("bench-{worker}-{i}"),
                "pageUrl": format!("https://shop.example/campaign-activity/{}/view", 1 + i % 100), "userAgent": "axon-bench"})
        })
        .collect();
    if batch == 1 {
        events[0].to_string()
    } else {
        Value::Array(events).to_string()
    }
}

struct Outcome {
    ok: u64,
    failed: u64,
    samples: Samples,
}

pub fn run(args: &IngestArgs) -> Result<(), CliError> {
    let rt = crate::serve::runtime()?;
    let url = format!("{}/api/v1/behavior/events", args.url.trim_end_matches('/'));
    let started = Instant::now();
    let outcome = rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency)
            .build()
            .map_err(|e| CliError::Config(e.to_string()))?;
        match args.rate {
            Some(rate) => Ok::<_, CliError>(open_loop(&client, &url, args, rate).await),
            None => Ok(closed_loop(&client, &url, args).await),
        }
    })?;
    let elapsed = started.elapsed();
    let mut s = outcome.samples;
    let secs = elapsed.as_secs_f64();
    println!("axon bench ingest: {url}");
    println!("  batch size        {}", args.batch);
    println!(
        "  mode              {}",
        args.rate.map_or(
            format!("closed loop, {} clients", args.concurrency),
            |r| format!("open loop, {r} req/s")
        )
    );
    println!("  duration          {secs:.1} s");
    println!("  requests ok/fail  {} / {}", outcome.ok, outcome.failed);
    println!("  requests/s        {:.0}", outcome.ok as f64 / secs);
    println!(
        "  events/s (acked)  {:.0}",
        (outcome.ok * args.batch as u64) as f64 / secs
    );
    println!(
        "  ack latency ms    p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        s.quantile_ms(0.5),
        s.quantile_ms(0.9),
        s.quantile_ms(0.99),
        s.quantile_ms(1.0)
    );
    if outcome.ok == 0 {
        return Err(CliError::Config(
            "no request was acknowledged; is the server running?".into(),
        ));
    }
    Ok(())
}

async fn closed_loop(client: &reqwest::Client, url: &str, args: &IngestArgs) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let mut handles = Vec::new();
    for w in 0..args.concurrency {
        let (client, url, body) = (client.clone(), url.to_string(), batch_body(args.batch, w));
        handles.push(tokio::spawn(async move {
            let mut o = Outcome {
                ok: 0,
                failed: 0,
                samples: Samples::default(),
            };
            while Instant::now() < deadline {
                let t = Instant::now();
                o.record(post(&client, &url, &body).await, t);
            }
            o
        }));
    }
    merge(handles).await
}

/// Open loop, wrk2-style: each of the C clients owns an even share of the rate and a fixed
/// schedule; a late answer delays its next send, and that delay counts in the latency.
async fn open_loop(client: &reqwest::Client, url: &str, args: &IngestArgs, rate: u64) -> Outcome {
    let workers = args.concurrency.max(1);
    let per_worker = rate as f64 / workers as f64;
    let interval = Duration::from_secs_f64(1.0 / per_worker);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.duration);
    let mut handles = Vec::new();
    for w in 0..workers {
        let (client, url, body) = (client.clone(), url.to_string(), batch_body(args.batch, w));
        // Stagger the workers across one interval so their sends interleave.
        let offset = interval.mul_f64(w as f64 / workers as f64);
        handles.push(tokio::spawn(async move {
            let mut o = Outcome {
                ok: 0,
                failed: 0,
                samples: Samples::default(),
            };
            let mut scheduled = start + offset;
            while scheduled < deadline {
                tokio::time::sleep_until(scheduled.into()).await;
                o.record(post(&client, &url, &body).await, scheduled);
                scheduled += interval;
            }
            o
        }));
    }
    merge(handles).await
}

/// One collection request; true when it was acknowledged (202).
async fn post(client: &reqwest::Client, url: &str, body: &str) -> bool {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await;
    r.is_ok_and(|r| r.status().as_u16() == 202)
}

impl Outcome {
    /// Counts an answer; latency runs from `since` (the send, or its schedule).
    fn record(&mut self, acked: bool, since: Instant) {
        if acked {
            self.ok += 1;
            self.samples.push(since.elapsed());
        } else {
            self.failed += 1;
        }
    }
}

async fn merge(handles: Vec<tokio::task::JoinHandle<Outcome>>) -> Outcome {
    let mut all = Outcome {
        ok: 0,
        failed: 0,
        samples: Samples::default(),
    };
    for h in handles {
        if let Ok(o) = h.await {
            all.ok += o.ok;
            all.failed += o.failed;
            all.samples.extend(o.samples);
        }
    }
    all
}
