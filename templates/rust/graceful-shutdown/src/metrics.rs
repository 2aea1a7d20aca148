//! Prometheus metrics (the `prometheus` crate). `metrics_http.rs` (shared by the templates)
//! serves them with the probes on `METRICS_ADDR`: `GET /metrics`, `GET /healthz` and `GET /readyz`
//! (503 once `shutdown_phase` leaves 0).

use prometheus::{Encoder, Gauge, IntCounter, IntGauge, Registry, TextEncoder};

pub struct Metrics {
    registry: Registry,
    /// Items accepted and waiting for the consumer (queue depth).
    pub queued: IntGauge,
    /// Items the consumer is handling now.
    pub in_flight: IntGauge,
    pub accepted: IntCounter,
    /// Answers `refused shutting down` written to producers.
    pub refused: IntCounter,
    /// Items recorded in the journal (synced) and acknowledged.
    pub processed: IntCounter,
    pub timed_out: IntCounter,
    /// How late the last heartbeat tick fired: a busy or blocked runtime shows here first.
    pub heartbeat_lag_seconds: Gauge,
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
            "items_queued",
            "Items accepted and waiting for the consumer (queue depth).",
        );
        let in_flight = gauge("items_in_flight", "Items the consumer is handling now.");
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
        let accepted = counter("items_accepted_total", "Items accepted into the queue.");
        let refused = counter(
            "items_refused_total",
            "Answers `refused shutting down` written to producers.",
        );
        let processed = counter(
            "items_processed_total",
            "Items recorded in the journal (synced) and acknowledged.",
        );
        let timed_out = counter("items_timed_out_total", "Items past ITEM_TIMEOUT_MS.");
        let heartbeat_lag_seconds = Gauge::new(
            "heartbeat_lag_seconds",
            "How late the last heartbeat tick fired (runtime lag).",
        )
        .expect("a valid metric");
        registry
            .register(Box::new(heartbeat_lag_seconds.clone()))
            .expect("metric names are unique");
        Metrics {
            registry,
            queued,
            in_flight,
            accepted,
            refused,
            processed,
            timed_out,
            heartbeat_lag_seconds,
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
        metrics.accepted.inc();
        metrics.queued.set(3);
        let text = metrics.render();
        for line in [
            "items_accepted_total 1",
            "items_queued 3",
            "shutdown_phase 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
        assert!(metrics.ready());
        metrics.shutdown_phase.set(1);
        assert!(!metrics.ready());
    }
}
