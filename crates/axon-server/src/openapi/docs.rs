//! `/api/v1/openapi.json` and the Swagger UI at `/docs/` (files of the vendored swagger-ui-dist
//! embedded by `utoipa-swagger-ui`; the configuration is its external
//! `swagger-initializer.js`, with the online validator off so the page loads nothing foreign).

use super::errors::PageErrors;
use crate::error::ApiError;
use axum::extract::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::{Arc, LazyLock};
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::Config;

/// The serialised document, built once when the router is.
#[derive(Clone)]
pub struct OpenApiJson(pub Arc<String>);

const DOC_URL: &str = "/api/v1/openapi.json";

static SWAGGER: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::new([DOC_URL])
            .validator_url("none")
            .try_it_out_enabled(true)
            .persist_authorization(false),
    )
});

/// The document's own routes and the UI's.
pub fn router() -> OpenApiRouter<crate::state::AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs_redirect))
        .routes(routes!(docs_index))
        .routes(routes!(docs_asset))
}

/// The OpenAPI 3.1 document of this server.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "docs",
    responses((status = 200, description = "the OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub async fn openapi_json(Extension(doc): Extension<OpenApiJson>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc.0.as_str().to_owned(),
    )
        .into_response()
}

/// `/docs` → `/docs/` (the UI's files are addressed relative to the folder).
#[utoipa::path(get, path = "/docs", tag = "docs",
    responses((status = 303, description = "to `/docs/`")))]
pub async fn docs_redirect() -> Redirect {
    Redirect::to("/docs/")
}

/// The Swagger UI page.
#[utoipa::path(get, path = "/docs/", tag = "docs",
    responses((status = 200, description = "the Swagger UI page", content_type = "text/html", body = String), PageErrors))]
pub async fn docs_index() -> Result<Response, ApiError> {
    file("index.html")
}

/// A file of the Swagger UI (scripts, styles, its initializer).
#[utoipa::path(get, path = "/docs/{file}", tag = "docs",
    params(("file" = String, Path, description = "e.g. `swagger-ui-bundle.js`")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream", body = String), PageErrors))]
pub async fn docs_asset(
    crate::extract::ApiPath(name): crate::extract::ApiPath<String>,
) -> Result<Response, ApiError> {
    file(&name)
}

fn file(name: &str) -> Result<Response, ApiError> {
    let found = utoipa_swagger_ui::serve(name, SWAGGER.clone()).map_err(ApiError::internal)?;
    let f = found.ok_or_else(|| ApiError::not_found("NOT_FOUND", "no such file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        f.bytes.into_owned(),
    )
        .into_response())
}
