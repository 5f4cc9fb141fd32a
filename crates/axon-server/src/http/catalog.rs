//! Products (`/api/v1/products`) and user profiles (`/api/v1/users/{id}`).

use super::{double_option, fact_instant, name, non_negative};
use crate::auth::{Admin, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::errors::{ReadErrors, WriteErrors};
use crate::openapi::{Id, UserId};
use crate::state::AppState;
use axon_domain::model::{Grade, Product, ProductId, UserProfile};
use axon_domain::Dec2;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(show_product, update_product))
        .routes(routes!(show_user, put_user))
}

/// The answer of `GET /api/v1/products` (doc only: the handler builds it as JSON).
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
struct ProductList {
    total: usize,
    products: Vec<Product>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ProductInput {
    name: Option<String>,
    price: Option<Dec2>,
    stock: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    brand: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Dec2>)]
    discount_rate: Option<Option<Dec2>>,
}

fn apply_product(mut p: Product, input: ProductInput, creating: bool) -> ApiResult<Product> {
    if input.name.is_some() || creating {
        p.name = name("name", input.name.as_deref(), 200)?;
    }
    match (input.price, creating) {
        (Some(v), _) => p.price = non_negative("price", v)?,
        (None, true) => return Err(ApiError::validation("price is required")),
        (None, false) => {}
    }
    if let Some(s) = input.stock {
        if s < 0 {
            return Err(ApiError::validation("stock must be ≥ 0"));
        }
        p.stock = s;
    }
    if let Some(c) = input.category {
        p.category = c;
    }
    if let Some(b) = input.brand {
        p.brand = b;
    }
    if let Some(d) = input.discount_rate {
        if d.is_some_and(|d| d.0 < 0 || d.0 > 10_000) {
            return Err(ApiError::validation(
                "discountRate must be between 0 and 100",
            ));
        }
        p.discount_rate = d;
    }
    Ok(p)
}

async fn find_product(state: &AppState, id: ProductId) -> ApiResult<Product> {
    state.admin.repo().product(id).await?.ok_or_else(|| {
        ApiError::not_found("PRODUCT_NOT_FOUND", format!("product {id} does not exist"))
    })
}

#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductInput, responses((status = 201, body = Product), WriteErrors))]
async fn create_product(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ProductInput>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    let blank = Product {
        id: 0,
        name: String::new(),
        price: Dec2::ZERO,
        stock: 0,
        category: None,
        brand: None,
        discount_rate: None,
    };
    let p = apply_product(blank, input, true)?;
    let saved = state.admin.save_product(p).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", responses((status = 200, body = ProductList), ReadErrors))]
async fn list_products(_: Viewer, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let products = state.admin.repo().products().await?;
    Ok(Json(json!({"total": products.len(), "products": products})))
}

#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog", params(Id), responses((status = 200, body = Product), ReadErrors))]
async fn show_product(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ProductId>,
) -> ApiResult<Json<Product>> {
    Ok(Json(find_product(&state, id).await?))
}

#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "catalog", params(Id), request_body = ProductInput, responses((status = 200, body = Product), WriteErrors))]
async fn update_product(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ProductId>,
    ApiJson(input): ApiJson<ProductInput>,
) -> ApiResult<Json<Product>> {
    let p = apply_product(find_product(&state, id).await?, input, false)?;
    let saved = state.admin.save_product(p).await?;
    Ok(Json(saved))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ProfileInput {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    grade: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    age: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    region: Option<Option<String>>,
    /// Normally maintained from purchases; accepted so profiles can be migrated from elsewhere.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    last_purchase_at: Option<Option<String>>,
}

fn valid_user_id(id: &str) -> ApiResult<()> {
    if id.is_empty() || id.len() > 128 {
        return Err(ApiError::validation("a userId has 1 to 128 characters"));
    }
    Ok(())
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "catalog", params(UserId), request_body = ProfileInput, responses((status = 200, body = UserProfile), WriteErrors))]
async fn put_user(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<UserProfile>> {
    valid_user_id(&id)?;
    let mut p = state
        .admin
        .repo()
        .profile(&id)
        .await?
        .unwrap_or(UserProfile {
            user_id: id,
            ..UserProfile::default()
        });
    if let Some(g) = input.grade {
        p.grade = g.map(|g| Grade::parse(&g)).transpose()?;
    }
    if let Some(a) = input.age {
        if a.is_some_and(|a| !(0..=150).contains(&a)) {
            return Err(ApiError::validation("age must be between 0 and 150"));
        }
        p.age = a;
    }
    if let Some(r) = input.region {
        if r.as_ref().is_some_and(|r| r.chars().count() > 100) {
            return Err(ApiError::validation("region is longer than 100 characters"));
        }
        p.region = r.filter(|r| !r.trim().is_empty());
    }
    if let Some(l) = input.last_purchase_at {
        p.last_purchase_at = fact_instant(&state, "lastPurchaseAt", l.as_deref())?;
    }
    Ok(Json(state.admin.save_profile(p).await?))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "catalog", params(UserId), responses((status = 200, body = UserProfile), ReadErrors))]
async fn show_user(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<UserProfile>> {
    state
        .admin
        .repo()
        .profile(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("USER_NOT_FOUND", format!("no profile for user {id}")))
}
