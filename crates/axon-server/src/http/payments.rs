//! Payments (SPEC §3.2 steps 2–3): `POST /api/v1/payments/prepare` trades a live reservation
//! token for an approval token; `POST /api/v1/payments/confirm` records the purchase while the
//! hold is live. The protocol lives in the `Gate` service.

use crate::auth::EndUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;
use axon_services::gate::answers::{Approval, Paid};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/payments/prepare", post(prepare))
        .route("/api/v1/payments/confirm", post(confirm))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrepareInput {
    reservation_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfirmInput {
    approval_token: String,
}

async fn prepare(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PrepareInput>,
) -> ApiResult<Json<Approval>> {
    Ok(Json(
        state.gate.prepare(user, &input.reservation_token).await?,
    ))
}

async fn confirm(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> ApiResult<Json<Paid>> {
    Ok(Json(state.gate.confirm(user, &input.approval_token).await?))
}
