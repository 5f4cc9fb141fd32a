//! `axon mcp`: the MCP server over stdio, for a desktop assistant that starts Axon itself. It
//! opens the data dir (or the shared database) like `axon serve` but listens on no port: the
//! assistant speaks MCP on stdin/stdout, every call made with the API key in `AXON_API_KEY`
//! (an ADMIN or VIEWER key). Logs go to stderr. Against a running server, point the assistant at
//! its `/mcp` endpoint (streamable HTTP) instead.

use crate::cli::{McpArgs, Settings};
use crate::CliError;
use rmcp::ServiceExt;

pub fn run(settings: &Settings, args: &McpArgs) -> Result<(), CliError> {
    let key = args.key.clone();
    crate::serve::runtime()?.block_on(async move {
        let state = axon_server::open_state(settings.config.clone()).await?;
        let mcp = axon_server::mcp::AxonMcp::with_key(axon_server::router(state), key);
        if !mcp.key_is_valid().await {
            return Err(CliError::Config(
                "AXON_API_KEY is not a valid admin or viewer key of this Axon".into(),
            ));
        }
        tracing::info!("MCP server on stdio");
        let running = mcp
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| CliError::Config(format!("MCP start-up failed: {e}")))?;
        let _ = running.waiting().await;
        Ok(())
    })
}
