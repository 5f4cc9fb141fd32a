//! The typed values of settings that are more than a string or a number. Each parses with one
//! `FromStr`, used by clap for flags and variables and by serde for `axon.toml`, so a bad value
//! is refused with the same words wherever it came from, naming the setting.

use axon_domain::BusinessTz;
use serde::{Deserialize, Deserializer};
use std::fmt::Display;
use std::str::FromStr;
use tracing_subscriber::filter::{LevelFilter, Targets};

/// Log output on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<LogFormat, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("log_format must be `text` or `json`, not '{s}'")),
        }
    }
}

/// A log filter: a level (`info`) or comma-separated `target=level` directives with an optional
/// default level (`axon_server=debug,info`). Unknown levels are refused rather than ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLevel {
    pub text: String,
    pub targets: Targets,
}

impl Default for LogLevel {
    fn default() -> LogLevel {
        LogLevel::from_str(super::DEFAULT_LOG_LEVEL).expect("the default log level parses")
    }
}

impl FromStr for LogLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<LogLevel, String> {
        let bad = || {
            format!("log_level '{s}' is not a level (trace, debug, info, warn, error, off) or a list of target=level")
        };
        for part in s.split(',').map(str::trim) {
            let level = part.rsplit_once('=').map_or(part, |(target, level)| {
                if target.trim().is_empty() {
                    ""
                } else {
                    level
                }
            });
            level.trim().parse::<LevelFilter>().map_err(|_| bad())?;
        }
        let targets = s.parse::<Targets>().map_err(|_| bad())?;
        Ok(LogLevel {
            text: s.trim().to_string(),
            targets,
        })
    }
}

/// Origins allowed to post events from a browser: `*`, or a comma-separated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins(pub Vec<String>);

impl FromStr for Origins {
    type Err = String;

    fn from_str(s: &str) -> Result<Origins, String> {
        let list: Vec<String> = s
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect();
        if list.is_empty() {
            return Err("cors_origins needs at least one origin (or `*`)".into());
        }
        Ok(Origins(list))
    }
}

impl<'de> Deserialize<'de> for Origins {
    /// `"https://a.example, https://b.example"` or `["https://a.example", …]`.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Origins, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            One(String),
            Many(Vec<String>),
        }
        let text = match Either::deserialize(d)? {
            Either::One(s) => s,
            Either::Many(v) => v.join(","),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Proxies trusted to name the client in `X-Forwarded-For`: comma-separated addresses
/// (`10.0.0.5`) or CIDR ranges (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxies(pub Vec<ipnet::IpNet>);

impl FromStr for Proxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Proxies, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("trusted_proxies: '{p}' is not an IP address or a CIDR range")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Proxies)
    }
}

impl<'de> Deserialize<'de> for Proxies {
    /// `"10.0.0.0/8, 192.168.1.7"` or `["10.0.0.0/8", "192.168.1.7"]`.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Proxies, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            One(String),
            Many(Vec<String>),
        }
        let text = match Either::deserialize(d)? {
            Either::One(s) => s,
            Either::Many(v) => v.join(","),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The business time zone, by IANA name.
#[derive(Debug, Clone)]
pub struct Zone(pub BusinessTz);

impl FromStr for Zone {
    type Err = String;

    fn from_str(s: &str) -> Result<Zone, String> {
        BusinessTz::new(s.trim())
            .map(Zone)
            .map_err(|e| format!("timezone: {}", e.message))
    }
}

/// `deserialize_with` for a value read through its `FromStr` (so the file and the flag agree).
pub fn parsed<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    Option::<String>::deserialize(d)?
        .map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}
