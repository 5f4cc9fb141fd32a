//! `axon serve`: logging set-up, the runtime, the listener and graceful shutdown.

use crate::cli::Settings;
use crate::settings::values::LogFormat;
use crate::CliError;
use tracing_subscriber::prelude::*;

/// Structured logs to stderr: `text` (default) or `json`, filtered by the resolved log level.
pub fn init_logging(s: &Settings) {
    let registry = tracing_subscriber::registry().with(s.log_level.targets.clone());
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if s.log_format == LogFormat::Json {
        registry.with(fmt.json()).try_init()
    } else {
        registry.with(fmt).try_init()
    };
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutdown requested");
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Binds the HTTP address, or says which address could not be bound and why.
pub async fn listen(addr: &str) -> Result<tokio::net::TcpListener, CliError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::Config(format!("cannot listen on {addr} (listen): {e}")))
}

/// Runs one future to completion from synchronous code (the one-shot commands: import, bench
/// set-up), on a small runtime of its own.
pub fn block<F: std::future::Future>(f: F) -> Result<F::Output, CliError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f))
}

pub fn run(s: &Settings) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let state = axon_server::open_state(s.config.clone()).await?;
        let listener = listen(&s.listen).await?;
        let addr = listener.local_addr()?;
        if s.admin_key_generated {
            println!(
                "AXON_ADMIN_KEY was not set; this run's admin key is: {}",
                s.config.admin_key.expose()
            );
        }
        println!(
            "axon serving on http://{addr} (data dir {})",
            s.config.data_dir.display()
        );
        axon_server::serve(state, listener, shutdown_signal()).await?;
        Ok(())
    })
}
