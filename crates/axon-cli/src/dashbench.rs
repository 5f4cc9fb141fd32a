//! `axon bench dashboards --data-dir DIR`: rebuilds the engine from a stopped server's store
//! (timing it and its memory), then measures dashboard latency in-process and over HTTP with
//! concurrent clients, on 30-day windows ending at the newest event.

use crate::bench::Samples;
use crate::cli::{DashBenchArgs, Settings};
use crate::CliError;
use axon_domain::event::EventCore;
use axon_domain::model::TriggerType;
use axon_domain::period::{Period, Window};
use axon_domain::time::MS_PER_DAY;
use axon_domain::Ts;
use axon_engine::Engine;
use axon_ports::aggregates::FixedSource;
use axon_services::dashboards::{Dashboards, Query, Widget, ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Resident memory of this process in MiB (Linux).
pub fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The activity and campaign dashboards' queries over `w` (every widget), as of `end`.
pub fn queries(w: Window, end: Ts, args: &DashBenchArgs) -> (Query, Query) {
    let q = Query {
        period: Period::Custom,
        window: w,
        now: end,
        widgets: ACTIVITY_WIDGETS.to_vec(),
        conversion_window_hours: args.conversion_window_hours,
        breakdown: None,
    };
    let cq = Query {
        widgets: CAMPAIGN_WIDGETS.to_vec(),
        ..q.clone()
    };
    (q, cq)
}

pub fn pick(rng: &mut crate::simulate::Rng, ids: &[i64]) -> i64 {
    ids[usize::try_from(rng.below(ids.len() as u64)).unwrap_or(0)]
}

pub(crate) fn report(name: &str, s: &mut Samples) {
    println!(
        "  {name:<28} n={:<6} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        s.len(),
        s.quantile_ms(0.5),
        s.quantile_ms(0.99),
        s.quantile_ms(1.0)
    );
}

pub fn run(settings: &Settings, args: &DashBenchArgs) -> Result<(), CliError> {
    if settings.config.analytics == axon_server::Analytics::ClickHouse {
        return crate::chbench::run(settings, args);
    }
    let before = rss_mib();
    let started = Instant::now();
    let state = crate::serve::block(axon_server::open_state(settings.config.clone()))??;
    let rebuild = started.elapsed();
    let after = rss_mib();
    let (events, end, activities, campaigns) = {
        let e = state.snapshots.load();
        use axon_ports::Catalog;
        let mut acts: Vec<i64> = e.activities().iter().map(|a| a.id).collect();
        acts.sort_unstable();
        let camps: Vec<i64> = e.campaigns().iter().map(|c| c.id).collect();
        (
            e.event_count(),
            e.latest_event().unwrap_or(Ts(0)),
            acts,
            camps,
        )
    };
    if activities.is_empty() {
        return Err(CliError::Config(
            "the data dir has no activities; import a dataset first (axon simulate + axon import)"
                .into(),
        ));
    }
    let end = Ts(state.tz().next_day_start(end).0);
    let w = Window::new(Ts(end.0 - 30 * MS_PER_DAY), end);
    println!(
        "axon bench dashboards: {} events, {} activities, {} campaigns",
        events,
        activities.len(),
        campaigns.len()
    );
    println!(
        "  engine rebuild              {:.2} s ({:.0} events/s)",
        rebuild.as_secs_f64(),
        events as f64 / rebuild.as_secs_f64()
    );
    println!("  resident memory             {before:.0} MiB before, {after:.0} MiB after ({:.0} MiB per million events)", (after - before) / (events as f64 / 1e6));
    println!(
        "  window                      {} – {} (30 days)",
        w.start, w.end
    );

    println!(
        "in-process, dashboards service ({} calls each):",
        args.calls
    );
    let mut rng = crate::simulate::Rng::new(7);
    let (q, cq) = queries(w, end, args);
    let (dashboards, engine) = axon_server::analytics::frozen(&state);
    // Every call is timed cold, as an answer on a fresh snapshot would be.
    let cold = || {
        engine.forget_reads();
        dashboards.view()
    };
    let mut s = [
        Samples::default(),
        Samples::default(),
        Samples::default(),
        Samples::default(),
        Samples::default(),
    ];
    for _ in 0..args.calls {
        let (a, v) = (pick(&mut rng, &activities), cold());
        let t = Instant::now();
        std::hint::black_box(v.activity(a, &q).ok());
        s[0].push(t.elapsed());
        let v = cold();
        let t = Instant::now();
        std::hint::black_box(v.activity(activities[0], &q).ok());
        s[1].push(t.elapsed());
        let (c, v) = (pick(&mut rng, &campaigns), cold());
        let t = Instant::now();
        std::hint::black_box(v.campaign(c, &cq).ok());
        s[2].push(t.elapsed());
        let v = cold();
        let t = Instant::now();
        std::hint::black_box(v.global(Period::Custom, &w, end));
        s[3].push(t.elapsed());
        let (a, v) = (pick(&mut rng, &activities), cold());
        let t = Instant::now();
        std::hint::black_box(v.activity_cohort(a, &Window::new(Ts(0), end), end).ok());
        s[4].push(t.elapsed());
    }
    let mut widget_samples: Vec<(Widget, Samples)> = ACTIVITY_WIDGETS
        .iter()
        .map(|w| (*w, Samples::default()))
        .collect();
    for _ in 0..args.calls.min(50) {
        for (widget, samples) in &mut widget_samples {
            let one = Query {
                widgets: vec![*widget],
                ..q.clone()
            };
            let v = cold();
            let t = Instant::now();
            std::hint::black_box(v.activity(activities[0], &one).ok());
            samples.push(t.elapsed());
        }
    }
    drop(dashboards);
    let fresh = fresh_calls(&state, &engine, activities[0], &q, args.calls);
    for (name, samples) in [
        "activity (random, all widgets)",
        "activity (most popular)",
        "campaign (all widgets)",
        "global overview",
        "cohort (random activity)",
    ]
    .iter()
    .zip(s.iter_mut())
    {
        report(name, samples);
    }
    let (mut fresh_dash, mut fresh_cohort) = fresh;
    report("activity (most popular, fresh)", &mut fresh_dash);
    report("cohort (most popular, fresh)", &mut fresh_cohort);
    println!("  most popular activity, one widget at a time (cold):");
    for (widget, samples) in &mut widget_samples {
        report(&format!("  {widget:?}"), samples);
    }
    let popular = (s[1].quantile_ms(0.99), fresh_dash.quantile_ms(0.99));
    println!(
        "targets at 10M (issue 11): most popular activity, all widgets, fresh, p99 ≤ 5 ms: {:.2} ms; \
         campaign p99 ≤ 10 ms: {:.2} ms; global overview p99 ≤ 10 ms: {:.2} ms; cohort p99 ≤ 2 ms: {:.2} ms; \
         rebuild ≤ 5 s: {:.2} s; memory ≤ 40 MiB per million events: {:.0} MiB",
        popular.1,
        s[2].quantile_ms(0.99),
        s[3].quantile_ms(0.99),
        s[4].quantile_ms(0.99),
        rebuild.as_secs_f64(),
        (after - before) / (events as f64 / 1e6)
    );
    if let Some(path) = &args.peer_out {
        peer_answers(
            &state,
            &engine,
            activities[0],
            &q,
            end,
            path,
            [&mut fresh_dash, &mut fresh_cohort],
        )?;
    }
    drop(engine);
    if args.no_http {
        return Ok(());
    }
    http(state, args, &activities, &campaigns, w)
}

fn service_over(state: &axon_server::AppState, engine: Arc<Engine>) -> Dashboards {
    Dashboards::new(
        Arc::new(FixedSource(engine)),
        state.backends.stock_levels(),
        state.tz().clone(),
    )
}

/// The event applied before the `i`-th fresh call: a cycle of a new visitor's PAGE_VIEW, that
/// visitor's CLICK as a signed-in user (a new identity link), a CLICK that links an anonymous id
/// of the dataset to its user (a late link that merges older records, or none if it was linked
/// already) and a PURCHASE; each one millisecond after the previous one.
fn fresh_event(i: usize, activity: i64, at: i64) -> EventCore {
    let (trigger, user, anon) = match i % 4 {
        0 => (
            TriggerType::PageView,
            None,
            Some(format!("bench-fresh-{i}")),
        ),
        1 => (
            TriggerType::Click,
            Some(format!("bench-fresh-user-{i}")),
            Some(format!("bench-fresh-{}", i - 1)),
        ),
        2 => {
            let n = 1 + (i * 7919) % 100_000;
            (
                TriggerType::Click,
                Some(format!("u{n}")),
                Some(format!("a{n}")),
            )
        }
        _ => (
            TriggerType::Purchase,
            Some(format!("bench-fresh-user-{}", i - 2)),
            None,
        ),
    };
    EventCore {
        trigger_type: trigger,
        occurred_at: Ts(at + i as i64),
        activity_id: Some(activity),
        user_id: user,
        anonymous_id: anon,
        session_id: None,
        bot: false,
    }
}

/// The most popular activity's full dashboard and cohort on *fresh* data: before each call one
/// new event ([`fresh_event`]) is applied to a private copy of the engine, so nothing a previous
/// answer computed can be reused unless the engine keeps it exact across writes. The first call
/// (which computes what later calls reuse) is reported on its own.
fn fresh_calls(
    state: &axon_server::AppState,
    engine: &Arc<Engine>,
    activity: i64,
    q: &Query,
    calls: usize,
) -> (Samples, Samples) {
    let mut copy = Arc::new(Engine::clone(engine));
    let (mut dash, mut cohort) = (Samples::default(), Samples::default());
    let cohort_window = Window::new(Ts(0), q.now);
    for i in 0..=calls {
        if let Some(e) = Arc::get_mut(&mut copy) {
            e.apply_core(
                u64::MAX - i as u64,
                &fresh_event(i, activity, q.now.0 - 60_000),
            );
        }
        let service = service_over(state, copy.clone());
        let v = service.view();
        let t = Instant::now();
        std::hint::black_box(v.activity(activity, q).ok());
        let took = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(v.activity_cohort(activity, &cohort_window, q.now).ok());
        if i == 0 {
            println!(
                "  activity (most popular, first call on the copy) {:.3} ms",
                took.as_secs_f64() * 1000.0
            );
            continue;
        }
        dash.push(took);
        cohort.push(t.elapsed());
    }
    (dash, cohort)
}

/// The answers a peer benchmark checks (the most popular activity's overview, funnel and
/// trend widgets and its cohort, on the unmodified data) and Axon's timings, as JSON.
fn peer_answers(
    state: &axon_server::AppState,
    engine: &Arc<Engine>,
    activity: i64,
    q: &Query,
    end: Ts,
    path: &std::path::Path,
    fresh: [&mut Samples; 2],
) -> Result<(), CliError> {
    let service = service_over(state, engine.clone());
    let v = service.view();
    let five = Query {
        widgets: vec![Widget::Overview, Widget::Funnel, Widget::Trend],
        ..q.clone()
    };
    let dashboard = v
        .activity(activity, &five)
        .map_err(|e| CliError::Config(e.to_string()))?;
    let cohort = v
        .activity_cohort(activity, &Window::new(Ts(0), end), end)
        .map_err(|e| CliError::Config(e.to_string()))?;
    let [dash, coh] = fresh;
    let out = serde_json::json!({
        "activityId": activity,
        "windowStartMs": q.window.start.0,
        "windowEndMs": q.window.end.0,
        "previousStartMs": q.window.previous().start.0,
        "cohortEndMs": end.0,
        "conversionWindowHours": q.conversion_window_hours,
        "events": engine.event_count(),
        "timings": {
            "dashboardFreshP50Ms": dash.quantile_ms(0.5),
            "dashboardFreshP99Ms": dash.quantile_ms(0.99),
            "cohortFreshP50Ms": coh.quantile_ms(0.5),
            "cohortFreshP99Ms": coh.quantile_ms(0.99),
            "calls": dash.len(),
        },
        "dashboard": dashboard,
        "cohort": cohort,
    });
    std::fs::write(path, serde_json::to_vec_pretty(&out).unwrap_or_default())
        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
    println!("  peer answers written to {}", path.display());
    Ok(())
}

fn http(
    state: axon_server::AppState,
    args: &DashBenchArgs,
    activities: &[i64],
    campaigns: &[i64],
    w: Window,
) -> Result<(), CliError> {
    let rt = crate::serve::runtime()?;
    let key = state.config.admin_key.expose().to_string();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(axon_server::serve(state, listener, async move {
            let _ = rx.await;
        }));
        let range = format!("period=custom&startDate={}&endDate={}", w.start, w.end);
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(args.clients)
            .build()
            .map_err(|e| CliError::Config(e.to_string()))?;
        let deadline = Instant::now() + Duration::from_secs(args.duration);
        let failures = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for c in 0..args.clients {
            let (client, base, key, range, failures) = (
                client.clone(),
                base.clone(),
                key.clone(),
                range.clone(),
                failures.clone(),
            );
            let (acts, camps) = (activities.to_vec(), campaigns.to_vec());
            tasks.push(tokio::spawn(async move {
                let mut rng = crate::simulate::Rng::new(c as u64);
                let mut out = [
                    Samples::default(),
                    Samples::default(),
                    Samples::default(),
                    Samples::default(),
                ];
                let mut i = 0usize;
                while Instant::now() < deadline {
                    let kind = i % 4;
                    i += 1;
                    let path = match kind {
                        0 => format!(
                            "/api/v1/dashboard/activity/{}?{range}",
                            pick(&mut rng, &acts)
                        ),
                        1 => format!(
                            "/api/v1/dashboard/campaign/{}?{range}",
                            pick(&mut rng, &camps)
                        ),
                        2 => format!("/api/v1/dashboard/overview?{range}"),
                        _ => format!(
                            "/api/v1/dashboard/cohort/activity/{}",
                            pick(&mut rng, &acts)
                        ),
                    };
                    let t = Instant::now();
                    match client
                        .get(format!("{base}{path}"))
                        .bearer_auth(&key)
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            out[kind].push(t.elapsed());
                        }
                        _ => {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                out
            }));
        }
        let mut all = [
            Samples::default(),
            Samples::default(),
            Samples::default(),
            Samples::default(),
        ];
        for t in tasks {
            if let Ok(o) = t.await {
                for (a, b) in all.iter_mut().zip(o) {
                    a.extend(b);
                }
            }
        }
        let total: usize = all.iter().map(Samples::len).sum();
        println!(
            "over HTTP ({} concurrent clients, {} s, {:.0} requests/s, {} failed):",
            args.clients,
            args.duration,
            total as f64 / args.duration as f64,
            failures.load(Ordering::Relaxed)
        );
        for (name, s) in [
            "activity dashboard",
            "campaign dashboard",
            "global overview",
            "cohort",
        ]
        .iter()
        .zip(all.iter_mut())
        {
            report(name, s);
        }
        let _ = tx.send(());
        let _ = server.await;
        Ok(())
    })
}
