//! Prometheus metrics (the `prometheus` crate) and the small listener that serves them, apart
//! from the client port: `GET /metrics` (text format), `GET /healthz` (the process answers) and
//! `GET /readyz` (503 once the shutdown has begun). Off unless `METRICS_ADDR` is set. It is not
//! behind `MAX_CONNECTIONS`, so a probe or a scrape is answered however busy the broker is, and it
//! stays up through the drain, so the shutdown can be watched to the end.

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
    /// Client connections open now.
    pub sessions_open: IntGauge,
    /// Sessions streaming a topic (`SUB`) now.
    pub subscribers_open: IntGauge,
    /// Requests waiting for the broker's answer (in flight).
    pub requests_in_flight: IntGauge,
    /// Commands waiting in the broker's queue, as last seen by a request (queue depth).
    pub command_queue: IntGauge,
    /// Topics the broker holds.
    pub topics: IntGauge,
    pub published: IntCounter,
    /// Publishes answered `ERR` (busy, too many topics, stopped): not published, retryable.
    pub refused: IntCounter,
    /// Messages subscribers missed because they fell behind (`LAGGED n`).
    pub lagged: IntCounter,
    /// 0 serving, 1 draining (readiness off), 2 drained, 3 shutdown deadline exceeded.
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
        let sessions_open = gauge("pubsub_sessions_open", "Client connections open now.");
        let subscribers_open = gauge("pubsub_subscribers_open", "Sessions streaming a topic now.");
        let requests_in_flight = gauge(
            "pubsub_requests_in_flight",
            "Requests waiting for the broker's answer.",
        );
        let command_queue = gauge(
            "pubsub_broker_queue_depth",
            "Commands waiting in the broker's queue, as last seen by a request.",
        );
        let topics = gauge("pubsub_topics", "Topics the broker holds.");
        let shutdown_phase = gauge(
            "shutdown_phase",
            "0 serving, 1 draining (readiness off), 2 drained, 3 shutdown deadline exceeded.",
        );
        let counter = |name: &str, help: &str| {
            let counter = IntCounter::new(name, help).expect("a valid metric");
            registry
                .register(Box::new(counter.clone()))
                .expect("metric names are unique");
            counter
        };
        let published = counter("pubsub_published_total", "Messages published.");
        let refused = counter(
            "pubsub_publish_refused_total",
            "Publishes answered ERR (busy, too many topics, stopped): not published, retryable.",
        );
        let lagged = counter(
            "pubsub_lagged_messages_total",
            "Messages subscribers missed because they fell behind.",
        );
        Metrics {
            registry,
            sessions_open,
            subscribers_open,
            requests_in_flight,
            command_queue,
            topics,
            published,
            refused,
            lagged,
            shutdown_phase,
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
        metrics.published.inc();
        metrics.topics.set(3);
        let text = metrics.render();
        for line in [
            "pubsub_published_total 1",
            "pubsub_topics 3",
            "shutdown_phase 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
        let get = |path: &str| route(format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes(), &metrics).0;
        assert_eq!(get("/healthz"), "200 OK");
        assert_eq!(get("/readyz"), "200 OK");
        assert_eq!(get("/nope"), "404 Not Found");
        metrics.shutdown_phase.set(1);
        assert_eq!(get("/readyz"), "503 Service Unavailable");
    }
}
