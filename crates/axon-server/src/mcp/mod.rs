//! The MCP server (Model Context Protocol, via the official `rmcp` SDK): the question box, the
//! dashboards, campaigns and activities, cohorts, realtime stock and drop-off lists as tools, and
//! a summary of every campaign and activity as a resource, for AI assistants.
//!
//! Two transports: streamable HTTP at `/mcp` (a bearer key on every request, stateless, JSON
//! answers; see [`router`]) and stdio (`axon mcp`, the key from the environment). Every tool is a
//! call of the REST API made in-process with the caller's own key ([`tools`]), so an assistant
//! gets exactly the API's numbers, `definition` lines, validation, errors and roles. No tool
//! writes anything: a VIEWER key may use them all.

mod tools;

use crate::auth::authenticate;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;

/// One assistant's connection: the API it calls and, over stdio, the key it calls it with
/// (over HTTP each request's own `Authorization` header is passed on).
#[derive(Clone)]
pub struct AxonMcp {
    api: Router,
    key: Option<String>,
}

impl AxonMcp {
    /// Over stdio: every call is made with `key`.
    pub fn with_key(api: Router, key: String) -> AxonMcp {
        AxonMcp {
            api,
            key: Some(key),
        }
    }

    /// The `Authorization` value of this call: the stdio key, or the HTTP request's header.
    fn authorization(&self, context: &RequestContext<RoleServer>) -> Option<HeaderValue> {
        if let Some(k) = &self.key {
            return HeaderValue::from_str(&format!("Bearer {k}")).ok();
        }
        context
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|p| p.headers.get(header::AUTHORIZATION).cloned())
    }

    /// Whether `key` opens the API (the stdio command checks it once before serving).
    pub async fn key_is_valid(&self) -> bool {
        let auth = self.key.as_deref().map(|k| format!("Bearer {k}"));
        let auth = auth.and_then(|a| HeaderValue::from_str(&a).ok());
        tools::call(&self.api, auth, "GET", "/api/v1/campaigns", None)
            .await
            .0
            == 200
    }
}

impl ServerHandler for AxonMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_instructions(
            "Axon: first-come-first-served promotions and their marketing analytics. Ask questions \
             in Korean or English with `ask`, read dashboards with `get_dashboard`, find ids with \
             `list_campaigns` / `find_activities`. Every number is exact and comes with its \
             definition; times are in the business time zone.",
        )
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::catalogue()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let auth = self.authorization(&context);
        let args = request.arguments.unwrap_or_default();
        tools::run(&self.api, auth, &request.name, &args)
            .await
            .map(Into::into)
    }

    async fn list_resources(
        &self,
        _: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let auth = self.authorization(&context);
        Ok(ListResourcesResult::with_all_items(
            tools::resources(&self.api, auth).await?,
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let auth = self.authorization(&context);
        tools::read(&self.api, auth, &request.uri)
            .await
            .map(Into::into)
    }
}

/// `/mcp`: MCP over streamable HTTP for `api`, behind a bearer key (a missing or wrong key is
/// our JSON 401 before any MCP processing). Stateless: any node can answer any request.
pub fn router(api: Router, state: &AppState) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true);
    let service = StreamableHttpService::new(
        move || {
            Ok(AxonMcp {
                api: api.clone(),
                key: None,
            })
        },
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new()
        .route_service("/mcp", service)
        .route_layer(from_fn_with_state(state.clone(), require_key))
}

async fn require_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match authenticate(&parts, &state).await {
        Ok(_) => next.run(Request::from_parts(parts, body)).await,
        Err(e) => e.into_response(),
    }
}
