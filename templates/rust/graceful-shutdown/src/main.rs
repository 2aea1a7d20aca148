//! A service supervisor: an intake that feeds a bounded queue, a consumer that drains it, and a
//! periodic heartbeat, all stopped through `CancellationToken`s. On SIGTERM or Ctrl-C they stop in
//! order (intake, then the drain, then the heartbeat, then the journal) under one deadline; a
//! second signal exits at once.

mod config;
mod consumer;
mod intake;
mod metrics;
mod metrics_http;
mod signals;
mod ticker;

use std::future::Future;
use std::io;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::{timeout_at, Duration, Instant};
use tokio_util::sync::CancellationToken;

use config::Config;
use consumer::{ConsumerSettings, Journal};
use intake::IntakeSettings;
use metrics::Metrics;
use signals::Signals;

fn main() -> ExitCode {
    // Structured logs: one JSON object per line on stdout, after the `listening on` line.
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stdout)
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
    // The exit code is decided; after a missed deadline, do not wait for tasks still running.
    runtime.shutdown_background();
    code
}

/// The runtime flavor is a template option (`--runtime`); `asyncpat new` keeps one block.
fn build_runtime() -> io::Result<Runtime> {
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
    let journal = match Journal::open(config.journal_path.as_deref()).await {
        Ok(journal) => journal,
        Err(error) => {
            tracing::error!("error: cannot open the journal (JOURNAL_PATH): {error}");
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
    let metrics = Arc::new(Metrics::new());
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

    // One root token; each service that must stop at its own moment gets a child token.
    // Cancelling the root (a task failed) stops them all at once.
    let root = CancellationToken::new();
    let stop_intake = root.child_token();
    let stop_heartbeat = root.child_token();
    let (queue, items) = mpsc::channel(config.queue_capacity);
    let intake_settings = IntakeSettings {
        max_connections: config.max_connections,
        idle_timeout: config.idle_timeout,
    };

    let services = Services {
        intake: tokio::spawn(supervised(
            "intake",
            root.clone(),
            intake::run(
                listener,
                queue,
                intake_settings,
                stop_intake.clone(),
                metrics.clone(),
            ),
        )),
        consumer: tokio::spawn(supervised(
            "consumer",
            root.clone(),
            consumer::run(
                items,
                journal,
                ConsumerSettings {
                    item_delay: config.item_delay,
                    item_timeout: config.item_timeout,
                },
                metrics.clone(),
                root.clone(),
            ),
        )),
        heartbeat: tokio::spawn(ticker::run(
            config.tick_interval,
            metrics.clone(),
            stop_heartbeat.clone(),
        )),
        stop_intake,
        stop_heartbeat,
        metrics: metrics.clone(),
    };

    let requested = tokio::select! {
        signal = signals.recv() => {
            tracing::info!(signal, "{signal} received: shutting down");
            true
        }
        _ = root.cancelled() => {
            tracing::error!("a service failed: shutting down");
            false
        }
    };
    metrics.shutdown_phase.set(1);

    let finished = tokio::select! {
        finished = services.shut_down(&root, config.shutdown_timeout) => finished,
        signal = signals.recv() => {
            tracing::warn!(signal, "shutdown: {signal} received again, exiting now");
            return ExitCode::from(second_signal_exit_code(signal));
        }
    };
    let complete = finished.is_ok() && requested;
    let code = match finished {
        Ok(()) if requested => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(error) => {
            tracing::error!("shutdown: {error}");
            ExitCode::FAILURE
        }
    };
    // Closed last: a scrape during the drain saw it to the end.
    drop(stop_metrics);
    if let Some(listener) = metrics_listener {
        let _ = listener.await;
    }
    if complete {
        tracing::info!("shutdown: complete");
    }
    code
}

/// After the shutdown deadline, how long the cancelled consumer gets to hand back the journal.
const JOURNAL_GRACE: Duration = Duration::from_secs(1);

struct Services {
    intake: JoinHandle<io::Result<()>>,
    consumer: JoinHandle<io::Result<Journal>>,
    heartbeat: JoinHandle<()>,
    stop_intake: CancellationToken,
    stop_heartbeat: CancellationToken,
    metrics: Arc<Metrics>,
}

impl Services {
    /// Stops the services in dependency order. Each step waits for the previous one, so nothing
    /// is cut off mid-item and nothing queued is lost. Whatever fails, every task is awaited and
    /// the journal is synced and closed; at `timeout` the root token cancels what is left.
    async fn shut_down(self, root: &CancellationToken, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut failures = Vec::new();
        let mut consumer = self.consumer;
        let mut intake = self.intake;

        // 1. No new items; items in hand are answered. The intake drops its queue senders when it returns.
        // 2. The consumer handles everything already queued, then sees the queue closed.
        let drained = timeout_at(deadline, async {
            let intake = joined("intake", (&mut intake).await);
            tracing::info!("shutdown: intake stopped");
            let journal = joined("consumer", (&mut consumer).await);
            (intake, journal)
        });
        self.stop_intake.cancel();
        let journal = match drained.await {
            Ok((intake, journal)) => {
                if let Err(error) = intake {
                    failures.push(error);
                }
                self.metrics.shutdown_phase.set(2);
                tracing::info!(
                    "shutdown: queue drained ({} items processed)",
                    self.metrics.processed.get()
                );
                journal
            }
            Err(_) => {
                self.metrics.shutdown_phase.set(3);
                failures.push(format!("deadline of {} ms exceeded", timeout.as_millis()));
                // Cancels the consumer (unhandled items are answered `refused`) and the intake.
                root.cancel();
                let journal = match tokio::time::timeout(JOURNAL_GRACE, &mut consumer).await {
                    Ok(joined_consumer) => joined("consumer", joined_consumer),
                    Err(_) => Err("the consumer did not stop within its grace period".to_owned()),
                };
                // The intake's connections write the answers the cancelled consumer handed back
                // (`refused shutting down`) before they close: the process must not exit first.
                match tokio::time::timeout(JOURNAL_GRACE, &mut intake).await {
                    Ok(joined_intake) => {
                        if let Err(error) = joined("intake", joined_intake) {
                            failures.push(error);
                        }
                    }
                    Err(_) => {
                        failures.push("the intake did not stop within its grace period".to_owned())
                    }
                }
                journal
            }
        };

        // 3. The heartbeat goes last among the tasks: it reports progress during the drain.
        self.stop_heartbeat.cancel();
        if let Err(error) = self.heartbeat.await {
            failures.push(format!("heartbeat failed: {error}"));
        }
        tracing::info!("shutdown: heartbeat stopped");

        // 4. Resources close after every task that uses them has ended, on every path.
        match journal {
            Ok(journal) => match journal.close().await {
                Ok(()) => tracing::info!("shutdown: journal closed"),
                Err(error) => failures.push(format!("closing the journal failed: {error}")),
            },
            Err(error) => failures.push(error),
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("; "))
        }
    }
}

fn joined<T>(name: &str, joined: Result<io::Result<T>, JoinError>) -> Result<T, String> {
    match joined {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(format!("{name} failed: {error}")),
        Err(error) => Err(format!("{name} failed: {error}")),
    }
}

/// Runs a service; if it fails (or panics) the root token is cancelled, so the first failure
/// stops the whole process instead of leaving it half-alive.
async fn supervised<T>(
    name: &'static str,
    root: CancellationToken,
    service: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let cancel_on_exit = root.drop_guard();
    let result = service.await;
    match &result {
        Ok(_) => {
            cancel_on_exit.disarm();
        }
        Err(error) => tracing::error!("{name} failed: {error}"),
    }
    result
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
