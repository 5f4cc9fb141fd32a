//! Activity administration: `/api/v1/campaigns/{id}/activities`, `/api/v1/activities/{id}`,
//! `PATCH /api/v1/activities/{id}/status` (the state machine of SPEC §1).

use super::campaigns;
use super::{double_option, instant, name, non_negative};
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axon_domain::filter::parse_filters;
use axon_domain::model::{Activity, ActivityId, ActivityStatus, ActivityType, CampaignId};
use axon_domain::{status, BusinessTz, Dec2, Ts};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/campaigns/{id}/activities",
            get(list_of_campaign).post(create),
        )
        .route("/api/v1/activities", get(list_all))
        .route("/api/v1/activities/{id}", get(show).put(update))
        .route("/api/v1/activities/{id}/status", patch(change_status))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivityInput {
    name: Option<String>,
    activity_type: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    limit_count: Option<Option<i64>>,
    start_date: Option<String>,
    end_date: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    product_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    coupon_id: Option<Option<i64>>,
    price: Option<Dec2>,
    quantity: Option<i64>,
    budget: Option<Dec2>,
    filters: Option<Value>,
    #[serde(default, deserialize_with = "double_option")]
    image_url: Option<Option<String>>,
    payment_required: Option<bool>,
}

/// A bare end date includes its whole day.
fn end_instant(tz: &BusinessTz, s: &str) -> ApiResult<Ts> {
    let t = instant(tz, "endDate", Some(s))?
        .ok_or_else(|| ApiError::validation("endDate is required"))?;
    Ok(if BusinessTz::is_date_only(s) {
        Ts(tz.next_day_start(t).0 - 1)
    } else {
        t
    })
}

/// Applies the input over `base` (absent fields keep their value) and validates the result.
async fn apply(
    state: &AppState,
    base: Activity,
    input: ActivityInput,
    creating: bool,
) -> ApiResult<Activity> {
    let tz = state.tz();
    let mut a = base;
    if input.name.is_some() || creating {
        a.name = name("name", input.name.as_deref(), 200)?;
    }
    if let Some(t) = input.activity_type.as_deref() {
        a.activity_type = ActivityType::parse(t)?;
    } else if creating {
        return Err(ApiError::validation(
            "activityType is required (FIRST_COME_FIRST_SERVE, COUPON or GIVEAWAY)",
        ));
    }
    if let Some(s) = input.status.as_deref() {
        a.status = status::transition(a.status, ActivityStatus::parse(s)?)
            .map_err(|e| ApiError::conflict(e.code, e.message))?;
    }
    if let Some(l) = input.limit_count {
        if l.is_some_and(|l| l < 0) {
            return Err(ApiError::validation(
                "limitCount must be ≥ 0 (null = unlimited)",
            ));
        }
        a.limit_count = l;
    }
    match (input.start_date.as_deref(), creating) {
        (Some(s), _) => {
            a.start_date = instant(tz, "startDate", Some(s))?
                .ok_or_else(|| ApiError::validation("startDate is required"))?
        }
        (None, true) => return Err(ApiError::validation("startDate is required")),
        (None, false) => {}
    }
    match (input.end_date.as_deref(), creating) {
        (Some(e), _) => a.end_date = end_instant(tz, e)?,
        (None, true) => return Err(ApiError::validation("endDate is required")),
        (None, false) => {}
    }
    if a.end_date < a.start_date {
        return Err(ApiError::validation("endDate is before startDate"));
    }
    if let Some(p) = input.product_id {
        if let Some(id) = p {
            if state.admin.repo().product(id).await?.is_none() {
                return Err(ApiError::bad_request(
                    "UNKNOWN_PRODUCT",
                    format!("product {id} does not exist"),
                ));
            }
        }
        a.product_id = p;
    }
    if let Some(c) = input.coupon_id {
        a.coupon_id = c;
    }
    if let Some(p) = input.price {
        a.price = non_negative("price", p)?;
    }
    if let Some(q) = input.quantity {
        if q < 1 {
            return Err(ApiError::validation("quantity must be ≥ 1"));
        }
        a.quantity = q;
    }
    if let Some(b) = input.budget {
        a.budget = non_negative("budget", b)?;
    }
    if let Some(f) = input.filters {
        a.filters = parse_filters(Some(&f), tz)?;
    }
    if let Some(i) = input.image_url {
        a.image_url = i.filter(|s| !s.trim().is_empty());
    }
    if let Some(p) = input.payment_required {
        a.payment_required = p;
    }
    a.updated_at = state.now();
    Ok(a)
}

pub(crate) async fn find(state: &AppState, id: ActivityId) -> ApiResult<Activity> {
    Ok(state.admin.activity(id).await?)
}

async fn save(state: &AppState, a: Activity) -> ApiResult<Activity> {
    state.admin.save_activity(a).await.map_err(Into::into)
}

async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(campaign_id): ApiPath<CampaignId>,
    ApiJson(input): ApiJson<ActivityInput>,
) -> ApiResult<(StatusCode, Json<Activity>)> {
    campaigns::find(&state, campaign_id).await?;
    let now = state.now();
    let blank = Activity {
        id: 0,
        campaign_id,
        name: String::new(),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Draft,
        limit_count: None,
        start_date: now,
        end_date: now,
        product_id: None,
        coupon_id: None,
        price: Dec2::ZERO,
        quantity: 1,
        budget: Dec2::ZERO,
        filters: Vec::new(),
        image_url: None,
        payment_required: true,
        created_at: now,
        updated_at: now,
    };
    let a = apply(&state, blank, input, true).await?;
    Ok((StatusCode::CREATED, Json(save(&state, a).await?)))
}

async fn list_of_campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
) -> ApiResult<Json<Value>> {
    campaigns::find(&state, id).await?;
    let activities = state.admin.repo().activities(Some(id)).await?;
    Ok(Json(
        json!({"campaignId": id, "total": activities.len(), "activities": activities}),
    ))
}

async fn list_all(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let activities = state.admin.repo().activities(None).await?;
    Ok(Json(
        json!({"total": activities.len(), "activities": activities}),
    ))
}

async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(find(&state, id).await?))
}

async fn update(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(input): ApiJson<ActivityInput>,
) -> ApiResult<Json<Activity>> {
    let a = apply(&state, find(&state, id).await?, input, false).await?;
    Ok(Json(save(&state, a).await?))
}

#[derive(Deserialize)]
struct StatusInput {
    status: String,
}

async fn change_status(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<Activity>> {
    let to = ActivityStatus::parse(&input.status)?;
    Ok(Json(
        state.admin.set_activity_status(id, to, state.now()).await?,
    ))
}
