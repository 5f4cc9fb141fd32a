//! Liveness, readiness, Prometheus metrics and the operations page's figures.

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::error::Kind;
use crate::openapi::errors::{ReadErrors, Unavailable};
use crate::state::AppState;
use axon_services::operations::Report;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(operations))
}

#[derive(Serialize, ToSchema)]
struct Health {
    /// Always `ok`.
    status: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Ready {
    /// Always `ready`.
    status: &'static str,
    last_seq: u64,
    projection: ReadyProjection,
    /// With Kafka: the sink group's lag (reported, never a reason to refuse readiness: reads
    /// work while the broker is away, and posting answers 503 by itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    kafka: Option<axon_services::operations::KafkaFigures>,
}

#[derive(Serialize, ToSchema)]
struct ReadyProjection {
    committed: u64,
    applied: u64,
    lag: u64,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: the store answers; the projection's progress.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, body = Ready), Unavailable))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let (committed, applied) = state.backends.projection();
    match state.backends.events.last_seq().await {
        Ok(seq) => Ok(Json(Ready {
            status: "ready",
            last_seq: seq,
            projection: ReadyProjection {
                committed,
                applied,
                lag: committed.saturating_sub(applied),
            },
            kafka: state.operations.kafka(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::new(
                Kind::Unavailable,
                "NOT_READY",
                "the store is not reachable",
            ))
        }
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "health", security(()),
    responses((status = 200, content_type = "text/plain", body = String), Unavailable))]
async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let body = state.operations.prometheus().await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}

/// The operations page's figures (the same as `/metrics`), for a signed-in viewer.
#[utoipa::path(get, path = "/api/v1/operations", tag = "health",
    responses((status = 200, body = Report), ReadErrors))]
async fn operations(_: Viewer, State(state): State<AppState>) -> Result<Json<Report>, ApiError> {
    Ok(Json(state.operations.report().await?))
}
