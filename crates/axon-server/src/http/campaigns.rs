//! Campaign administration: `/api/v1/campaigns`, `/api/v1/campaigns/{id}`.

use super::{double_option, instant, name, non_negative};
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{ReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::state::AppState;
use axon_domain::model::Activity;
use axon_domain::model::{Campaign, CampaignId};
use axon_domain::Dec2;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
}

/// A campaign's fields; absent fields keep their value on update, `null` clears a date.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CampaignInput {
    /// Required on create; at most 200 characters.
    name: Option<String>,
    /// ISO-8601; without an offset, in the business time zone.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    start_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    end_at: Option<Option<String>>,
    budget: Option<Dec2>,
}

#[derive(Serialize, ToSchema)]
struct CampaignList {
    total: usize,
    campaigns: Vec<Campaign>,
}

/// A campaign with its activities.
#[derive(Serialize, ToSchema)]
struct CampaignDetail {
    #[serde(flatten)]
    campaign: Campaign,
    activities: Vec<Activity>,
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

/// Creates a campaign.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = Campaign), WriteErrors))]
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

/// Lists every campaign.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, body = CampaignList), ReadErrors))]
async fn list(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<CampaignList>> {
    let campaigns = state.admin.repo().campaigns().await?;
    Ok(Json(CampaignList {
        total: campaigns.len(),
        campaigns,
    }))
}

/// One campaign with its activities.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(Id),
    responses((status = 200, body = CampaignDetail), ReadErrors))]
async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
) -> ApiResult<Json<CampaignDetail>> {
    let campaign = find(&state, id).await?;
    let activities = state.admin.repo().activities(Some(id)).await?;
    Ok(Json(CampaignDetail {
        campaign,
        activities,
    }))
}

/// Changes a campaign (absent fields are kept).
#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(Id), request_body = CampaignInput,
    responses((status = 200, body = Campaign), WriteErrors))]
async fn update(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<Json<Campaign>> {
    let c = apply(&state, find(&state, id).await?, input)?;
    Ok(Json(state.admin.save_campaign(c).await?))
}

/// Deletes a campaign without activities.
#[utoipa::path(delete, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(Id),
    responses((status = 204, description = "deleted"), WriteErrors))]
async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
) -> ApiResult<StatusCode> {
    find(&state, id).await?;
    state.admin.delete_campaign(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
