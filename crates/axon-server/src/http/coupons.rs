//! Coupons (SPEC §3.4): admin CRUD under `/api/v1/coupons`, a user's coupons under
//! `/api/v1/users/{id}/coupons`, and applicability / use of one issued coupon under
//! `/api/v1/user-coupons/{id}/{check,use}`. COUPON activities issue them at the gate.

use super::{instant, name, non_negative};
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{ReadErrors, WriteErrors};
use crate::openapi::{Id, UserId};
use crate::state::AppState;
use axon_domain::coupon::Coupon;
use axon_domain::{BusinessTz, Dec2, Ts};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(of_user))
        .routes(routes!(check))
        .routes(routes!(use_one))
}

/// `GET /api/v1/coupons` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct CouponList {
    total: usize,
    coupons: Vec<Coupon>,
}

/// `GET /api/v1/users/{id}/coupons` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct UserCoupons {
    user_id: String,
    total: usize,
    coupons: Vec<serde_json::Value>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CouponInput {
    name: Option<String>,
    discount_amount: Option<Dec2>,
    discount_rate: Option<Dec2>,
    min_order_amount: Option<Dec2>,
    target_category: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn end_of(state: &AppState, s: &str) -> ApiResult<Ts> {
    let tz = state.tz();
    let t = instant(state, "endDate", Some(s))?
        .ok_or_else(|| ApiError::validation("endDate is required"))?;
    Ok(if BusinessTz::is_date_only(s) {
        Ts(tz.next_day_start(t).0 - 1)
    } else {
        t
    })
}

fn build(state: &AppState, id: i64, created_at: Ts, input: CouponInput) -> ApiResult<Coupon> {
    let (amount, rate) = match (input.discount_amount, input.discount_rate) {
        (Some(a), None) if a.0 > 0 => (Some(a), None),
        (None, Some(r)) if r.0 > 0 && r.0 <= 10_000 => (None, Some(r)),
        _ => {
            return Err(ApiError::validation(
                "give exactly one of discountAmount (> 0) and discountRate (0 < rate ≤ 100)",
            ))
        }
    };
    let start = instant(state, "startDate", input.start_date.as_deref())?
        .ok_or_else(|| ApiError::validation("startDate is required"))?;
    let end = end_of(
        state,
        input
            .end_date
            .as_deref()
            .ok_or_else(|| ApiError::validation("endDate is required"))?,
    )?;
    if end < start {
        return Err(ApiError::validation("endDate is before startDate"));
    }
    Ok(Coupon {
        id,
        name: name("name", input.name.as_deref(), 200)?,
        discount_amount: amount,
        discount_rate: rate,
        min_order_amount: non_negative(
            "minOrderAmount",
            input.min_order_amount.unwrap_or(Dec2::ZERO),
        )?,
        target_category: input
            .target_category
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        start_date: start,
        end_date: end,
        created_at,
    })
}

#[utoipa::path(post, path = "/api/v1/coupons", tag = "coupons", request_body = CouponInput, responses((status = 201, body = Coupon), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CouponInput>,
) -> ApiResult<(StatusCode, Json<Coupon>)> {
    let c = build(&state, 0, state.now(), input)?;
    Ok((StatusCode::CREATED, Json(state.gate.save_coupon(c).await?)))
}

#[utoipa::path(put, path = "/api/v1/coupons/{id}", tag = "coupons", params(Id), request_body = CouponInput, responses((status = 200, body = Coupon), WriteErrors))]
async fn update(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CouponInput>,
) -> ApiResult<Json<Coupon>> {
    let old = state.gate.coupon(id).await?;
    let c = build(&state, id, old.created_at, input)?;
    Ok(Json(state.gate.save_coupon(c).await?))
}

#[utoipa::path(delete, path = "/api/v1/coupons/{id}", tag = "coupons", params(Id), responses((status = 204, description = "deleted"), WriteErrors))]
async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.gate.delete_coupon(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/coupons", tag = "coupons", responses((status = 200, body = CouponList), ReadErrors))]
async fn list(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let coupons = state.gate.coupons().await?;
    Ok(Json(json!({"total": coupons.len(), "coupons": coupons})))
}

#[utoipa::path(get, path = "/api/v1/coupons/{id}", tag = "coupons", params(Id), responses((status = 200, body = Coupon), ReadErrors))]
async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Coupon>> {
    Ok(Json(state.gate.coupon(id).await?))
}

#[utoipa::path(get, path = "/api/v1/users/{id}/coupons", tag = "coupons", params(UserId), responses((status = 200, body = UserCoupons), ReadErrors))]
async fn of_user(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let list = state.gate.coupons_of_user(&id).await?;
    Ok(Json(
        json!({"userId": id, "total": list.len(), "coupons": list}),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderLine {
    price: Dec2,
    category: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/user-coupons/{id}/check", tag = "coupons", params(Id), request_body = OrderLine, responses((status = 200, description = "whether the coupon applies and the discount", body = Object), WriteErrors))]
async fn check(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(line): ApiJson<OrderLine>,
) -> ApiResult<Json<Value>> {
    let price = non_negative("price", line.price)?;
    Ok(Json(
        state
            .gate
            .check_coupon(id, price, line.category.as_deref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/user-coupons/{id}/use", tag = "coupons", params(Id), request_body = OrderLine, responses((status = 200, description = "the coupon used and the discount", body = Object), WriteErrors))]
async fn use_one(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(line): ApiJson<OrderLine>,
) -> ApiResult<Json<Value>> {
    let price = non_negative("price", line.price)?;
    Ok(Json(
        state
            .gate
            .use_coupon(id, price, line.category.as_deref())
            .await?,
    ))
}
