//! The catalogue port: campaign, activity and product metadata as of one snapshot — the one
//! place that knows which activity belongs to which campaign. The embedded engine holds it (fed
//! by the projector, so it is as fresh as the analytics it sits beside).

use axon_domain::model::{Activity, ActivityId, Campaign, CampaignId, Product, ProductId};
use std::sync::Arc;

pub trait Catalog: Send + Sync {
    fn activity(&self, id: ActivityId) -> Option<&Activity>;
    /// Every activity, by id.
    fn activities(&self) -> Vec<&Activity>;
    /// The activities of a campaign, by id.
    fn activities_of(&self, campaign: CampaignId) -> Vec<&Activity>;
    fn campaign(&self, id: CampaignId) -> Option<&Campaign>;
    /// Every campaign, by id.
    fn campaigns(&self) -> Vec<&Campaign>;
    fn product(&self, id: ProductId) -> Option<&Product>;

    fn campaign_of(&self, activity: ActivityId) -> Option<CampaignId> {
        self.activity(activity).map(|a| a.campaign_id)
    }
}

/// Where the newest catalogue comes from.
pub trait CatalogSource: Send + Sync {
    fn catalog(&self) -> Arc<dyn Catalog>;
}
