//! Prometheus metrics (the `prometheus` crate), served on `GET /metrics`: requests in flight,
//! answers by status, connections shed, and where a shutdown stands.

use prometheus::{Encoder, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};

pub struct Metrics {
    registry: Registry,
    pub in_flight: IntGauge,
    pub responses: IntCounterVec,
    pub shed: IntCounter,
    /// 0 serving, 1 draining (readiness off), 2 listener closed, 3 forced at the deadline.
    pub shutdown_phase: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let in_flight = IntGauge::new(
            "http_requests_in_flight",
            "Requests whose handler is running.",
        )
        .expect("a valid metric");
        let responses = IntCounterVec::new(
            Opts::new("http_responses_total", "Responses sent, by status code."),
            &["status"],
        )
        .expect("a valid metric");
        let shed = IntCounter::new(
            "http_connections_shed_total",
            "Connections over MAX_CONNECTIONS answered 503 (probes excepted).",
        )
        .expect("a valid metric");
        let shutdown_phase = IntGauge::new(
            "shutdown_phase",
            "0 serving, 1 draining (readiness off), 2 listener closed, 3 forced at the deadline.",
        )
        .expect("a valid metric");
        let registry = Registry::new();
        for collector in [
            Box::new(in_flight.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(responses.clone()),
            Box::new(shed.clone()),
            Box::new(shutdown_phase.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }
        Metrics {
            registry,
            in_flight,
            responses,
            shed,
            shutdown_phase,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.in_flight.inc();
        metrics.responses.with_label_values(&["200"]).inc();
        metrics.shed.inc();
        let text = metrics.render();
        for line in [
            "http_requests_in_flight 1",
            "http_responses_total{status=\"200\"} 1",
            "http_connections_shed_total 1",
            "shutdown_phase 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
    }
}
