//! A worker pool for CPU-bound jobs: clients submit over TCP into a bounded queue, jobs run on
//! Tokio's blocking pool under a concurrency limit and a per-job timeout, and on SIGTERM or
//! Ctrl-C the pool stops taking jobs and finishes the ones it accepted.

mod config;
mod metrics;
mod metrics_http;
mod net;
mod pool;
mod shutdown;
mod work;

use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;

use config::Config;
use shutdown::Signals;

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
    let code = runtime.block_on(run(config));
    // Dropping the runtime would wait for every blocking task, including a job that outlived the
    // shutdown deadline; the exit code is decided, so do not wait for them.
    runtime.shutdown_background();
    code
}

/// The runtime flavor is a template option (`--runtime`); `asyncpat new` keeps one block.
/// Either way the CPU work runs on the separate blocking pool, not on these threads.
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

    let (trigger, shutdown) = shutdown::channel();
    let (submitter, dispatcher) = pool::start(config.pool, shutdown.clone());
    let metrics = submitter.metrics();
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
    let connection_slots = Arc::new(Semaphore::new(config.max_connections));
    let mut connections = JoinSet::new();

    let signal = loop {
        tokio::select! {
            signal = signals.recv() => break signal,
            // Waiting for a slot before accepting leaves extra clients in the listen backlog.
            accepted = async {
                let slot = connection_slots.clone().acquire_owned().await;
                (slot, listener.accept().await)
            } => match accepted {
                (Ok(slot), Ok((stream, _peer))) => {
                    let session = net::serve(stream, submitter.clone(), config.idle_timeout, shutdown.clone());
                    connections.spawn(async move {
                        let _slot = slot;
                        session.await
                    });
                }
                (_, Err(error)) => {
                    // Usually EMFILE: out of file descriptors. Pause instead of spinning on it.
                    tracing::warn!("accept failed: {error}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                (Err(_), _) => unreachable!("the connection semaphore is never closed"),
            },
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                if let Ok(Err(error)) = finished {
                    tracing::warn!("connection failed: {error}");
                }
            }
        }
    };

    tracing::info!(
        signal,
        "{signal} received: refusing new jobs, finishing accepted ones"
    );
    metrics.shutdown_phase.set(1);
    drop(listener);
    trigger.fire();
    let accepted = submitter.clone();
    drop(submitter);

    let drain = async {
        let stats = dispatcher.await;
        while connections.join_next().await.is_some() {}
        stats
    };
    let drained = tokio::select! {
        drained = timeout(config.shutdown_timeout, drain) => drained,
        signal = signals.recv() => {
            tracing::warn!(signal, "{signal} received again: exiting without waiting");
            return ExitCode::from(second_signal_exit_code(signal));
        }
    };
    let code = match drained {
        Ok(Ok(stats)) => {
            metrics.shutdown_phase.set(2);
            tracing::info!("drained: accepted={} {stats}", accepted.accepted());
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            tracing::error!("the dispatcher failed: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            metrics.shutdown_phase.set(3);
            tracing::error!(
                "shutdown deadline of {} ms exceeded: jobs still running",
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
