//! Liveness, readiness, Prometheus metrics and the operations page's figures.

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::state::AppState;
use axon_services::operations::Report;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/operations", get(operations))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let (committed, applied) = state.backends.projection();
    match state.backends.events.last_seq().await {
        Ok(seq) => (
            StatusCode::OK,
            Json(json!({"status": "ready", "lastSeq": seq,
                "projection": {"committed": committed, "applied": applied,
                    "lag": committed.saturating_sub(applied)}})),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "NOT_READY", "message": "the store is not reachable"})),
            )
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let body = state.operations.prometheus().await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}

/// The operations page's figures (the same as `/metrics`), for a signed-in viewer.
async fn operations(_: Viewer, State(state): State<AppState>) -> Result<Json<Report>, ApiError> {
    Ok(Json(state.operations.report().await?))
}
