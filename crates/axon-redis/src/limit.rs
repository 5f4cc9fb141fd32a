//! The `RateLimit` port on Redis: one GCRA script per request (`lua/gcra.lua`, one round
//! trip), keyed `{prefix}rate:{per second}:{client key}`, on Redis's clock, so every node
//! sharing the Redis shares each client's budget — the same budget (rate per second, a burst of
//! as many) as the embedded `governor` limiter.
//!
//! On a Redis error the request is decided by the node's own limiter instead (fail to local,
//! neither open nor closed): each node then enforces the budget on its own, so a client spread
//! over N nodes gets at most N times its budget while Redis is away, and nobody is refused
//! because Redis is.

use crate::link::RedisLink;
use axon_ports::ratelimit::RateLimit;
use redis::Script;
use std::sync::Arc;

pub struct RedisRateLimit {
    link: Arc<RedisLink>,
    script: Arc<Script>,
    fallback: Arc<dyn RateLimit>,
}

impl RedisRateLimit {
    /// The shared limiter; `fallback` decides while Redis does not answer.
    pub fn new(link: Arc<RedisLink>, fallback: Arc<dyn RateLimit>) -> RedisRateLimit {
        RedisRateLimit {
            link,
            script: Arc::new(Script::new(include_str!("lua/gcra.lua"))),
            fallback,
        }
    }
}

impl RateLimit for RedisRateLimit {
    fn allow(&self, key: &str, per_second: u32) -> bool {
        if per_second == 0 {
            return true;
        }
        let (script, mut conn) = (self.script.clone(), self.link.conn.clone());
        let k = self.link.key(&format!("rate:{per_second}:{key}"));
        let answer = self.link.call("rate limit", async move {
            let mut inv = script.key(k);
            inv.arg(per_second);
            inv.invoke_async::<i64>(&mut conn).await
        });
        match answer {
            Some(v) => v == 1,
            None => self.fallback.allow(key, per_second),
        }
    }
}
