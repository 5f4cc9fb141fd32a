//! The rate-limit port: requests per second per client key (an IP address or a write key),
//! counted in fixed one-second windows of the injected clock, so every node that shares the
//! backend shares the budget (embedded: a map in the process; several nodes: Redis INCR+EXPIRE).

use axon_domain::Ts;

pub trait RateLimit: Send + Sync {
    /// Counts one request of `key` at `now`; false when it is over `per_second` in this second.
    /// `per_second == 0` allows everything.
    fn allow(&self, key: &str, per_second: u32, now: Ts) -> bool;
}
