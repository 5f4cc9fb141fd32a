//! In-process implementations of the ports whose state a single node can keep in memory: the
//! change feed live dashboards wait on, and the collection rate limiter. Several nodes use the
//! same traits over Redis.

use axon_domain::Clock;
use axon_ports::live::{ChangeFeed, Scope};
use axon_ports::ratelimit::RateLimit;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The embedded change feed: a watch channel of the newest data version plus, per scope, the
/// version at which it last changed. A scope that has not changed since start-up reports the
/// version the engine was rebuilt at (`base`): on a shared database that is the feed number at
/// start-up, so two nodes reporting the same version for a scope hold the same data for it.
pub struct LocalChanges {
    wake: watch::Sender<u64>,
    versions: Mutex<HashMap<Scope, u64>>,
    base: u64,
}

impl Default for LocalChanges {
    fn default() -> LocalChanges {
        LocalChanges::starting_at(0)
    }
}

impl LocalChanges {
    /// A feed whose engine was rebuilt with every commit up to `base`.
    pub fn starting_at(base: u64) -> LocalChanges {
        LocalChanges {
            wake: watch::Sender::new(base),
            versions: Mutex::new(HashMap::new()),
            base,
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
        self.versions
            .lock()
            .get(&scope)
            .copied()
            .unwrap_or(self.base)
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }
}

/// The embedded rate limiter: `governor`'s keyed GCRA limiter, one per rate asked for, over the
/// injected clock (so tests drive it with a manual clock and the engine reads no clock itself).
pub struct GovernorRateLimit {
    clock: InjectedClock,
    limiters: Mutex<HashMap<u32, Arc<Keyed>>>,
    calls: AtomicU64,
}

type Keyed = governor::RateLimiter<
    String,
    DashMapStateStore<String>,
    InjectedClock,
    governor::middleware::NoOpMiddleware<Nanos>,
>;

/// `governor`'s view of the injected clock: nanoseconds since the epoch.
#[derive(Clone)]
struct InjectedClock(Arc<dyn Clock>);

impl governor::clock::Clock for InjectedClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let ms = u64::try_from(self.0.now().0).unwrap_or(0);
        Nanos::from(Duration::from_millis(ms))
    }
}

/// How often (in calls) keys back at a full budget are forgotten, bounding the memory a flood
/// of distinct addresses can take.
const PRUNE_EVERY: u64 = 4_096;

impl GovernorRateLimit {
    pub fn new(clock: Arc<dyn Clock>) -> GovernorRateLimit {
        GovernorRateLimit {
            clock: InjectedClock(clock),
            limiters: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
        }
    }

    fn limiter(&self, per_second: NonZeroU32) -> Arc<Keyed> {
        self.limiters
            .lock()
            .entry(per_second.get())
            .or_insert_with(|| {
                Arc::new(governor::RateLimiter::dashmap_with_clock(
                    Quota::per_second(per_second),
                    self.clock.clone(),
                ))
            })
            .clone()
    }
}

impl RateLimit for GovernorRateLimit {
    fn allow(&self, key: &str, per_second: u32) -> bool {
        let Some(rate) = NonZeroU32::new(per_second) else {
            return true;
        };
        let limiter = self.limiter(rate);
        if self.calls.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(&key.to_string()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_over_the_limit_are_refused_until_the_budget_refills() {
        use axon_domain::{ManualClock, Ts};
        let clock = Arc::new(ManualClock::new(Ts(1_000)));
        let l = GovernorRateLimit::new(clock.clone());
        assert!(l.allow("ip:1", 2) && l.allow("ip:1", 2));
        assert!(!l.allow("ip:1", 2), "a third request in the same instant");
        assert!(l.allow("ip:2", 2), "another key has its own budget");
        clock.advance_ms(500);
        assert!(l.allow("ip:1", 2), "half a second refills one of two");
        assert!(!l.allow("ip:1", 2));
        clock.advance_ms(1_000);
        assert!(l.allow("ip:1", 2) && l.allow("ip:1", 2));
        assert!((0..100).all(|_| l.allow("ip:1", 0)), "0 = unlimited");
    }

    #[test]
    fn a_flood_of_distinct_keys_is_forgotten_once_their_budget_is_full_again() {
        use axon_domain::{ManualClock, Ts};
        let clock = Arc::new(ManualClock::new(Ts(1_000)));
        let l = GovernorRateLimit::new(clock.clone());
        for i in 0..PRUNE_EVERY - 1 {
            assert!(l.allow(&format!("ip:{i}"), 5));
        }
        clock.advance_ms(10_000);
        assert!(l.allow("ip:last", 5));
        assert!(l.limiter(NonZeroU32::new(5).unwrap()).len() <= 1);
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
