//! Purchases (SPEC §4): `POST /api/v1/purchases` from the shop backend (service key),
//! idempotent on orderId (201, then 200 with the original); `GET /api/v1/users/{id}/purchases`.
//! The purchase, the product stock decrease, the profile's lastPurchaseAt and the `PURCHASE`
//! event commit together.

use super::instant;
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axon_domain::event::Event;
use axon_domain::model::{Entry, Purchase, PurchaseType, TriggerType};
use axon_domain::Dec2;
use axon_store::NewPurchase;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/purchases", post(create))
        .route("/api/v1/users/{id}/purchases", get(of_user))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PurchaseInput {
    user_id: Value,
    product_id: i64,
    activity_id: Option<i64>,
    price: Dec2,
    quantity: i64,
    purchased_at: Option<String>,
    order_id: String,
}

/// A user id given as a string or an integer.
pub(crate) fn user_id(v: &Value) -> ApiResult<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) if n.is_i64() => n.to_string(),
        _ => String::new(),
    };
    if s.is_empty() || s.len() > 128 {
        return Err(ApiError::validation(
            "userId must be a non-empty string (≤ 128) or an integer",
        ));
    }
    Ok(s)
}

async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PurchaseInput>,
) -> ApiResult<(StatusCode, Json<Purchase>)> {
    let user = user_id(&input.user_id)?;
    let order = input.order_id.trim().to_string();
    if order.is_empty() || order.len() > 128 {
        return Err(ApiError::validation("orderId must be 1–128 characters"));
    }
    if input.price.0 < 0 {
        return Err(ApiError::validation("price must be ≥ 0"));
    }
    if !(1..=1_000_000).contains(&input.quantity) {
        return Err(ApiError::validation(
            "quantity must be between 1 and 1000000",
        ));
    }
    let now = state.now();
    let purchased_at =
        instant(state.tz(), "purchasedAt", input.purchased_at.as_deref())?.unwrap_or(now);
    if purchased_at.0 > now.0 + axon_domain::time::MS_PER_DAY {
        return Err(ApiError::validation(
            "purchasedAt is more than 24 h in the future",
        ));
    }
    if state.repo.product(input.product_id)?.is_none() {
        return Err(ApiError::not_found(
            "PRODUCT_NOT_FOUND",
            format!("product {} does not exist", input.product_id),
        ));
    }
    let campaign = match input.activity_id {
        Some(a) => Some(super::activities::find(&state, a)?.campaign_id),
        None => None,
    };
    let purchase = Purchase {
        id: 0,
        user_id: user.clone(),
        product_id: Some(input.product_id),
        activity_id: input.activity_id,
        purchase_type: if input.activity_id.is_some() {
            PurchaseType::CampaignActivity
        } else {
            PurchaseType::Shop
        },
        price: input.price,
        quantity: input.quantity,
        purchased_at,
        order_id: Some(order.clone()),
    };
    let mut props = Map::new();
    if let (Some(a), Some(c)) = (input.activity_id, campaign) {
        props.insert("activityId".into(), a.into());
        props.insert("campaignId".into(), c.into());
    }
    props.insert("productId".into(), input.product_id.into());
    props.insert(
        "amount".into(),
        serde_json::to_value(purchase.revenue()).unwrap_or(Value::Null),
    );
    props.insert("quantity".into(), input.quantity.into());
    props.insert("orderId".into(), order.into());
    let event = Event::backend(TriggerType::Purchase, &user, purchased_at, props);
    let w = state
        .repo
        .record_purchase(NewPurchase {
            purchase,
            event: event.clone(),
            entry_id: None,
        })
        .await?;
    if !w.created {
        return Ok((StatusCode::OK, Json(w.purchase)));
    }
    let mut event = event;
    event
        .properties
        .insert("purchaseId".into(), w.purchase.id.into());
    let events: Vec<(u64, Event)> = w.seq.map(|s| (s, event)).into_iter().collect();
    let no_entries: [Entry; 0] = [];
    state.observe(&events, &no_entries, std::slice::from_ref(&w.purchase));
    if let Some(p) = &w.product {
        state.remember_product(p);
    }
    Ok((StatusCode::CREATED, Json(w.purchase)))
}

async fn of_user(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let purchases = state.repo.purchases_of_user(&id)?;
    let total: Dec2 = purchases
        .iter()
        .fold(Dec2::ZERO, |acc, p| acc + p.revenue());
    Ok(Json(
        json!({"userId": id, "total": purchases.len(), "totalAmount": total, "purchases": purchases}),
    ))
}
