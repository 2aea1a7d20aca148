//! Prometheus metrics (the `prometheus` crate). `metrics_http.rs` (shared by the templates)
//! serves them with the probes on `METRICS_ADDR`: `GET /metrics`, `GET /healthz` and `GET /readyz`
//! (503 once `shutdown_phase` leaves 0).

use prometheus::{Encoder, IntCounter, IntGauge, Registry, TextEncoder};

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

impl crate::metrics_http::Exposition for Metrics {
    fn render(&self) -> String {
        Metrics::render(self)
    }

    fn ready(&self) -> bool {
        Metrics::ready(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_and_reports_readiness() {
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
        assert!(metrics.ready());
        metrics.shutdown_phase.set(1);
        assert!(!metrics.ready());
    }
}
