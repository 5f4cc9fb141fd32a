//! The server's typed configuration, built by the CLI from flags, `AXON_*` variables and
//! `axon.toml`. Secrets are wrapped so they never print. Nothing in the server reads the
//! environment: every setting arrives here.

use crate::session_key::SessionSecret;
use axon_domain::{BusinessTz, Clock, SystemClock};
use axon_nlq::llm::LlmConfig;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A secret string whose `Debug` never shows the value.
#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret::new(s))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Shortest bootstrap admin key accepted (`AXON_ADMIN_KEY`).
pub const MIN_ADMIN_KEY_LEN: usize = 12;

/// Where ClickHouse is (`AXON_CLICKHOUSE_URL`, `AXON_CLICKHOUSE_DATABASE`).
#[derive(Clone, Debug)]
pub struct ClickHouseConfig {
    /// `http://host:port` of the HTTP interface (credentials, if any, in the URL).
    pub url: Secret,
    pub database: String,
}

/// Who answers the dashboards' aggregates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Analytics {
    /// The in-memory engine (default).
    #[default]
    Engine,
    /// ClickHouse (needs [`Config::clickhouse`]); the engine keeps the catalogue.
    ClickHouse,
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// A shared database (`postgres://…`, `mysql://…`) holding the event log, the relational
    /// data and the commit feed instead of the embedded store (`AXON_DATABASE_URL`); `None` =
    /// SQLite in `data_dir`.
    pub database_url: Option<Secret>,
    /// Redis (`redis://…`, `AXON_REDIS_URL`) holding the FCFS stock gate shared by every node;
    /// `None` = the database's gate (shared database) or the in-process ledger (embedded).
    pub redis_url: Option<Secret>,
    /// The Redis gate's key prefix (`AXON_REDIS_PREFIX`), writing lease and rebuild grace.
    pub redis: axon_redis::RedisGateOptions,
    /// Kafka (`AXON_KAFKA_BROKERS`): behaviour events through `axon.event.raw` and the sink
    /// consumer group into the shared database; `None` = events stored directly.
    pub kafka: Option<axon_kafka::KafkaOptions>,
    /// ClickHouse (`AXON_CLICKHOUSE_URL`): every node writes its store's commits there.
    pub clickhouse: Option<ClickHouseConfig>,
    /// Who answers the dashboards (`AXON_ANALYTICS`).
    pub analytics: Analytics,
    /// A shared database with Redis: how often the commit feed still polls for other nodes'
    /// commits although the Redis bus announces them (for announcements lost while Redis was
    /// away). 1 s; not a setting (tests lengthen it to show the bus at work).
    pub bus_poll: std::time::Duration,
    /// Bootstrap admin key (`AXON_ADMIN_KEY`).
    pub admin_key: Secret,
    /// HS256 secret shared with the shop backend for end-user JWTs (`AXON_JWT_SECRET`).
    pub jwt_secret: Secret,
    /// What end-user JWTs must satisfy: maximum lifetime and clock leeway.
    pub jwt: crate::auth::JwtRules,
    /// Sign-in attempts allowed per client address per minute (0 = unlimited): key guessing
    /// through the login form is throttled.
    pub login_attempts_per_minute: u32,
    /// Open live (SSE) streams allowed per key and per client address (0 = no cap).
    pub streams_per_key: usize,
    pub streams_per_ip: usize,
    /// Marks the admin session cookie `Secure` (`AXON_SECURE_COOKIE`; for TLS deployments).
    pub secure_cookie: bool,
    /// When set, collection requests must carry it (`X-Axon-Key` or `?key=`).
    pub write_key: Option<Secret>,
    /// Origins allowed to post events from a browser; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Collection requests per second allowed per client IP (0 = unlimited).
    pub rate_limit_per_ip: u32,
    /// Collection requests per second allowed per API key of a backend sender (0 = unlimited).
    pub rate_limit_per_key: u32,
    /// Proxies whose `X-Forwarded-For` is believed (`AXON_TRUSTED_PROXIES`); from any other
    /// peer the header is ignored and the client address is the socket's.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Connection timeouts and caps of the accept loop.
    pub connections: crate::listen::Limits,
    pub tz: BusinessTz,
    /// Where accepted dates may lie (`AXON_EARLIEST_DATE`, facts up to 24 h ahead).
    pub horizon: axon_domain::Horizon,
    pub clock: Arc<dyn Clock>,
    pub reservation_ttl: Duration,
    pub approval_ttl: Duration,
    /// `axon demo`: enables the demo shop's end-user session minting.
    pub demo: bool,
    /// Signs admin session cookies (`AXON_SESSION_SECRET`); `None` = the data dir's `session.key`.
    pub session_secret: Option<SessionSecret>,
    /// OpenAI-compatible endpoint that may rephrase question-box answers (`AXON_LLM_URL`);
    /// `None` = phrasing off.
    pub llm_url: Option<String>,
    /// Model name sent to that endpoint (`AXON_LLM_MODEL`).
    pub llm_model: String,
    /// Bearer key for that endpoint (`AXON_LLM_KEY`).
    pub llm_key: Option<Secret>,
    /// How often the alert evaluator runs (5 s; not a CLI setting yet); its lease lasts six
    /// intervals, so a stopped node's duty moves to another within that.
    pub alert_interval: Duration,
    /// Webhook attempts and backoff.
    pub alert_retry: axon_services::alerts::webhook::Retry,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url)
            .field("redis_url", &self.redis_url)
            .field("redis", &self.redis)
            .field("kafka_brokers", &self.kafka.as_ref().map(|k| &k.brokers))
            .field("bus_poll", &self.bus_poll)
            .field("admin_key", &self.admin_key)
            .field("jwt_secret", &self.jwt_secret)
            .field("jwt", &self.jwt)
            .field("write_key", &self.write_key)
            .field("secure_cookie", &self.secure_cookie)
            .field("streams_per_key", &self.streams_per_key)
            .field("streams_per_ip", &self.streams_per_ip)
            .field("login_attempts_per_minute", &self.login_attempts_per_minute)
            .field("cors_origins", &self.cors_origins)
            .field("rate_limit_per_ip", &self.rate_limit_per_ip)
            .field("rate_limit_per_key", &self.rate_limit_per_key)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("connections", &self.connections)
            .field("tz", &self.tz.name())
            .field("horizon", &self.horizon)
            .field("reservation_ttl", &self.reservation_ttl)
            .field("approval_ttl", &self.approval_ttl)
            .field("demo", &self.demo)
            .field("session_secret", &self.session_secret)
            .field("llm_url", &self.llm_url)
            .field("llm_model", &self.llm_model)
            .field("llm_key", &self.llm_key)
            .field("alert_interval", &self.alert_interval)
            .field("alert_retry", &self.alert_retry)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The model asked to phrase answers when `AXON_LLM_MODEL` is not set.
    pub const DEFAULT_LLM_MODEL: &'static str = "gpt-4o-mini";

    /// Defaults for a data dir: system clock, Asia/Seoul, TTLs of SPEC §3.2, phrasing off.
    pub fn new(data_dir: PathBuf, admin_key: Secret) -> Config {
        Config {
            data_dir,
            database_url: None,
            redis_url: None,
            redis: axon_redis::RedisGateOptions::default(),
            kafka: None,
            clickhouse: None,
            analytics: Analytics::Engine,
            bus_poll: std::time::Duration::from_secs(1),
            admin_key,
            jwt_secret: Secret::default(),
            jwt: crate::auth::JwtRules::default(),
            write_key: None,
            secure_cookie: false,
            streams_per_key: 1024,
            streams_per_ip: 1024,
            login_attempts_per_minute: 20,
            cors_origins: vec!["*".into()],
            rate_limit_per_ip: 0,
            rate_limit_per_key: 0,
            trusted_proxies: Vec::new(),
            connections: crate::listen::Limits::default(),
            tz: BusinessTz::default(),
            horizon: axon_domain::Horizon::default(),
            clock: Arc::new(SystemClock),
            reservation_ttl: Duration::from_secs(300),
            approval_ttl: Duration::from_secs(600),
            demo: false,
            session_secret: None,
            llm_url: None,
            llm_model: Config::DEFAULT_LLM_MODEL.into(),
            llm_key: None,
            alert_interval: Duration::from_secs(5),
            alert_retry: axon_services::alerts::webhook::Retry::default(),
        }
    }

    /// Where question-box answers go for phrasing; `None` when no URL is set.
    pub fn llm(&self) -> Option<LlmConfig> {
        let url = self.llm_url.as_deref().filter(|u| !u.trim().is_empty())?;
        Some(LlmConfig::new(
            url,
            &self.llm_model,
            self.llm_key.as_ref().map(Secret::expose),
        ))
    }
}
