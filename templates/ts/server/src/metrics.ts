/**
 * Prometheus metrics (prom-client), served on GET /metrics: what is in flight, what was shed,
 * event-loop lag (with the rest of Node's default metrics), and where a shutdown stands.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly inFlight: Gauge;
  readonly requests: Counter<"status">;
  readonly shed: Counter;
  /** 0 serving, 1 draining (readiness off), 2 listener closed, 3 forced. */
  readonly shutdownPhase: Gauge;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds: a blocked event loop shows here first.
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    inFlight: new Gauge({ name: "http_requests_in_flight", help: "Requests whose handler is running.", registers: [registry] }),
    requests: new Counter({
      name: "http_requests_total",
      help: "Requests answered, by status code.",
      labelNames: ["status"],
      registers: [registry],
    }),
    shed: new Counter({ name: "http_requests_shed_total", help: "Requests answered 503 because every slot was busy.", registers: [registry] }),
    shutdownPhase: new Gauge({
      name: "shutdown_phase",
      help: "0 serving, 1 draining (readiness off), 2 listener closed, 3 forced at the deadline.",
      registers: [registry],
    }),
  };
}
