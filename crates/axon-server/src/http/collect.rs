//! Event collection (SPEC §2.2): `POST /api/v1/behavior/events` — public, CORS, optional write
//! key, rate- and size-limited, 202 only once durable; and the admin's
//! `GET /api/v1/behavior/events` for checking a tracker integration.

use super::MAX_BODY;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, Kind};

use crate::extract::{ApiQuery, ClientIp};
use crate::openapi::errors::{CollectErrors, ReadErrors};
use crate::session::KeyRef;
use crate::state::AppState;
use axon_domain::model::TriggerType;
use axon_ports::EventQuery;
use axon_services::collect::{CollectReport, Sender};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(collect, list, events_preflight).layer(cors(state)))
}

/// `GET /api/v1/behavior/events` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct EventPage {
    /// Stored events, newest first, each with its log `seq`.
    events: Vec<axon_domain::event::Event>,
    total: u64,
    #[schema(nullable = true)]
    next_before: Option<u64>,
}

/// The CORS preflight of the collection endpoint.
#[utoipa::path(options, path = "/api/v1/behavior/events", tag = "collect", security(()),
    responses((status = 204, description = "a bare OPTIONS"), (status = 200, description = "a CORS preflight answer")))]
async fn events_preflight() -> StatusCode {
    preflight().await
}

/// The CORS policy of the public endpoints, from the configured allow-list.
pub fn cors(state: &AppState) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("x-axon-key")])
        .max_age(Duration::from_secs(3600));
    let origins = &state.config.cors_origins;
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        layer.allow_origin(AllowOrigin::list(
            origins.iter().filter_map(|o| o.parse().ok()),
        ))
    }
}

/// Answered by the CORS layer for real preflights; a bare OPTIONS gets 204.
pub async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct KeyParam {
    key: Option<String>,
}

fn check_write_key(state: &AppState, parts: &axum::http::request::Parts) -> ApiResult<()> {
    let Some(expected) = &state.config.write_key else {
        return Ok(());
    };
    let from_header = parts
        .headers
        .get("x-axon-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let from_query = Query::<KeyParam>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|q| q.0.key);
    match from_header.or(from_query) {
        Some(k) if k == expected.expose() => Ok(()),
        Some(_) => Err(ApiError::new(
            Kind::Unauthorized,
            "INVALID_WRITE_KEY",
            "the write key is not valid",
        )),
        None => Err(ApiError::new(
            Kind::Unauthorized,
            "INVALID_WRITE_KEY",
            "a write key is required (X-Axon-Key or ?key=)",
        )),
    }
}

fn check_content_type(parts: &axum::http::request::Parts) -> ApiResult<()> {
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.is_empty() || ct.starts_with("application/json") || ct.starts_with("text/plain") {
        Ok(())
    } else {
        Err(ApiError::new(
            Kind::UnsupportedMediaType,
            "UNSUPPORTED_MEDIA_TYPE",
            "send events as application/json or text/plain (JSON text)",
        ))
    }
}

/// The key of a trusted backend sender, when the request carries an ADMIN key as a bearer
/// token (a browser session cookie does not count: the tracker on an admin's page would carry
/// it). A bearer that is not a valid ADMIN key is an error, not a silent downgrade.
async fn trusted_sender(
    state: &AppState,
    parts: &axum::http::request::Parts,
) -> ApiResult<Option<String>> {
    if !parts.headers.contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    let caller = crate::auth::authenticate_bearer(parts, state).await?;
    match caller.role {
        axon_domain::model::Role::Admin => Ok(Some(match caller.key {
            KeyRef::Stored(id) => id.to_string(),
            KeyRef::Bootstrap(_) => "bootstrap".into(),
        })),
        axon_domain::model::Role::Viewer => Err(ApiError::forbidden(
            "a VIEWER key cannot send backend events; use an ADMIN key",
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/behavior/events", tag = "collect",
    security((), ("writeKey" = []), ("apiKey" = [])),
    request_body(content(
        (Object = "application/json"),
        (String = "text/plain"),
    ), description = "one event or `{\"events\": [...]}` (at most 1 MiB; text/plain carries the same JSON, for `sendBeacon`). Approvals and purchases need an ADMIN bearer key."),
    responses((status = 202, description = "stored durably", body = CollectReport), CollectErrors))]
async fn collect(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    req: Request,
) -> ApiResult<(StatusCode, Json<CollectReport>)> {
    let (parts, body) = req.into_parts();
    let client = client.map(|ip| ip.to_string());
    check_write_key(&state, &parts)?;
    check_content_type(&parts)?;
    let key = trusted_sender(&state, &parts).await?;
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            Kind::PayloadTooLarge,
            "PAYLOAD_TOO_LARGE",
            format!("a request carries at most {MAX_BODY} bytes"),
        )
    })?;
    let sender = Sender {
        client: client.as_deref(),
        key: key.as_deref(),
        trusted: key.is_some(),
    };
    let report = state.collect.collect(sender, &bytes).await?;
    Ok((StatusCode::ACCEPTED, Json(report)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    activity_id: Option<i64>,
    trigger_type: Option<String>,
    user_id: Option<String>,
    limit: Option<usize>,
    before: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/behavior/events", tag = "collect", params(ListQuery), responses((status = 200, body = EventPage), ReadErrors))]
async fn list(
    _: Viewer,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(100);
    let trigger_type = q
        .trigger_type
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(TriggerType::parse)
        .transpose()?;
    let query = EventQuery {
        activity_id: q.activity_id,
        trigger_type,
        user_id: q.user_id,
        before: q.before,
        limit,
    };
    let page = state.collect.list(query).await?;
    let events: Vec<Value> = page
        .events
        .into_iter()
        .map(|(seq, e)| {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            v["seq"] = Value::from(seq);
            v
        })
        .collect();
    Ok(Json(
        json!({"events": events, "total": page.total, "nextBefore": page.next_before}),
    ))
}
