//! Prometheus metrics (the `prometheus` crate), served on `GET /metrics`: requests in flight,
//! connections open, answers by status, connections shed, requests queued for the upstream
//! connection, runtime lag, and where a shutdown stands.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, Gauge, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use tokio::time::{interval, Instant, MissedTickBehavior};

use crate::shutdown::Shutdown;

pub struct Metrics {
    registry: Registry,
    pub in_flight: IntGauge,
    pub responses: IntCounterVec,
    pub shed: IntCounter,
    /// Connections holding a slot (at most MAX_CONNECTIONS).
    pub connections_open: IntGauge,
    /// Requests waiting for the shared upstream connection (the queue in front of its lock).
    pub upstream_waiting: IntGauge,
    /// Requests answered 503 because the upstream connection stayed busy past
    /// UPSTREAM_LOCK_TIMEOUT_MS.
    pub upstream_lock_timeouts: IntCounter,
    /// How late the last lag probe tick fired: blocking code on the runtime shows here first.
    pub runtime_lag_seconds: Gauge,
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
        let connections_open = IntGauge::new(
            "http_connections_open",
            "Connections holding a slot (at most MAX_CONNECTIONS).",
        )
        .expect("a valid metric");
        let upstream_waiting = IntGauge::new(
            "upstream_waiting",
            "Requests waiting for the shared upstream connection (queue depth).",
        )
        .expect("a valid metric");
        let upstream_lock_timeouts = IntCounter::new(
            "upstream_lock_timeouts_total",
            "Requests answered 503 because the upstream connection stayed busy past UPSTREAM_LOCK_TIMEOUT_MS.",
        )
        .expect("a valid metric");
        let runtime_lag_seconds = Gauge::new(
            "runtime_lag_seconds",
            "How late the last lag probe tick fired (a blocked runtime shows here first).",
        )
        .expect("a valid metric");
        let registry = Registry::new();
        for collector in [
            Box::new(in_flight.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(responses.clone()),
            Box::new(shed.clone()),
            Box::new(connections_open.clone()),
            Box::new(upstream_waiting.clone()),
            Box::new(upstream_lock_timeouts.clone()),
            Box::new(runtime_lag_seconds.clone()),
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
            connections_open,
            upstream_waiting,
            upstream_lock_timeouts,
            runtime_lag_seconds,
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

impl crate::metrics_http::Exposition for Metrics {
    fn render(&self) -> String {
        Metrics::render(self)
    }

    /// Ready until the shutdown begins (phase 0).
    fn ready(&self) -> bool {
        self.shutdown_phase.get() == 0
    }
}

/// Raises a gauge while alive and lowers it when dropped, so a request cut off by its deadline
/// (its future dropped mid-await) still gives its count back.
pub struct Counted<'a>(&'a IntGauge);

impl<'a> Counted<'a> {
    pub fn new(gauge: &'a IntGauge) -> Self {
        gauge.inc();
        Counted(gauge)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The lag probe: ticks every `period` and records how late each tick fired in
/// `runtime_lag_seconds`. Stops when the shutdown begins (that arm first: `biased;`).
pub async fn watch_lag(metrics: Arc<Metrics>, period: Duration, mut stop: Shutdown) {
    let mut ticks = interval(period);
    // After a stall, fire once and keep the period from there (not every missed tick at once).
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let scheduled = tokio::select! {
            biased;
            _ = stop.wait() => return,
            scheduled = ticks.tick() => scheduled,
        };
        let lag = Instant::now().saturating_duration_since(scheduled);
        metrics.runtime_lag_seconds.set(lag.as_secs_f64());
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
        let waiting = Counted::new(&metrics.upstream_waiting);
        let text = metrics.render();
        for line in [
            "http_requests_in_flight 1",
            "http_responses_total{status=\"200\"} 1",
            "http_connections_shed_total 1",
            "http_connections_open 0",
            "upstream_waiting 1",
            "upstream_lock_timeouts_total 0",
            "runtime_lag_seconds 0",
            "shutdown_phase 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
        drop(waiting);
        assert!(metrics.render().lines().any(|l| l == "upstream_waiting 0"));
    }

    #[tokio::test]
    async fn the_lag_probe_stops_when_the_shutdown_begins() {
        let metrics = Arc::new(Metrics::new());
        let (trigger, shutdown) = crate::shutdown::channel();
        let probe = tokio::spawn(watch_lag(
            metrics.clone(),
            Duration::from_millis(5),
            shutdown,
        ));
        trigger.fire();
        tokio::time::timeout(Duration::from_secs(5), probe)
            .await
            .expect("the probe returns once shutdown has begun")
            .expect("the probe does not panic");
    }
}
