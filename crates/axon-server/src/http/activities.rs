//! Activity administration: `/api/v1/campaigns/{id}/activities`, `/api/v1/activities/{id}`,
//! `PATCH /api/v1/activities/{id}/status` (the state machine of SPEC §1), and
//! `POST /api/v1/activities/{id}/warm` (the eligibility cache, before opening).

use super::campaigns;
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{ReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::state::AppState;
use axon_domain::activity::{ActivityDraft, Rules, Spelling};
use axon_domain::model::{Activity, ActivityId, ActivityStatus, CampaignId};
use axon_domain::DomainError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_of_campaign, create))
        .routes(routes!(list_all))
        .routes(routes!(show, update))
        .routes(routes!(change_status))
        .routes(routes!(warm))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CampaignActivities {
    campaign_id: CampaignId,
    total: usize,
    activities: Vec<Activity>,
}

#[derive(Serialize, ToSchema)]
struct ActivityList {
    total: usize,
    activities: Vec<Activity>,
}

fn rules(state: &AppState) -> Rules<'_> {
    Rules {
        tz: state.tz(),
        now: state.now(),
        spelling: Spelling::Json,
        horizon: state.config.horizon,
    }
}

/// The domain's verdict as an answer: a refused status change is a conflict, the rest a 400.
fn refused(e: DomainError) -> ApiError {
    if e.code == "INVALID_STATUS_TRANSITION" {
        ApiError::conflict(e.code, e.message)
    } else {
        e.into()
    }
}

/// A referenced product must exist: the domain's rule (`axon import` applies it too) on the
/// store's answer.
async fn known_product(state: &AppState, a: Activity, changed: bool) -> ApiResult<Activity> {
    if let (true, Some(id)) = (changed, a.product_id) {
        let exists = state.admin.repo().product(id).await?.is_some();
        axon_domain::activity::known_product(&a, exists)
            .map_err(|e| ApiError::bad_request(e.code, e.message))?;
    }
    Ok(a)
}

pub(crate) async fn find(state: &AppState, id: ActivityId) -> ApiResult<Activity> {
    Ok(state.admin.activity(id).await?)
}

async fn save(state: &AppState, a: Activity) -> ApiResult<Activity> {
    Ok(state.admin.save_activity(a).await?)
}

/// Creates an activity in the campaign `{id}`.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/activities", tag = "activities", params(Id),
    request_body = ActivityDraft, responses((status = 201, body = Activity), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(campaign_id): ApiPath<CampaignId>,
    ApiJson(input): ApiJson<ActivityDraft>,
) -> ApiResult<(StatusCode, Json<Activity>)> {
    campaigns::find(&state, campaign_id).await?;
    let changed = input.product_id.is_some();
    let a = input.create(campaign_id, &rules(&state)).map_err(refused)?;
    let a = known_product(&state, a, changed).await?;
    Ok((StatusCode::CREATED, Json(save(&state, a).await?)))
}

/// The activities of the campaign `{id}`.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/activities", tag = "activities", params(Id),
    responses((status = 200, body = CampaignActivities), ReadErrors))]
async fn list_of_campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<CampaignId>,
) -> ApiResult<Json<CampaignActivities>> {
    campaigns::find(&state, id).await?;
    let activities = state.admin.repo().activities(Some(id)).await?;
    Ok(Json(CampaignActivities {
        campaign_id: id,
        total: activities.len(),
        activities,
    }))
}

/// Every activity.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities",
    responses((status = 200, body = ActivityList), ReadErrors))]
async fn list_all(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<ActivityList>> {
    let activities = state.admin.repo().activities(None).await?;
    Ok(Json(ActivityList {
        total: activities.len(),
        activities,
    }))
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", params(Id),
    responses((status = 200, body = Activity), ReadErrors))]
async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(find(&state, id).await?))
}

/// Changes an activity (absent fields are kept; `null` clears an optional one).
#[utoipa::path(put, path = "/api/v1/activities/{id}", tag = "activities", params(Id),
    request_body = ActivityDraft, responses((status = 200, body = Activity), WriteErrors))]
async fn update(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(input): ApiJson<ActivityDraft>,
) -> ApiResult<Json<Activity>> {
    let changed = input.product_id.is_some();
    let a = input
        .update(find(&state, id).await?, &rules(&state))
        .map_err(refused)?;
    let a = known_product(&state, a, changed).await?;
    Ok(Json(save(&state, a).await?))
}

#[derive(Deserialize, ToSchema)]
struct StatusInput {
    /// DRAFT, ACTIVE, PAUSED or ENDED (SPEC §1's transitions).
    status: String,
}

/// Moves the activity through its status machine.
#[utoipa::path(patch, path = "/api/v1/activities/{id}/status", tag = "activities", params(Id),
    request_body = StatusInput, responses((status = 200, body = Activity), WriteErrors))]
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

/// Warms the eligibility cache (several nodes on Redis) for the activity's likely entrants —
/// the identified people with an event of it in the last 30 days, at most 10,000 — so their
/// entries at opening read no profile from the database. Without a cache it reports
/// `cacheEnabled: false` and changes nothing.
#[utoipa::path(post, path = "/api/v1/activities/{id}/warm", tag = "activities", params(Id),
    responses((status = 200, body = axon_services::gate::Warmed), WriteErrors))]
async fn warm(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<axon_services::gate::Warmed>> {
    Ok(Json(state.gate.warm(id, state.now()).await?))
}
