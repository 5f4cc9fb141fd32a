//! Giveaway draws (SPEC §3.4): `POST /api/v1/activities/{id}/draw` (admin, after the end) and
//! `GET` of the same path. The draw itself lives in the `Gate` service.

use super::entries::optional_json;
use crate::auth::{Admin, Viewer};
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::state::AppState;
use axon_domain::model::ActivityId;
use axon_services::gate::answers::DrawView;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/activities/{id}/draw", post(draw).get(show))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DrawInput {
    /// Replays a draw with a chosen seed; by default a fresh random one.
    seed: Option<u64>,
}

async fn draw(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    body: Bytes,
) -> ApiResult<Json<DrawView>> {
    let input: DrawInput = optional_json(&body)?;
    Ok(Json(state.gate.draw(id, input.seed).await?))
}

async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<DrawView>> {
    Ok(Json(state.gate.show_draw(id).await?))
}
