//! Alerts (issue 17 §4): rules per activity or campaign (`/api/v1/alerts`, ADMIN: list, create
//! — the signing secret is in the answer —, delete, the delivery log) and the firing alerts of a
//! dashboard's scope (`/api/v1/dashboard/{activity|campaign}/{id}/alerts`, any key).

use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::errors::{AdminReadErrors, ReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::state::AppState;
use axon_domain::alert::{AlertDelivery, AlertDraft, AlertKind, AlertRule, AlertScopeKind};
use axon_services::alerts::FiringAlert;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(remove))
        .routes(routes!(deliveries))
        .routes(routes!(activity_firing))
        .routes(routes!(campaign_firing))
}

/// `GET /api/v1/alerts` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct RuleList {
    total: usize,
    rules: Vec<AlertRule>,
}

/// `GET /api/v1/alerts/{id}/deliveries` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct DeliveryList {
    total: usize,
    deliveries: Vec<AlertDelivery>,
}

/// The firing alerts of a dashboard's scope (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct FiringList {
    total: usize,
    alerts: Vec<FiringAlert>,
}

/// A new rule: `scope` is `ACTIVITY` or `CAMPAIGN`; `kind` one of `SOLD_OUT`, `STOCK_BELOW`
/// (threshold = N %), `CONVERSION_DROP` (threshold = X %, over `windowMinutes`), `NO_EVENTS`
/// (threshold = M minutes).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RuleInput {
    scope: String,
    scope_id: i64,
    kind: String,
    threshold: Option<i64>,
    window_minutes: Option<i64>,
    webhook_url: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    scope: Option<String>,
    scope_id: Option<i64>,
    limit: Option<usize>,
}

#[utoipa::path(post, path = "/api/v1/alerts", tag = "alerts", request_body = RuleInput, responses((status = 201, body = AlertRule), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let draft = AlertDraft {
        scope: AlertScopeKind::parse(&input.scope.to_uppercase())?,
        scope_id: input.scope_id,
        kind: AlertKind::parse(&input.kind.to_uppercase())?,
        threshold: input.threshold,
        window_minutes: input.window_minutes,
        webhook_url: input.webhook_url,
    };
    let rule = state.alerts.create(draft).await?;
    Ok((StatusCode::CREATED, Json(json!(rule))))
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(ListQuery), responses((status = 200, body = RuleList), AdminReadErrors))]
async fn list(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let scope = match (q.scope.as_deref(), q.scope_id) {
        (None, None) => None,
        (Some(s), Some(id)) => Some((AlertScopeKind::parse(&s.to_uppercase())?, id)),
        _ => {
            return Err(ApiError::from(axon_services::ServiceError::invalid(
                "INVALID_QUERY",
                "scope and scopeId go together",
            )))
        }
    };
    let rules = state.alerts.rules(scope).await?;
    Ok(Json(json!({"total": rules.len(), "rules": rules})))
}

#[utoipa::path(delete, path = "/api/v1/alerts/{id}", tag = "alerts", params(Id), responses((status = 204), WriteErrors))]
async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.alerts.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}/deliveries", tag = "alerts", params(Id, ListQuery), responses((status = 200, body = DeliveryList), AdminReadErrors))]
async fn deliveries(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let log = state.alerts.deliveries(id, q.limit.unwrap_or(50)).await?;
    Ok(Json(json!({"total": log.len(), "deliveries": log})))
}

async fn firing(state: &AppState, scope: AlertScopeKind, id: i64) -> ApiResult<Json<Value>> {
    let alerts = state.alerts.firing(scope, id).await?;
    Ok(Json(json!({"total": alerts.len(), "alerts": alerts})))
}

#[utoipa::path(get, path = "/api/v1/dashboard/activity/{id}/alerts", tag = "alerts", params(Id), responses((status = 200, body = FiringList), ReadErrors))]
async fn activity_firing(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    firing(&state, AlertScopeKind::Activity, id).await
}

#[utoipa::path(get, path = "/api/v1/dashboard/campaign/{id}/alerts", tag = "alerts", params(Id), responses((status = 200, body = FiringList), ReadErrors))]
async fn campaign_firing(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    firing(&state, AlertScopeKind::Campaign, id).await
}
