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

/// A batch of `batch` tracker events (PAGE_VIEW, every third a CLICK) from client `worker`'s
/// visitors: on `activity`'s page, or spread over activities 1–100 when it is `None`.
pub fn batch_body(batch: usize, worker: usize, activity: Option<i64>) -> String {
    let events: Vec<Value> = (0..batch)
        .map(|i| {
            let a = activity.unwrap_or(1 + (i % 100) as i64);
            json!({"triggerType": if i % 3 == 0 { "CLICK" } else { "PAGE_VIEW" }, "anonymousId": format!("bench-{worker}-{i}"),
                "pageUrl": format!("https://shop.example/campaign-activity/{a}/view"), "userAgent": "axon-bench"})
        })
        .collect();
    if batch == 1 {
        events[0].to_string()
    } else {
        Value::Array(events).to_string()
    }
}

/// Answers of one measurement: how many were as expected (with their latency) and how many
/// not, and when the last one came.
#[derive(Default)]
pub struct Outcome {
    pub ok: u64,
    pub failed: u64,
    pub samples: Samples,
    pub last: Option<Instant>,
}

impl Outcome {
    /// Counts an answer; latency runs from `since` (the send, or its schedule).
    pub fn record(&mut self, acked: bool, since: Instant) {
        self.last = self.last.max(Some(Instant::now()));
        if acked {
            self.ok += 1;
            self.samples.push(since.elapsed());
        } else {
            self.failed += 1;
        }
    }
}

/// One load-generating client: each call sends one request and says whether the answer was the
/// expected one.
pub trait Call: Send + 'static {
    fn call(&mut self) -> impl std::future::Future<Output = bool> + Send;
}

/// When the clients of a loop run: answers to requests sent before `from` (the warm-up) are not
/// counted, and no request is sent at or after `until`.
#[derive(Clone, Copy)]
pub struct Span {
    pub from: Instant,
    pub until: Instant,
}

impl Span {
    /// Seconds from the start of counting to the last counted answer, and at least the whole
    /// span: an open loop that fell behind its schedule answers late, and is this much slower.
    pub fn busy_secs(&self, o: &Outcome) -> f64 {
        let end = o.last.unwrap_or(self.until).max(self.until);
        (end - self.from).as_secs_f64().max(1e-3)
    }

    /// Starts now: `warmup` uncounted, then `measured` counted.
    pub fn after_warmup(warmup: Duration, measured: Duration) -> Span {
        let from = Instant::now() + warmup;
        Span {
            from,
            until: from + measured,
        }
    }
}

/// Closed loop: every client sends its next request as soon as the previous one is answered.
/// Every answer that arrives after the warm-up counts (with its whole latency, even when it was
/// asked for during the warm-up: a slow answer is not lost).
pub async fn closed_loop<C: Call>(clients: Vec<C>, span: Span) -> Outcome {
    let handles = clients
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                let mut o = Outcome::default();
                while Instant::now() < span.until {
                    let t = Instant::now();
                    let ok = c.call().await;
                    if Instant::now() >= span.from {
                        o.record(ok, t);
                    }
                }
                o
            })
        })
        .collect();
    merge(handles).await
}

/// Open loop, wrk2-style: each client owns an even share of `rate` (requests/s) and a fixed
/// schedule, staggered across one interval so the clients' sends interleave; a late answer
/// delays that client's next send, and the delay counts in the latency, measured from each
/// request's scheduled start (no coordinated omission).
pub async fn open_loop<C: Call>(clients: Vec<C>, rate: f64, span: Span) -> Outcome {
    let n = clients.len().max(1);
    let interval = Duration::from_secs_f64(n as f64 / rate.max(1e-3));
    let start = Instant::now();
    let handles = clients
        .into_iter()
        .enumerate()
        .map(|(w, mut c)| {
            let mut scheduled = start + interval.mul_f64(w as f64 / n as f64);
            tokio::spawn(async move {
                let mut o = Outcome::default();
                while scheduled < span.until {
                    tokio::time::sleep_until(scheduled.into()).await;
                    let ok = c.call().await;
                    if scheduled >= span.from {
                        o.record(ok, scheduled);
                    }
                    scheduled += interval;
                }
                o
            })
        })
        .collect();
    merge(handles).await
}

async fn merge(handles: Vec<tokio::task::JoinHandle<Outcome>>) -> Outcome {
    let mut all = Outcome::default();
    for h in handles {
        if let Ok(o) = h.await {
            all.ok += o.ok;
            all.failed += o.failed;
            all.samples.extend(o.samples);
            all.last = all.last.max(o.last);
        }
    }
    all
}

/// `bench ingest`'s client: one collection request per call; true when acknowledged (202).
struct Poster {
    client: reqwest::Client,
    url: String,
    body: String,
}

impl Call for Poster {
    async fn call(&mut self) -> bool {
        let r = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(self.body.clone())
            .send()
            .await;
        r.is_ok_and(|r| r.status().as_u16() == 202)
    }
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
        let clients = (0..args.concurrency.max(1))
            .map(|w| Poster {
                client: client.clone(),
                url: url.clone(),
                body: batch_body(args.batch, w, None),
            })
            .collect();
        let span = Span::after_warmup(Duration::ZERO, Duration::from_secs(args.duration));
        Ok::<_, CliError>(match args.rate {
            Some(rate) => open_loop(clients, rate as f64, span).await,
            None => closed_loop(clients, span).await,
        })
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
