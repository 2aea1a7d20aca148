//! HTTP/1.1 JSON service: a task per connection under a connection limit, deadlines on every
//! request and outbound call, and a graceful shutdown on SIGTERM or Ctrl-C.

mod config;
mod metrics;
mod metrics_http;
mod routes;
mod server;
mod shutdown;

use std::process::ExitCode;

use tokio::runtime::{Builder, Runtime};

fn main() -> ExitCode {
    // Structured logs: one JSON object per line on stderr (stdout carries the `listening on` line).
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let config = match config::Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match build_runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!("error: cannot start the Tokio runtime: {error}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(server::run(config))
}

/// The runtime flavor is a template option (`--runtime`); `asyncpat new` keeps one block.
fn build_runtime() -> std::io::Result<Runtime> {
    // asyncpat-template:if runtime=multi-thread
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(4);
    // asyncpat-template:endif
    // asyncpat-template:if runtime=current-thread
    let mut builder = Builder::new_current_thread();
    // asyncpat-template:endif
    builder.enable_all().build()
}
