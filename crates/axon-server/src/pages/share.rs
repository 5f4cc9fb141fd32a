//! The shared dashboard page (issue 17 §3): `GET /share/{token}` opens one activity's or
//! campaign's dashboard without login — the same page code, read-only (no admin links or
//! controls, no links to other scopes), its API calls carrying the token. A revoked, expired or
//! unknown link gets a page saying so in Korean and English (410 / 404), never raw JSON. The
//! page is sent with `Referrer-Policy: no-referrer` (the token is in its URL) and is not cached.

use super::{esc, shell_with};
use crate::extract::ApiPath;
use crate::state::AppState;
use axon_domain::share::ScopeKind;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(page))
}

/// The `{token}` path segment.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct Token {
    /// The share token (`axs_…`).
    token: String,
}

/// The header of a shared page: only the language toggle.
const NAV: &str = r#"<span class="shared-tag" data-t="sharedView">공유된 대시보드 (읽기 전용)</span><span class="spacer"></span><button class="ghost" data-lang="ko" lang="ko">한국어</button><button class="ghost" data-lang="en" lang="en">English</button>"#;

/// A page saying why the link does not open, in both languages.
fn refused(code: &str) -> Html<String> {
    let (ko, en) = match code {
        "SHARE_REVOKED" => (
            "이 공유 링크는 취소되었습니다. 링크를 보낸 분께 새 링크를 요청하세요.",
            "This share link has been revoked. Ask whoever sent it for a new one.",
        ),
        "SHARE_EXPIRED" => (
            "이 공유 링크는 만료되었습니다. 링크를 보낸 분께 새 링크를 요청하세요.",
            "This share link has expired. Ask whoever sent it for a new one.",
        ),
        _ => (
            "이 공유 링크를 찾을 수 없습니다. 주소를 확인하세요.",
            "This share link does not exist. Check the address.",
        ),
    };
    Html(format!(
        r#"<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Axon</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"></head>
<body data-page="share-refused" data-code="{code}"><header><span class="brand">Axon</span></header><main id="app"><div class="card share-refused" role="alert" data-code="{code}"><h1 lang="ko">{ko}</h1><p lang="en">{en}</p></div></main></body></html>"#,
        code = esc(code),
    ))
}

#[utoipa::path(get, path = "/share/{token}", tag = "pages", security(()), params(Token), responses(
    (status = 200, description = "the shared dashboard (filled by `/assets/app.js` from the API with the token)", content_type = "text/html", body = String),
    (status = 404, description = "no such link: a page saying so", content_type = "text/html", body = String),
    (status = 410, description = "the link was revoked or has expired: a page saying so", content_type = "text/html", body = String),
    (status = 500, description = "the store could not be read", body = crate::openapi::errors::Error)))]
async fn page(State(s): State<AppState>, ApiPath(token): ApiPath<String>) -> Response {
    let mut resp = match s.shares.resolve(&token).await {
        Ok(link) => {
            let title = s
                .shares
                .context(&link)
                .map_or_else(|_| format!("#{}", link.scope_id), |c| c.name);
            let page = match link.scope {
                ScopeKind::Activity => "activity",
                ScopeKind::Campaign => "campaign",
            };
            let attrs = format!(
                r#" data-share="{}" data-period="{}""#,
                esc(token.trim()),
                esc(&link.period)
            );
            let tz = (s.tz().name(), s.tz().abbreviation(s.now()));
            shell_with(
                &title,
                page,
                &link.scope_id.to_string(),
                (tz.0, &tz.1),
                NAV,
                &attrs,
            )
            .into_response()
        }
        Err(e) if e.code.starts_with("SHARE_") => {
            let status = if e.code == "SHARE_NOT_FOUND" {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::GONE
            };
            (status, refused(e.code)).into_response()
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    };
    let h = resp.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    resp
}
