//! The answer cache port (SPEC §5.6): computed dashboard answers under
//! `dashboard:{scope}:{id}:{widgets}:{period}:{hash}` with a TTL, shared by every node. The
//! embedded engine answers from memory faster than any cache, so its implementation stores
//! nothing ([`NoCache`]); several nodes on Redis share one (`axon_redis::RedisCache`).

use std::sync::Arc;
use std::time::Duration;

pub trait AnswerCache: Send + Sync {
    fn get(&self, key: &str) -> Option<Arc<str>>;
    fn put(&self, key: &str, answer: Arc<str>, ttl: Duration);
    /// Whether this cache keeps anything (callers skip building keys for one that does not).
    fn remembers(&self) -> bool {
        true
    }
}

/// The embedded cache: remembers nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCache;

impl AnswerCache for NoCache {
    fn get(&self, _key: &str) -> Option<Arc<str>> {
        None
    }

    fn put(&self, _key: &str, _answer: Arc<str>, _ttl: Duration) {}

    fn remembers(&self) -> bool {
        false
    }
}
