/**
 * Prometheus metrics (prom-client), served on GET /metrics by the metrics listener: the pool's
 * queue depth and running jobs, producers held back by backpressure, how jobs ended, lines refused
 * at shutdown, event-loop lag (with the rest of Node's default metrics) and where a shutdown
 * stands. Every figure is read from the service when scraped.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { PoolStats } from "./pool.js";

export interface ServiceFigures {
  readonly pool: PoolStats;
  /** Lines read but refused (retryable) because the shutdown had begun. */
  readonly refused: number;
  /** 0 running, 1 draining (intake stopped), 2 drained, 3 shutdown deadline passed. */
  readonly shutdownPhase: number;
}

export function createMetrics(read: () => ServiceFigures): Registry {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds: a blocked event loop shows here first.
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, value: (figures: ServiceFigures) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(read()));
      },
    });
  };
  const counter = (name: string, help: string, value: (figures: ServiceFigures) => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(read()));
      },
    });
  };
  gauge("pool_threads", "Worker threads (POOL_THREADS).", (f) => f.pool.threads);
  gauge("pool_capacity", "Jobs the pool holds at once, running or queued; a producer waits beyond it.", (f) => f.pool.capacity);
  gauge("jobs_queued", "Accepted jobs waiting for a thread (queue depth).", (f) => f.pool.queued);
  gauge("jobs_running", "Jobs running on a thread now (in flight).", (f) => f.pool.running);
  gauge("jobs_waiting_producers", "Producers waiting for room in the pool (backpressure).", (f) => f.pool.waitingProducers);
  counter("jobs_accepted_total", "Jobs accepted into the pool.", (f) => f.pool.accepted);
  counter("jobs_succeeded_total", "Jobs that finished with a result.", (f) => f.pool.succeeded);
  counter("jobs_failed_total", "Jobs that failed.", (f) => f.pool.failed);
  counter("jobs_timed_out_total", "Jobs cancelled at JOB_TIMEOUT_MS.", (f) => f.pool.timedOut);
  counter("jobs_cancelled_total", "Jobs cancelled at the shutdown deadline.", (f) => f.pool.cancelled);
  counter("lines_refused_total", "Lines read but refused (retryable) because the shutdown had begun.", (f) => f.refused);
  gauge("shutdown_phase", "0 running, 1 draining (intake stopped), 2 drained, 3 shutdown deadline passed.", (f) => f.shutdownPhase);
  return registry;
}
