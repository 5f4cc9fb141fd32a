//! The eligibility cache (the `ProfileCache` port): an entry to an activity with filters reads
//! the person's filter inputs from the cache, and the store only on a miss; and warming it
//! before an activity opens (the seed's plan). The likely entrants are the people with a stored
//! event of the activity in the last [`WARM_DAYS`] days (they have seen its page), at most
//! [`WARM_MAX`]; their profiles are read from the store in bulk (one query per 1,000) and put in
//! the cache, so their entries at opening read no profile from the database.

use super::{find_activity, Gate};
use crate::error::ServiceResult;
use axon_domain::model::{Activity, ActivityId, UserProfile};
use axon_domain::time::MS_PER_DAY;
use axon_domain::Ts;
use axon_ports::eligibility::Lookup;
use serde::Serialize;
use std::collections::HashMap;

/// How far back the likely entrants' events are looked for.
pub const WARM_DAYS: i64 = 30;
/// Most people warmed per call.
pub const WARM_MAX: usize = 10_000;
const CHUNK: usize = 1_000;

/// What a warm-up did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Warmed {
    pub activity_id: ActivityId,
    /// Distinct identified people with an event of the activity in the last 30 days (at most
    /// 10,000).
    pub candidates: usize,
    /// Of them, those with a stored profile.
    pub with_profile: usize,
    /// Filter inputs put in the cache (people already cached are not read again).
    pub cached: usize,
    /// Whether this node has an eligibility cache at all (several nodes on Redis).
    pub cache_enabled: bool,
}

impl Gate {
    /// The filter inputs of `user` for `a`: from the cache, else from the store (and kept).
    pub(super) async fn filter_inputs(
        &self,
        a: &Activity,
        user: &str,
    ) -> ServiceResult<Option<UserProfile>> {
        match self.b.profiles.lookup(user, a.id) {
            Lookup::Hit(p) => Ok(p),
            Lookup::Miss { generation } => {
                let p = self.b.repo.profile(user).await?;
                self.b.profiles.store(user, a.id, generation, p.as_ref());
                Ok(p)
            }
            Lookup::Off => Ok(self.b.repo.profile(user).await?),
        }
    }

    /// Warms the eligibility cache for activity `id`'s likely entrants (module doc).
    pub async fn warm(&self, id: ActivityId, now: Ts) -> ServiceResult<Warmed> {
        find_activity(&self.b, id).await?;
        let events = self
            .b
            .events
            .activity_events(id, Ts(now.0 - WARM_DAYS * MS_PER_DAY), Ts(now.0 + 1))
            .await?;
        let mut users: Vec<String> = events.into_iter().filter_map(|e| e.user_id).collect();
        users.sort_unstable();
        users.dedup();
        users.truncate(WARM_MAX);
        let mut warmed = Warmed {
            activity_id: id,
            candidates: users.len(),
            with_profile: 0,
            cached: 0,
            cache_enabled: self.b.profiles.enabled(),
        };
        if !warmed.cache_enabled {
            return Ok(warmed);
        }
        for chunk in users.chunks(CHUNK) {
            // Generations first, so a profile written meanwhile is not overwritten by this read.
            let misses: Vec<(&String, u64)> = chunk
                .iter()
                .filter_map(|u| match self.b.profiles.lookup(u, id) {
                    Lookup::Miss { generation } => Some((u, generation)),
                    _ => None,
                })
                .collect();
            let found = self.b.repo.profiles(chunk).await?;
            warmed.with_profile += found.len();
            let by_user: HashMap<&str, &UserProfile> =
                found.iter().map(|p| (p.user_id.as_str(), p)).collect();
            for (u, generation) in misses {
                let p = by_user.get(u.as_str()).copied();
                self.b.profiles.store(u, id, generation, p);
                warmed.cached += 1;
            }
        }
        Ok(warmed)
    }
}
