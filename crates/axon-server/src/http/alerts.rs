//! Alerts (issue 17 §4): rules per activity or campaign (`/api/v1/alerts`, ADMIN: list, create
//! — the signing secret is in the answer —, delete, the delivery log) and the firing alerts of a
//! dashboard's scope (`/api/v1/dashboard/{activity|campaign}/{id}/alerts`, any key).

use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axon_domain::alert::{AlertDraft, AlertKind, AlertScopeKind};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/alerts", get(list).post(create))
        .route("/api/v1/alerts/{id}", delete(remove))
        .route("/api/v1/alerts/{id}/deliveries", get(deliveries))
        .route(
            "/api/v1/dashboard/activity/{id}/alerts",
            get(activity_firing),
        )
        .route(
            "/api/v1/dashboard/campaign/{id}/alerts",
            get(campaign_firing),
        )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RuleInput {
    scope: String,
    scope_id: i64,
    kind: String,
    threshold: Option<i64>,
    window_minutes: Option<i64>,
    webhook_url: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    scope: Option<String>,
    scope_id: Option<i64>,
    limit: Option<usize>,
}

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

async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.alerts.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

async fn activity_firing(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    firing(&state, AlertScopeKind::Activity, id).await
}

async fn campaign_firing(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    firing(&state, AlertScopeKind::Campaign, id).await
}
