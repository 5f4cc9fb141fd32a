//! The catalogue the engine knows: every campaign and activity with its metadata, sorted by id
//! (the question box resolves names against it and ranks over it).

use crate::engine::Engine;
use axon_domain::model::{Activity, ActivityId, Campaign, CampaignId, Product, ProductId};

impl Engine {
    /// Every campaign, by id.
    pub fn campaigns(&self) -> Vec<&Campaign> {
        let mut v: Vec<&Campaign> = self.campaigns.values().collect();
        v.sort_by_key(|c| c.id);
        v
    }

    /// Every activity with metadata, by id.
    pub fn activities(&self) -> Vec<&Activity> {
        let mut v: Vec<&Activity> = self
            .activities
            .values()
            .filter_map(|a| a.meta.as_ref())
            .collect();
        v.sort_by_key(|a| a.id);
        v
    }
}

impl axon_ports::Catalog for Engine {
    fn activity(&self, id: ActivityId) -> Option<&Activity> {
        self.activity_meta(id)
    }

    fn activities(&self) -> Vec<&Activity> {
        Engine::activities(self)
    }

    fn activities_of(&self, campaign: CampaignId) -> Vec<&Activity> {
        self.campaign_activities(campaign)
    }

    fn campaign(&self, id: CampaignId) -> Option<&Campaign> {
        Engine::campaign(self, id)
    }

    fn campaigns(&self) -> Vec<&Campaign> {
        Engine::campaigns(self)
    }

    fn product(&self, id: ProductId) -> Option<&Product> {
        self.products.get(&id)
    }
}
