//! Purchases (SPEC §4): `POST /api/v1/purchases` from the shop backend (service key),
//! idempotent on orderId (201, then 200 with the original); `GET /api/v1/users/{id}/purchases`.
//! Recording lives in the `Purchases` service.

use super::fact_instant;
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{ReadErrors, WriteErrors};
use crate::openapi::UserId;
use crate::state::AppState;
use axon_domain::model::Purchase;
use axon_domain::Dec2;
use axon_services::purchases::PurchaseReport;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(of_user))
}

/// `GET /api/v1/users/{id}/purchases` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct UserPurchases {
    user_id: String,
    total: usize,
    total_amount: Dec2,
    purchases: Vec<Purchase>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PurchaseInput {
    /// A string or a number.
    #[schema(value_type = String)]
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

#[utoipa::path(post, path = "/api/v1/purchases", tag = "purchases", request_body = PurchaseInput, responses((status = 201, body = Purchase), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PurchaseInput>,
) -> ApiResult<(StatusCode, Json<Purchase>)> {
    let report = PurchaseReport {
        user_id: user_id(&input.user_id)?,
        product_id: input.product_id,
        activity_id: input.activity_id,
        price: input.price,
        quantity: input.quantity,
        purchased_at: fact_instant(&state, "purchasedAt", input.purchased_at.as_deref())?,
        order_id: input.order_id,
    };
    let (purchase, created) = state.purchases.report(report).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(purchase)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}/purchases", tag = "purchases", params(UserId), responses((status = 200, body = UserPurchases), ReadErrors))]
async fn of_user(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let (purchases, total) = state.purchases.of_user(&id).await?;
    Ok(Json(
        json!({"userId": id, "total": purchases.len(), "totalAmount": total, "purchases": purchases}),
    ))
}
