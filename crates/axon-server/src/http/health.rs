//! Liveness, readiness and Prometheus metrics.

use crate::error::ApiError;
use crate::state::AppState;
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
    let last_seq = state.backends.events.last_seq().await?;
    let (committed, applied) = state.backends.projection();
    let body = state.metrics.render(&[
        (
            "axon_event_log_last_seq",
            "sequence number of the newest stored event",
            last_seq,
        ),
        (
            "axon_commits_durable",
            "number of the newest durable commit",
            committed,
        ),
        (
            "axon_commits_projected",
            "number of the newest commit the analytics snapshots include",
            applied,
        ),
        (
            "axon_dashboard_renders",
            "dashboard answers rendered (shared by every caller of one version)",
            state.renders.rendered(),
        ),
    ]);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}
