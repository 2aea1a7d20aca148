// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/itsmontoya/scribble
// Commit:     4e30795fb2259a8d00265e3b5dd6dacc2cc6bf2b (fix)
// Path:       src/bin/scribble-server/main.rs
// Subject:    add graceful shutdown support
// Rule:       missing-graceful-shutdown should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust axum 0.7 binary: `axum::serve(listener, app).await` in run() called from #[tokio::main] main, no with_graceful_shutdown and no ctrl_c/SIGTERM handling
// Note:       Cut down to the imports, main, run and (after the fix) shutdown_signal.

use anyhow::{Context, Result, anyhow};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use symphonia::core::io::ReadOnlySource;
use tokio::net::TcpListener;
use tokio::signal;
use tokio::sync::oneshot;
use tokio_util::io::{ReaderStream, SyncIoBridge};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::{Level, error, info, warn};

mod metrics;

use scribble::{Opts, OutputType, Scribble, WhisperBackend};

#[tokio::main]
async fn main() {
    scribble::init_logging();

    if let Err(err) = run().await {
        error!(error = ?err, "scribble-server failed");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let params = Params::parse();

    if let Err(err) = metrics::init() {
        warn!(error = ?err, "metrics disabled (init failed)");
    }

    let addr: SocketAddr = format!("{}:{}", params.host, params.port)
        .parse()
        .context("invalid host/port bind address")?;

    let scribble = Scribble::new(params.model_paths, &params.vad_model_path)
        .context("failed to initialize Scribble backend")?;

    let state = AppState {
        scribble: Arc::new(scribble),
    };

    let app = Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/metrics", get(metrics::prometheus_metrics))
        .route("/models", get(models))
        .route("/transcribe", post(transcribe))
        .route_layer(from_fn(metrics::track_http_metrics))
        .with_state(state)
        .layer(DefaultBodyLimit::max(params.max_bytes))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(
                    DefaultMakeSpan::new()
                        .level(Level::INFO)
                        .include_headers(false),
                )
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::ERROR)),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(10),
        ));

    let listener = TcpListener::bind(addr).await.context("bind failed")?;

    info!(%addr, "listening");

    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server error")?;

    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        signal::ctrl_c()
            .await
            .expect("failed to install Ctrl+C handler");
    };

    #[cfg(unix)]
    let terminate = async {
        signal::unix::signal(signal::unix::SignalKind::terminate())
            .expect("failed to install signal handler")
            .recv()
            .await;
    };

    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
