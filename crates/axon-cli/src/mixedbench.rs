//! `axon bench mixed`: does reading dashboards slow the writes down? Against a running server it
//! finds the most visited activity, measures a short ingest peak, then runs one phase per
//! reader count N: N clients read that activity's full dashboard in a closed loop while an
//! ingest loop posts event batches for it and an FCFS loop enters a fresh unlimited activity,
//! both at fixed rates (open loop, latency from each request's scheduled start). One table row
//! per phase, with the ingest and entry p99 as a ratio to the first row's (N = 0 by default).
//! Throughput is over the time a loop really took: an open loop that fell behind its schedule
//! drains its backlog after the phase and counts that time. The dashboard is also read by one
//! client alone before and after the phases, since the events posted for the activity land in
//! its realtime widget and make each answer grow a little during the run.

use crate::bench::{batch_body, closed_loop, open_loop, Call, Outcome, Span};
use crate::cli::MixedBenchArgs;
use crate::loadtest::{admin, setup, Gate};
use crate::rawhttp::{self, Conn};
use crate::CliError;
use axon_services::dashboards::ACTIVITY_WIDGETS;
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

const EVENTS_PATH: &str = "/api/v1/behavior/events";
/// Measured seconds of the closed-loop ingest peak that sets the default rate.
const PEAK_SECS: u64 = 3;
/// Seconds of the single-client dashboard measurement before and after the phases.
const ALONE_SECS: u64 = 2;
/// Connections of the FCFS entry loop.
const ENTRY_CONNECTIONS: usize = 4;
/// The window (days up to tomorrow) over which "most visited" is judged.
const POPULARITY_DAYS: i64 = 365;

/// Posts one event batch; true when acknowledged durable (202).
struct Ingest {
    conn: Conn,
    body: Arc<[u8]>,
    write_key: Option<Arc<str>>,
}

impl Call for Ingest {
    async fn call(&mut self) -> bool {
        let headers: Vec<(&str, &str)> = self
            .write_key
            .iter()
            .map(|k| ("X-Axon-Key", &**k))
            .collect();
        matches!(
            self.conn.post(EVENTS_PATH, &headers, &self.body).await,
            Ok((202, _))
        )
    }
}

/// Reads one dashboard; true when answered (200).
struct Reader {
    conn: Conn,
    path: Arc<str>,
    auth: Arc<str>,
}

impl Call for Reader {
    async fn call(&mut self) -> bool {
        let headers = [("Authorization", &*self.auth)];
        matches!(self.conn.get(&self.path, &headers).await, Ok((200, _)))
    }
}

/// One FCFS entry by a new user (a freshly minted JWT); true when approved (200).
struct Entrant {
    conn: Conn,
    path: Arc<str>,
    secret: Arc<str>,
    user_prefix: String,
    n: u64,
}

impl Call for Entrant {
    async fn call(&mut self) -> bool {
        self.n += 1;
        let user = format!("{}-{}", self.user_prefix, self.n);
        let jwt = axon_server::auth::mint_jwt(
            self.secret.as_bytes(),
            &user,
            axon_server::auth::jwt_expiry_from_now(),
        );
        let auth = format!("Bearer {jwt}");
        let r = self
            .conn
            .post(
                &self.path,
                &[("Authorization", &auth)],
                br#"{"quantity":1}"#,
            )
            .await;
        matches!(r, Ok((200, _)))
    }
}

/// The activity with the most visits among campaign dashboards' `activities` rows (ties: the
/// lowest id), with its visits.
pub fn most_visited(rows: &[Value]) -> Option<(i64, u64)> {
    rows.iter()
        .filter_map(|r| Some((r["activityId"].as_i64()?, r["totalVisits"].as_u64()?)))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// True when `authority` (`host:port`) is on this machine.
pub fn loopback(authority: &str) -> bool {
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What one phase measured, in milliseconds and per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub readers: usize,
    pub events_per_s: f64,
    pub ingest_p50: f64,
    pub ingest_p99: f64,
    pub dash_per_s: f64,
    pub dash_p50: f64,
    pub dash_p99: f64,
    pub entry_p50: f64,
    pub entry_p99: f64,
    /// Unexpected answers: ingest, dashboard, entry.
    pub failed: [u64; 3],
}

fn ratio(x: f64, base: f64) -> String {
    if base > 0.0 {
        format!("{:.1}×", x / base)
    } else {
        "—".into()
    }
}

/// The result table (Markdown): one row per phase, ingest and entry p99 also as a ratio to the
/// first row's.
pub fn table(rows: &[Figures]) -> String {
    let mut out = String::from(concat!(
        "| readers | ingest events/s acked | ingest ack p50 / p99 ms | ingest p99 vs first ",
        "| dashboard answers/s | dashboard p50 / p99 ms | entry p50 / p99 ms ",
        "| entry p99 vs first | failed (ingest/dash/entry) |\n",
        "|---|---|---|---|---|---|---|---|---|\n",
    ));
    let Some(first) = rows.first() else {
        return out;
    };
    for r in rows {
        let dash = if r.readers == 0 {
            ("—".to_string(), "—".to_string())
        } else {
            (
                format!("{:.1}", r.dash_per_s),
                format!("{:.1} / {:.1}", r.dash_p50, r.dash_p99),
            )
        };
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} / {:.2} | {} | {} | {} | {:.2} / {:.2} | {} | {}/{}/{} |",
            r.readers,
            r.events_per_s,
            r.ingest_p50,
            r.ingest_p99,
            ratio(r.ingest_p99, first.ingest_p99),
            dash.0,
            dash.1,
            r.entry_p50,
            r.entry_p99,
            ratio(r.entry_p99, first.entry_p99),
            r.failed[0],
            r.failed[1],
            r.failed[2],
        );
    }
    out
}

/// GET with the admin key.
async fn get(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    path: &str,
) -> Result<Value, CliError> {
    admin(
        client,
        reqwest::Method::GET,
        format!("{base}{path}"),
        key,
        Value::Null,
    )
    .await
}

/// The most visited activity over the last year: every campaign of the overview, its
/// dashboard's `activities` rows.
async fn popular(client: &reqwest::Client, base: &str, key: &str) -> Result<(i64, u64), CliError> {
    let tomorrow = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24);
    let from = tomorrow - jiff::SignedDuration::from_hours(24 * POPULARITY_DAYS);
    let range = format!("period=custom&startDate={from}&endDate={tomorrow}");
    let overview = get(
        client,
        base,
        key,
        &format!("/api/v1/dashboard/overview?{range}"),
    )
    .await?;
    let mut rows = Vec::new();
    for c in overview["data"]["efficiency"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let path = format!(
            "/api/v1/dashboard/campaign/{}?widgets=activities&{range}",
            c["campaignId"]
        );
        let d = get(client, base, key, &path).await?;
        rows.extend(
            d["data"]["activities"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    most_visited(&rows).ok_or_else(|| {
        CliError::Config(
            "no activity has visits; import a dataset first (axon simulate + axon import)".into(),
        )
    })
}

fn ingesters(authority: &str, args: &MixedBenchArgs, activity: i64) -> Vec<Ingest> {
    let key: Option<Arc<str>> = args.server.write_key.as_deref().map(Arc::from);
    (0..args.connections.max(1))
        .map(|w| Ingest {
            conn: Conn::new(authority.to_string()),
            body: Arc::from(batch_body(args.batch.max(1), w, Some(activity)).into_bytes()),
            write_key: key.clone(),
        })
        .collect()
}

/// One phase's figures; throughput over the time each loop really took (see [`Span::busy_secs`]).
fn figures(readers: usize, batch: usize, span: Span, o: [Outcome; 3]) -> Figures {
    let (ingest_secs, dash_secs) = (span.busy_secs(&o[0]), span.busy_secs(&o[1]));
    let [mut i, mut d, mut e] = o;
    Figures {
        readers,
        events_per_s: (i.ok * batch as u64) as f64 / ingest_secs,
        ingest_p50: i.samples.quantile_ms(0.5),
        ingest_p99: i.samples.quantile_ms(0.99),
        dash_per_s: d.ok as f64 / dash_secs,
        dash_p50: d.samples.quantile_ms(0.5),
        dash_p99: d.samples.quantile_ms(0.99),
        entry_p50: e.samples.quantile_ms(0.5),
        entry_p99: e.samples.quantile_ms(0.99),
        failed: [i.failed, d.failed, e.failed],
    }
}

pub fn run(args: &MixedBenchArgs) -> Result<(), CliError> {
    let target = &args.server;
    let secret: Arc<str> = Arc::from(target.jwt_secret()?);
    let authority = rawhttp::authority(target.one()?)?;
    if !loopback(&authority) {
        return Err(CliError::Config(format!(
            "{} is not a loopback address; axon bench mixed only loads this machine",
            target.base()
        )));
    }
    crate::serve::runtime()?.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| CliError::Config(e.to_string()))?;
        let plan = prepare(&client, args, authority, secret).await?;
        plan.alone("before the phases").await;
        let mut rows = Vec::new();
        for (phase, &n) in args.readers.iter().enumerate() {
            let f = plan.phase(args, phase, n).await;
            println!(
                "  phase {n:>4} readers  ingest p99 {:.2} ms, dashboard {:.1}/s p99 {:.1} ms, \
                 entry p99 {:.2} ms",
                f.ingest_p99, f.dash_per_s, f.dash_p99, f.entry_p99
            );
            rows.push(f);
        }
        plan.alone("after the phases").await;
        println!();
        print!("{}", table(&rows));
        if rows.iter().all(|r| r.events_per_s == 0.0) {
            return Err(CliError::Config(
                "no event batch was acknowledged; is the server running?".into(),
            ));
        }
        Ok(())
    })
}

/// What every phase loads: the activity, its dashboard, the ingest rate, the FCFS activity.
struct Plan {
    authority: String,
    activity: i64,
    dash_path: Arc<str>,
    auth: Arc<str>,
    secret: Arc<str>,
    rate: u64,
    entry_path: Arc<str>,
    run: String,
}

/// Finds the activity, reads its dashboard once, measures the ingest peak and creates the FCFS
/// activity; prints each.
async fn prepare(
    client: &reqwest::Client,
    args: &MixedBenchArgs,
    authority: String,
    secret: Arc<str>,
) -> Result<Plan, CliError> {
    let base = args.server.base();
    let key = args.server.admin_key.as_str();
    let batch = args.batch.max(1);
    let (activity, visits) = match args.activity {
        Some(a) => (a, None),
        None => popular(client, base, key)
            .await
            .map(|(a, v)| (a, Some(v)))?,
    };
    let act = get(client, base, key, &format!("/api/v1/activities/{activity}")).await?;
    let widgets: Vec<&str> = ACTIVITY_WIDGETS.iter().map(|w| w.as_str()).collect();
    let dash_path = format!(
        "/api/v1/dashboard/activity/{activity}?widgets={}&period=custom&startDate={}&endDate={}",
        widgets.join(","),
        act["startDate"].as_str().unwrap_or_default(),
        act["endDate"].as_str().unwrap_or_default()
    );
    let probe = get(client, base, key, &dash_path).await?;
    println!("axon bench mixed: {base}");
    println!(
        "  activity          {activity} ({}), {} visits in its dashboard window",
        act["name"].as_str().unwrap_or(""),
        probe["data"]["overview"]["totalVisits"]
    );
    if let Some(v) = visits {
        println!(
            "  chosen as         the most visited ({v} visits in the last {POPULARITY_DAYS} days)"
        );
    }
    println!(
        "  dashboard         GET {dash_path} ({} bytes)",
        probe.to_string().len()
    );

    let warmup = Duration::from_secs_f64(args.warmup.clamp(0.0, 1.0));
    let span = Span::after_warmup(warmup, Duration::from_secs(PEAK_SECS));
    let peak = closed_loop(ingesters(&authority, args, activity), span).await;
    let peak_eps = (peak.ok * batch as u64) as f64 / PEAK_SECS as f64;
    println!(
        "  ingest peak       {peak_eps:.0} events/s (closed loop, {} connections, batch {batch}, \
         {PEAK_SECS} s, {} failed)",
        args.connections.max(1),
        peak.failed
    );
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rate = args.rate.unwrap_or((peak_eps / 2.0) as u64).max(1);
    println!(
        "  ingest rate       {rate} events/s = {:.1} batches/s{} (open loop)",
        rate as f64 / batch as f64,
        if args.rate.is_some() {
            ""
        } else {
            ", half the peak"
        }
    );

    let run = format!("{}", jiff::Timestamp::now().as_millisecond());
    let gate = Gate {
        label: "bench mixed",
        base,
        admin_key: key,
        stock: None,
        quantity: 1,
    };
    let fcfs = setup(client, &gate, &run).await?;
    println!(
        "  FCFS              {} entries/s on activity {fcfs} (new, unlimited stock), \
         {ENTRY_CONNECTIONS} connections",
        args.entry_rate
    );
    println!(
        "  phases            readers {:?}, {:.1} s warm-up + {} s measured each",
        args.readers, args.warmup, args.duration
    );
    Ok(Plan {
        authority,
        activity,
        dash_path: Arc::from(dash_path),
        auth: Arc::from(format!("Bearer {key}")),
        secret,
        rate,
        entry_path: Arc::from(format!("/api/v1/activities/{fcfs}/entries")),
        run,
    })
}

impl Plan {
    fn reader(&self) -> Reader {
        Reader {
            conn: Conn::new(self.authority.clone()),
            path: self.dash_path.clone(),
            auth: self.auth.clone(),
        }
    }

    /// The dashboard read by one client with nothing else running, printed: how much work one
    /// answer is (it grows as the phases' events land in its realtime widget).
    async fn alone(&self, when: &str) {
        let span = Span::after_warmup(Duration::from_millis(200), Duration::from_secs(ALONE_SECS));
        let mut o = closed_loop(vec![self.reader()], span).await;
        println!(
            "  dashboard alone   p50 {:.1} ms, p99 {:.1} ms (1 client, {ALONE_SECS} s, {when})",
            o.samples.quantile_ms(0.5),
            o.samples.quantile_ms(0.99)
        );
    }

    /// One phase: `n` dashboard readers, the ingest loop and the FCFS loop, side by side.
    async fn phase(&self, args: &MixedBenchArgs, phase: usize, n: usize) -> Figures {
        let batch = args.batch.max(1);
        let readers: Vec<Reader> = (0..n).map(|_| self.reader()).collect();
        let entrants: Vec<Entrant> = (0..ENTRY_CONNECTIONS)
            .map(|c| Entrant {
                conn: Conn::new(self.authority.clone()),
                path: self.entry_path.clone(),
                secret: self.secret.clone(),
                user_prefix: format!("mixed-{}-{phase}-{c}", self.run),
                n: 0,
            })
            .collect();
        let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
        let span = Span::after_warmup(warmup, Duration::from_secs(args.duration));
        let ingest = ingesters(&self.authority, args, self.activity);
        let (i, d, e) = tokio::join!(
            open_loop(ingest, self.rate as f64 / batch as f64, span),
            closed_loop(readers, span),
            open_loop(entrants, args.entry_rate as f64, span),
        );
        figures(n, batch, span, [i, d, e])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_most_visited_activity_wins_and_ties_go_to_the_lowest_id() {
        let rows = vec![
            json!({"activityId": 7, "totalVisits": 10}),
            json!({"activityId": 3, "totalVisits": 25}),
            json!({"activityId": 9, "totalVisits": 25}),
            json!({"activityId": 4}),
            json!({"activityId": 1, "totalVisits": 2}),
        ];
        assert_eq!(most_visited(&rows), Some((3, 25)));
        assert_eq!(most_visited(&[]), None);
        assert_eq!(most_visited(&[json!({"activityId": 5})]), None);
    }

    #[test]
    fn only_loopback_addresses_are_loaded() {
        for a in ["127.0.0.1:8080", "localhost:1", "[::1]:80", "127.1.2.3:9"] {
            assert!(loopback(a), "{a}");
        }
        for a in ["10.0.0.1:8080", "example.com:80", "[2001:db8::1]:80"] {
            assert!(!loopback(a), "{a}");
        }
    }

    fn row(readers: usize, ingest_p99: f64, entry_p99: f64) -> Figures {
        Figures {
            readers,
            events_per_s: 1000.0,
            ingest_p50: 1.0,
            ingest_p99,
            dash_per_s: 5.0,
            dash_p50: 20.0,
            dash_p99: 40.0,
            entry_p50: 1.0,
            entry_p99,
            failed: [0, 1, 2],
        }
    }

    #[test]
    fn the_table_has_a_row_per_phase_with_p99_ratios_to_the_first() {
        let t = table(&[row(0, 2.0, 4.0), row(16, 30.0, 10.0)]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert_eq!(
            lines[2],
            "| 0 | 1000 | 1.00 / 2.00 | 1.0× | — | — | 1.00 / 4.00 | 1.0× | 0/1/2 |"
        );
        assert_eq!(
            lines[3],
            "| 16 | 1000 | 1.00 / 30.00 | 15.0× | 5.0 | 20.0 / 40.0 | 1.00 / 10.00 | 2.5× | 0/1/2 |"
        );
        // A first row without samples gives no ratio rather than infinity.
        assert!(table(&[row(0, 0.0, 0.0)]).contains("| — |"));
    }
}
