export interface Config {
  readonly host: string;
  readonly port: number;
  /** Messages each topic keeps for subscribers that fall behind (the broadcast ring size). */
  readonly topicCapacity: number;
  readonly maxTopics: number;
  /** Broker commands that may wait for the actor loop. */
  readonly commandQueueCapacity: number;
  /** Largest message body accepted by POST /topics/:name. */
  readonly maxMessageBytes: number;
  /** Deadline of every request that waits on the broker (and of Redis commands). */
  readonly requestTimeoutMs: number;
  /** SSE connections served at once. */
  readonly maxConnections: number;
  /** SSE streams open at once; counted apart from MAX_CONNECTIONS so streams cannot starve probes and publishes. */
  readonly maxStreams: number;
  /** A comment line sent on idle SSE streams so proxies and clients see the stream is alive. */
  readonly heartbeatMs: number;
  /** How long an SSE client may leave its socket full before it is disconnected as too slow. */
  readonly slowConsumerTimeoutMs: number;
  /** How long shutdown waits for open streams and requests before closing their sockets. */
  readonly shutdownDeadlineMs: number;
  // asyncpat-template:if broker=redis
  /** The Redis server every process publishes through. */
  readonly redisUrl: string;
  /** Prefix of the Redis pub/sub channels (one per topic). */
  readonly redisChannelPrefix: string;
  // asyncpat-template:endif
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
  return {
    host: env["HOST"] ?? "127.0.0.1",
    port: integer(env, "PORT", 3000, 0, 65_535),
    topicCapacity: integer(env, "TOPIC_CAPACITY", 256, 1, 1_000_000),
    maxTopics: integer(env, "MAX_TOPICS", 1_024, 1, 1_000_000),
    commandQueueCapacity: integer(env, "COMMAND_QUEUE_CAPACITY", 1_024, 1, 1_000_000),
    maxMessageBytes: integer(env, "MAX_MESSAGE_BYTES", 64 * 1024, 1, 16 * 1024 * 1024),
    requestTimeoutMs: integer(env, "REQUEST_TIMEOUT_MS", 5_000, 1, 600_000),
    maxConnections: integer(env, "MAX_CONNECTIONS", 1_000, 1, 1_000_000),
    maxStreams: integer(env, "MAX_STREAMS", 1_000, 1, 1_000_000),
    heartbeatMs: integer(env, "HEARTBEAT_MS", 15_000, 10, 3_600_000),
    slowConsumerTimeoutMs: integer(env, "SLOW_CONSUMER_TIMEOUT_MS", 10_000, 1, 3_600_000),
    shutdownDeadlineMs: integer(env, "SHUTDOWN_DEADLINE_MS", 10_000, 1, 3_600_000),
    // asyncpat-template:if broker=redis
    redisUrl: env["REDIS_URL"] ?? "redis://127.0.0.1:6379",
    redisChannelPrefix: env["REDIS_CHANNEL_PREFIX"] ?? "pubsub:topic:",
    // asyncpat-template:endif
  };
}
