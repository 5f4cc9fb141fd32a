//! The eligibility cache port: the filter inputs (a person's stored profile, or the fact that
//! there is none) an activity's filters are checked against, kept per person and activity so an
//! entry needs no database read. Several nodes share one on Redis
//! (`validation:{userId}:{activityId}`, 5 minutes); the embedded node reads its own store,
//! which is as fast, so it keeps nothing ([`NoProfileCache`]).
//!
//! Invalidation: a profile write calls [`ProfileCache::forget`] after it is durable; a reader
//! that missed stores what it read only if no `forget` of that person came in between
//! (the generation it was given on the miss), so a slow reader never puts back a stale profile.

use axon_domain::model::{ActivityId, UserProfile};

/// What the cache knows of a person's filter inputs for an activity.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Cached: the stored profile, or `None` when the person has none.
    Hit(Option<UserProfile>),
    /// Not cached: read the store, then [`ProfileCache::store`] with this generation.
    Miss { generation: u64 },
    /// No cache (or it did not answer): read the store.
    Off,
}

pub trait ProfileCache: Send + Sync {
    fn lookup(&self, user: &str, activity: ActivityId) -> Lookup;
    /// Keeps `profile` for `user` and `activity`, unless `user` was forgotten since the miss
    /// that gave `generation`.
    fn store(
        &self,
        user: &str,
        activity: ActivityId,
        generation: u64,
        profile: Option<&UserProfile>,
    );
    /// `user`'s profile changed: drops everything cached for them.
    fn forget(&self, user: &str);
    /// Whether this cache keeps anything.
    fn enabled(&self) -> bool {
        true
    }
}

/// The embedded cache: remembers nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProfileCache;

impl ProfileCache for NoProfileCache {
    fn lookup(&self, _user: &str, _activity: ActivityId) -> Lookup {
        Lookup::Off
    }

    fn store(&self, _: &str, _: ActivityId, _: u64, _: Option<&UserProfile>) {}

    fn forget(&self, _user: &str) {}

    fn enabled(&self) -> bool {
        false
    }
}
