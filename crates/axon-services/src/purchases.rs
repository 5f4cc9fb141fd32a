//! Purchases (SPEC §4): the one way a purchase is recorded — by the shop backend's API and by
//! the FCFS confirm alike. The purchase, the entry's PAID status, the product stock decrease,
//! the profile's lastPurchaseAt and the `PURCHASE` event commit together; idempotent on orderId.

use crate::backends::{Backends, Settings};
use crate::error::{ServiceError, ServiceResult};
use axon_domain::event::Event;
use axon_domain::model::{CampaignId, Purchase, PurchaseType};
use axon_domain::{Dec2, Ts};
use axon_ports::{NewPurchase, WrittenPurchase};

/// A purchase reported by the shop backend.
#[derive(Debug, Clone)]
pub struct PurchaseReport {
    pub user_id: String,
    pub product_id: i64,
    pub activity_id: Option<i64>,
    pub price: Dec2,
    pub quantity: i64,
    /// Default: now.
    pub purchased_at: Option<Ts>,
    pub order_id: String,
}

pub struct Purchases {
    b: Backends,
    settings: Settings,
}

impl Purchases {
    pub fn new(b: Backends, settings: Settings) -> Purchases {
        Purchases { b, settings }
    }

    /// Records `p` with its `PURCHASE` event; `entry` (FCFS confirm) is marked PAID with it.
    /// A repeat of an orderId answers the original with `created == false`.
    pub async fn record(
        &self,
        p: Purchase,
        campaign: Option<CampaignId>,
        entry: Option<i64>,
    ) -> ServiceResult<WrittenPurchase> {
        let event = Event::purchase(&p, campaign);
        Ok(self
            .b
            .fcfs
            .record_purchase(NewPurchase {
                purchase: p,
                event,
                entry_id: entry,
            })
            .await?)
    }

    /// The shop backend's report: validated, then recorded. `(purchase, created)`.
    pub async fn report(&self, r: PurchaseReport) -> ServiceResult<(Purchase, bool)> {
        let order = r.order_id.trim().to_string();
        if order.is_empty() || order.len() > 128 {
            return Err(ServiceError::validation("orderId must be 1–128 characters"));
        }
        if r.price.0 < 0 {
            return Err(ServiceError::validation("price must be ≥ 0"));
        }
        if !(1..=1_000_000).contains(&r.quantity) {
            return Err(ServiceError::validation(
                "quantity must be between 1 and 1000000",
            ));
        }
        let now = self.settings.now();
        let purchased_at = r.purchased_at.unwrap_or(now);
        self.settings
            .horizon
            .fact("purchasedAt", purchased_at, now)?;
        if self.b.repo.product(r.product_id).await?.is_none() {
            return Err(ServiceError::not_found(
                "PRODUCT_NOT_FOUND",
                format!("product {} does not exist", r.product_id),
            ));
        }
        let campaign = match r.activity_id {
            Some(a) => Some(crate::gate::find_activity(&self.b, a).await?.campaign_id),
            None => None,
        };
        let purchase = Purchase {
            id: 0,
            user_id: r.user_id,
            product_id: Some(r.product_id),
            activity_id: r.activity_id,
            purchase_type: if r.activity_id.is_some() {
                PurchaseType::CampaignActivity
            } else {
                PurchaseType::Shop
            },
            price: r.price,
            quantity: r.quantity,
            purchased_at,
            order_id: Some(order),
        };
        let w = self.record(purchase, campaign, None).await?;
        Ok((w.purchase, w.created))
    }

    /// A user's purchases and their total.
    pub async fn of_user(&self, user: &str) -> ServiceResult<(Vec<Purchase>, Dec2)> {
        let purchases = self.b.repo.purchases_of_user(user).await?;
        let total = purchases
            .iter()
            .fold(Dec2::ZERO, |acc, p| acc + p.revenue());
        Ok((purchases, total))
    }
}
