//! The rate-limit port: requests per second per client key (`ip:<address>` or `key:<id>`).
//! An implementation reads time from the clock it was built with (the injected clock embedded;
//! the server's clock for Redis), so every node that shares the backend shares the budget
//! (embedded: `governor` in the process; several nodes: a Redis GCRA or INCR+EXPIRE).

pub trait RateLimit: Send + Sync {
    /// Counts one request of `key`; false when `key` is over `per_second` requests per second
    /// (bursts of up to `per_second` allowed). `per_second == 0` allows everything.
    fn allow(&self, key: &str, per_second: u32) -> bool;
}
