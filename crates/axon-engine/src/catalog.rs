//! The catalogue port over what the engine was fed: campaigns, activities and products, lists
//! sorted by id (the question box resolves names against them and ranks over them).

use crate::engine::Engine;
use axon_domain::model::{Activity, ActivityId, Campaign, CampaignId, Product, ProductId};
use axon_ports::catalog::Catalog;

impl Engine {
    fn metas(&self) -> impl Iterator<Item = &Activity> {
        self.activities.values().filter_map(|a| a.meta.as_ref())
    }
}

fn by_id(mut v: Vec<Activity>) -> Vec<Activity> {
    v.sort_by_key(|a| a.id);
    v
}

impl Catalog for Engine {
    fn activity(&self, id: ActivityId) -> Option<Activity> {
        self.activities.get(&id).and_then(|a| a.meta.clone())
    }

    /// Without cloning the activity: collection enriches every event with it, and the
    /// projector asks it for every change.
    fn campaign_of(&self, activity: ActivityId) -> Option<CampaignId> {
        self.activities
            .get(&activity)
            .and_then(|a| a.meta.as_ref())
            .map(|a| a.campaign_id)
    }

    fn activities(&self) -> Vec<Activity> {
        by_id(self.metas().cloned().collect())
    }

    fn campaign_activities(&self, id: CampaignId) -> Vec<Activity> {
        by_id(
            self.metas()
                .filter(|a| a.campaign_id == id)
                .cloned()
                .collect(),
        )
    }

    fn campaign(&self, id: CampaignId) -> Option<Campaign> {
        self.campaigns.get(&id).cloned()
    }

    fn campaigns(&self) -> Vec<Campaign> {
        let mut v: Vec<Campaign> = self.campaigns.values().cloned().collect();
        v.sort_by_key(|c| c.id);
        v
    }

    fn product(&self, id: ProductId) -> Option<Product> {
        self.products.get(&id).cloned()
    }
}
