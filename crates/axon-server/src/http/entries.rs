//! The FCFS gate's HTTP surface (SPEC §3.2): `POST /api/v1/activities/{id}/entries` for end
//! users (JWT), `GET` of the same path for admins (paged list), and the public stock view.
//! The protocol itself lives in the `Gate` service.

use crate::auth::{EndUser, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::errors::{PublicErrors, ReadErrors, UserErrors};
use crate::openapi::Id;
use crate::state::AppState;
use axon_domain::model::{ActivityId, EntryStatus};
use axon_services::gate::answers::{EntriesPage, EntryAnswer, StockView};
use axon_services::gate::EntryRequest;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::de::DeserializeOwned;
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, enter))
        .routes(routes!(stock))
}

/// Public: what a storefront needs for its countdown and sold-out state.
#[utoipa::path(get, path = "/api/v1/activities/{id}/stock", tag = "gate", security(()), params(Id), responses((status = 200, body = StockView), PublicErrors))]
async fn stock(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<Json<StockView>> {
    Ok(Json(state.gate.stock(id).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
struct EntryInput {
    product_id: Option<i64>,
    quantity: Option<i64>,
}

/// A JSON body that may be empty (the default then).
pub(crate) fn optional_json<T: Default + DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice::<Option<T>>(body)
        .map(Option::unwrap_or_default)
        .map_err(|e| {
            if e.is_data() {
                ApiError::validation(e.to_string())
            } else {
                ApiError::bad_request("MALFORMED_JSON", e.to_string())
            }
        })
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/entries", tag = "gate", security(("userJwt" = [])), params(Id), request_body(content = Option<EntryInput>, description = "optional; an empty body enters for the activity's product, quantity 1"), responses((status = 200, body = EntryAnswer), UserErrors))]
async fn enter(
    EndUser(user): EndUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    body: Bytes,
) -> ApiResult<Json<EntryAnswer>> {
    let input: EntryInput = optional_json(&body)?;
    let req = EntryRequest {
        product_id: input.product_id,
        quantity: input.quantity,
    };
    Ok(Json(state.gate.enter(user, id, req).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/entries", tag = "gate", params(Id, ListQuery), responses((status = 200, body = EntriesPage), ReadErrors))]
async fn list(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ActivityId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<EntriesPage>> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(EntryStatus::parse)
        .transpose()?;
    let page = state
        .gate
        .entries(id, status, q.page.unwrap_or(0), q.size.unwrap_or(20))
        .await?;
    Ok(Json(page))
}
