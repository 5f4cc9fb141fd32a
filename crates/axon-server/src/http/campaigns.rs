//! Campaign administration: `/api/v1/campaigns`, `/api/v1/campaigns/{id}`.

use super::{double_option, instant, name, non_negative};
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axon_domain::model::{Campaign, CampaignId};
use axon_domain::Dec2;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/campaigns", get(list).post(create))
        .route(
            "/api/v1/campaigns/{id}",
            get(show).put(update).delete(remove),
        )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CampaignInput {
    name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    start_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    end_at: Option<Option<String>>,
    budget: Option<Dec2>,
}

/// Applies the input over `base` (absent fields keep their value) and validates the result.
fn apply(state: &AppState, base: Campaign, input: CampaignInput) -> ApiResult<Campaign> {
    let mut c = base;
    if input.name.is_some() || c.name.is_empty() {
        c.name = name("name", input.name.as_deref(), 200)?;
    }
    if let Some(s) = input.start_at {
        c.start_at = instant(state, "startAt", s.as_deref())?;
    }
    if let Some(e) = input.end_at {
        c.end_at = instant(state, "endAt", e.as_deref())?;
    }
    if let Some(b) = input.budget {
        c.budget = non_negative("budget", b)?;
    }
    if let (Some(s), Some(e)) = (c.start_at, c.end_at) {
        if e < s {
            return Err(ApiError::validation("endAt is before startAt"));
        }
    }
    c.updated_at = state.now();
    Ok(c)
}

pub(crate) async fn find(state: &AppState, id: CampaignId) -> ApiResult<Campaign> {
    Ok(state.admin.campaign(id).await?)
}

async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    let now = state.now();
    let blank = Campaign {
        id: 0,
        name: String::new(),
        start_at: None,
        end_at: None,
        budget: Dec2::ZERO,
        created_at: now,
        updated_at: now,
    };
    let c = apply(&state, blank, input)?;
    let saved = state.admin.save_campaign(c).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn list(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let campaigns = state.admin.repo().campaigns().await?;
    Ok(Json(
        json!({"total": campaigns.len(), "campaigns": campaigns}),
    ))
}

async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
) -> ApiResult<Json<Value>> {
    let c = find(&state, id).await?;
    let activities = state.admin.repo().activities(Some(id)).await?;
    let mut v = serde_json::to_value(c).map_err(ApiError::internal)?;
    v["activities"] = serde_json::to_value(activities).map_err(ApiError::internal)?;
    Ok(Json(v))
}

async fn update(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<Json<Campaign>> {
    let c = apply(&state, find(&state, id).await?, input)?;
    Ok(Json(state.admin.save_campaign(c).await?))
}

async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
) -> ApiResult<StatusCode> {
    find(&state, id).await?;
    state.admin.delete_campaign(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
