//! Share links (issue 17 §3): ADMIN keys create, list and revoke them under
//! `/api/v1/admin/shares` (VIEWER keys get 403: a link is a capability handed outside, so who
//! may see which links exist is an admin matter); a shared page reads its heading and default
//! period from `GET /api/v1/share/context` with its token.

use crate::auth::Admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{AdminReadErrors, SharedReadErrors, WriteErrors};
use crate::openapi::Id;
use crate::share_access::Reader;
use crate::state::AppState;
use axon_domain::share::{ScopeKind, ShareDraft};
use axon_services::shares::{ShareContext, ShareEntry};
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
        .routes(routes!(revoke))
        .routes(routes!(context))
}

/// A new link: `scope` `ACTIVITY` or `CAMPAIGN`, the period the page opens on (`1d`, `7d`
/// (default) or `30d`), the expiry in hours (required, 1–2160 = 90 days), a label.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ShareInput {
    scope: String,
    scope_id: i64,
    period: Option<String>,
    expires_in_hours: Option<i64>,
    label: Option<String>,
}

/// A created link: the entry and, this once, its token and page path.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct Created {
    #[serde(flatten)]
    entry: ShareEntry,
    /// The secret: shown only in this answer (only its SHA-256 is stored).
    token: String,
    /// `/share/{token}`: the page to hand out.
    path: String,
}

/// `GET /api/v1/admin/shares` (doc only).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct ShareList {
    total: usize,
    shares: Vec<ShareEntry>,
}

#[utoipa::path(post, path = "/api/v1/admin/shares", tag = "shares", request_body = ShareInput, responses((status = 201, body = Created), WriteErrors))]
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let draft = ShareDraft {
        scope: ScopeKind::parse_any(&input.scope)?,
        scope_id: input.scope_id,
        period: input.period,
        expires_in_hours: input.expires_in_hours,
        label: input.label,
    };
    let (entry, token) = state.shares.create(draft).await?;
    let mut v = json!(entry);
    v["path"] = json!(format!("/share/{token}"));
    v["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/admin/shares", tag = "shares", responses((status = 200, body = ShareList), AdminReadErrors))]
async fn list(_: Admin, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let shares = state.shares.list().await?;
    Ok(Json(json!({"total": shares.len(), "shares": shares})))
}

/// Revokes a link: from now on it answers 410 `SHARE_REVOKED` (its open live streams end
/// within 5 s).
#[utoipa::path(delete, path = "/api/v1/admin/shares/{id}", tag = "shares", params(Id), responses((status = 200, body = ShareEntry), WriteErrors))]
async fn revoke(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ShareEntry>> {
    Ok(Json(state.shares.revoke(id).await?))
}

/// What a shared page shows in its heading, and the period it opens on (the share token only).
#[utoipa::path(get, path = "/api/v1/share/context", tag = "shares", security(("share" = [])), responses((status = 200, body = ShareContext), SharedReadErrors))]
async fn context(reader: Reader, State(state): State<AppState>) -> ApiResult<Json<ShareContext>> {
    match reader {
        Reader::Share(link) => Ok(Json(state.shares.context(&link)?)),
        Reader::Key(_) => Err(ApiError::from(axon_services::ServiceError::invalid(
            "INVALID_QUERY",
            "this endpoint answers a share link's context: send its token as X-Axon-Share",
        ))),
    }
}
