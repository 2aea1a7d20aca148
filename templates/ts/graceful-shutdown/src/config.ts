/**
 * Configuration from environment variables, validated once at start-up. Every problem is
 * reported at once, naming the variable and what it accepts, and the process exits 2.
 */
import { LOG_LEVELS, type LogLevel } from "./log.js";

export interface Config {
  /** Jobs buffered between intake and the consumer; when full, intake stops reading (backpressure). */
  readonly queueCapacity: number;
  /** Longest accepted input line; a longer one is dropped and logged. */
  readonly maxLineBytes: number;
  /** Deadline for processing one job. */
  readonly jobTimeoutMs: number;
  /**
   * Minimum pause between two jobs, to stay under a downstream's rate limit (0: no pause).
   * It applies while draining too, so it is also what makes a backlog slow to drain.
   */
  readonly minJobIntervalMs: number;
  /** Period of the stats report. */
  readonly statsIntervalMs: number;
  /** Time allowed for the ordered shutdown; past it the process exits 1. */
  readonly shutdownTimeoutMs: number;
  /** File the results are appended to, one JSON object per line. */
  readonly outputPath: string;
  readonly logLevel: LogLevel;
  /**
   * Port of the metrics listener (GET /metrics, /healthz, /readyz); undefined (METRICS_PORT unset):
   * no listener. 0 picks a free port, logged as "metrics listening".
   */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}.`);
      return fallback;
    }
    return value;
  };

  const queueCapacity = int("QUEUE_CAPACITY", 64, 1, 1_000_000);
  const maxLineBytes = int("MAX_LINE_BYTES", 65_536, 16, 16_777_216);
  const jobTimeoutMs = int("JOB_TIMEOUT_MS", 5_000, 1, 3_600_000);
  const minJobIntervalMs = int("MIN_JOB_INTERVAL_MS", 0, 0, 3_600_000);
  const statsIntervalMs = int("STATS_INTERVAL_MS", 10_000, 10, 86_400_000);
  const shutdownTimeoutMs = int("SHUTDOWN_TIMEOUT_MS", 10_000, 1, 3_600_000);
  const outputPath = env["OUTPUT_PATH"]?.trim() || "output.ndjson";
  const metricsPort = env["METRICS_PORT"]?.trim() ? int("METRICS_PORT", 0, 0, 65_535) : undefined;
  const metricsHost = env["METRICS_HOST"]?.trim() || "0.0.0.0";

  const rawLevel = env["LOG_LEVEL"]?.trim() || "info";
  const logLevel = LOG_LEVELS.find((level) => level === rawLevel);
  if (logLevel === undefined) {
    problems.push(`LOG_LEVEL=${JSON.stringify(rawLevel)} must be one of ${LOG_LEVELS.join(", ")}.`);
  }

  if (problems.length > 0 || logLevel === undefined) throw new ConfigError(problems);
  return { queueCapacity, maxLineBytes, jobTimeoutMs, minJobIntervalMs, statsIntervalMs, shutdownTimeoutMs, outputPath, logLevel, metricsPort, metricsHost };
}
