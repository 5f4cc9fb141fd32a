//! The web pages (SPEC §8): a server-rendered shell per page that the embedded `app.js` fills
//! from the JSON API (so every number on screen is the API's), the admin login (key → signed
//! HttpOnly session cookie), and the embedded static assets: the tracker, Chart.js (vendored
//! from npm), our CSS and JS. Nothing is fetched from a CDN.

use crate::auth::{self, SESSION_COOKIE};
use crate::extract::{ApiForm, ApiPath, ApiQuery, ClientIp};
use crate::openapi::errors::PageErrors;
use crate::session;
use crate::state::AppState;
use axon_domain::model::Role;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

mod guide;
mod share;
mod shop;
use serde::Deserialize;

/// The dashboards' script: fragments of one function scope, concatenated in this order (each
/// file is a part of the page code, not a module of its own; see `assets/js/prelude.js`).
const APP_JS: &str = concat!(
    include_str!("../../assets/js/prelude.js"),
    include_str!("../../assets/js/i18n.js"),
    include_str!("../../assets/js/words.js"),
    include_str!("../../assets/js/format.js"),
    include_str!("../../assets/js/labels.js"),
    include_str!("../../assets/js/widgets.js"),
    include_str!("../../assets/js/exports.js"),
    include_str!("../../assets/js/notes.js"),
    include_str!("../../assets/js/share.js"),
    include_str!("../../assets/js/alerts.js"),
    include_str!("../../assets/js/live.js"),
    include_str!("../../assets/js/panels.js"),
    include_str!("../../assets/js/empty.js"),
    include_str!("../../assets/js/ask.js"),
    include_str!("../../assets/js/range.js"),
    include_str!("../../assets/js/heat.js"),
    include_str!("../../assets/js/breakdown.js"),
    include_str!("../../assets/js/ordered.js"),
    include_str!("../../assets/js/dropoff.js"),
    include_str!("../../assets/js/retention.js"),
    include_str!("../../assets/js/entries.js"),
    include_str!("../../assets/js/activity.js"),
    include_str!("../../assets/js/campaign.js"),
    include_str!("../../assets/js/overview.js"),
    include_str!("../../assets/js/cohort.js"),
    include_str!("../../assets/js/filters.js"),
    include_str!("../../assets/js/admin.js"),
    include_str!("../../assets/js/shop.js"),
    include_str!("../../assets/js/operations.js"),
    include_str!("../../assets/js/main.js"),
);
/// The dashboards' styles: the base sheet, then the controls and dense tables.
const APP_CSS: &str = concat!(
    include_str!("../../assets/app.css"),
    include_str!("../../assets/controls.css"),
);
const TRACKER_JS: &str = include_str!("../../assets/axon.js");
const SHOP_CONFIG_JS: &str = include_str!("../../assets/shop-config.js");
const CHART_JS: &str = include_str!("../../assets/vendor/chartjs/chart.umd.min.js");
const CHART_LICENSE: &str = include_str!("../../assets/vendor/chartjs/LICENSE.md");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// How long an admin session lasts.
const SESSION_HOURS: i64 = 12;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(root))
        .routes(routes!(admin))
        .routes(routes!(login_form, login))
        .routes(routes!(logout))
        .routes(routes!(overview))
        .routes(routes!(campaign))
        .routes(routes!(cohort))
        .routes(routes!(activity))
        .routes(routes!(campaigns))
        .routes(routes!(operations))
        .merge(shop::router())
        .merge(share::router())
        .merge(guide::router())
        .routes(routes!(tracker_js))
        .routes(routes!(shop_config_js))
        .routes(routes!(app_js))
        .routes(routes!(app_css))
        .routes(routes!(chart_js))
        .routes(routes!(favicon_svg))
        .routes(routes!(favicon_ico))
        .routes(routes!(chart_license))
}

/// Declares an embedded asset's handler and its OpenAPI operation.
macro_rules! asset_route {
    ($name:ident, $path:literal, $ct:literal, $body:expr) => {
        #[utoipa::path(get, path = $path, tag = "pages", security(()),
                                    responses((status = 200, content_type = $ct, body = String)))]
        async fn $name() -> Response {
            asset($ct, $body)
        }
    };
}

asset_route!(
    tracker_js,
    "/axon.js",
    "application/javascript; charset=utf-8",
    TRACKER_JS
);
asset_route!(
    shop_config_js,
    "/assets/shop-config.js",
    "application/javascript; charset=utf-8",
    SHOP_CONFIG_JS
);
asset_route!(
    app_js,
    "/assets/app.js",
    "application/javascript; charset=utf-8",
    APP_JS
);
asset_route!(
    app_css,
    "/assets/app.css",
    "text/css; charset=utf-8",
    APP_CSS
);
asset_route!(
    chart_js,
    "/assets/chart.umd.min.js",
    "application/javascript; charset=utf-8",
    CHART_JS
);
asset_route!(favicon_svg, "/favicon.svg", "image/svg+xml", FAVICON);
asset_route!(
    chart_license,
    "/assets/chart.js.LICENSE.md",
    "text/plain; charset=utf-8",
    CHART_LICENSE
);

#[utoipa::path(get, path = "/favicon.ico", tag = "pages", security(()),
    responses((status = 308, description = "to `/favicon.svg`")))]
async fn favicon_ico() -> Redirect {
    Redirect::permanent("/favicon.svg")
}

#[utoipa::path(get, path = "/", tag = "pages", security(()),
    responses((status = 303, description = "to the overview dashboard")))]
async fn root() -> Redirect {
    Redirect::to("/admin/dashboard/overview")
}

#[utoipa::path(get, path = "/admin", tag = "pages", security(()),
    responses((status = 303, description = "to the overview dashboard")))]
async fn admin() -> Redirect {
    Redirect::to("/admin/dashboard/overview")
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The shared page shell: header, language toggle, and the mount point `app.js` renders into.
/// The nav is Korean here; `app.js` puts it in the chosen language (`data-t` names the string).
/// The two language buttons name themselves in their own language and say so (`lang`).
pub fn shell(title: &str, page: &str, id: &str, tz: (&str, &str), with_nav: bool) -> Html<String> {
    let nav = if with_nav {
        r#"<a href="/admin/dashboard/overview" data-t="overview">전체 개요</a><a href="/admin/campaigns" data-t="campaigns">캠페인 관리</a><a href="/admin/operations" data-t="operations">운영 현황</a><span class="spacer"></span>
<button class="ghost" data-lang="ko" lang="ko">한국어</button><button class="ghost" data-lang="en" lang="en">English</button><a href="/admin/logout" data-t="logout">로그아웃</a>"#
    } else {
        ""
    };
    shell_with(title, page, id, tz, nav, "")
}

/// [`shell`] with the header's links (`nav`, trusted HTML) and extra `<body>` attributes
/// (`attrs`, trusted HTML with escaped values) given.
pub fn shell_with(
    title: &str,
    page: &str,
    id: &str,
    tz: (&str, &str),
    nav: &str,
    attrs: &str,
) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Axon · {title}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"><script src="/assets/chart.umd.min.js"></script><script defer src="/assets/app.js"></script></head>
<body data-page="{page}" data-id="{id}" data-tz="{tz}" data-tzabbr="{abbr}"{attrs}><header><span class="brand">Axon</span>{nav}</header><main id="app"><div class="loading">불러오는 중… · Loading…</div></main></body></html>"#,
        title = esc(title),
        page = esc(page),
        id = esc(id),
        tz = esc(tz.0),
        abbr = esc(tz.1),
    ))
}

/// The signed-in role, when the browser's session is genuine and still live (not signed out,
/// its key not revoked).
async fn session_role(headers: &HeaderMap, state: &AppState) -> Option<Role> {
    auth::session_caller(headers, state)
        .await
        .ok()
        .flatten()
        .map(|c| c.role)
}

/// A page for a signed-in browser, or a redirect to the login page.
async fn guarded(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    page: impl FnOnce() -> Html<String>,
) -> Response {
    match session_role(headers, state).await {
        Some(_) => page().into_response(),
        None => to_login(path),
    }
}

fn to_login(path: &str) -> Response {
    Redirect::to(&format!("/admin/login?next={}", urlencode(path))).into_response()
}

/// The tab title of an activity's pages: its name (the id when there is no such activity; the
/// page then shows the API's 404).
async fn activity_title(s: &AppState, id: i64) -> String {
    s.admin
        .activity(id)
        .await
        .map_or_else(|_| format!("#{id}"), |a| a.name)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[utoipa::path(get, path = "/admin/dashboard/overview", tag = "pages", security(("session" = [])), responses((status = 200, description = "the page (filled by `/assets/app.js` from the API)", content_type = "text/html", body = String), (status = 303, description = "to `/admin/login` without a live session"), PageErrors))]
async fn overview(State(s): State<AppState>, h: HeaderMap) -> Response {
    guarded(&s, &h, "/admin/dashboard/overview", || {
        shell(
            "전체 개요",
            "overview",
            "",
            (s.tz().name(), &s.tz().abbreviation(s.now())),
            true,
        )
    })
    .await
}

#[utoipa::path(get, path = "/admin/dashboard/campaign/{id}", tag = "pages", security(("session" = [])), params(crate::openapi::Id), responses((status = 200, description = "the page (filled by `/assets/app.js` from the API)", content_type = "text/html", body = String), (status = 303, description = "to `/admin/login` without a live session"), PageErrors))]
async fn campaign(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<i64>) -> Response {
    let path = format!("/admin/dashboard/campaign/{id}");
    if session_role(&h, &s).await.is_none() {
        return to_login(&path);
    }
    let title = s
        .admin
        .campaign(id)
        .await
        .map_or_else(|_| format!("#{id}"), |c| c.name);
    shell(
        &title,
        "campaign",
        &id.to_string(),
        (s.tz().name(), &s.tz().abbreviation(s.now())),
        true,
    )
    .into_response()
}

#[utoipa::path(get, path = "/admin/dashboard/{id}", tag = "pages", security(("session" = [])), params(crate::openapi::Id), responses((status = 200, description = "the page (filled by `/assets/app.js` from the API)", content_type = "text/html", body = String), (status = 303, description = "to `/admin/login` without a live session"), PageErrors))]
async fn activity(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<i64>) -> Response {
    let path = format!("/admin/dashboard/{id}");
    if session_role(&h, &s).await.is_none() {
        return to_login(&path);
    }
    shell(
        &activity_title(&s, id).await,
        "activity",
        &id.to_string(),
        (s.tz().name(), &s.tz().abbreviation(s.now())),
        true,
    )
    .into_response()
}

#[utoipa::path(get, path = "/admin/dashboard/cohort/{id}", tag = "pages", security(("session" = [])), params(crate::openapi::Id), responses((status = 200, description = "the page (filled by `/assets/app.js` from the API)", content_type = "text/html", body = String), (status = 303, description = "to `/admin/login` without a live session"), PageErrors))]
async fn cohort(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<i64>) -> Response {
    let path = format!("/admin/dashboard/cohort/{id}");
    if session_role(&h, &s).await.is_none() {
        return to_login(&path);
    }
    shell(
        &format!("{} · 코호트 LTV", activity_title(&s, id).await),
        "cohort",
        &id.to_string(),
        (s.tz().name(), &s.tz().abbreviation(s.now())),
        true,
    )
    .into_response()
}

#[utoipa::path(get, path = "/admin/campaigns", tag = "pages", security(("session" = [])), responses((status = 200, description = "the page (filled by `/assets/app.js` from the API)", content_type = "text/html", body = String), (status = 303, description = "to `/admin/login` without a live session"), PageErrors))]
async fn campaigns(State(s): State<AppState>, h: HeaderMap) -> Response {
    guarded(&s, &h, "/admin/campaigns", || {
        shell(
            "캠페인 관리",
            "campaigns",
            "",
            (s.tz().name(), &s.tz().abbreviation(s.now())),
            true,
        )
    })
    .await
}

#[utoipa::path(get, path = "/admin/operations", tag = "pages", security(("session" = [])), responses((status = 200, description = "the page (filled by `/assets/app.js` from the API)", content_type = "text/html", body = String), (status = 303, description = "to `/admin/login` without a live session"), PageErrors))]
async fn operations(State(s): State<AppState>, h: HeaderMap) -> Response {
    guarded(&s, &h, "/admin/operations", || {
        shell(
            "운영 현황",
            "operations",
            "",
            (s.tz().name(), &s.tz().abbreviation(s.now())),
            true,
        )
    })
    .await
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Next {
    next: Option<String>,
}

/// Only local paths: never redirect a login to another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/admin/dashboard/overview".to_string(),
    }
}

/// The login form, in Korean until `app.js` puts it in the language the browser chose before
/// (`data-t` names each string). No language buttons here: the first button signs in.
fn login_page(next: &str, refused: bool) -> Html<String> {
    let err = if refused {
        r#"<div class="error" data-t="badKey">키가 올바르지 않습니다</div>"#
    } else {
        ""
    };
    Html(format!(
        r#"<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Axon · 로그인</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"><script defer src="/assets/app.js"></script></head><body data-page="login"><header><span class="brand">Axon</span></header>
<main><div class="card" style="max-width:420px;margin:40px auto"><h1 data-t="loginTitle">관리자 로그인</h1>{err}
<form class="stack" method="post" action="/admin/login"><label><span data-t="loginKey">관리자 키</span><input type="password" name="key" placeholder="AXON_ADMIN_KEY" autocomplete="current-password" required autofocus></label>
<input type="hidden" name="next" value="{next}"><button data-t="signIn">로그인</button></form></div></main></body></html>"#,
        next = esc(next)
    ))
}

#[utoipa::path(get, path = "/admin/login", tag = "pages", security(()), params(Next), responses((status = 200, content_type = "text/html", body = String), PageErrors))]
async fn login_form(ApiQuery(q): ApiQuery<Next>) -> Html<String> {
    login_page(&safe_next(q.next.as_deref()), false)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LoginForm {
    key: String,
    next: Option<String>,
}

/// Signs in with an API key: sets the HttpOnly session cookie and redirects to `next`.
#[utoipa::path(post, path = "/admin/login", tag = "pages", security(()),
    request_body(content = LoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "signed in: the session cookie is set"),
        (status = 401, description = "the key was refused: the form again", content_type = "text/html", body = String),
        (status = 400, description = "the form is malformed", body = crate::openapi::errors::Error),
        (status = 413, description = "the form is too large", body = crate::openapi::errors::Error),
        (status = 415, description = "not a form", body = crate::openapi::errors::Error),
        (status = 429, description = "`TOO_MANY_ATTEMPTS`", body = crate::openapi::errors::Error),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiForm(f): ApiForm<LoginForm>,
) -> Response {
    // Throttled before the key is looked at, so guessing costs time whatever the answer.
    if let (Some(limiter), Some(ip)) = (&state.login_limiter, ip) {
        if limiter.check_key(&ip).is_err() {
            limiter.retain_recent();
            return crate::error::ApiError::new(
                crate::error::Kind::TooManyRequests,
                "TOO_MANY_ATTEMPTS",
                "too many sign-in attempts from this address; wait a minute",
            )
            .into_response();
        }
    }
    let next = safe_next(f.next.as_deref());
    match auth::caller_for_key(&state, f.key.trim()).await {
        Ok(caller) => {
            let expires = state.now().plus_ms(SESSION_HOURS * 3_600_000);
            let value = session::mint(
                &state.session_secret,
                &session::new_sid(),
                &caller.key,
                caller.role,
                expires,
            );
            let cookie =
                session::set_cookie(&value, SESSION_HOURS * 3600, state.config.secure_cookie);
            let mut resp = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(_) => (StatusCode::UNAUTHORIZED, login_page(&next, true)).into_response(),
    }
}

/// Signs the session out server-side (every node sharing the store refuses its cookie from now
/// on), then clears the cookie.
#[utoipa::path(get, path = "/admin/logout", tag = "pages", security(()), responses((status = 303, description = "signed out: to `/admin/login`"), (status = 500, description = "the sign-out could not be stored", body = crate::openapi::errors::Error)))]
async fn logout(State(state): State<AppState>, h: HeaderMap) -> Response {
    if let Some(s) = auth::cookie(&h, SESSION_COOKIE)
        .and_then(|v| session::verify(&state.session_secret, &v, state.now()))
    {
        if let Err(e) = auth::sign_out(&state, &s).await {
            return e.into_response();
        }
    }
    let mut resp = Redirect::to("/admin/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::clear_cookie(state.config.secure_cookie)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
