/**
 * The multi-process step: every process publishes through Redis and every process delivers what
 * Redis hands it to its own local subscribers, so a message posted to any instance reaches the
 * SSE clients of all of them. Lag, slow-consumer handling and the watch state stay local.
 *
 * Two connections, because a Redis connection in subscriber mode can run no other command. Both
 * have a connect timeout, a command timeout and a bounded retry per request; the publisher has no
 * offline queue, so while Redis is down a publish fails fast (503) instead of piling up in memory.
 */
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Broker, PublishReceipt, Publisher, RequestOptions } from "./broker.js";

export interface RedisBridgeOptions {
  readonly url: string;
  readonly channelPrefix: string;
  /** Connect and command timeout. */
  readonly timeoutMs: number;
  /** Called with errors of deliveries and of the connections (they reconnect by themselves). */
  readonly onError?: (error: unknown) => void;
}

interface WireMessage {
  readonly data: string;
  readonly publishedAt: string;
}

export class RedisBridge implements Publisher {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #broker: Broker;
  readonly #timeoutMs: number;
  #closed = false;
  readonly #flushes = new Map<string, () => void>();

  private constructor(broker: Broker, options: RedisBridgeOptions) {
    this.#broker = broker;
    this.#prefix = options.channelPrefix;
    this.#timeoutMs = options.timeoutMs;
    const onError = options.onError ?? ((error: unknown) => console.error("redis:", error));
    const common: RedisOptions = {
      lazyConnect: true,
      connectTimeout: options.timeoutMs,
      commandTimeout: options.timeoutMs,
      maxRetriesPerRequest: 1,
      // Reconnect for as long as it takes, with a capped backoff; `ready` (and /readyz) tells meanwhile.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    };
    this.#publisher = new Redis(options.url, { ...common, enableOfflineQueue: false, connectionName: "pubsub-publisher" });
    this.#subscriber = new Redis(options.url, { ...common, connectionName: "pubsub-subscriber" });
    this.#publisher.on("error", onError);
    this.#subscriber.on("error", onError);
    this.#subscriber.on("pmessage", (_pattern: string, channel: string, payload: string) => {
      try {
        this.#deliver(channel, payload);
      } catch (error) {
        onError(error);
      }
    });
  }

  /** Connects both connections and subscribes to every topic channel; rejects after the timeout. */
  static async connect(broker: Broker, options: RedisBridgeOptions): Promise<RedisBridge> {
    const bridge = new RedisBridge(broker, options);
    try {
      await bridge.#publisher.connect();
      await bridge.#subscriber.connect();
      await bridge.#subscriber.psubscribe(`${escapeGlob(options.channelPrefix)}*`);
    } catch (error) {
      bridge.#publisher.disconnect();
      bridge.#subscriber.disconnect();
      throw new Error(`Could not connect to Redis at ${redactUrl(options.url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return bridge;
  }

  /** Both connections are up (the subscriber resubscribes by itself after a reconnect). */
  get ready(): boolean {
    return this.#publisher.status === "ready" && this.#subscriber.status === "ready";
  }

  async publish(topic: string, data: string, options: RequestOptions = {}): Promise<PublishReceipt> {
    options.signal?.throwIfAborted();
    const wire: WireMessage = { data, publishedAt: new Date().toISOString() };
    const receivers = await this.#publisher.publish(`${this.#prefix}${topic}`, JSON.stringify(wire));
    return { topic, seq: undefined, receivers };
  }

  /** Unsubscribes and closes both connections (QUIT, or a hard disconnect after the timeout). */
  /**
   * Resolves once every message this process published so far has come back on the subscriber
   * connection (and so reached the local subscribers): a marker published after them on the same
   * connection arrives after them. Shutdown waits for this before it ends the SSE streams.
   */
  async flush(options: RequestOptions = {}): Promise<void> {
    const marker = `${FLUSH_MARKER}${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => this.#flushes.set(marker, resolve));
    try {
      await this.#publisher.publish(`${this.#prefix}${marker}`, "{}");
      await untilAborted(arrived, options.signal);
    } finally {
      this.#flushes.delete(marker);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([quit(this.#subscriber, this.#timeoutMs), quit(this.#publisher, this.#timeoutMs)]);
  }

  #deliver(channel: string, payload: string): void {
    if (!channel.startsWith(this.#prefix)) return;
    const topic = channel.slice(this.#prefix.length);
    if (topic.startsWith(FLUSH_MARKER)) {
      this.#flushes.get(topic)?.();
      return;
    }
    const wire = JSON.parse(payload) as Partial<WireMessage>;
    if (typeof wire.data !== "string") throw new Error(`malformed message on Redis channel ${channel}`);
    const publishedAt = typeof wire.publishedAt === "string" ? new Date(wire.publishedAt) : new Date();
    this.#broker.deliver(topic, wire.data, publishedAt);
  }
}

/** Starts the marker channels of `flush()`; `!` is never part of a topic name. */
const FLUSH_MARKER = "!flush:";

function untilAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

async function quit(connection: Redis, timeoutMs: number): Promise<void> {
  if (connection.status === "end") return;
  const timer = setTimeout(() => connection.disconnect(), timeoutMs);
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}
