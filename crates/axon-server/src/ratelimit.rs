//! A per-client fixed-window rate limiter for the public collection endpoint.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;

pub struct RateLimiter {
    per_second: u32,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    /// `per_second == 0` disables the limit.
    pub fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            per_second,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `ip` at `now_ms`; false when it is over the limit.
    pub fn allow(&self, ip: IpAddr, now_ms: i64) -> bool {
        if self.per_second == 0 {
            return true;
        }
        let second = now_ms.div_euclid(1000);
        let mut w = self.windows.lock();
        if w.len() > 100_000 {
            w.retain(|_, (s, _)| *s == second);
        }
        let slot = w.entry(ip).or_insert((second, 0));
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += 1;
        slot.1 <= self.per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_over_the_limit_are_refused_until_the_next_second() {
        let l = RateLimiter::new(2);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(l.allow(ip, 1_000) && l.allow(ip, 1_500));
        assert!(!l.allow(ip, 1_999));
        assert!(l.allow(other, 1_999));
        assert!(l.allow(ip, 2_000));
        assert!(RateLimiter::new(0).allow(ip, 0));
    }
}
