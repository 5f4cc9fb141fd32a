//! The demo storefront (SPEC §8 `/demo/shop/activity/{id}`): the product, a countdown, remaining
//! stock, the FCFS entry button and the payment modal, with the tracker embedded; Korean until
//! the shopper picks English (the same toggle as the dashboards). Shoppers get
//! a signed end-user token from `POST /demo/api/session`, which exists only in demo mode.

use super::esc;
use crate::auth::mint_jwt;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::openapi::errors::PageErrors;
use crate::state::AppState;
use axon_domain::model::{ActivityStatus, Grade, UserProfile};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(shop))
        .routes(routes!(session))
}

/// A demo shopper's session (doc only).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct DemoSession {
    user_id: String,
    /// An end-user JWT for the gate.
    token: String,
}

#[utoipa::path(get, path = "/demo/shop/activity/{id}", tag = "pages", security(()), params(crate::openapi::Id), responses((status = 200, description = "the demo storefront", content_type = "text/html", body = String), (status = 404, description = "no such published activity", content_type = "text/html", body = String), (status = 400, description = "`INVALID_PATH`", body = crate::openapi::errors::Error)))]
async fn shop(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Response {
    // A DRAFT is not published yet: shoppers must not see it (nor learn that it exists).
    let Ok(Some(a)) = state
        .admin
        .repo()
        .activity(id)
        .await
        .map(|a| a.filter(|a| a.status != ActivityStatus::Draft))
    else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            Html("<h1>404</h1><p>no such activity</p>".to_string()),
        )
            .into_response();
    };
    let product = match a.product_id {
        Some(p) => state.admin.repo().product(p).await.ok().flatten(),
        None => None,
    };
    let config = json!({
        "activityId": a.id, "name": a.name, "price": a.price, "listPrice": product.as_ref().map(|p| p.price),
        "product": product.as_ref().map(|p| p.name.clone()), "startDate": a.start_date, "endDate": a.end_date,
        "demo": state.config.demo,
    });
    Html(format!(
        r#"<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} · Axon 데모 상점</title><link rel="stylesheet" href="/assets/app.css">
<script type="application/json" id="axon-shop">{config}</script><script src="/assets/shop-config.js"></script>
<script src="/axon.js"></script><script defer src="/assets/app.js"></script></head>
<body data-page="shop" data-id="{id}" data-tz="{tz}" data-tzabbr="{abbr}"><header><span class="brand" data-t="shopBrand">Axon 데모 상점</span><span class="spacer"></span>
<button class="ghost" data-lang="ko" lang="ko">한국어</button><button class="ghost" data-lang="en" lang="en">English</button></header><main id="app"><div class="loading">불러오는 중…</div></main></body></html>"#,
        title = esc(&a.name),
        tz = esc(state.tz().name()),
        abbr = esc(&state.tz().abbreviation(state.now())),
        config = config.to_string().replace("</", "<\\/"),
    ))
    .into_response()
}

/// Demo mode only: a fresh shopper with a profile and a one-hour end-user token.
/// Demo mode only: a fresh shopper and their token.
#[utoipa::path(post, path = "/demo/api/session", tag = "pages", security(()), responses((status = 200, body = DemoSession), PageErrors))]
async fn session(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    if !state.config.demo {
        return Err(ApiError::not_found(
            "NOT_FOUND",
            "demo sessions exist only in `axon demo`",
        ));
    }
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    let user = format!(
        "demo-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let profile = UserProfile {
        user_id: user.clone(),
        grade: Some(Grade::Silver),
        age: Some(31),
        region: Some("서울특별시-강남구".into()),
        last_purchase_at: None,
    };
    state.admin.save_profile(profile).await?;
    let token = mint_jwt(
        state.config.jwt_secret.expose().as_bytes(),
        &user,
        state.now().plus_ms(3_600_000),
    );
    Ok(Json(json!({"userId": user, "token": token})))
}
