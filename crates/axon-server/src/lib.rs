//! Axon's HTTP server: the axum application, its state, auth and error handling.
//!
//! `serve(config, listener, shutdown)` is the one entry point; `router(state)` is separate so
//! tests can drive handlers without a socket.

pub mod analytics;
pub mod auth;
pub mod codes;
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod listen;
pub mod mcp;
pub mod openapi;
pub mod pages;
pub mod readers;
pub mod session;
pub mod session_key;
pub mod share_access;
pub mod startup;
pub mod state;
pub mod streams;
pub mod webhooks;

pub use config::{Analytics, ClickHouseConfig, Config, Secret};
pub use http::router;
pub use session_key::SessionSecret;
pub use state::AppState;

pub use startup::{backend_of, open_state};

use std::future::Future;
use tokio::net::TcpListener;

/// Everything that can stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] axon_store::StoreError),
    #[error(transparent)]
    Service(#[from] axon_services::ServiceError),
    #[error("server I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    ClickHouse(#[from] axon_clickhouse::follow::FollowError),
}

/// Longest a shutdown waits for open connections after the live streams were closed.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Serves on `listener` until `shutdown` resolves, then closes the live (SSE) streams and
/// drains in-flight requests for at most [`DRAIN_LIMIT`].
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let gate = state.gate.clone();
    let sweeper = tokio::spawn(async move { gate.run_sweeper().await });
    let closing = state.closing.clone();
    // Every node runs the alert evaluator; the lease in the store lets one of them evaluate.
    let evaluator = tokio::spawn(
        state
            .alerts
            .clone()
            .run(state.config.alert_interval, closing.subscribe()),
    );
    let mut closed = closing.subscribe();
    let limits = state.config.connections;
    let proxies = state.config.trusted_proxies.clone();
    match listen::raise_nofile() {
        Ok(n) => tracing::debug!(nofile = n, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
    let app = router(state);
    tracing::info!(addr = %listener.local_addr()?, "axon listening");
    tokio::spawn(async move {
        shutdown.await;
        closing.send_replace(true);
    });
    let server = listen::Listener {
        listener,
        limits,
        proxies,
    }
    .run(app, closed.clone());
    tokio::select! {
        () = server => {}
        () = async {
            let _ = closed.wait_for(|c| *c).await;
            tokio::time::sleep(DRAIN_LIMIT).await;
        } => tracing::warn!("connections still open {DRAIN_LIMIT:?} after shutdown; closing them"),
    }
    // The sweeper holds the store: stop it so the data dir is released with the server.
    sweeper.abort();
    let _ = sweeper.await;
    evaluator.abort();
    let _ = evaluator.await;
    tracing::info!("axon stopped");
    Ok(())
}
