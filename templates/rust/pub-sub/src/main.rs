//! A topic broker over TCP: publishers fan out to subscribers through bounded `broadcast`
//! channels, a `watch` per topic keeps the latest message, and every request to the broker task is
//! answered over a `oneshot`. SIGTERM or Ctrl-C says `BYE` to every client and exits.

mod broker;
mod config;
mod metrics;
mod metrics_http;
mod session;
mod signals;

use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use broker::Broker;
use config::Config;
use signals::Signals;

fn main() -> ExitCode {
    // Structured logs: one JSON object per line on stderr (stdout carries the `listening on` lines).
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let config = match Config::from_env() {
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
    runtime.block_on(run(config))
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

async fn run(config: Config) -> ExitCode {
    let mut signals = match Signals::install() {
        Ok(signals) => signals,
        Err(error) => {
            tracing::error!("error: cannot install signal handlers: {error}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(config.bind_addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(
                "error: cannot listen on {} (BIND_ADDR): {error}",
                config.bind_addr
            );
            return ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        // The tests (and process supervisors) wait for this line on stdout.
        Ok(addr) => println!("listening on {addr}"),
        Err(error) => tracing::warn!("cannot read the bound address: {error}"),
    }

    let (broker, broker_task) = Broker::start(
        config.topic_capacity,
        config.max_topics,
        config.request_timeout,
    );
    let metrics = broker.metrics();
    // The metrics listener stays up through the drain; it stops when `stop_metrics` is dropped.
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    let mut metrics_listener = None;
    if let Some(addr) = config.metrics_addr {
        let listener = match TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::error!("error: cannot listen on {addr} (METRICS_ADDR): {error}");
                return ExitCode::from(2);
            }
        };
        if let Ok(addr) = listener.local_addr() {
            println!("metrics on {addr}");
        }
        metrics_listener = Some(tokio::spawn(metrics_http::serve(
            listener,
            metrics.clone(),
            async move {
                let _ = metrics_stopped.await;
            },
        )));
    }
    let stop = CancellationToken::new();
    let connection_slots = Arc::new(Semaphore::new(config.max_connections));
    let mut sessions = JoinSet::new();

    let signal = loop {
        tokio::select! {
            signal = signals.recv() => break signal,
            // Waiting for a slot before accepting leaves extra clients in the listen backlog.
            accepted = async {
                let slot = connection_slots.clone().acquire_owned().await;
                (slot, listener.accept().await)
            } => match accepted {
                (Ok(slot), Ok((stream, _peer))) => {
                    let session = session::serve(stream, broker.clone(), config.session, stop.child_token());
                    let open = metrics.sessions_open.clone();
                    open.inc();
                    sessions.spawn(async move {
                        let _slot = slot;
                        let ended = session.await;
                        open.dec();
                        ended
                    });
                }
                (_, Err(error)) => {
                    // Usually EMFILE: out of file descriptors. Pause instead of spinning on it.
                    tracing::warn!("accept failed: {error}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                (Err(_), _) => unreachable!("the connection semaphore is never closed"),
            },
            Some(finished) = sessions.join_next(), if !sessions.is_empty() => {
                if let Ok(Err(error)) = finished {
                    tracing::warn!("session ended: {error}");
                }
            }
        }
    };

    tracing::info!(
        signal,
        "{signal} received: closing {} session(s)",
        sessions.len()
    );
    metrics.shutdown_phase.set(1);
    drop(listener);
    stop.cancel();
    // The broker stops once the sessions, holding the other handles, have ended.
    drop(broker);

    let drain = async {
        while sessions.join_next().await.is_some() {}
        broker_task.await
    };
    let drained = tokio::select! {
        drained = timeout(config.shutdown_timeout, drain) => drained,
        signal = signals.recv() => {
            tracing::warn!(signal, "{signal} received again: exiting without waiting");
            return ExitCode::from(second_signal_exit_code(signal));
        }
    };
    let code = match drained {
        Ok(Ok(())) => {
            metrics.shutdown_phase.set(2);
            tracing::info!("shutdown complete");
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            tracing::error!("the broker failed: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            metrics.shutdown_phase.set(3);
            tracing::error!(
                "shutdown deadline of {} ms exceeded",
                config.shutdown_timeout.as_millis()
            );
            ExitCode::FAILURE
        }
    };
    // Closed last: a scrape during the drain saw it to the end.
    drop(stop_metrics);
    if let Some(listener) = metrics_listener {
        let _ = listener.await;
    }
    code
}

/// The exit code of a second signal: 128 + its number, as a shell reports a process killed by it
/// (130 for SIGINT, 143 for SIGTERM), the same in every asyncpat template, TypeScript or Rust.
fn second_signal_exit_code(signal: &str) -> u8 {
    if signal == "SIGTERM" {
        143
    } else {
        130
    }
}
