//! The `ProfileCache` port on Redis (the seed's "eligibility without a database read per
//! entry"): a person's filter inputs — their stored profile as JSON, or `null` when there is
//! none — under `validation:{userId}:{activityId}` for 5 minutes, one script per operation
//! (`lua/validation_*.lua`). `validation-of:{userId}` lists the activities cached for a person
//! so a profile write drops them all; `validation-gen:{userId}` is the person's generation, moved
//! by every drop, so a reader that read the store before the write cannot store the old profile
//! after it. A Redis error reads the store (lookup) or is logged (store, forget: a failed drop
//! leaves the old inputs for at most the TTL).

use crate::link::RedisLink;
use axon_domain::model::{ActivityId, UserProfile};
use axon_ports::eligibility::{Lookup, ProfileCache};
use redis::Script;
use std::sync::Arc;
use std::time::Duration;

/// How long filter inputs are kept.
pub const TTL: Duration = Duration::from_secs(300);

pub struct RedisProfiles {
    link: Arc<RedisLink>,
    lookup: Arc<Script>,
    store: Arc<Script>,
    forget: Arc<Script>,
}

impl RedisProfiles {
    pub fn new(link: Arc<RedisLink>) -> RedisProfiles {
        RedisProfiles {
            link,
            lookup: Arc::new(Script::new(include_str!("lua/validation_lookup.lua"))),
            store: Arc::new(Script::new(include_str!("lua/validation_store.lua"))),
            forget: Arc::new(Script::new(include_str!("lua/validation_forget.lua"))),
        }
    }

    fn key(&self, user: &str, activity: ActivityId) -> String {
        self.link.key(&format!("validation:{user}:{activity}"))
    }
}

impl ProfileCache for RedisProfiles {
    fn lookup(&self, user: &str, activity: ActivityId) -> Lookup {
        let (script, mut conn) = (self.lookup.clone(), self.link.conn.clone());
        let keys = [
            self.key(user, activity),
            self.link.key(&format!("validation-gen:{user}")),
        ];
        let answer = self.link.call("eligibility lookup", async move {
            let mut inv = script.key(&keys[0]);
            inv.key(&keys[1]);
            inv.invoke_async::<(i64, String)>(&mut conn).await
        });
        match answer {
            Some((1, json)) => match serde_json::from_str::<Option<UserProfile>>(&json) {
                Ok(p) => Lookup::Hit(p),
                Err(_) => Lookup::Off,
            },
            Some((_, generation)) => Lookup::Miss {
                generation: generation.parse().unwrap_or(0),
            },
            None => Lookup::Off,
        }
    }

    fn store(
        &self,
        user: &str,
        activity: ActivityId,
        generation: u64,
        profile: Option<&UserProfile>,
    ) {
        let Ok(value) = serde_json::to_string(&profile) else {
            return;
        };
        let (script, mut conn) = (self.store.clone(), self.link.conn.clone());
        let keys = [
            self.key(user, activity),
            self.link.key(&format!("validation-of:{user}")),
            self.link.key(&format!("validation-gen:{user}")),
        ];
        let ttl = u64::try_from(TTL.as_millis()).unwrap_or(u64::MAX);
        self.link.call("eligibility store", async move {
            let mut inv = script.key(&keys[0]);
            inv.key(&keys[1]).key(&keys[2]);
            inv.arg(generation.to_string())
                .arg(value)
                .arg(ttl)
                .arg(activity);
            inv.invoke_async::<i64>(&mut conn).await
        });
    }

    fn forget(&self, user: &str) {
        let (script, mut conn) = (self.forget.clone(), self.link.conn.clone());
        let keys = [
            self.link.key(&format!("validation-of:{user}")),
            self.link.key(&format!("validation-gen:{user}")),
        ];
        let prefix = self.link.key(&format!("validation:{user}:"));
        self.link.call("eligibility forget", async move {
            let mut inv = script.key(&keys[0]);
            inv.key(&keys[1]).arg(prefix);
            inv.invoke_async::<i64>(&mut conn).await
        });
    }
}
