//! `axon bench dashboards` with `--analytics clickhouse` (issue 15): the dashboards answered by
//! ClickHouse through Axon's layer, and — in the same run — the very SQL one answer sent,
//! replayed straight to ClickHouse with `clickhouse-client`, so the layer's overhead is a ratio.
//! There is no answer cache in-process (the Redis cache is measured over HTTP).

use crate::bench::Samples;
use crate::cli::{DashBenchArgs, Settings};
use crate::dashbench::{report, rss_mib};
use crate::CliError;
use axon_domain::period::{Period, Window};
use axon_domain::time::MS_PER_DAY;
use axon_domain::Ts;
use axon_services::dashboards::Dashboards;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn run(settings: &Settings, args: &DashBenchArgs) -> Result<(), CliError> {
    let c =
        settings.config.clickhouse.clone().ok_or_else(|| {
            CliError::Config("--analytics clickhouse needs --clickhouse-url".into())
        })?;
    let before = rss_mib();
    let started = Instant::now();
    // Cached answers under a prefix of this run's own: the first answer is a true miss even
    // when an earlier run cached the same data (the keys expire with the cache's TTL).
    let mut config = settings.config.clone();
    config.redis.prefix = format!("{}bench-{}:", config.redis.prefix, std::process::id());
    let state = crate::serve::block(axon_server::open_state(config))??;
    let opened = started.elapsed();
    let follower = state
        .clickhouse
        .clone()
        .ok_or_else(|| CliError::Config("the server started without ClickHouse".into()))?;
    let ch = crate::serve::block(axon_clickhouse::ClickHouse::open(
        c.url.expose(),
        &c.database,
    ))?
    .map_err(|e| CliError::Config(e.to_string()))?
    .with_query_log();
    let latest =
        crate::serve::block(ch.latest_event())?.map_err(|e| CliError::Config(e.to_string()))?;
    let source = axon_clickhouse::snapshot::ClickHouseSource::new(
        ch.clone(),
        follower,
        state.snapshots.clone(),
        state.backends.changes.clone(),
    )?;
    let source: Arc<dyn axon_ports::aggregates::AnalyticsSource> = Arc::new(source);
    let service = Dashboards::new(
        source.clone(),
        state.backends.stock_levels(),
        state.tz().clone(),
    );
    let (activities, campaigns) = {
        use axon_ports::Catalog;
        let e = state.snapshots.load();
        let mut a: Vec<i64> = e.activities().iter().map(|a| a.id).collect();
        a.sort_unstable();
        (a, e.campaigns().iter().map(|c| c.id).collect::<Vec<_>>())
    };
    let Some(latest) = latest.filter(|_| !activities.is_empty()) else {
        return Err(CliError::Config(
            "ClickHouse holds no events or the store no activities; import a dataset with --clickhouse-url first"
                .into(),
        ));
    };
    let end = Ts(state.tz().next_day_start(latest).0);
    let w = Window::new(Ts(end.0 - 30 * MS_PER_DAY), end);
    println!(
        "axon bench dashboards --analytics clickhouse: {} activities, {} campaigns, database {}",
        activities.len(),
        campaigns.len(),
        c.database
    );
    println!(
        "  start (catalogue engine + ClickHouse catch-up) {:.2} s, resident memory {before:.0} → {:.0} MiB",
        opened.as_secs_f64(),
        rss_mib()
    );
    println!(
        "  window                             {} – {} (30 days)",
        w.start, w.end
    );
    let (q, cq) = crate::dashbench::queries(w, end, args);
    let popular = activities[0];
    let calls = args.calls.max(1);
    let mut s: [Samples; 4] = Default::default();
    let mut rng = crate::simulate::Rng::new(7);
    for _ in 0..calls {
        let t = Instant::now();
        std::hint::black_box(service.view().activity(popular, &q).ok());
        s[0].push(t.elapsed());
        let camp = crate::dashbench::pick(&mut rng, &campaigns);
        let t = Instant::now();
        std::hint::black_box(service.view().campaign(camp, &cq).ok());
        s[1].push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(service.view().global(Period::Custom, &w, end));
        s[2].push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(
            service
                .view()
                .activity_cohort(popular, &Window::new(Ts(0), end), end)
                .ok(),
        );
        s[3].push(t.elapsed());
    }
    println!("through Axon ({calls} calls each, every answer a fresh ClickHouse read):");
    for (name, samples) in [
        "activity (most popular, all widgets)",
        "campaign (random, all widgets)",
        "global overview",
        "cohort (most popular activity)",
    ]
    .iter()
    .zip(s.iter_mut())
    {
        report(name, samples);
    }
    if settings.config.redis_url.is_some() {
        let through_cache = Dashboards::new(
            source.clone(),
            state.backends.stock_levels(),
            state.tz().clone(),
        )
        .with_cache(state.backends.cache.clone());
        cached(&through_cache, &state, popular, &q, calls.max(200))?;
    } else {
        println!("answers from the Redis cache: not measured (no --redis-url)");
    }
    // The SQL of one most-popular-activity answer, replayed straight to ClickHouse.
    ch.take_queries();
    let view = service.view();
    view.checked(view.activity(popular, &q))
        .map_err(|e| CliError::Config(e.to_string()))?;
    let sql = ch.take_queries();
    let raw = replay(&sql, &c.database, args.clickhouse_tcp_port, calls.min(50))?;
    let (mut server, mut wall) = raw;
    println!(
        "straight to ClickHouse with clickhouse-client (the same {} queries, in one --multiquery run):",
        sql.len()
    );
    report("server time, summed (--time)", &mut server);
    report("clickhouse-client wall time", &mut wall);
    println!(
        "  Axon's uncached answer ÷ the raw queries' server time: {:.2}× at p50 (target ≤ 1.3×)",
        s[0].quantile_ms(0.5) / server.quantile_ms(0.5).max(1e-9)
    );
    Ok(())
}

/// The most popular activity's cacheable answer (overview, funnel, comparison — the widgets
/// SPEC §5.6 caches) through the node's shared answer cache on Redis: one computed answer,
/// then `calls` answers served from Redis as a node serves them (the key's data versions read
/// first, the envelope rendered fresh, the cached widgets spliced in).
fn cached(
    service: &Dashboards,
    state: &axon_server::AppState,
    activity: i64,
    q: &axon_services::dashboards::Query,
    calls: usize,
) -> Result<(), CliError> {
    use axon_ports::live::Scope;
    use axon_services::dashboards::{Versions, Widget};
    let q = axon_services::dashboards::Query {
        widgets: vec![Widget::Overview, Widget::Funnel, Widget::Comparison],
        ..q.clone()
    };
    let versions = || Versions {
        scope: state.backends.changes.version_of(Scope::Activity(activity)),
        global: state.backends.changes.version_of(Scope::Global),
    };
    let answer = |s: &mut Samples| -> Result<usize, CliError> {
        let t = Instant::now();
        let json = service
            .view()
            .activity_json(activity, &q, versions(), &[])
            .map_err(|e| CliError::Config(e.to_string()))?;
        s.push(t.elapsed());
        Ok(json.len())
    };
    let mut miss = Samples::default();
    let computed = answer(&mut miss)?;
    // The store into Redis is sent in the background: wait until it is there.
    let key =
        axon_services::dashboards::answer_key("activity", activity, &q, versions(), state.tz())
            .ok_or_else(|| CliError::Config("the answer is not cacheable".into()))?;
    let stored = Instant::now();
    while state.backends.cache.get(&key).is_none() {
        if stored.elapsed() > Duration::from_secs(10) {
            return Err(CliError::Config("the answer never reached Redis".into()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut hits = Samples::default();
    for _ in 0..calls {
        let len = answer(&mut hits)?;
        if len != computed {
            return Err(CliError::Config(format!(
                "a cached answer ({len} bytes) differs from the computed one ({computed} bytes)"
            )));
        }
    }
    println!(
        "answers from the Redis cache (overview, funnel, comparison of the most popular activity):"
    );
    report("computed (cache miss)", &mut miss);
    report("from Redis (cache hit)", &mut hits);
    println!(
        "  cache hit p99 {:.3} ms (target ≤ 5 ms)",
        hits.quantile_ms(0.99)
    );
    Ok(())
}

/// Runs `sql` with `clickhouse-client --multiquery --time` `runs` times; per run the summed
/// server times it printed and the client's wall time.
fn replay(
    sql: &[String],
    database: &str,
    port: u16,
    runs: usize,
) -> Result<(Samples, Samples), CliError> {
    let script = sql.join(";\n");
    let (mut server, mut wall) = (Samples::default(), Samples::default());
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new("clickhouse-client")
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--database", database, "--multiquery", "--time"])
            .args(["--query", &script])
            .output()
            .map_err(|e| CliError::Config(format!("clickhouse-client: {e}")))?;
        let took = t.elapsed();
        if !out.status.success() {
            return Err(CliError::Config(format!(
                "clickhouse-client: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let secs: f64 = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter_map(|l| l.trim().parse::<f64>().ok())
            .sum();
        server.push(Duration::from_secs_f64(secs));
        wall.push(took);
    }
    Ok((server, wall))
}
