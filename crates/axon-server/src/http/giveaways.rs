//! Giveaway draws (SPEC §3.4): `POST /api/v1/activities/{id}/draw` (admin, after the end) and
//! `GET` of the same path. The draw itself lives in the `Gate` service.

use super::entries::optional_json;
use crate::auth::{Admin, Viewer};
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::openapi::errors::{ReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::state::AppState;
use axon_domain::model::ActivityId;
use axon_services::gate::answers::DrawView;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(draw, show))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct DrawInput {
    /// Replays a draw with a chosen seed; by default a fresh random one.
    seed: Option<u64>,
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/draw", tag = "gate", params(Id), request_body(content = Option<DrawInput>, description = "optional; an empty body draws with a random seed"), responses((status = 200, body = DrawView), WriteErrors))]
async fn draw(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    body: Bytes,
) -> ApiResult<Json<DrawView>> {
    let input: DrawInput = optional_json(&body)?;
    Ok(Json(state.gate.draw(id, input.seed).await?))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/draw", tag = "gate", params(Id), responses((status = 200, body = DrawView), ReadErrors))]
async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<DrawView>> {
    Ok(Json(state.gate.show_draw(id).await?))
}
