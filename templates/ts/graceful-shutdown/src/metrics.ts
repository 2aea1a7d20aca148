/**
 * Prometheus metrics (prom-client), served on GET /metrics by the metrics listener: queue depth,
 * the job in flight, what intake accepted and refused, what the consumer finished, event-loop lag
 * (with the rest of Node's default metrics), and where a shutdown stands. Every figure is read from
 * the supervisor when scraped, so the service code keeps plain counters.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export interface ServiceFigures {
  readonly read: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly queued: number;
  readonly inFlight: number;
  readonly processed: number;
  readonly failed: number;
  readonly abandoned: number;
  /** 0 running, 1 draining (intake stopped), 2 drained (closing resources), 3 shutdown deadline exceeded. */
  readonly shutdownPhase: number;
}

export function createMetrics(read: () => ServiceFigures, queueCapacity: number): Registry {
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
  gauge("jobs_queued", "Jobs accepted and waiting for the consumer (queue depth).", (f) => f.queued);
  new Gauge({ name: "jobs_queue_capacity", help: "QUEUE_CAPACITY: when the queue is full, intake stops reading.", registers: [registry] }).set(queueCapacity);
  gauge("jobs_in_flight", "Jobs the consumer is processing now.", (f) => f.inFlight);
  counter("jobs_read_total", "Complete input lines read.", (f) => f.read);
  counter("jobs_accepted_total", "Jobs accepted into the queue.", (f) => f.accepted);
  counter("jobs_rejected_total", "Lines refused by intake (invalid, or longer than MAX_LINE_BYTES).", (f) => f.rejected);
  counter("jobs_processed_total", "Jobs processed and written to the output.", (f) => f.processed);
  counter("jobs_failed_total", "Jobs that failed (written to the output as failed).", (f) => f.failed);
  counter("jobs_abandoned_total", "Jobs given up at the shutdown deadline (written to the output as abandoned).", (f) => f.abandoned);
  gauge("shutdown_phase", "0 running, 1 draining (intake stopped), 2 drained (closing resources), 3 shutdown deadline exceeded.", (f) => f.shutdownPhase);
  return registry;
}
