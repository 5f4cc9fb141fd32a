//! Webhook deliveries: the JSON body, its HMAC-SHA256 signature over `"{timestamp}.{body}"`
//! (so a receiver can refuse a replayed delivery by its age), and retries with exponential
//! backoff. The HTTP client is behind [`Transport`], implemented by the server.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The signature header: `sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.
pub const SIGNATURE_HEADER: &str = "x-axon-signature";
/// The signed timestamp (Unix seconds of the attempt), also in the body as `timestamp`.
pub const TIMESTAMP_HEADER: &str = "x-axon-timestamp";
/// `FIRING` or `RESOLVED`.
pub const EVENT_HEADER: &str = "x-axon-event";

/// The answer of one POST: the receiver's status, or why there was none.
pub type Posted = Result<u16, String>;

/// Sends one webhook request (the server's implementation is an HTTP client with a timeout).
pub trait Transport: Send + Sync {
    fn post(
        &self,
        url: String,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Pin<Box<dyn Future<Output = Posted> + Send>>;
}

/// How often and how patiently a delivery is retried: attempt n (from 1) waits
/// `base × 2^(n-2)` after attempt n − 1, capped at `max_delay`.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 5,
            base: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl Retry {
    /// The wait before attempt `n` (n ≥ 2).
    pub fn delay_before(&self, n: u32) -> Duration {
        let factor = 1u32 << n.saturating_sub(2).min(20);
        self.base.saturating_mul(factor).min(self.max_delay)
    }
}

/// The hex HMAC-SHA256 of `"{timestamp}.{body}"` under `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The headers of one signed attempt.
pub fn signed_headers(
    secret: &str,
    timestamp: i64,
    event: &str,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".into()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (
            SIGNATURE_HEADER,
            format!("sha256={}", signature(secret, timestamp, body)),
        ),
        (EVENT_HEADER, event.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: python3 -c 'import hmac,hashlib;
        // print(hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest())'
        assert_eq!(
            signature("key", 1_700_000_000, b"{}"),
            "9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert_ne!(signature("key", 1, b"{}"), signature("key", 2, b"{}"));
        assert_ne!(signature("key", 1, b"{}"), signature("other", 1, b"{}"));
        assert_eq!(signature("key", 1, b"{}").len(), 64);
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let r = Retry {
            attempts: 6,
            base: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        let d: Vec<u128> = (2..=6).map(|n| r.delay_before(n).as_millis()).collect();
        assert_eq!(d, [100, 200, 400, 500, 500]);
    }
}
