//! Event collection (SPEC §2.2): `POST /api/v1/behavior/events` — public, CORS, optional write
//! key, rate- and size-limited, 202 only once durable; and the admin's
//! `GET /api/v1/behavior/events` for checking a tracker integration.

use super::MAX_BODY;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, Kind};
use crate::extract::ApiQuery;
use crate::metrics::Metrics;
use crate::state::AppState;
use axon_domain::event::{parse_event, Event, MAX_BATCH_EVENTS};
use axon_domain::model::TriggerType;
use axon_store::EventQuery;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new().route(
        "/api/v1/behavior/events",
        post(collect)
            .get(list)
            .options(preflight)
            .layer(cors(state)),
    )
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

/// Parses every event of a body; any invalid one rejects the whole batch with per-index reasons.
fn parse_batch(state: &AppState, body: &[u8]) -> ApiResult<Vec<Event>> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("MALFORMED_JSON", format!("the body is not valid JSON: {e}"))
    })?;
    let items = match v {
        Value::Array(items) => items,
        obj @ Value::Object(_) => vec![obj],
        _ => {
            return Err(ApiError::bad_request(
                "INVALID_EVENTS",
                "the body must be an event object or an array of events",
            ))
        }
    };
    if items.is_empty() {
        return Err(ApiError::bad_request(
            "EMPTY_BATCH",
            "the batch has no events",
        ));
    }
    if items.len() > MAX_BATCH_EVENTS {
        return Err(ApiError::bad_request(
            "TOO_MANY_EVENTS",
            format!("at most {MAX_BATCH_EVENTS} events per request"),
        ));
    }
    let now = state.now();
    let mut events = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match parse_event(item, now, state.tz()) {
            Ok(mut e) => {
                if let Some(c) = e.activity_id.and_then(|a| state.campaign_of(a)) {
                    e.enrich_campaign(c);
                }
                events.push(e);
            }
            Err(reasons) => errors.push(json!({"index": index, "reasons": reasons})),
        }
    }
    if !errors.is_empty() {
        Metrics::inc(&state.metrics.events_rejected_total, items.len() as u64);
        let n = errors.len();
        return Err(ApiError::bad_request(
            "INVALID_EVENTS",
            format!(
                "{n} of {} events are invalid; none were stored",
                items.len()
            ),
        )
        .with("errors", Value::Array(errors)));
    }
    Ok(events)
}

async fn collect(
    State(state): State<AppState>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (parts, body) = req.into_parts();
    if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        if !state.limiter.allow(addr.ip(), state.now().0) {
            Metrics::inc(&state.metrics.rate_limited_total, 1);
            return Err(ApiError::new(
                Kind::TooManyRequests,
                "RATE_LIMITED",
                "too many requests from this address; slow down",
            ));
        }
    }
    check_write_key(&state, &parts)?;
    check_content_type(&parts)?;
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            Kind::PayloadTooLarge,
            "PAYLOAD_TOO_LARGE",
            format!("a request carries at most {MAX_BODY} bytes"),
        )
    })?;
    let events = parse_batch(&state, &bytes)?;
    let report = state.events.append(events.clone()).await?;
    let stored: Vec<(u64, Event)> = report
        .seqs
        .iter()
        .zip(events)
        .filter_map(|(s, e)| s.map(|s| (s, e)))
        .collect();
    state.observe(&stored, &[], &[]);
    let m = &state.metrics;
    Metrics::inc(&m.events_accepted_total, report.accepted() as u64);
    Metrics::inc(&m.events_duplicate_total, report.duplicates() as u64);
    Metrics::inc(&m.event_batches_total, 1);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"accepted": report.accepted(), "duplicates": report.duplicates()})),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    activity_id: Option<i64>,
    trigger_type: Option<String>,
    user_id: Option<String>,
    limit: Option<usize>,
    before: Option<u64>,
}

async fn list(
    _: Viewer,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request(
            "INVALID_QUERY",
            "limit must be between 1 and 1000",
        ));
    }
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
    let events = state.events.clone();
    let page = tokio::task::spawn_blocking(move || events.query(&query))
        .await
        .map_err(ApiError::internal)??;
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
