//! Every setting in one place: a clap argument with its `AXON_*` variable and default, and an
//! `axon.toml` key (the flag's name with `_` for `-`). A flag or variable wins over the file,
//! the file over the default. The result is the server's typed [`Config`] plus what the CLI
//! itself needs (address, logging). Nothing else in the workspace reads the environment.

pub mod values;

use crate::cli::{Cli, Command};
use crate::CliError;
use axon_server::{Config, Secret, SessionSecret};
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use values::{parsed, LogFormat, LogLevel, Origins, Proxies, Zone};

pub const DEFAULT_DATA_DIR: &str = "axon-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_TIMEZONE: &str = "Asia/Seoul";
pub const DEFAULT_LOG_LEVEL: &str = "info";
pub const DEFAULT_CORS_ORIGINS: &str = "*";

/// Printed under `serve --help` and `demo --help`.
pub const PRECEDENCE_HELP: &str = "In axon.toml each setting is the flag's name with `_` for `-` \
(e.g. rate_limit_per_ip = 5). A flag or AXON_* variable wins over axon.toml, which wins over the default.";

/// Settings every command reads (the data, its time zone, the logs).
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Global settings (flag, AXON_* variable, or axon.toml key)")]
pub struct GlobalArgs {
    /// Configuration file [default: ./axon.toml when it exists]
    #[arg(long, global = true, env = "AXON_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the store lives, locked while in use [default: ./axon-data]
    #[arg(long, global = true, env = "AXON_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Shared database for the event log and the relational data, `postgres://…` or
    /// `mysql://…`; every node given the same one serves the same data [default: none, the
    /// embedded store in the data dir]
    #[arg(
        long,
        global = true,
        env = "AXON_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<Secret>,
    /// Redis for the FCFS stock gate shared by every node, `redis://…` [default: none, the
    /// gate of the database or of this process]
    #[arg(
        long,
        global = true,
        env = "AXON_REDIS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub redis_url: Option<Secret>,
    /// Prefix of every Redis key, so deployments can share one Redis [default: axon:]
    #[arg(long, global = true, env = "AXON_REDIS_PREFIX", value_name = "PREFIX")]
    pub redis_prefix: Option<String>,
    /// Kafka brokers (`host:port[,host:port…]`): behaviour events go through the topic
    /// `axon.event.raw`, acknowledged by the broker, and a consumer group stores them in the
    /// shared database (needs --database-url) [default: none, events are stored directly]
    #[arg(long, global = true, env = "AXON_KAFKA_BROKERS", value_name = "HOSTS")]
    pub kafka_brokers: Option<String>,
    /// Prefix of the Kafka topics and of the sink's consumer group, so deployments can share one
    /// cluster [default: none]
    #[arg(long, global = true, env = "AXON_KAFKA_PREFIX", value_name = "PREFIX")]
    pub kafka_prefix: Option<String>,
    /// Partitions of the Kafka topics Axon creates (existing topics are kept) [default: 6]
    #[arg(long, global = true, env = "AXON_KAFKA_PARTITIONS", value_name = "N")]
    pub kafka_partitions: Option<i32>,
    /// librdkafka settings passed through as `key=value,key=value` (SASL, TLS:
    /// `security.protocol=SASL_SSL,sasl.mechanisms=PLAIN,sasl.username=…,sasl.password=…`)
    /// [default: none]
    #[arg(
        long,
        global = true,
        env = "AXON_KAFKA_PROPERTIES",
        hide_env_values = true,
        value_name = "PAIRS"
    )]
    pub kafka_properties: Option<Secret>,
    /// ClickHouse's HTTP interface (`http://host:8123`, user and password in the URL if any):
    /// every node keeps a copy of the events, entries and purchases there [default: none]
    #[arg(
        long,
        global = true,
        env = "AXON_CLICKHOUSE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub clickhouse_url: Option<Secret>,
    /// The ClickHouse database Axon uses (created if missing) [default: axon]
    #[arg(
        long,
        global = true,
        env = "AXON_CLICKHOUSE_DATABASE",
        value_name = "NAME"
    )]
    pub clickhouse_database: Option<String>,
    /// Who answers the dashboards: `engine` (in memory) or `clickhouse` (needs
    /// --clickhouse-url) [default: engine]
    #[arg(long, global = true, env = "AXON_ANALYTICS", value_name = "ENGINE")]
    pub analytics: Option<String>,
    /// Business time zone: days, hours, "today" [default: Asia/Seoul]
    #[arg(long, global = true, env = "AXON_TIMEZONE", value_name = "IANA")]
    pub timezone: Option<Zone>,
    /// Log level, e.g. `info` or `axon_server=debug,info` [default: info]
    #[arg(long, global = true, env = "AXON_LOG", value_name = "FILTER")]
    pub log_level: Option<LogLevel>,
    /// Log output on stderr: `text` or `json` [default: text]
    #[arg(long, global = true, env = "AXON_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// Settings of a running server (`serve`, `demo`).
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Server settings (flag, AXON_* variable, or axon.toml key)")]
pub struct ServerArgs {
    /// HTTP address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "AXON_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Bootstrap ADMIN key for admin and dashboard APIs [default: random per run, printed]
    #[arg(
        long,
        env = "AXON_ADMIN_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub admin_key: Option<Secret>,
    /// HS256 secret shared with the shop backend for end-user JWTs [default: none, entries off]
    #[arg(
        long,
        env = "AXON_JWT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub jwt_secret: Option<Secret>,
    /// When set, event collection requires it (`X-Axon-Key` or `?key=`) [default: none]
    #[arg(
        long,
        env = "AXON_WRITE_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub write_key: Option<Secret>,
    /// Comma-separated origins allowed to post events from a browser [default: *]
    #[arg(long, env = "AXON_CORS_ORIGINS", value_name = "ORIGINS")]
    pub cors_origins: Option<Origins>,
    /// Collection requests per second per client address, 0 = off [default: 0]
    #[arg(long, env = "AXON_RATE_LIMIT_PER_IP", value_name = "N")]
    pub rate_limit_per_ip: Option<u32>,
    /// Collection requests per second per API key of a backend sender, 0 = off [default: 0]
    #[arg(long, env = "AXON_RATE_LIMIT_PER_KEY", value_name = "N")]
    pub rate_limit_per_key: Option<u32>,
    /// Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For names the client
    /// (rate limits, stream caps, login throttling); from others the header is ignored
    /// [default: none]
    #[arg(long, env = "AXON_TRUSTED_PROXIES", value_name = "CIDRS")]
    pub trusted_proxies: Option<Proxies>,
    /// Seconds a client may take to send a request's headers [default: 10]
    #[arg(long, env = "AXON_HEADER_TIMEOUT", value_name = "SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds a client may take to send a request's body [default: 30]
    #[arg(long, env = "AXON_BODY_TIMEOUT", value_name = "SECS")]
    pub body_timeout_secs: Option<u64>,
    /// Seconds a keep-alive connection may stay idle before it is closed [default: 60]
    #[arg(long, env = "AXON_IDLE_TIMEOUT", value_name = "SECS")]
    pub idle_timeout_secs: Option<u64>,
    /// Open connections in all, 0 = no cap [default: 10000]
    #[arg(long, env = "AXON_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Open connections from one client address, 0 = no cap [default: 512]
    #[arg(long, env = "AXON_MAX_CONNECTIONS_PER_IP", value_name = "N")]
    pub max_connections_per_ip: Option<usize>,
    /// FCFS reservation token lifetime in seconds [default: 300]
    #[arg(long, env = "AXON_RESERVATION_TTL", value_name = "SECS")]
    pub reservation_ttl_secs: Option<u64>,
    /// Payment approval token lifetime in seconds [default: 600]
    #[arg(long, env = "AXON_APPROVAL_TTL", value_name = "SECS")]
    pub approval_ttl_secs: Option<u64>,
    /// Longest lifetime (exp − now) accepted for an end-user JWT, in seconds [default: 86400]
    #[arg(long, env = "AXON_JWT_MAX_LIFETIME", value_name = "SECS")]
    pub jwt_max_lifetime_secs: Option<u64>,
    /// Clock skew tolerated on end-user JWTs' exp and nbf, in seconds [default: 30]
    #[arg(long, env = "AXON_JWT_LEEWAY", value_name = "SECS")]
    pub jwt_leeway_secs: Option<u64>,
    /// Mark the admin session cookie `Secure` (set it when browsers reach Axon over TLS)
    /// [default: false]
    #[arg(long, env = "AXON_SECURE_COOKIE", value_name = "BOOL")]
    pub secure_cookie: Option<bool>,
    /// Open live (SSE) dashboard streams allowed per key, 0 = no cap [default: 1024]
    #[arg(long, env = "AXON_STREAMS_PER_KEY", value_name = "N")]
    pub streams_per_key: Option<usize>,
    /// Open live (SSE) dashboard streams allowed per client address, 0 = no cap [default: 1024]
    #[arg(long, env = "AXON_STREAMS_PER_IP", value_name = "N")]
    pub streams_per_ip: Option<usize>,
    /// Earliest date accepted for any fact, plan or query, YYYY-MM-DD (UTC) [default: 2000-01-01]
    #[arg(long, env = "AXON_EARLIEST_DATE", value_name = "DATE")]
    pub earliest_date: Option<String>,
    /// How far ahead of now a fact (event, purchase, entry) may be dated, in hours [default: 24]
    #[arg(long, env = "AXON_FUTURE_HOURS", value_name = "HOURS")]
    pub future_hours: Option<u32>,
    /// Signs admin session cookies, at least 32 bytes; give every node the same one
    /// [default: generated once, kept in the data dir as session.key]
    #[arg(
        long,
        env = "AXON_SESSION_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub session_secret: Option<Secret>,
    /// OpenAI-compatible endpoint that may rephrase question-box answers (it receives only the
    /// computed numbers; 2 s timeout) [default: none, phrasing off]
    #[arg(long, env = "AXON_LLM_URL", value_name = "URL")]
    pub llm_url: Option<String>,
    /// Model name sent to that endpoint [default: gpt-4o-mini]
    #[arg(long, env = "AXON_LLM_MODEL", value_name = "MODEL")]
    pub llm_model: Option<String>,
    /// Bearer key for that endpoint [default: none]
    #[arg(long, env = "AXON_LLM_KEY", hide_env_values = true, value_name = "KEY")]
    pub llm_key: Option<Secret>,
}

/// `axon.toml`: one key per setting above, none other.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<Secret>,
    redis_url: Option<Secret>,
    redis_prefix: Option<String>,
    kafka_brokers: Option<String>,
    kafka_prefix: Option<String>,
    kafka_partitions: Option<i32>,
    kafka_properties: Option<Secret>,
    clickhouse_url: Option<Secret>,
    clickhouse_database: Option<String>,
    analytics: Option<String>,
    #[serde(default, deserialize_with = "parsed")]
    timezone: Option<Zone>,
    #[serde(default, deserialize_with = "parsed")]
    log_level: Option<LogLevel>,
    #[serde(default, deserialize_with = "parsed")]
    log_format: Option<LogFormat>,
    listen: Option<String>,
    admin_key: Option<Secret>,
    jwt_secret: Option<Secret>,
    write_key: Option<Secret>,
    cors_origins: Option<Origins>,
    rate_limit_per_ip: Option<u32>,
    rate_limit_per_key: Option<u32>,
    trusted_proxies: Option<Proxies>,
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    idle_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_ip: Option<usize>,
    reservation_ttl_secs: Option<u64>,
    approval_ttl_secs: Option<u64>,
    jwt_max_lifetime_secs: Option<u64>,
    jwt_leeway_secs: Option<u64>,
    secure_cookie: Option<bool>,
    streams_per_key: Option<usize>,
    streams_per_ip: Option<usize>,
    earliest_date: Option<String>,
    future_hours: Option<u32>,
    session_secret: Option<Secret>,
    llm_url: Option<String>,
    llm_model: Option<String>,
    llm_key: Option<Secret>,
}

impl FileConfig {
    /// Reads `--config`, else `./axon.toml` when it exists, else nothing.
    pub fn read(cli: &Cli) -> Result<FileConfig, CliError> {
        let path = match &cli.global.config {
            Some(p) => p.clone(),
            None if Path::new("axon.toml").exists() => PathBuf::from("axon.toml"),
            None => return Ok(FileConfig::default()),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
        FileConfig::parse(&text).map_err(|e| CliError::Config(format!("{}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> Result<FileConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

/// Resolved settings for every command.
#[derive(Debug)]
pub struct Settings {
    pub listen: String,
    pub log_format: LogFormat,
    pub log_level: LogLevel,
    pub admin_key_generated: bool,
    pub config: Config,
}

/// The Kafka keys of `axon.toml`.
struct KafkaFile {
    brokers: Option<String>,
    prefix: Option<String>,
    partitions: Option<i32>,
    properties: Option<Secret>,
}

/// The Kafka settings: brokers (none = no Kafka), prefix, partitions, pass-through properties.
/// The ClickHouse settings: an `http://` URL (the client has no TLS) and a plain database name.
fn clickhouse(
    url: Option<Secret>,
    database: Option<String>,
) -> Result<Option<axon_server::ClickHouseConfig>, CliError> {
    let Some(url) = url else {
        if database.is_some() {
            return Err(CliError::Config(
                "--clickhouse-database / AXON_CLICKHOUSE_DATABASE needs --clickhouse-url / AXON_CLICKHOUSE_URL".into(),
            ));
        }
        return Ok(None);
    };
    if !url.expose().starts_with("http://") {
        return Err(CliError::Config(
            "--clickhouse-url / AXON_CLICKHOUSE_URL: expected http://host:port (ClickHouse's HTTP interface)".into(),
        ));
    }
    let database = database.unwrap_or_else(|| "axon".into());
    if axon_clickhouse::sql::check_identifier(&database).is_err() {
        return Err(CliError::Config(format!(
            "--clickhouse-database / AXON_CLICKHOUSE_DATABASE: letters, digits and _ only, got {database:?}"
        )));
    }
    Ok(Some(axon_server::ClickHouseConfig { url, database }))
}

fn kafka(
    g: &GlobalArgs,
    file: KafkaFile,
    shared_database: bool,
) -> Result<Option<axon_kafka::KafkaOptions>, CliError> {
    let Some(brokers) = text(g.kafka_brokers.clone()).or(text(file.brokers)) else {
        return Ok(None);
    };
    if !shared_database {
        return Err(CliError::Config(
            "--kafka-brokers / AXON_KAFKA_BROKERS needs --database-url / AXON_DATABASE_URL: the sink stores the events there".into(),
        ));
    }
    let mut o = axon_kafka::KafkaOptions {
        brokers,
        ..Default::default()
    };
    if let Some(p) = text(g.kafka_prefix.clone()).or(text(file.prefix)) {
        o.prefix = p;
    }
    if let Some(n) = g.kafka_partitions.or(file.partitions) {
        if !(1..=1000).contains(&n) {
            return Err(CliError::Config(format!(
                "--kafka-partitions / AXON_KAFKA_PARTITIONS: expected 1 to 1000, got {n}"
            )));
        }
        o.partitions = n;
    }
    if let Some(p) = secret(g.kafka_properties.clone()).or(secret(file.properties)) {
        // The message names the pair, never the value (it may hold a password).
        o.properties = axon_kafka::parse_properties(p.expose()).map_err(|_| {
            CliError::Config(
                "--kafka-properties / AXON_KAFKA_PROPERTIES: expected key=value[,key=value…]"
                    .into(),
            )
        })?;
    }
    Ok(Some(o))
}

/// A secret given but empty counts as not given (e.g. `AXON_WRITE_KEY=`).
fn secret(s: Option<Secret>) -> Option<Secret> {
    s.filter(|s| !s.expose().is_empty())
}

fn text(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

impl Settings {
    pub fn load(cli: &Cli) -> Result<Settings, CliError> {
        Settings::resolve(cli, FileConfig::read(cli)?)
    }

    /// Flag or variable, else the file, else the default, for every setting.
    pub fn resolve(cli: &Cli, file: FileConfig) -> Result<Settings, CliError> {
        let none = ServerArgs::default();
        let server = match &cli.command {
            Command::Serve(a) => &a.server,
            Command::Demo(a) => &a.server,
            Command::Mcp(a) => &a.server,
            _ => &none,
        };
        let g = &cli.global;
        let data_dir = g
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let tz = match g.timezone.clone().or(file.timezone) {
            Some(z) => z.0,
            None => {
                DEFAULT_TIMEZONE
                    .parse::<Zone>()
                    .map_err(CliError::Config)?
                    .0
            }
        };
        let (admin_key, admin_key_generated) =
            match secret(server.admin_key.clone()).or(secret(file.admin_key)) {
                Some(k) => (k, false),
                None => (Secret::new(axon_server::auth::generate_key("axa_")), true),
            };
        // A short bootstrap key is guessable: it grants every right, so refuse it at start.
        let min = axon_server::config::MIN_ADMIN_KEY_LEN;
        if admin_key.expose().chars().count() < min {
            return Err(CliError::Config(format!(
                "--admin-key / AXON_ADMIN_KEY / admin_key: the admin key must be at least {min} characters (got {}); generate one with e.g. `openssl rand -base64 24`",
                admin_key.expose().chars().count()
            )));
        }
        let mut config = Config::new(data_dir, admin_key);
        config.database_url = secret(g.database_url.clone()).or(secret(file.database_url));
        if let Some(url) = &config.database_url {
            if !url.expose().contains("://") || axon_server::backend_of(url.expose()).is_none() {
                return Err(CliError::Config(
                    "--database-url / AXON_DATABASE_URL: expected postgres://… or mysql://…".into(),
                ));
            }
        }
        config.redis_url = secret(g.redis_url.clone()).or(secret(file.redis_url));
        if let Some(url) = &config.redis_url {
            let u = url.expose();
            if !(u.starts_with("redis://")
                || u.starts_with("redis+unix://")
                || u.starts_with("unix://"))
            {
                return Err(CliError::Config(
                    "--redis-url / AXON_REDIS_URL: expected redis://…".into(),
                ));
            }
        }
        let kafka_file = KafkaFile {
            brokers: file.kafka_brokers,
            prefix: file.kafka_prefix,
            partitions: file.kafka_partitions,
            properties: file.kafka_properties,
        };
        config.kafka = kafka(g, kafka_file, config.database_url.is_some())?;
        config.clickhouse = clickhouse(
            secret(g.clickhouse_url.clone()).or(secret(file.clickhouse_url)),
            text(g.clickhouse_database.clone()).or(text(file.clickhouse_database)),
        )?;
        config.analytics = match text(g.analytics.clone()).or(text(file.analytics)).as_deref() {
            None | Some("engine") => axon_server::Analytics::Engine,
            Some("clickhouse") if config.clickhouse.is_some() => axon_server::Analytics::ClickHouse,
            Some("clickhouse") => {
                return Err(CliError::Config(
                    "--analytics / AXON_ANALYTICS=clickhouse needs --clickhouse-url / AXON_CLICKHOUSE_URL".into(),
                ))
            }
            Some(other) => {
                return Err(CliError::Config(format!(
                    "--analytics / AXON_ANALYTICS: expected engine or clickhouse, got {other:?}"
                )))
            }
        };
        if let Some(p) = text(g.redis_prefix.clone()).or(text(file.redis_prefix)) {
            config.redis.prefix = p;
        }
        config.tz = tz;
        config.jwt_secret = secret(server.jwt_secret.clone())
            .or(secret(file.jwt_secret))
            .unwrap_or_default();
        config.write_key = secret(server.write_key.clone()).or(secret(file.write_key));
        config.cors_origins = server
            .cors_origins
            .clone()
            .or(file.cors_origins)
            .map_or_else(|| vec![DEFAULT_CORS_ORIGINS.to_string()], |o| o.0);
        config.rate_limit_per_ip = server
            .rate_limit_per_ip
            .or(file.rate_limit_per_ip)
            .unwrap_or(0);
        config.rate_limit_per_key = server
            .rate_limit_per_key
            .or(file.rate_limit_per_key)
            .unwrap_or(0);
        if let Some(p) = server.trusted_proxies.clone().or(file.trusted_proxies) {
            config.trusted_proxies = p.0;
        }
        let c = &mut config.connections;
        let secs = |v: Option<u64>, name: &str| -> Result<Option<Duration>, CliError> {
            match v {
                Some(0) => Err(CliError::Config(format!(
                    "{name} must be at least 1 second"
                ))),
                v => Ok(v.map(Duration::from_secs)),
            }
        };
        if let Some(d) = secs(
            server.header_timeout_secs.or(file.header_timeout_secs),
            "header_timeout_secs / AXON_HEADER_TIMEOUT",
        )? {
            c.header_timeout = d;
        }
        if let Some(d) = secs(
            server.body_timeout_secs.or(file.body_timeout_secs),
            "body_timeout_secs / AXON_BODY_TIMEOUT",
        )? {
            c.body_timeout = d;
        }
        if let Some(d) = secs(
            server.idle_timeout_secs.or(file.idle_timeout_secs),
            "idle_timeout_secs / AXON_IDLE_TIMEOUT",
        )? {
            c.idle_timeout = d;
        }
        if let Some(n) = server.max_connections.or(file.max_connections) {
            c.max_connections = n;
        }
        if let Some(n) = server
            .max_connections_per_ip
            .or(file.max_connections_per_ip)
        {
            c.max_connections_per_ip = n;
        }
        if let Some(s) = server.reservation_ttl_secs.or(file.reservation_ttl_secs) {
            config.reservation_ttl = Duration::from_secs(s);
        }
        if let Some(s) = server.approval_ttl_secs.or(file.approval_ttl_secs) {
            config.approval_ttl = Duration::from_secs(s);
        }
        if let Some(s) = server.jwt_max_lifetime_secs.or(file.jwt_max_lifetime_secs) {
            config.jwt.max_lifetime = Duration::from_secs(s);
        }
        if let Some(s) = server.jwt_leeway_secs.or(file.jwt_leeway_secs) {
            config.jwt.leeway = Duration::from_secs(s);
        }
        config.secure_cookie = server.secure_cookie.or(file.secure_cookie).unwrap_or(false);
        if let Some(d) = text(server.earliest_date.clone()).or(text(file.earliest_date)) {
            config.horizon.earliest =
                axon_domain::Ts::parse_utc(&format!("{}T00:00:00Z", d.trim()))
                    .map_err(|e| CliError::Config(format!("earliest_date {d:?}: {}", e.message)))?;
        }
        if let Some(n) = server.streams_per_key.or(file.streams_per_key) {
            config.streams_per_key = n;
        }
        if let Some(n) = server.streams_per_ip.or(file.streams_per_ip) {
            config.streams_per_ip = n;
        }
        if let Some(h) = server.future_hours.or(file.future_hours) {
            config.horizon.fact_ahead_ms = i64::from(h) * 3_600_000;
        }
        config.session_secret = match secret(server.session_secret.clone()) {
            Some(s) => Some(session_secret(
                &s,
                "--session-secret / AXON_SESSION_SECRET",
            )?),
            None => secret(file.session_secret)
                .map(|s| session_secret(&s, "axon.toml session_secret"))
                .transpose()?,
        };
        config.llm_url = text(server.llm_url.clone()).or(text(file.llm_url));
        if let Some(m) = text(server.llm_model.clone()).or(text(file.llm_model)) {
            config.llm_model = m;
        }
        config.llm_key = secret(server.llm_key.clone()).or(secret(file.llm_key));
        Ok(Settings {
            listen: text(server.listen.clone())
                .or(text(file.listen))
                .unwrap_or_else(|| DEFAULT_LISTEN.into()),
            log_format: g.log_format.or(file.log_format).unwrap_or_default(),
            log_level: g.log_level.clone().or(file.log_level).unwrap_or_default(),
            admin_key_generated,
            config,
        })
    }
}

/// Checks a session secret without echoing it.
fn session_secret(s: &Secret, source: &str) -> Result<SessionSecret, CliError> {
    SessionSecret::new(s.expose()).map_err(|e| CliError::Config(format!("{source}: {e}")))
}

#[cfg(test)]
mod tests;
