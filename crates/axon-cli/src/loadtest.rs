//! `axon loadtest`: the FCFS thundering herd against a running server (SPEC §9).
//!
//! Virtual users ramp up to N in 2 s, hold for 8 s, then decay to 20 % and 4 % (2 s each).
//! Each iteration of a VU is one arriving shopper: PAGE_VIEW, CLICK, entry and — on approval —
//! prepare and confirm. A share of iterations (the duplicate rate) re-sends the previous
//! shopper's entry instead, like a double click. At the end the server's entries are read back:
//! successes must equal the stock and the held + paid units must never exceed it. Given several
//! `--url`s (the nodes of one cluster), VU `i` drives node `i mod n`; the verdict is read from
//! the first node (they share one store).

use crate::bench::Samples;
use crate::cli::LoadtestArgs;
use crate::rawhttp::{self, Conn};
use crate::CliError;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counters {
    paid: AtomicU64,
    approved: AtomicU64,
    retries: AtomicU64,
    sold_out: AtomicU64,
    duplicates: AtomicU64,
    conflicts: AtomicU64,
    errors: AtomicU64,
    requests: AtomicU64,
    entries: AtomicU64,
}

impl Counters {
    fn add(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// The herd's shape: active VUs at `t` seconds.
fn target(n: usize, t: f64, ramp: f64, hold: f64, decay: f64) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let scaled = |f: f64| (n as f64 * f).ceil() as usize;
    if t < ramp {
        scaled(t / ramp)
    } else if t < ramp + hold {
        n
    } else if t < ramp + hold + decay {
        scaled(0.2)
    } else if t < ramp + hold + 2.0 * decay {
        scaled(0.04)
    } else {
        0
    }
}

struct Ctx {
    /// The nodes' `host:port`; virtual user `i` drives node `i % len`.
    authorities: Vec<String>,
    secret: String,
    write_key: Option<String>,
    activity: i64,
    quantity: i64,
    duplicate_rate: f64,
    track: bool,
    counters: Counters,
    start: Instant,
    /// Entry answers per elapsed second.
    per_sec: Vec<AtomicU64>,
}

/// One admin API call; the answer's JSON, or an error naming the URL and status.
pub(crate) async fn admin(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    key: &str,
    body: Value,
) -> Result<Value, CliError> {
    let r = client
        .request(method, &url)
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .map_err(|e| CliError::Config(format!("{url}: {e}")))?;
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(CliError::Config(format!("{url}: {status} {v}")));
    }
    Ok(v)
}

/// The FCFS activity a herd enters: `stock` units (`None` = unlimited), `quantity` per entry.
pub(crate) struct Gate<'a> {
    /// Names the campaign and activity (`{label} {run}`).
    pub label: &'a str,
    pub base: &'a str,
    pub admin_key: &'a str,
    pub stock: Option<i64>,
    pub quantity: i64,
}

/// Creates a campaign and an ACTIVE FCFS activity open now (from an hour ago to a day ahead).
pub(crate) async fn setup(
    client: &reqwest::Client,
    g: &Gate<'_>,
    run: &str,
) -> Result<i64, CliError> {
    let (base, key) = (g.base.trim_end_matches('/'), g.admin_key);
    let c = admin(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/campaigns"),
        key,
        json!({"name": format!("{} {run}", g.label), "budget": 1_000_000}),
    )
    .await?;
    let now = jiff::Timestamp::now();
    let start = now - jiff::SignedDuration::from_hours(1);
    let end = now + jiff::SignedDuration::from_hours(24);
    let a = admin(client, reqwest::Method::POST,
        format!("{base}/api/v1/campaigns/{}/activities", c["id"]), key,
        json!({"name": format!("{} herd {run}", g.label), "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": g.stock,
            "startDate": start.to_string(), "endDate": end.to_string(), "price": 10_000, "quantity": g.quantity})).await?;
    let id = a["id"].as_i64().unwrap_or(0);
    admin(
        client,
        reqwest::Method::PATCH,
        format!("{base}/api/v1/activities/{id}/status"),
        key,
        json!({"status": "ACTIVE"}),
    )
    .await?;
    Ok(id)
}

async fn post(
    ctx: &Ctx,
    conn: &mut Conn,
    path: &str,
    jwt: Option<&str>,
    body: &Value,
) -> Option<(u16, Value, Duration)> {
    let t = Instant::now();
    let auth;
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(1);
    if let Some(j) = jwt {
        auth = format!("Bearer {j}");
        headers.push(("Authorization", &auth));
    } else if let Some(k) = &ctx.write_key {
        headers.push(("X-Axon-Key", k));
    }
    Counters::add(&ctx.counters.requests);
    match conn.post(path, &headers, body.to_string().as_bytes()).await {
        Ok((s, bytes)) => {
            let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            Some((s, v, t.elapsed()))
        }
        Err(_) => {
            Counters::add(&ctx.counters.errors);
            None
        }
    }
}

/// One shopper: visit, click, enter, pay. Returns the entry latency.
async fn shopper(ctx: &Ctx, conn: &mut Conn, user: &str, fresh: bool) -> Option<Duration> {
    let jwt = axon_server::auth::mint_jwt(
        ctx.secret.as_bytes(),
        user,
        axon_server::auth::jwt_expiry_from_now(),
    );
    if fresh && ctx.track {
        let url = format!(
            "https://shop.example/campaign-activity/{}/view",
            ctx.activity
        );
        let events = json!([
            {"triggerType": "PAGE_VIEW", "userId": user, "pageUrl": url, "userAgent": "axon-loadtest"},
            {"triggerType": "CLICK", "userId": user, "pageUrl": url, "userAgent": "axon-loadtest"}]);
        // The tracker batches what happened on the page into one request.
        post(ctx, conn, "/api/v1/behavior/events", None, &events).await?;
    }
    let c = &ctx.counters;
    let path = format!("/api/v1/activities/{}/entries", ctx.activity);
    let (s, body, took) = post(
        ctx,
        conn,
        &path,
        Some(&jwt),
        &json!({"quantity": ctx.quantity}),
    )
    .await?;
    Counters::add(&c.entries);
    let sec = usize::try_from(ctx.start.elapsed().as_secs()).unwrap_or(usize::MAX);
    if let Some(slot) = ctx.per_sec.get(sec) {
        Counters::add(slot);
    }
    match (s, body["error"].as_str()) {
        (200, _) if body["isRetry"] == true => Counters::add(&c.retries),
        (200, _) => {
            Counters::add(&c.approved);
            let p = post(
                ctx,
                conn,
                "/api/v1/payments/prepare",
                Some(&jwt),
                &json!({"reservationToken": body["reservationToken"]}),
            )
            .await?;
            if p.0 != 200 {
                Counters::add(&c.conflicts);
                return Some(took);
            }
            let f = post(
                ctx,
                conn,
                "/api/v1/payments/confirm",
                Some(&jwt),
                &json!({"approvalToken": p.1["approvalToken"]}),
            )
            .await?;
            if f.0 == 200 {
                Counters::add(&c.paid);
            } else {
                Counters::add(&c.conflicts);
            }
        }
        (410, _) => Counters::add(&c.sold_out),
        (409, Some("DUPLICATED")) => Counters::add(&c.duplicates),
        (409, _) => Counters::add(&c.conflicts),
        _ => Counters::add(&c.errors),
    }
    Some(took)
}

/// A cheap per-VU pseudo-random stream (xorshift), for the duplicate decision.
fn next_rand(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    #[allow(clippy::cast_precision_loss)]
    let v = (*state >> 11) as f64 / (1u64 << 53) as f64;
    v
}

/// The herd's timing, shared by every VU.
#[derive(Clone, Copy)]
struct Shape {
    users: usize,
    start: Instant,
    ramp: f64,
    hold: f64,
    decay: f64,
}

async fn vu(ctx: Arc<Ctx>, i: usize, shape: Shape, run: Arc<String>) -> Samples {
    let Shape {
        users: n,
        start,
        ramp,
        hold,
        decay,
    } = shape;
    let mut samples = Samples::default();
    #[allow(clippy::cast_precision_loss)]
    let begin = start + Duration::from_secs_f64(ramp * i as f64 / n as f64);
    tokio::time::sleep_until(begin.into()).await;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (i as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut conn = Conn::new(ctx.authorities[i % ctx.authorities.len()].clone());
    let mut iteration = 0u64;
    let mut last: Option<String> = None;
    loop {
        let t = start.elapsed().as_secs_f64();
        if i >= target(n, t, ramp, hold, decay) {
            break;
        }
        let dup = last.is_some() && next_rand(&mut rng) < ctx.duplicate_rate;
        let user = if dup {
            last.clone().unwrap_or_default()
        } else {
            iteration += 1;
            format!("lt-{run}-{i}-{iteration}")
        };
        if let Some(d) = shopper(&ctx, &mut conn, &user, !dup).await {
            samples.push(d);
        }
        last = Some(user);
    }
    samples
}

pub fn run(args: &LoadtestArgs) -> Result<(), CliError> {
    let secret = args.server.jwt_secret()?.to_string();
    let rt = crate::serve::runtime()?;
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(args.users)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| CliError::Config(e.to_string()))?;
        let run = Arc::new(format!("{}", jiff::Timestamp::now().as_millisecond()));
        let activity = match args.activity {
            Some(a) => a,
            None => {
                let gate = Gate {
                    label: "loadtest",
                    base: args.server.base(),
                    admin_key: &args.server.admin_key,
                    stock: Some(args.stock),
                    quantity: args.quantity,
                };
                setup(&client, &gate, &run).await?
            }
        };
        let ctx = Arc::new(Ctx {
            authorities: args
                .server
                .url
                .iter()
                .map(|u| rawhttp::authority(u))
                .collect::<Result<_, _>>()?,
            secret,
            write_key: args.server.write_key.clone(),
            activity,
            quantity: args.quantity,
            duplicate_rate: args.duplicate_rate,
            track: !args.no_track,
            counters: Counters::default(),
            start: Instant::now(),
            per_sec: (0..3600).map(|_| AtomicU64::new(0)).collect(),
        });
        let shape = Shape {
            users: args.users,
            start: ctx.start,
            ramp: args.ramp_secs,
            hold: args.hold_secs,
            decay: args.decay_secs,
        };
        let start = shape.start;
        let handles: Vec<_> = (0..args.users)
            .map(|i| tokio::spawn(vu(ctx.clone(), i, shape, run.clone())))
            .collect();
        let mut samples = Samples::default();
        for h in handles {
            if let Ok(s) = h.await {
                samples.extend(s);
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        report(args, &ctx, &client, activity, elapsed, &mut samples).await
    })
}

async fn units(
    client: &reqwest::Client,
    args: &LoadtestArgs,
    activity: i64,
    status: &str,
) -> Result<(i64, i64), CliError> {
    let base = args.server.base();
    let (mut page, mut total, mut n) = (0, 0, 0);
    loop {
        let v = admin(
            client,
            reqwest::Method::GET,
            format!(
                "{base}/api/v1/activities/{activity}/entries?status={status}&size=100&page={page}"
            ),
            &args.server.admin_key,
            Value::Null,
        )
        .await?;
        let entries = v["entries"].as_array().cloned().unwrap_or_default();
        n += entries.len() as i64;
        total += entries
            .iter()
            .map(|e| e["quantity"].as_i64().unwrap_or(0))
            .sum::<i64>();
        page += 1;
        if page >= v["totalPages"].as_i64().unwrap_or(0) {
            return Ok((n, total));
        }
    }
}

#[allow(clippy::cast_precision_loss)]
async fn report(
    args: &LoadtestArgs,
    ctx: &Ctx,
    client: &reqwest::Client,
    activity: i64,
    secs: f64,
    s: &mut Samples,
) -> Result<(), CliError> {
    let c = &ctx.counters;
    let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let (paid_rows, paid_units) = units(client, args, activity, "PAID").await?;
    let (_, held_units) = units(client, args, activity, "APPROVED").await?;
    let stock_units = args.stock;
    let successes = get(&c.paid);
    println!(
        "axon loadtest: {} (activity {activity})",
        args.server.url.join(", ")
    );
    println!(
        "  virtual users     {} (ramp {}s, hold {}s, decay 20% {}s, 4% {}s)",
        args.users, args.ramp_secs, args.hold_secs, args.decay_secs, args.decay_secs
    );
    println!(
        "  stock             {stock_units} units, {} per entry, duplicate rate {:.0}%",
        args.quantity,
        args.duplicate_rate * 100.0
    );
    println!("  duration          {secs:.1} s");
    println!(
        "  requests          {} total, {:.0}/s",
        get(&c.requests),
        get(&c.requests) as f64 / secs
    );
    println!(
        "  entry requests    {} total, {:.0}/s",
        get(&c.entries),
        get(&c.entries) as f64 / secs
    );
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (from, to) = (
        args.ramp_secs.ceil() as usize,
        (args.ramp_secs + args.hold_secs).floor() as usize,
    );
    let hold: Vec<u64> = ctx.per_sec[from..to.max(from)].iter().map(get).collect();
    if !hold.is_empty() {
        println!(
            "  entries/s at peak {} (hold phase mean {:.0}, best second {})",
            args.users,
            hold.iter().sum::<u64>() as f64 / hold.len() as f64,
            hold.iter().max().copied().unwrap_or(0)
        );
    }
    println!(
        "  successes (paid)  {successes}  (approved {}, retries {})",
        get(&c.approved),
        get(&c.retries)
    );
    println!("  sold out (410)    {}", get(&c.sold_out));
    println!("  duplicates (409)  {}", get(&c.duplicates));
    println!("  conflicts         {}", get(&c.conflicts));
    println!("  errors            {}", get(&c.errors));
    println!(
        "  entry latency ms  p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        s.quantile_ms(0.5),
        s.quantile_ms(0.9),
        s.quantile_ms(0.99),
        s.quantile_ms(1.0)
    );
    println!("  server            {paid_rows} PAID entries = {paid_units} units, {held_units} units still held");
    let expected = u64::try_from(stock_units / args.quantity.max(1)).unwrap_or(0);
    let oversold = paid_units + held_units > stock_units;
    if oversold {
        return Err(CliError::Config(format!(
            "OVERSOLD: {} units held or paid for a stock of {stock_units}",
            paid_units + held_units
        )));
    }
    if successes != expected || u64::try_from(paid_rows).unwrap_or(0) != successes {
        return Err(CliError::Config(format!(
            "successes {successes} (server: {paid_rows}) ≠ {expected} expected"
        )));
    }
    println!("  verdict           OK: every unit sold exactly once, no oversell");
    Ok(())
}
