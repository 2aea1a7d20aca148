//! The accept loop, the connection limit and the drain on shutdown.

use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::Http;
use hyper::service::service_fn;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinError, JoinSet};
use tokio::time::{timeout, Instant};

use crate::config::Config;
use crate::metrics::{self, Counted, Metrics};
use crate::metrics_http;
use crate::routes::{self, App, Upstream};
use crate::shutdown::{self, Shutdown, Signals};

/// Connections being turned away (or answered as probes) at once, at least.
const SHED_SLOTS: usize = 64;
/// How long a rejected connection may take to send the request head we answer with 503.
const SHED_TIMEOUT: Duration = Duration::from_secs(1);
/// How often the lag probe ticks (`runtime_lag_seconds`).
const LAG_PROBE_PERIOD: Duration = Duration::from_millis(500);

pub async fn run(config: Config) -> ExitCode {
    let signals = match Signals::install() {
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
        Err(error) => tracing::warn!("warning: cannot read the bound address: {error}"),
    }
    let metrics = Arc::new(Metrics::new());
    // The operators' listener (METRICS_ADDR) stays up through the drain; it stops when
    // `stop_metrics` is dropped, after the service has drained.
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    let mut metrics_listener = None;
    if let Some(addr) = config.metrics_addr {
        let operators = match TcpListener::bind(addr).await {
            Ok(operators) => operators,
            Err(error) => {
                tracing::error!("error: cannot listen on {addr} (METRICS_ADDR): {error}");
                return ExitCode::from(2);
            }
        };
        if let Ok(addr) = operators.local_addr() {
            println!("metrics on {addr}");
        }
        metrics_listener = Some(tokio::spawn(metrics_http::serve(
            operators,
            metrics.clone(),
            async move {
                let _ = metrics_stopped.await;
            },
        )));
    }
    match serve_until_drained(config, signals, listener, metrics).await {
        // A second signal exits at once.
        Stopped::Interrupted(code) => code,
        Stopped::Drained(code) => {
            // Let the scrapes in progress finish.
            drop(stop_metrics);
            if let Some(task) = metrics_listener {
                let _ = task.await;
            }
            code
        }
    }
}

enum Stopped {
    /// The drain ran to its end (or its deadline).
    Drained(ExitCode),
    /// A second signal cut it short.
    Interrupted(ExitCode),
}

/// Accepts and serves until a signal, then drains: the readiness window, then the listener
/// closes and the connections finish under the shutdown deadline.
async fn serve_until_drained(
    config: Config,
    mut signals: Signals,
    listener: TcpListener,
    metrics: Arc<Metrics>,
) -> Stopped {
    // Two steps: `draining` turns readiness off while the server still accepts; `shutdown` then
    // tells every connection to finish its request in flight and close.
    let (drain_trigger, draining) = shutdown::channel();
    let (trigger, shutdown) = shutdown::channel();
    // The lag probe runs until the listener closes (/metrics is served until then); it owns
    // nothing that needs joining.
    tokio::spawn(metrics::watch_lag(
        metrics.clone(),
        LAG_PROBE_PERIOD,
        shutdown.clone(),
    ));
    let shutdown_timeout = config.shutdown_timeout;
    let mut http = Http::new();
    http.http1_only(true)
        .http1_header_read_timeout(config.header_read_timeout);
    let limits = Limits {
        http: Arc::new(http),
        app: Arc::new(App {
            config: config.clone(),
            shutdown: draining,
            metrics: metrics.clone(),
            upstream: Upstream::default(),
        }),
        connection_limit: Arc::new(Semaphore::new(config.max_connections)),
        // Rejecting costs a task too: bound those as well, and drop the socket beyond that.
        // At least SHED_SLOTS: with a tiny MAX_CONNECTIONS, one slow client being turned away
        // must not make the next one (a probe) get a reset instead of an answer.
        shed_limit: Arc::new(Semaphore::new(config.max_connections.max(SHED_SLOTS))),
        shutdown: shutdown.clone(),
        idle_timeout: config.idle_timeout,
    };
    let mut connections = JoinSet::new();

    let signal = loop {
        tokio::select! {
            biased;
            signal = signals.recv() => break signal,
            accepted = listener.accept() => limits.admit(accepted, &mut connections).await,
            // Reap finished connections so the set does not grow with every client ever served.
            Some(finished) = connections.join_next(), if !connections.is_empty() => report(finished),
        }
    };

    // The readiness window: /readyz fails, everything else is still served (with
    // `Connection: close`), so the load balancer stops sending traffic before the listener goes.
    tracing::info!(
        "{signal} received: readiness off, serving for {} ms more",
        config.readiness_drain_delay.as_millis()
    );
    drain_trigger.fire();
    metrics.shutdown_phase.set(1);
    let window = tokio::time::sleep(config.readiness_drain_delay);
    tokio::pin!(window);
    loop {
        tokio::select! {
            biased;
            signal = signals.recv() => {
                tracing::warn!("{signal} received again: exiting without waiting");
                return Stopped::Interrupted(ExitCode::from(second_signal_exit_code(signal)));
            }
            _ = &mut window => break,
            accepted = listener.accept() => limits.admit(accepted, &mut connections).await,
            Some(finished) = connections.join_next(), if !connections.is_empty() => report(finished),
        }
    }

    tracing::info!(
        "no longer accepting; draining {} connection(s)",
        connections.len()
    );
    drop(listener);
    trigger.fire();
    metrics.shutdown_phase.set(2);

    let drain = async {
        while let Some(finished) = connections.join_next().await {
            report(finished);
        }
    };
    let drained = tokio::select! {
        drained = timeout(shutdown_timeout, drain) => drained.is_ok(),
        signal = signals.recv() => {
            tracing::warn!("{signal} received again: exiting without waiting");
            return Stopped::Interrupted(ExitCode::from(second_signal_exit_code(signal)));
        }
    };
    if drained {
        tracing::info!("shutdown complete");
        Stopped::Drained(ExitCode::SUCCESS)
    } else {
        tracing::error!(
            "shutdown deadline of {} ms exceeded: aborting {} connection(s)",
            shutdown_timeout.as_millis(),
            connections.len()
        );
        metrics.shutdown_phase.set(3);
        connections.shutdown().await;
        Stopped::Drained(ExitCode::FAILURE)
    }
}

/// What the accept loop needs to admit a connection.
struct Limits {
    http: Arc<Http>,
    app: Arc<App>,
    connection_limit: Arc<Semaphore>,
    shed_limit: Arc<Semaphore>,
    shutdown: Shutdown,
    idle_timeout: Duration,
}

impl Limits {
    async fn admit(
        &self,
        accepted: std::io::Result<(TcpStream, SocketAddr)>,
        connections: &mut JoinSet<()>,
    ) {
        match accepted {
            Ok((stream, peer)) => match self.connection_limit.clone().try_acquire_owned() {
                Ok(permit) => {
                    connections.spawn(serve(
                        stream,
                        peer,
                        permit,
                        self.http.clone(),
                        self.app.clone(),
                        self.shutdown.clone(),
                        self.idle_timeout,
                    ));
                }
                Err(_) => {
                    if let Ok(permit) = self.shed_limit.clone().try_acquire_owned() {
                        connections.spawn(shed(stream, permit, self.app.clone()));
                    }
                }
            },
            Err(error) => {
                // Usually EMFILE: out of file descriptors. Pause instead of spinning on it.
                tracing::error!("accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    http: Arc<Http>,
    app: Arc<App>,
    mut shutdown: Shutdown,
    idle_timeout: Duration,
) {
    // Holding the permit for the connection's lifetime is what enforces MAX_CONNECTIONS.
    let _permit = permit;
    let metrics = app.metrics.clone();
    let _open = Counted::new(&metrics.connections_open);
    let activity = Activity::new();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let requests = in_flight.clone();
    let service = service_fn(move |request| {
        let app = app.clone();
        let requests = requests.clone();
        async move {
            requests.fetch_add(1, Ordering::SeqCst);
            app.metrics.in_flight.inc();
            let response = routes::handle(app.clone(), request).await;
            app.metrics.in_flight.dec();
            requests.fetch_sub(1, Ordering::SeqCst);
            response
        }
    });
    let stream = Tracked {
        inner: stream,
        activity: activity.clone(),
    };
    let connection = http.serve_connection(stream, service);
    tokio::pin!(connection);
    let mut closing = false;
    let result = loop {
        tokio::select! {
            biased;
            result = connection.as_mut() => break result,
            _ = shutdown.wait(), if !closing => {
                // Finish the request in flight, then close.
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
            // hyper 0.14 has no idle timeout (its header timeout starts at the first byte), so
            // a silent socket would hold its slot forever: close it once nothing moved for
            // IDLE_TIMEOUT_MS and no request is in flight.
            // Dropping the connection closes the socket (hyper's graceful_shutdown would keep
            // waiting for a first request that never comes).
            _ = tokio::time::sleep_until(activity.last() + idle_timeout), if !closing => {
                if in_flight.load(Ordering::SeqCst) == 0 && activity.last().elapsed() >= idle_timeout {
                    break Ok(());
                }
            }
        }
    };
    if let Err(error) = result {
        if !error.is_incomplete_message() {
            tracing::error!("connection from {peer}: {error}");
        }
    }
}

/// When bytes last moved on a connection.
#[derive(Clone)]
struct Activity {
    started: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Activity {
            started: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(now, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.started + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

/// A stream that records its activity, for the idle timeout.
struct Tracked {
    inner: TcpStream,
    activity: Activity,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Answers one request over the connection limit and closes: a probe normally (probes are exempt
/// from the limit, so an orchestrator never restarts a server for being busy), anything else with
/// 503. Reading the request first matters: closing a socket with unread data makes the client see
/// a reset instead of the 503.
async fn shed(stream: TcpStream, _permit: OwnedSemaphorePermit, app: Arc<App>) {
    let mut http = Http::new();
    http.http1_only(true).http1_keep_alive(false);
    let service = service_fn(move |request| {
        let app = app.clone();
        async move {
            if routes::is_probe(&request) {
                routes::handle(app, request).await
            } else {
                app.metrics.shed.inc();
                Ok(routes::overloaded())
            }
        }
    });
    // Errors here are from clients we are turning away anyway.
    let _ = timeout(SHED_TIMEOUT, http.serve_connection(stream, service)).await;
}

fn report(finished: Result<(), JoinError>) {
    if let Err(error) = finished {
        if error.is_panic() {
            tracing::error!("a connection task panicked: {error}");
        }
    }
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
