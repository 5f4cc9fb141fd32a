//! In-process implementations of the ports whose state a single node can keep in memory: the
//! change feed live dashboards wait on, and the collection rate limiter. Several nodes use the
//! same traits over Redis.

use axon_domain::Ts;
use axon_ports::live::{ChangeFeed, Scope};
use axon_ports::ratelimit::RateLimit;
use parking_lot::Mutex;
use std::collections::HashMap;
use tokio::sync::watch;

/// The embedded change feed: a watch channel of the newest data version plus, per scope, the
/// version at which it last changed.
pub struct LocalChanges {
    wake: watch::Sender<u64>,
    versions: Mutex<HashMap<Scope, u64>>,
}

impl Default for LocalChanges {
    fn default() -> LocalChanges {
        LocalChanges {
            wake: watch::Sender::new(0),
            versions: Mutex::new(HashMap::new()),
        }
    }
}

impl ChangeFeed for LocalChanges {
    fn publish(&self, version: u64, scopes: &[Scope]) {
        {
            let mut v = self.versions.lock();
            for s in scopes {
                v.insert(*s, version);
            }
        }
        self.wake.send_modify(|v| *v = (*v).max(version));
    }

    fn version_of(&self, scope: Scope) -> u64 {
        self.versions.lock().get(&scope).copied().unwrap_or(0)
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }
}

/// A fixed one-second window per key, in memory.
#[derive(Default)]
pub struct LocalRateLimit {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimit for LocalRateLimit {
    fn allow(&self, key: &str, per_second: u32, now: Ts) -> bool {
        if per_second == 0 {
            return true;
        }
        let second = now.0.div_euclid(1000);
        let mut w = self.windows.lock();
        if w.len() > 100_000 {
            w.retain(|_, (s, _)| *s == second);
        }
        let slot = w.entry(key.to_string()).or_insert((second, 0));
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += 1;
        slot.1 <= per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_over_the_limit_are_refused_until_the_next_second() {
        let l = LocalRateLimit::default();
        assert!(l.allow("ip:1", 2, Ts(1_000)) && l.allow("ip:1", 2, Ts(1_500)));
        assert!(!l.allow("ip:1", 2, Ts(1_999)));
        assert!(l.allow("ip:2", 2, Ts(1_999)));
        assert!(l.allow("ip:1", 2, Ts(2_000)));
        assert!(l.allow("ip:1", 0, Ts(0)));
    }

    #[test]
    fn a_scope_version_moves_only_when_a_commit_touched_it() {
        let c = LocalChanges::default();
        let mut rx = c.subscribe();
        c.publish(3, &[Scope::Global, Scope::Activity(7)]);
        assert_eq!(c.version_of(Scope::Activity(7)), 3);
        assert_eq!(c.version_of(Scope::Activity(8)), 0);
        c.publish(4, &[Scope::Global]);
        assert_eq!(c.version_of(Scope::Activity(7)), 3);
        assert_eq!(*rx.borrow_and_update(), 4);
    }
}
