//! The HTTP surface: one module per area, each exporting `router()`, merged here with the
//! cross-cutting layers (body limit, request metrics and logs, JSON 404/405).

mod activities;
mod alerts;
mod annotations;
mod campaigns;
mod catalog;
mod collect;
mod coupons;
mod dashboard;
mod definitions;
mod entries;
mod export;
mod giveaways;
mod health;
mod keys;
mod live;
mod payments;
mod purchases;
mod query;
mod shares;

use crate::error::{ApiError, Kind};
use crate::openapi::OpenApiJson;
use crate::state::AppState;
use axon_domain::Ts;
use axon_services::Counters as Metrics;
use axum::extract::{DefaultBodyLimit, Extension, Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::Router;
use std::sync::Arc;
use std::time::Instant;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Largest request body accepted anywhere (the collection limit of SPEC §2.1).
pub const MAX_BODY: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let api = api_router(state.clone());
    // MCP calls the API in-process, so its router is the API without `/mcp` itself.
    let app = api.clone().merge(crate::mcp::router(api, &state));
    security_headers(app)
}

/// The Content-Security-Policy of our pages: scripts and everything else from this origin only
/// (no inline script; inline styles stay allowed, the charts and the heat map set them), no
/// framing by other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Security headers on every answer (a handler's own value wins).
fn security_headers(app: Router) -> Router {
    use axum::http::{header, HeaderValue};
    use tower_http::set_header::SetResponseHeaderLayer;
    let set = |name: header::HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    app.layer(set(
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    ))
    .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
    .layer(set(header::X_FRAME_OPTIONS, "DENY"))
    .layer(set(
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    ))
}

/// Every route of the API and the pages, each registered with its OpenAPI operation (the
/// `routes!` of each area): the one route table the router and the document are split from.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(campaigns::router())
        .merge(activities::router())
        .merge(catalog::router())
        .merge(definitions::router(state))
        .merge(keys::router())
        .merge(alerts::router())
        .merge(shares::router())
        .merge(annotations::router())
        .merge(collect::router(state))
        .merge(dashboard::router())
        .merge(live::router())
        .merge(crate::pages::router())
        .merge(entries::router())
        .merge(payments::router())
        .merge(purchases::router())
        .merge(coupons::router())
        .merge(giveaways::router())
        .merge(query::router())
        .merge(crate::openapi::router())
}

/// The OpenAPI document of [`router`] (the `/mcp` endpoint included).
pub fn document(state: &AppState) -> utoipa::openapi::OpenApi {
    let mut doc = routes(state).split_for_parts().1;
    crate::openapi::unique_operation_ids(&mut doc);
    doc
}

fn api_router(state: AppState) -> Router {
    let (router, mut doc) = routes(&state).split_for_parts();
    crate::openapi::unique_operation_ids(&mut doc);
    let json = doc
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(OpenApiJson(Arc::new(json))))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("NOT_FOUND", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        Kind::MethodNotAllowed,
        "METHOD_NOT_ALLOWED",
        "this endpoint does not accept that method",
    )
}

/// Counts every answer by class and logs failures (fields first, message last).
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    // A shared page's path is its token: logs name the route, never the secret.
    let path = if req.uri().path().starts_with("/share/") {
        "/share/{token}".to_string()
    } else {
        req.uri().path().to_string()
    };
    let resp = next.run(req).await;
    let status = resp.status();
    let m = &state.metrics;
    Metrics::inc(&m.http_requests_total, 1);
    if status.is_client_error() {
        Metrics::inc(&m.http_errors_total, 1);
    }
    if status.is_server_error() {
        Metrics::inc(&m.http_server_errors_total, 1);
        tracing::error!(%method, %path, status = status.as_u16(), elapsed_us = started.elapsed().as_micros(), "request failed");
    } else {
        tracing::debug!(%method, %path, status = status.as_u16(), elapsed_us = started.elapsed().as_micros(), "request");
    }
    resp
}

pub(crate) use axon_domain::field::double_option;

/// Reads an optional planned instant (campaign, coupon dates) in the business zone, within the
/// horizon for plans; `field` names it in the error.
pub(crate) fn instant(
    state: &AppState,
    field: &str,
    v: Option<&str>,
) -> Result<Option<Ts>, ApiError> {
    parse_within(state, field, v, false)
}

/// Reads an optional instant of a fact (a purchase, a profile's last purchase), within the
/// horizon for facts.
pub(crate) fn fact_instant(
    state: &AppState,
    field: &str,
    v: Option<&str>,
) -> Result<Option<Ts>, ApiError> {
    parse_within(state, field, v, true)
}

fn parse_within(
    state: &AppState,
    field: &str,
    v: Option<&str>,
    fact: bool,
) -> Result<Option<Ts>, ApiError> {
    let Some(s) = v.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let t = state
        .tz()
        .parse_instant(s)
        .map_err(|e| ApiError::validation(format!("{field}: {}", e.message)))?;
    let h = &state.config.horizon;
    let checked = if fact {
        h.fact(field, t, state.now())
    } else {
        h.plan(field, t, state.now())
    };
    Ok(Some(checked?))
}

/// Trims and checks a required name.
pub(crate) fn name(field: &str, v: Option<&str>, max: usize) -> Result<String, ApiError> {
    Ok(axon_domain::field::required_name(field, v, max)?)
}

pub(crate) fn non_negative(
    field: &str,
    v: axon_domain::Dec2,
) -> Result<axon_domain::Dec2, ApiError> {
    Ok(axon_domain::field::non_negative(field, v)?)
}
