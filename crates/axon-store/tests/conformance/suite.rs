//! The cases: every port method's success and failure paths, racing writers, migrations.

mod alerts;
mod cluster;
mod gate_repo;
mod repos;
mod shares;
mod stock;

pub use alerts::*;
pub use cluster::*;
pub use gate_repo::*;
pub use repos::*;
pub use shares::*;
pub use stock::*;

use super::Backend;
use axon_domain::coupon::Coupon;
use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::{Dec2, Ts};
use axon_store::*;
use serde_json::{json, Map};
use std::time::Duration;

fn event(id: Option<&str>, activity: Option<i64>, user: &str, trigger: TriggerType) -> Event {
    let mut props = Map::new();
    if let Some(a) = activity {
        props.insert("activityId".into(), json!(a));
    }
    let mut e = Event::backend(trigger, user, Ts(1_000), props);
    e.properties.insert("source".into(), json!("web"));
    e.event_id = id.map(str::to_string);
    e
}

fn view(id: &str, activity: i64, user: &str) -> Event {
    event(Some(id), Some(activity), user, TriggerType::PageView)
}

fn campaign(name: &str) -> Campaign {
    Campaign {
        id: 0,
        name: name.into(),
        start_at: None,
        end_at: Some(Ts(9_000)),
        budget: Dec2::from_int(100),
        created_at: Ts(1),
        updated_at: Ts(1),
    }
}

fn activity(campaign_id: i64) -> Activity {
    Activity {
        id: 0,
        campaign_id,
        name: "A".into(),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Draft,
        limit_count: Some(10),
        start_date: Ts(0),
        end_date: Ts(10_000),
        product_id: Some(3),
        coupon_id: None,
        price: Dec2::from_int(1000),
        quantity: 1,
        budget: Dec2::ZERO,
        filters: vec![],
        image_url: Some("https://img/x.png".into()),
        payment_required: true,
        created_at: Ts(1),
        updated_at: Ts(1),
    }
}

fn product(stock: i64) -> Product {
    Product {
        id: 0,
        name: "TV".into(),
        price: Dec2::from_int(100),
        stock,
        category: Some("tv".into()),
        brand: None,
        discount_rate: Some(Dec2::from_int(5)),
    }
}

fn new_entry(activity: i64, user: &str, token: &str) -> NewEntry {
    NewEntry {
        entry: Entry {
            id: 0,
            activity_id: activity,
            user_id: user.into(),
            status: EntryStatus::Approved,
            order: 1,
            quantity: 1,
            requested_at: Ts(1_000),
            processed_at: Some(Ts(1_000)),
        },
        event: Event::backend(TriggerType::Approved, user, Ts(1_000), Map::new()),
        reservation: Some((token.into(), Ts(5_000))),
        coupon_id: None,
    }
}

fn purchase(user: &str, order: &str, product: Option<i64>, qty: i64) -> Purchase {
    Purchase {
        id: 0,
        user_id: user.into(),
        product_id: product,
        activity_id: Some(7),
        purchase_type: PurchaseType::CampaignActivity,
        price: Dec2::from_int(100),
        quantity: qty,
        purchased_at: Ts(2_000),
        order_id: Some(order.into()),
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict { code, .. }) => code.to_string(),
        Err(StoreError::NotFound(_)) => "NOT_FOUND".into(),
        other => format!("{other:?}"),
    }
}
