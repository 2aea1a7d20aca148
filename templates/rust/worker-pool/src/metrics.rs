//! Prometheus metrics (the `prometheus` crate) and the small listener that serves them, apart
//! from the job port: `GET /metrics` (text format), `GET /healthz` (the process answers) and
//! `GET /readyz` (503 once the shutdown has begun). Off unless `METRICS_ADDR` is set. It has no
//! connection limit of its own pool's, so a probe or a scrape is answered however busy the job
//! port is, and it stays up through the drain, so the shutdown can be watched to the end.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use prometheus::{Encoder, IntCounter, IntGauge, Registry, TextEncoder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::timeout;

/// A probe or a scrape sends its request head within this, and takes its answer within this.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest request head read; a longer one is answered 431.
const MAX_HEAD_BYTES: usize = 8 * 1024;

pub struct Metrics {
    registry: Registry,
    /// Accepted jobs waiting for a slot (queue depth).
    pub queued: IntGauge,
    /// Jobs running on the blocking pool (in flight).
    pub running: IntGauge,
    pub accepted: IntCounter,
    /// Jobs answered `refused` (shutdown), pipelined lines included.
    pub refused: IntCounter,
    pub completed: IntCounter,
    pub timed_out: IntCounter,
    pub failed: IntCounter,
    /// Jobs whose client left before they started: not run.
    pub skipped: IntCounter,
    /// 0 running, 1 draining (readiness off), 2 drained, 3 shutdown deadline exceeded.
    pub shutdown_phase: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let gauge = |name: &str, help: &str| {
            let gauge = IntGauge::new(name, help).expect("a valid metric");
            registry
                .register(Box::new(gauge.clone()))
                .expect("metric names are unique");
            gauge
        };
        let queued = gauge(
            "jobs_queued",
            "Accepted jobs waiting for a slot (queue depth).",
        );
        let running = gauge(
            "jobs_running",
            "Jobs running on the blocking pool (in flight).",
        );
        let shutdown_phase = gauge(
            "shutdown_phase",
            "0 running, 1 draining (readiness off), 2 drained, 3 shutdown deadline exceeded.",
        );
        let counter = |name: &str, help: &str| {
            let counter = IntCounter::new(name, help).expect("a valid metric");
            registry
                .register(Box::new(counter.clone()))
                .expect("metric names are unique");
            counter
        };
        Metrics {
            queued,
            running,
            shutdown_phase,
            accepted: counter("jobs_accepted_total", "Jobs accepted into the queue."),
            refused: counter(
                "jobs_refused_total",
                "Request lines answered `refused` because the pool was shutting down.",
            ),
            completed: counter("jobs_completed_total", "Jobs that finished with a result."),
            timed_out: counter("jobs_timed_out_total", "Jobs cancelled at JOB_TIMEOUT_MS."),
            failed: counter("jobs_failed_total", "Jobs that failed or panicked."),
            skipped: counter(
                "jobs_skipped_total",
                "Jobs not run because their client left before they started.",
            ),
            registry,
        }
    }

    /// Ready until the shutdown begins: what `/readyz` reports.
    pub fn ready(&self) -> bool {
        self.shutdown_phase.get() == 0
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = Vec::new();
        // Encoding into a Vec cannot fail for the text format.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut text);
        String::from_utf8(text).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves probes and scrapes on `listener` until `stop` completes, then waits for the exchanges
/// in progress (each bounded by `EXCHANGE_TIMEOUT`).
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut exchanges = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            Some(_) = exchanges.join_next(), if !exchanges.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    exchanges.spawn(answer(stream, metrics.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    while exchanges.join_next().await.is_some() {}
}

/// One request, one answer, then the connection closes.
async fn answer(mut stream: TcpStream, metrics: Arc<Metrics>) {
    let mut head = Vec::with_capacity(512);
    let read = timeout(EXCHANGE_TIMEOUT, async {
        let mut chunk = [0u8; 1024];
        while !head.windows(4).any(|window| window == b"\r\n\r\n") {
            if head.len() > MAX_HEAD_BYTES {
                return false;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(read) => head.extend_from_slice(&chunk[..read]),
            }
        }
        true
    })
    .await;
    let (status, content_type, body) = match read {
        Ok(true) => route(&head, &metrics),
        Ok(false) if head.len() > MAX_HEAD_BYTES => (
            "431 Request Header Fields Too Large",
            "text/plain; charset=utf-8",
            "request head too large\n".to_owned(),
        ),
        _ => return,
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = timeout(EXCHANGE_TIMEOUT, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

fn route(head: &[u8], metrics: &Metrics) -> (&'static str, &'static str, String) {
    let text = String::from_utf8_lossy(head);
    let mut request_line = text.lines().next().unwrap_or("").split_whitespace();
    let method = request_line.next().unwrap_or("");
    let path = request_line
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("");
    const PLAIN: &str = "text/plain; charset=utf-8";
    if method != "GET" {
        return ("405 Method Not Allowed", PLAIN, "use GET\n".to_owned());
    }
    match path {
        "/metrics" => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(),
        ),
        "/healthz" => ("200 OK", PLAIN, "ok\n".to_owned()),
        "/readyz" if metrics.ready() => ("200 OK", PLAIN, "ready\n".to_owned()),
        "/readyz" => (
            "503 Service Unavailable",
            PLAIN,
            "shutting down\n".to_owned(),
        ),
        _ => ("404 Not Found", PLAIN, "not found\n".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_and_routes_the_probes() {
        let metrics = Metrics::new();
        metrics.accepted.inc();
        metrics.queued.set(3);
        let text = metrics.render();
        for line in ["jobs_accepted_total 1", "jobs_queued 3", "shutdown_phase 0"] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
        let get = |path: &str| route(format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes(), &metrics).0;
        assert_eq!(get("/healthz"), "200 OK");
        assert_eq!(get("/readyz"), "200 OK");
        assert_eq!(get("/nope"), "404 Not Found");
        metrics.shutdown_phase.set(1);
        assert_eq!(get("/readyz"), "503 Service Unavailable");
        assert_eq!(get("/healthz"), "200 OK");
        assert_eq!(
            route(b"POST /metrics HTTP/1.1\r\n\r\n", &metrics).0,
            "405 Method Not Allowed"
        );
    }
}
