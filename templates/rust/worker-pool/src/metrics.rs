//! Prometheus metrics (the `prometheus` crate). `metrics_http.rs` (shared by the templates)
//! serves them with the probes on `METRICS_ADDR`: `GET /metrics`, `GET /healthz` and `GET /readyz`
//! (503 once `shutdown_phase` leaves 0).

use prometheus::{Encoder, IntCounter, IntGauge, Registry, TextEncoder};

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
        for line in ["jobs_accepted_total 1", "jobs_queued 3", "shutdown_phase 0"] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
        assert!(metrics.ready());
        metrics.shutdown_phase.set(1);
        assert!(!metrics.ready());
    }
}
