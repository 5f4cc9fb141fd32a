//! Event definitions that drive the tracker: admin CRUD under `/api/v1/event-definitions`, and the
//! public (CORS) `GET /api/v1/event-definitions/active?triggerType=`.

use super::name;
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::errors::{PublicErrors, ReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::state::AppState;
use axon_domain::model::{DefinitionStatus, EventDefinition, TriggerType};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use serde::Deserialize;
use serde_json::{json, Value};

/// Largest trigger payload accepted, as JSON text.
pub const MAX_TRIGGER_PAYLOAD: usize = 4096;

pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(active, active_preflight).layer(super::collect::cors(state)))
}

/// `GET /api/v1/event-definitions` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct DefinitionList {
    total: usize,
    definitions: Vec<EventDefinition>,
}

/// What the tracker needs of an active definition (doc only).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct ActiveDefinition {
    id: i64,
    name: String,
    trigger_type: TriggerType,
    trigger_payload: serde_json::Value,
}

/// `GET /api/v1/event-definitions/active` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct ActiveDefinitions {
    definitions: Vec<ActiveDefinition>,
}

/// The CORS preflight of the public endpoint.
#[utoipa::path(options, path = "/api/v1/event-definitions/active", tag = "definitions", security(()),
    responses((status = 200, description = "the CORS preflight answer")))]
async fn active_preflight() -> StatusCode {
    super::collect::preflight().await
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DefinitionInput {
    name: Option<String>,
    description: Option<String>,
    status: Option<String>,
    trigger_type: Option<String>,
    trigger_payload: Option<Value>,
}

fn apply(
    state: &AppState,
    mut d: EventDefinition,
    input: DefinitionInput,
    creating: bool,
) -> ApiResult<EventDefinition> {
    if input.name.is_some() || creating {
        d.name = name("name", input.name.as_deref(), 128)?;
    }
    if let Some(desc) = input.description {
        d.description = Some(desc).filter(|s| !s.trim().is_empty());
    }
    if let Some(s) = input.status.as_deref() {
        d.status = DefinitionStatus::parse(s)?;
    }
    match (input.trigger_type.as_deref(), creating) {
        (Some(t), _) => d.trigger_type = TriggerType::parse(t)?,
        (None, true) => return Err(ApiError::validation("triggerType is required")),
        (None, false) => {}
    }
    if let Some(p) = input.trigger_payload {
        d.trigger_payload = p;
    }
    let field = match d.trigger_type {
        TriggerType::PageView => Some("urlPattern"),
        TriggerType::Click => Some("selector"),
        _ => None,
    };
    if !d.trigger_payload.is_object() {
        return Err(ApiError::validation("triggerPayload must be an object"));
    }
    // The payload is matched against every event and shown in lists: keep it small.
    if d.trigger_payload.to_string().len() > MAX_TRIGGER_PAYLOAD {
        return Err(ApiError::validation(format!(
            "triggerPayload must be at most {MAX_TRIGGER_PAYLOAD} bytes of JSON"
        )));
    }
    if let Some(f) = field {
        let ok = d
            .trigger_payload
            .get(f)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty() && s.len() <= 512);
        if !ok {
            return Err(ApiError::validation(format!(
                "a {} definition needs triggerPayload.{f} (a non-empty string)",
                d.trigger_type.as_str()
            )));
        }
    }
    d.updated_at = state.now();
    Ok(d)
}

async fn find(state: &AppState, id: i64) -> ApiResult<EventDefinition> {
    state.admin.repo().definition(id).await?.ok_or_else(|| {
        ApiError::not_found(
            "DEFINITION_NOT_FOUND",
            format!("event definition {id} does not exist"),
        )
    })
}

#[utoipa::path(post, path = "/api/v1/event-definitions", tag = "definitions", request_body = DefinitionInput, responses((status = 201, body = EventDefinition), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<DefinitionInput>,
) -> ApiResult<(StatusCode, Json<EventDefinition>)> {
    let now = state.now();
    let blank = EventDefinition {
        id: 0,
        name: String::new(),
        description: None,
        status: DefinitionStatus::Active,
        trigger_type: TriggerType::PageView,
        trigger_payload: json!({}),
        created_at: now,
        updated_at: now,
    };
    let d = apply(&state, blank, input, true)?;
    Ok((
        StatusCode::CREATED,
        Json(state.admin.repo().upsert_definition(d).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/event-definitions", tag = "definitions", responses((status = 200, body = DefinitionList), ReadErrors))]
async fn list(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let defs = state.admin.repo().definitions().await?;
    Ok(Json(json!({"total": defs.len(), "definitions": defs})))
}

#[utoipa::path(get, path = "/api/v1/event-definitions/{id}", tag = "definitions", params(Id), responses((status = 200, body = EventDefinition), ReadErrors))]
async fn show(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<EventDefinition>> {
    Ok(Json(find(&state, id).await?))
}

#[utoipa::path(put, path = "/api/v1/event-definitions/{id}", tag = "definitions", params(Id), request_body = DefinitionInput, responses((status = 200, body = EventDefinition), WriteErrors))]
async fn update(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DefinitionInput>,
) -> ApiResult<Json<EventDefinition>> {
    let d = apply(&state, find(&state, id).await?, input, false)?;
    Ok(Json(state.admin.repo().upsert_definition(d).await?))
}

#[utoipa::path(delete, path = "/api/v1/event-definitions/{id}", tag = "definitions", params(Id), responses((status = 204, description = "deleted"), WriteErrors))]
async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.admin.repo().delete_definition(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct ActiveQuery {
    trigger_type: Option<String>,
}

/// Public: the tracker's view of the active definitions (only what it needs).
#[utoipa::path(get, path = "/api/v1/event-definitions/active", tag = "definitions", security(()), params(ActiveQuery), responses((status = 200, body = ActiveDefinitions), PublicErrors))]
async fn active(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ActiveQuery>,
) -> ApiResult<Json<Value>> {
    let filter = q
        .trigger_type
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(TriggerType::parse)
        .transpose()?;
    let defs: Vec<Value> = state
        .admin
        .repo()
        .definitions()
        .await?
        .into_iter()
        .filter(|d| d.status == DefinitionStatus::Active && filter.is_none_or(|t| t == d.trigger_type))
        .map(|d| json!({"id": d.id, "name": d.name, "triggerType": d.trigger_type, "triggerPayload": d.trigger_payload}))
        .collect();
    Ok(Json(json!({"definitions": defs})))
}
