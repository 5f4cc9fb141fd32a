//! The command line: the commands and their own flags. The settings shared by commands (and
//! their variables, `axon.toml` keys and defaults) live in [`crate::settings`].

pub use crate::settings::Settings;
use crate::settings::{GlobalArgs, ServerArgs};
use crate::CliError;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "axon",
    version,
    about = "Axon: FCFS promotions and live marketing analytics in one binary"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server on the embedded store.
    #[command(after_help = crate::settings::PRECEDENCE_HELP)]
    Serve(ServeArgs),
    /// Run the server with a seeded demo history and live simulated shoppers.
    #[command(after_help = crate::settings::PRECEDENCE_HELP)]
    Demo(DemoArgs),
    /// Bulk-load campaigns, activities, entries, purchases and events (server stopped).
    Import(ImportArgs),
    /// Generate a deterministic, realistic dataset in the import format.
    Simulate(SimulateArgs),
    /// Measure: `bench ingest` drives a running server's collection endpoint.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// The FCFS thundering herd against a running server: entries, payments, verdict.
    Loadtest(LoadtestArgs),
    /// The MCP server over stdio for an AI assistant (a running server serves it at /mcp).
    Mcp(McpArgs),
}

#[derive(Debug, Args)]
pub struct McpArgs {
    /// The API key every call is made with (an ADMIN or VIEWER key).
    #[arg(long, env = "AXON_API_KEY", hide_env_values = true)]
    pub key: String,
    /// The store and the server settings, as `axon serve` reads them (the port is not opened).
    #[command(flatten)]
    pub server: ServerArgs,
}

/// The running server a load command drives, and the credentials it needs.
#[derive(Debug, Args)]
pub struct Target {
    /// Base URL of the server; `axon loadtest` takes several nodes of one cluster (repeat the
    /// flag or give a comma list) and spreads its virtual users over them.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8080",
        value_delimiter = ',',
        num_args = 1
    )]
    pub url: Vec<String>,
    /// Admin key, to create the campaign and FCFS activity and read the server's answers.
    #[arg(long, env = "AXON_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: String,
    /// The server's end-user JWT secret (one token is minted per shopper).
    #[arg(
        long = "jwt-secret",
        env = "AXON_JWT_SECRET",
        hide_env_values = true,
        default_value = ""
    )]
    pub secret: String,
    /// The collection write key, when the server requires one.
    #[arg(long, env = "AXON_WRITE_KEY", hide_env_values = true)]
    pub write_key: Option<String>,
}

impl Target {
    /// The first (for most commands the only) node's base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        self.url
            .first()
            .map_or("http://127.0.0.1:8080", |u| u.trim_end_matches('/'))
    }

    /// The one node a single-node command drives (an error when several were given).
    pub fn one(&self) -> Result<&str, CliError> {
        match self.url.len() {
            0 | 1 => Ok(self.base()),
            _ => Err(CliError::Config(
                "this command drives one node: give --url once".into(),
            )),
        }
    }

    /// The JWT secret, which the FCFS gate's requests cannot do without.
    pub fn jwt_secret(&self) -> Result<&str, CliError> {
        if self.secret.is_empty() {
            return Err(CliError::Config(
                "--jwt-secret (AXON_JWT_SECRET) is required".into(),
            ));
        }
        Ok(&self.secret)
    }
}

#[derive(Debug, Args)]
pub struct LoadtestArgs {
    #[command(flatten)]
    pub server: Target,
    /// Peak virtual users.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Units of stock (the activity's limitCount).
    #[arg(long, default_value_t = 100)]
    pub stock: i64,
    /// Units per entry.
    #[arg(long, default_value_t = 1)]
    pub quantity: i64,
    /// Share of iterations that re-send the previous shopper's entry (0..1).
    #[arg(long, default_value_t = 0.1)]
    pub duplicate_rate: f64,
    /// Use this existing activity instead of creating one.
    #[arg(long)]
    pub activity: Option<i64>,
    #[arg(long, default_value_t = 2.0)]
    pub ramp_secs: f64,
    #[arg(long, default_value_t = 8.0)]
    pub hold_secs: f64,
    /// Length of each decay step (to 20 %, then to 4 %).
    #[arg(long, default_value_t = 2.0)]
    pub decay_secs: f64,
    /// Skip the PAGE_VIEW/CLICK request, to measure the entry gate alone.
    #[arg(long)]
    pub no_track: bool,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Number of behaviour events to generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Activities, spread over the campaigns.
    #[arg(long, default_value_t = 100)]
    pub activities: usize,
    #[arg(long, default_value_t = 20)]
    pub campaigns: usize,
    /// The dataset's last day ends at the start of this date (business time zone).
    #[arg(long, default_value = "2026-11-25")]
    pub end: String,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// HTTP ingestion throughput and acknowledgement latency against a running server.
    Ingest(IngestArgs),
    /// Dashboard latency (in-process and over HTTP), engine rebuild time and memory, on a
    /// stopped server's data dir.
    Dashboards(DashBenchArgs),
    /// Live dashboard viewers (SSE) on a running server: how many, and event → viewer latency.
    Live(LiveBenchArgs),
    /// Question-box answer latency (no LLM), in-process on a stopped server's data dir.
    Nlq(NlqBenchArgs),
    /// Mixed load on a running server: ingest acknowledgements and FCFS answers while N clients
    /// read the most visited activity's dashboard, one phase per N.
    Mixed(MixedBenchArgs),
}

#[derive(Debug, Args)]
pub struct MixedBenchArgs {
    /// The server (loopback only).
    #[command(flatten)]
    pub server: Target,
    /// Concurrent dashboard readers (closed loop), comma-separated: one phase and one table
    /// row each; the ratios are to the first row.
    #[arg(long, value_delimiter = ',', default_value = "0,10,16,100")]
    pub readers: Vec<usize>,
    /// Events per ingest request (PAGE_VIEW, every third a CLICK, on the activity's page).
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// Ingested events per second (open loop) [default: half the peak, measured first].
    #[arg(long)]
    pub rate: Option<u64>,
    /// Ingest connections (the peak measurement's closed-loop clients, then the open loop's).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// FCFS entry requests per second (open loop over 4 connections, one new user each).
    #[arg(long, default_value_t = 50)]
    pub entry_rate: u64,
    /// Measured seconds per phase.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds of load before each phase (and the peak measurement) is measured.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// The activity whose dashboard is read and whose page the events are for [default: the
    /// most visited, from the overview and campaign dashboards].
    #[arg(long)]
    pub activity: Option<i64>,
}

#[derive(Debug, Args)]
pub struct LiveBenchArgs {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    #[arg(long, env = "AXON_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: String,
    /// Concurrent SSE dashboard viewers.
    #[arg(long, default_value_t = 1000)]
    pub viewers: usize,
    /// Seconds of events (one every 500 ms).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// The activity whose dashboard the viewers watch.
    #[arg(long, default_value_t = 1)]
    pub activity: i64,
}

#[derive(Debug, Args)]
pub struct NlqBenchArgs {
    /// Rounds; each asks every benchmark question once.
    #[arg(long, default_value_t = 200)]
    pub calls: usize,
}

#[derive(Debug, Args)]
pub struct DashBenchArgs {
    /// In-process calls per dashboard kind.
    #[arg(long, default_value_t = 200)]
    pub calls: usize,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// Seconds of HTTP load.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Conversion window of the ordered funnel in the activity and campaign dashboards (hours).
    #[arg(long)]
    pub conversion_window_hours: Option<i64>,
    /// Writes the most popular activity's dashboard and cohort answers and their timings as
    /// JSON to this file (read by `bench/peers/duckdb.py` to check and compare a peer).
    #[arg(long)]
    pub peer_out: Option<std::path::PathBuf>,
    /// Skips the HTTP phase (in-process figures only).
    #[arg(long)]
    pub no_http: bool,
    /// With `--analytics clickhouse`: ClickHouse's native port, for the raw queries replayed
    /// with `clickhouse-client`.
    #[arg(long, default_value_t = 9000)]
    pub clickhouse_tcp_port: u16,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Events per request (1 = single-event requests).
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Concurrent clients (closed loop).
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Fixed request rate per second (open loop) instead of as-fast-as-acked.
    #[arg(long)]
    pub rate: Option<u64>,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Live simulated events per second, averaged over a day (0 = no live traffic). Default:
    /// the rate of the history's last 24 hours, so the live numbers continue it.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Events of history to seed an empty data dir with.
    #[arg(long, default_value_t = 400_000)]
    pub history_events: u64,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Folder holding campaigns.csv, activities.csv, entries.csv, purchases.csv, events.ndjson.
    #[arg(long)]
    pub dir: PathBuf,
    /// Overwrite activities that already have entries or purchases (refused without it).
    #[arg(long)]
    pub replace: bool,
}
