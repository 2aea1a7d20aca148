/**
 * Configuration from environment variables, validated once at start-up. Every problem is
 * reported at once, naming the variable and what it accepts, and the process exits 2.
 */

export interface Config {
  /** Interface to listen on. */
  readonly host: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** Deadline for each request, from arrival to response; when it fires the answer is 504. */
  readonly requestDeadlineMs: number;
  /** Requests handled at once; more are shed with 503 and Retry-After. */
  readonly maxConcurrentRequests: number;
  /** Largest accepted request body; a larger one is answered with 413. */
  readonly maxBodyBytes: number;
  /** Node's `server.headersTimeout`: time allowed to receive the request headers. */
  readonly headersTimeoutMs: number;
  /** Node's `server.requestTimeout`: time allowed to receive the whole request (408 after). */
  readonly requestTimeoutMs: number;
  /** Node's `server.keepAliveTimeout`: how long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** After SIGTERM, how long /readyz answers 503 while traffic is still served, before the listener closes. */
  readonly readinessDrainDelayMs: number;
  /** Time allowed for in-flight requests to finish after the listener closes; then connections are cut and the exit code is 1. */
  readonly shutdownTimeoutMs: number;
  /** Value of the Retry-After header (seconds) when shedding load. */
  readonly retryAfterSeconds: number;
  /** Base URL of the upstream service called by GET /v1/upstream; unset disables that route. */
  readonly upstreamUrl: URL | undefined;
  /** Largest upstream response body read into memory. */
  readonly maxUpstreamBodyBytes: number;
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

  const host = env["HOST"]?.trim() || "0.0.0.0";
  const port = int("PORT", 3000, 0, 65_535);
  const requestDeadlineMs = int("REQUEST_DEADLINE_MS", 5_000, 1, 600_000);
  const maxConcurrentRequests = int("MAX_CONCURRENT_REQUESTS", 100, 1, 100_000);
  const maxBodyBytes = int("MAX_BODY_BYTES", 1_048_576, 0, 1_073_741_824);
  const headersTimeoutMs = int("SERVER_HEADERS_TIMEOUT_MS", 10_000, 1, 600_000);
  const requestTimeoutMs = int("SERVER_REQUEST_TIMEOUT_MS", 30_000, 1, 3_600_000);
  const keepAliveTimeoutMs = int("SERVER_KEEP_ALIVE_TIMEOUT_MS", 5_000, 1, 600_000);
  const readinessDrainDelayMs = int("READINESS_DRAIN_DELAY_MS", 2_000, 0, 600_000);
  const shutdownTimeoutMs = int("SHUTDOWN_TIMEOUT_MS", 10_000, 1, 3_600_000);
  const retryAfterSeconds = int("RETRY_AFTER_SECONDS", 1, 0, 86_400);
  const maxUpstreamBodyBytes = int("MAX_UPSTREAM_BODY_BYTES", 1_048_576, 1, 1_073_741_824);

  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `SERVER_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed SERVER_REQUEST_TIMEOUT_MS (${requestTimeoutMs}).`,
    );
  }

  let upstreamUrl: URL | undefined;
  const rawUpstream = env["UPSTREAM_URL"]?.trim();
  if (rawUpstream) {
    try {
      upstreamUrl = new URL(rawUpstream);
      if (upstreamUrl.protocol !== "http:" && upstreamUrl.protocol !== "https:") {
        problems.push(`UPSTREAM_URL=${JSON.stringify(rawUpstream)} must be an http: or https: URL.`);
      }
    } catch {
      problems.push(`UPSTREAM_URL=${JSON.stringify(rawUpstream)} is not a valid URL.`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host,
    port,
    requestDeadlineMs,
    maxConcurrentRequests,
    maxBodyBytes,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    readinessDrainDelayMs,
    shutdownTimeoutMs,
    retryAfterSeconds,
    upstreamUrl,
    maxUpstreamBodyBytes,
  };
}
