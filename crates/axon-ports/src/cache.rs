//! The answer cache port (SPEC §5.6): computed dashboard answers under
//! `dashboard:{scope}:{id}:{widgets}:{period}:{hash}` with a TTL, shared by every node. The
//! embedded engine answers from memory faster than any cache, so its implementation stores
//! nothing ([`NoCache`]); the scale-out mode (ClickHouse answers) puts Redis behind it.

use std::sync::Arc;
use std::time::Duration;

pub trait AnswerCache: Send + Sync {
    fn get(&self, key: &str) -> Option<Arc<str>>;
    fn put(&self, key: &str, answer: Arc<str>, ttl: Duration);
}

/// The embedded cache: remembers nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCache;

impl AnswerCache for NoCache {
    fn get(&self, _key: &str) -> Option<Arc<str>> {
        None
    }

    fn put(&self, _key: &str, _answer: Arc<str>, _ttl: Duration) {}
}
