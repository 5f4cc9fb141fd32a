//! Payments (SPEC §3.2 steps 2–3): `POST /api/v1/payments/prepare` trades a live reservation
//! token for an approval token; `POST /api/v1/payments/confirm` records the purchase while the
//! hold is live. The protocol lives in the `Gate` service.

use crate::auth::EndUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::openapi::errors::UserErrors;
use crate::state::AppState;
use axon_services::gate::answers::{Approval, Paid};
use axum::extract::State;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(prepare))
        .routes(routes!(confirm))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct PrepareInput {
    reservation_token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ConfirmInput {
    approval_token: String,
}

#[utoipa::path(post, path = "/api/v1/payments/prepare", tag = "gate", security(("userJwt" = [])), request_body = PrepareInput, responses((status = 200, body = Approval), UserErrors))]
async fn prepare(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PrepareInput>,
) -> ApiResult<Json<Approval>> {
    Ok(Json(
        state.gate.prepare(user, &input.reservation_token).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/payments/confirm", tag = "gate", security(("userJwt" = [])), request_body = ConfirmInput, responses((status = 200, body = Paid), UserErrors))]
async fn confirm(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> ApiResult<Json<Paid>> {
    Ok(Json(state.gate.confirm(user, &input.approval_token).await?))
}
