import { availableParallelism } from "node:os";

export interface Config {
  /** Worker threads (default: every core). */
  readonly threads: number;
  /** Accepted jobs allowed to wait for a thread (default: two per thread). */
  readonly maxQueue: number;
  /** Deadline of each job. */
  readonly jobTimeoutMs: number;
  /** How long a shutdown waits for accepted jobs before cancelling them. */
  readonly shutdownDeadlineMs: number;
  /** How often progress is written to stderr (0 turns it off). */
  readonly progressIntervalMs: number;
  /** Longest input line; a longer one is answered with an error and skipped, never buffered whole. */
  readonly maxLineBytes: number;
  /** Jobs generated when stdin is a terminal (demo mode). */
  readonly demoJobs: number;
  /**
   * Port of the metrics listener (GET /metrics, /healthz, /readyz); undefined (METRICS_PORT unset):
   * no listener. 0 picks a free port, logged as "metrics listening".
   */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const threads = integer(env, "POOL_THREADS", availableParallelism(), 1, 512);
  return {
    threads,
    maxQueue: integer(env, "POOL_MAX_QUEUE", threads * 2, 0, 100_000),
    jobTimeoutMs: integer(env, "JOB_TIMEOUT_MS", 30_000, 1, 86_400_000),
    shutdownDeadlineMs: integer(env, "SHUTDOWN_DEADLINE_MS", 10_000, 1, 3_600_000),
    progressIntervalMs: integer(env, "PROGRESS_INTERVAL_MS", 1_000, 0, 3_600_000),
    maxLineBytes: integer(env, "MAX_LINE_BYTES", 65_536, 64, 16_777_216),
    demoJobs: integer(env, "DEMO_JOBS", 200, 0, 100_000_000),
    metricsPort: env["METRICS_PORT"]?.trim() ? integer(env, "METRICS_PORT", 0, 0, 65_535) : undefined,
    metricsHost: env["METRICS_HOST"]?.trim() || "0.0.0.0",
  };
}
