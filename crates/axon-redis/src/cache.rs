//! The `AnswerCache` port on Redis: computed answers as strings with a TTL (`SET … PX`), shared
//! by every node. The caller builds the key (`dashboard:{scope}:{id}:{widgets}:{period}:{hash}`,
//! the hash covering the data version, so a write makes the next answer fresh) and this adds
//! the prefix. A Redis error is a miss (the caller computes the answer); a store is sent in
//! the background and never delays the answer.

use crate::link::RedisLink;
use axon_ports::cache::AnswerCache;
use std::sync::Arc;
use std::time::Duration;

pub struct RedisCache {
    link: Arc<RedisLink>,
}

impl RedisCache {
    pub fn new(link: Arc<RedisLink>) -> RedisCache {
        RedisCache { link }
    }
}

impl AnswerCache for RedisCache {
    fn get(&self, key: &str) -> Option<Arc<str>> {
        let mut conn = self.link.conn.clone();
        let k = self.link.key(key);
        let found: Option<String> = self.link.call("cache get", async move {
            redis::cmd("GET").arg(k).query_async(&mut conn).await
        })?;
        found.map(Arc::from)
    }

    fn put(&self, key: &str, answer: Arc<str>, ttl: Duration) {
        let mut conn = self.link.conn.clone();
        let k = self.link.key(key);
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.link.rt.spawn(async move {
            let stored: redis::RedisResult<()> = redis::cmd("SET")
                .arg(k)
                .arg(&*answer)
                .arg("PX")
                .arg(ms)
                .query_async(&mut conn)
                .await;
            if let Err(e) = stored {
                tracing::debug!(error = %e, "could not store a cached answer");
            }
        });
    }
}
