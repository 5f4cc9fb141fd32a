//! The server's typed configuration, built by the CLI from flags, `AXON_*` variables and
//! `axon.toml`. Secrets are wrapped so they never print.

use axon_domain::{BusinessTz, Clock, SystemClock};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A secret string whose `Debug` never shows the value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Bootstrap admin key (`AXON_ADMIN_KEY`).
    pub admin_key: Secret,
    /// HS256 secret shared with the shop backend for end-user JWTs (`AXON_JWT_SECRET`).
    pub jwt_secret: Secret,
    /// When set, collection requests must carry it (`X-Axon-Key` or `?key=`).
    pub write_key: Option<Secret>,
    /// Origins allowed to post events from a browser; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Collection requests per second allowed per client IP (0 = unlimited).
    pub rate_limit_per_ip: u32,
    pub tz: BusinessTz,
    pub clock: Arc<dyn Clock>,
    pub reservation_ttl: Duration,
    pub approval_ttl: Duration,
    /// `axon demo`: enables the demo shop's end-user session minting.
    pub demo: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("admin_key", &self.admin_key)
            .field("jwt_secret", &self.jwt_secret)
            .field("write_key", &self.write_key)
            .field("cors_origins", &self.cors_origins)
            .field("rate_limit_per_ip", &self.rate_limit_per_ip)
            .field("tz", &self.tz.name())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for a data dir: system clock, Asia/Seoul, TTLs of SPEC §3.2.
    pub fn new(data_dir: PathBuf, admin_key: Secret) -> Config {
        Config {
            data_dir,
            admin_key,
            jwt_secret: Secret::default(),
            write_key: None,
            cors_origins: vec!["*".into()],
            rate_limit_per_ip: 0,
            tz: BusinessTz::default(),
            clock: Arc::new(SystemClock),
            reservation_ttl: Duration::from_secs(300),
            approval_ttl: Duration::from_secs(600),
            demo: false,
        }
    }
}
