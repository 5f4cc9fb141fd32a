//! Annotations (issue 17 §5): `GET /api/v1/annotations?scope=activity&id=…` (any key, or a
//! share link of that scope; `startDate`/`endDate` bound the period, `related=true` adds the
//! scope's family — an activity's campaign, a campaign's activities), `POST` and `DELETE`
//! with an ADMIN key.

use crate::auth::Admin;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::errors::{SharedReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::share_access::Reader;
use crate::state::AppState;
use axon_domain::annotation::{Annotation, AnnotationDraft};
use axon_domain::share::{ScopeKind, ScopeRef};
use axon_domain::Ts;
use axon_services::ServiceError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(remove))
}

/// A new note: `scope` `ACTIVITY` or `CAMPAIGN`, `at` an ISO-8601 instant (or a date/datetime
/// in the business time zone), `text` 1–200 characters.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AnnotationInput {
    scope: String,
    scope_id: i64,
    at: String,
    text: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    /// `activity` or `campaign`.
    scope: String,
    id: i64,
    /// From this instant or date (included; default: the beginning).
    start_date: Option<String>,
    /// Until this instant or date (excluded; default: no end).
    end_date: Option<String>,
    /// Also the notes of the scope's family (an activity's campaign, a campaign's activities).
    related: Option<bool>,
}

/// `GET /api/v1/annotations` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct AnnotationList {
    total: usize,
    annotations: Vec<Annotation>,
}

#[utoipa::path(get, path = "/api/v1/annotations", tag = "annotations", params(ListQuery), responses((status = 200, body = AnnotationList), SharedReadErrors))]
async fn list(
    reader: Reader,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let scope = ScopeRef::new(ScopeKind::parse_any(&q.scope)?, q.id);
    reader.allow(scope)?;
    let tz = state.tz();
    let start = match q.start_date.as_deref() {
        Some(s) => tz.parse_instant(s)?,
        None => Ts(i64::MIN / 2),
    };
    let end = match q.end_date.as_deref() {
        Some(s) => tz.parse_instant(s)?,
        None => Ts(i64::MAX / 2),
    };
    if start >= end {
        return Err(
            ServiceError::invalid("INVALID_PERIOD", "startDate must be before endDate").into(),
        );
    }
    let notes = state
        .annotations
        .list(scope, start, end, q.related.unwrap_or(false))
        .await?;
    Ok(Json(json!({"total": notes.len(), "annotations": notes})))
}

#[utoipa::path(post, path = "/api/v1/annotations", tag = "annotations", request_body = AnnotationInput, responses((status = 201, body = Annotation), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<AnnotationInput>,
) -> ApiResult<(StatusCode, Json<Annotation>)> {
    let draft = AnnotationDraft {
        scope: ScopeKind::parse_any(&input.scope)?,
        scope_id: input.scope_id,
        at: state.tz().parse_instant(&input.at)?,
        text: input.text,
    };
    Ok((
        StatusCode::CREATED,
        Json(state.annotations.create(draft).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/annotations/{id}", tag = "annotations", params(Id), responses((status = 204), WriteErrors))]
async fn remove(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.annotations.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
