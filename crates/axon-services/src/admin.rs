//! Administration of what the dashboards are about: campaigns, activities and products. Each
//! write is durable when the store answers and visible to the dashboards once the projector
//! has applied it, so these writes wait for the projector before answering (an admin who saves
//! an activity and opens its dashboard sees it). Other relational reads and writes (definitions,
//! keys) need no projection and go straight to the repo port; a profile write also drops the
//! person's cached filter inputs (`gate::warm`).

use crate::backends::Backends;
use crate::error::{ServiceError, ServiceResult};
use axon_domain::model::{
    Activity, ActivityId, ActivityStatus, Campaign, CampaignId, Product, UserProfile,
};
use axon_domain::{status, Ts};
use axon_ports::Repo;

pub struct Admin {
    b: Backends,
}

impl Admin {
    pub fn new(b: Backends) -> Admin {
        Admin { b }
    }

    /// The relational port, for reads and for writes the dashboards do not depend on.
    pub fn repo(&self) -> &dyn Repo {
        &*self.b.repo
    }

    /// Stores a profile; once durable, every node's cached filter inputs of the person go.
    pub async fn save_profile(&self, p: UserProfile) -> ServiceResult<UserProfile> {
        let saved = self.b.repo.upsert_profile(p).await?;
        self.b.profiles.forget(&saved.user_id);
        Ok(saved)
    }

    pub async fn campaign(&self, id: CampaignId) -> ServiceResult<Campaign> {
        self.b.repo.campaign(id).await?.ok_or_else(|| {
            ServiceError::not_found(
                "CAMPAIGN_NOT_FOUND",
                format!("campaign {id} does not exist"),
            )
        })
    }

    pub async fn activity(&self, id: ActivityId) -> ServiceResult<Activity> {
        crate::gate::find_activity(&self.b, id).await
    }

    pub async fn save_campaign(&self, c: Campaign) -> ServiceResult<Campaign> {
        let saved = self.b.repo.save_campaign(c).await?;
        self.b.caught_up().await;
        Ok(saved)
    }

    pub async fn delete_campaign(&self, id: CampaignId) -> ServiceResult<()> {
        self.b.repo.delete_campaign(id).await?;
        self.b.caught_up().await;
        Ok(())
    }

    /// Saves an activity; the coupon it names must exist (a dangling `couponId` would fail
    /// every entry later, far from the mistake).
    pub async fn save_activity(&self, a: Activity) -> ServiceResult<Activity> {
        if let Some(c) = a.coupon_id {
            if self.b.repo.coupon(c).await?.is_none() {
                return Err(ServiceError::invalid(
                    "COUPON_NOT_FOUND",
                    format!("couponId {c} names no coupon"),
                ));
            }
        }
        let saved = self.b.repo.save_activity(a).await?;
        self.b.caught_up().await;
        Ok(saved)
    }

    /// Moves an activity along its state machine (no lost updates: only from `current`).
    pub async fn set_activity_status(
        &self,
        id: ActivityId,
        to: ActivityStatus,
        now: Ts,
    ) -> ServiceResult<Activity> {
        let current = self.activity(id).await?;
        status::transition(current.status, to)
            .map_err(|e| ServiceError::conflict(e.code, e.message))?;
        let saved = self
            .b
            .repo
            .set_activity_status(id, current.status, to, now)
            .await?;
        self.b.caught_up().await;
        Ok(saved)
    }

    pub async fn save_product(&self, p: Product) -> ServiceResult<Product> {
        let saved = self.b.repo.upsert_product(p).await?;
        self.b.caught_up().await;
        Ok(saved)
    }
}
