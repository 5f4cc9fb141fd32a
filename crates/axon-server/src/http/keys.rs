//! API keys (`/api/v1/api-keys`): create (the secret is shown once), list, revoke. ADMIN only.

use super::name;
use crate::auth::{generate_key, hash_key, Admin};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{AdminReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::session::MARKER_PREFIX;
use crate::state::AppState;
use axon_domain::model::{ApiKey, Role};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

/// A new key: the stored record and, once, its secret (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct NewKey {
    #[serde(flatten)]
    record: ApiKey,
    /// The secret; shown only in this answer.
    key: String,
}

/// `GET /api/v1/api-keys` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct KeyList {
    total: usize,
    keys: Vec<ApiKey>,
}

#[derive(Deserialize, ToSchema)]
struct KeyInput {
    name: Option<String>,
    role: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "keys", request_body = KeyInput, responses((status = 201, body = NewKey), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<KeyInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let role = input
        .role
        .as_deref()
        .map_or(Ok(Role::Viewer), Role::parse)?;
    let key_name = name("name", input.name.as_deref(), 100)?;
    let secret = generate_key("axk_");
    let key = ApiKey {
        id: 0,
        name: key_name,
        role,
        prefix: secret.chars().take(8).collect(),
        hash: hash_key(&secret),
        created_at: state.now(),
        revoked_at: None,
    };
    let saved = state.admin.repo().create_key(key).await?;
    let mut v = serde_json::to_value(&saved).unwrap_or_default();
    v["key"] = Value::from(secret);
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "keys", responses((status = 200, body = KeyList), AdminReadErrors))]
async fn list(_: Admin, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    // Signed-out sessions' markers live in the same table; they are not keys to manage.
    let keys: Vec<ApiKey> = state
        .admin
        .repo()
        .keys()
        .await?
        .into_iter()
        .filter(|k| k.prefix != MARKER_PREFIX)
        .collect();
    Ok(Json(json!({"total": keys.len(), "keys": keys})))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "keys", params(Id), responses((status = 200, body = ApiKey), WriteErrors))]
async fn revoke(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ApiKey>> {
    let revoked = state.admin.repo().revoke_key(id, state.now()).await?;
    // Live streams of this key close now (on other nodes: at once with a Redis bus, else
    // within a few seconds).
    state.revoked_here();
    Ok(Json(revoked))
}
