//! The catalogue port: campaign, activity and product metadata as the dashboards and the
//! question box look it up. Lists are sorted by id.

use axon_domain::model::{Activity, ActivityId, Campaign, CampaignId, Product, ProductId};

pub trait Catalog: Send + Sync {
    fn activity(&self, id: ActivityId) -> Option<Activity>;
    /// Every activity, by id.
    fn activities(&self) -> Vec<Activity>;
    /// The activities of a campaign, by id.
    fn campaign_activities(&self, id: CampaignId) -> Vec<Activity>;
    fn campaign(&self, id: CampaignId) -> Option<Campaign>;
    /// Every campaign, by id.
    fn campaigns(&self) -> Vec<Campaign>;
    fn campaign_of(&self, activity: ActivityId) -> Option<CampaignId> {
        self.activity(activity).map(|a| a.campaign_id)
    }
    fn product(&self, id: ProductId) -> Option<Product>;
}
