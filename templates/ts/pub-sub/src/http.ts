/**
 * The HTTP face of the broker, on node:http:
 *
 *   POST /topics/:name          publish the request body (202 with a receipt)
 *   GET  /topics/:name/events   subscribe: Server-Sent Events
 *   GET  /topics/:name          latest state of the topic (from its watch channel)
 *   GET  /topics                every topic's state
 *   GET  /healthz, /readyz      liveness; readiness is 503 while draining
 *   GET  /metrics               Prometheus text format (prom-client)
 *
 * Probes and /metrics are exempt from the caps: SSE streams are limited by MAX_STREAMS, other
 * requests by MAX_CONNECTIONS sockets, and sockets beyond both are still accepted for probes up
 * to PROBE_HEADROOM more.
 * Every request that waits on the broker has a deadline; the server has header, request and
 * keep-alive timeouts and a connection limit; shutdown stops intake, ends every SSE stream with a
 * `shutdown` event, and closes what is left at the deadline.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { type AddressInfo, Server as NetServer, type Socket } from "node:net";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { type Broker, BrokerClosedError, type Publisher } from "./broker.js";
import type { Config } from "./config.js";
import { TopicLimitError } from "./hub.js";
import type { Logger } from "./log.js";
import { type StreamEnd, streamSubscription } from "./sse.js";

const TOPIC_NAME = /^[A-Za-z0-9._~-]{1,128}$/;
/** Sockets accepted beyond MAX_STREAMS + MAX_CONNECTIONS, so probes answer under full load. */
const PROBE_HEADROOM = 16;
/** At shutdown, how long an idle keep-alive socket may stay before it is closed (well above a client's pause between requests). */
const IDLE_SOCKET_GRACE_MS = 1_000;

export interface AppMetrics {
  openStreams: number;
  readonly streamsEnded: Record<StreamEnd, number>;
  published: number;
  /** Requests answered 503 because a cap was reached (streams or connections). */
  shed: number;
  /** Requests refused (503 + Retry-After) because the service was shutting down. */
  refusedShuttingDown: number;
  /** Messages SSE subscribers missed because they fell more than TOPIC_CAPACITY behind. */
  lagged: number;
  /** Publishes being read or applied now. */
  publishesInFlight: number;
  /** 0 serving, 1 draining (readiness off, no new requests), 2 closed, 3 deadline passed. */
  shutdownPhase: number;
}

export interface App {
  readonly server: Server;
  readonly metrics: AppMetrics;
  /** Resolves with the bound address (use port 0 for a free port). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: not ready, stop accepting, end SSE streams, let in-flight requests finish,
   * close idle sockets; at `deadlineMs` close every socket. Resolves true when it finished in time.
   */
  close(deadlineMs: number): Promise<boolean>;
}

type AppConfig = Pick<
  Config,
  "maxMessageBytes" | "requestTimeoutMs" | "maxConnections" | "maxStreams" | "heartbeatMs" | "slowConsumerTimeoutMs"
>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface AppOptions {
  /** Where POST /topics/:name publishes (default: the broker itself). */
  readonly publisher?: Publisher;
  /** Extra readiness check for /readyz, e.g. the Redis connections. */
  readonly ready?: () => boolean;
  /** Where request failures are logged (default: nowhere). */
  readonly log?: Logger;
  /**
   * At shutdown, after the last accepted publish: waits until those messages reached the local
   * subscribers (the Redis round trip), so streams end only after them.
   */
  readonly flush?: (signal: AbortSignal) => Promise<void>;
}

export function createApp(config: AppConfig, broker: Broker, options: AppOptions = {}): App {
  const publisher = options.publisher ?? broker;
  const ready = options.ready ?? (() => true);
  const log = options.log;
  /** Aborted first at shutdown: new requests are refused (503 + Retry-After). */
  const shutdown = new AbortController();
  /** Aborted once the publishes in flight are done: SSE streams flush what they hold and end. */
  const endStreams = new AbortController();
  let publishesSettled: (() => void) | undefined;
  const metrics: AppMetrics = {
    openStreams: 0,
    streamsEnded: { "client-closed": 0, "slow-consumer": 0, shutdown: 0, "topic-closed": 0 },
    published: 0,
    shed: 0,
    refusedShuttingDown: 0,
    lagged: 0,
    publishesInFlight: 0,
    shutdownPhase: 0,
  };
  const registry = createRegistry(broker, metrics);

  const server = createServer({
    headersTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
  });
  server.maxConnections = config.maxConnections + config.maxStreams + PROBE_HEADROOM;
  // Idle sockets are closed; SSE streams stay active through their heartbeat.
  server.setTimeout(Math.max(config.heartbeatMs * 2, 30_000));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter((part) => part !== "");
    if (req.method === "GET" && url.pathname === "/healthz") return json(res, 200, { status: "ok" });
    if (req.method === "GET" && url.pathname === "/readyz") {
      if (shutdown.signal.aborted) return json(res, 503, { status: "draining" });
      return ready() ? json(res, 200, { status: "ready" }) : json(res, 503, { status: "dependencies not ready" });
    }
    if (req.method === "GET" && url.pathname === "/metrics") {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (parts[0] !== "topics" || parts.length > 3) throw new HttpError(404, "not found");
    if (shutdown.signal.aborted) {
      metrics.refusedShuttingDown += 1;
      throw new HttpError(503, "shutting down", { connection: "close", "retry-after": "1" });
    }
    const isStream = parts.length === 3 && parts[2] === "events";
    if (!isStream && activeRequests.size - metrics.openStreams > config.maxConnections) {
      metrics.shed += 1;
      throw new HttpError(503, "too many connections", { connection: "close", "retry-after": "1" });
    }
    const deadline = AbortSignal.timeout(config.requestTimeoutMs);

    if (parts.length === 1) {
      if (req.method !== "GET") throw new HttpError(405, "use GET", { allow: "GET" });
      return json(res, 200, { topics: await broker.states({ signal: deadline }) });
    }
    let topic: string;
    try {
      topic = decodeURIComponent(parts[1] ?? "");
    } catch {
      throw new HttpError(400, "the topic name is not valid percent-encoding");
    }
    if (!TOPIC_NAME.test(topic)) {
      throw new HttpError(400, "topic names are 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
    }
    if (parts.length === 3) {
      if (parts[2] !== "events") throw new HttpError(404, "not found");
      if (req.method !== "GET") throw new HttpError(405, "use GET", { allow: "GET" });
      if (metrics.openStreams >= config.maxStreams) {
        metrics.shed += 1;
        throw new HttpError(503, "too many event streams", { "retry-after": "1" });
      }
      const afterSeq = lastEventId(req.headers["last-event-id"]);
      metrics.openStreams += 1;
      let subscription;
      try {
        subscription = await broker.subscribe(topic, { signal: deadline, afterSeq });
      } catch (error) {
        metrics.openStreams -= 1;
        throw error;
      }
      try {
        const end = await streamSubscription(res, subscription, {
          heartbeatMs: config.heartbeatMs,
          slowConsumerTimeoutMs: config.slowConsumerTimeoutMs,
          shutdown: endStreams.signal,
          onLagged: (skipped) => {
            metrics.lagged += skipped;
          },
        });
        metrics.streamsEnded[end] += 1;
      } finally {
        metrics.openStreams -= 1;
      }
      return;
    }
    if (req.method === "GET") {
      const state = await broker.state(topic, { signal: deadline });
      if (state === undefined) throw new HttpError(404, `no topic named ${topic}`);
      return json(res, 200, state);
    }
    if (req.method === "POST") {
      metrics.publishesInFlight += 1;
      try {
        const data = await readBody(req, config.maxMessageBytes, deadline);
        const receipt = await publisher.publish(topic, data, { signal: deadline });
        metrics.published += 1;
        return json(res, 202, receipt);
      } finally {
        metrics.publishesInFlight -= 1;
        if (metrics.publishesInFlight === 0) publishesSettled?.();
      }
    }
    throw new HttpError(405, "use GET or POST", { allow: "GET, POST" });
  }

  // Requests in progress per socket, so shutdown can close every socket that is not serving one:
  // idle keep-alive sockets, and sockets a client opened ahead of time and never used.
  const activeRequests = new Map<Socket, number>();
  const activeResponses = new Set<ServerResponse>();
  const closeIfIdle = (socket: Socket): void => {
    if ((activeRequests.get(socket) ?? 0) === 0) socket.destroySoon();
  };
  server.on("connection", (socket: Socket) => {
    activeRequests.set(socket, 0);
    socket.once("close", () => activeRequests.delete(socket));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    activeRequests.set(socket, (activeRequests.get(socket) ?? 0) + 1);
    // Once shutdown begins, every response says `connection: close`, so the client does not
    // send another request on a socket about to close (closing it under that request is a reset).
    if (shutdown.signal.aborted) res.shouldKeepAlive = false;
    else activeResponses.add(res);
    res.once("close", () => {
      activeResponses.delete(res);
      activeRequests.set(socket, (activeRequests.get(socket) ?? 1) - 1);
    });
    handle(req, res).catch((error: unknown) => respondWithError(res, error, log));
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });

  let closing: Promise<boolean> | undefined;

  return {
    server,
    metrics,
    listen(port, host) {
      return new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close(deadlineMs) {
      closing ??= new Promise<boolean>((resolve) => {
        shutdown.abort();
        metrics.shutdownPhase = 1;
        for (const res of activeResponses) res.shouldKeepAlive = false;
        // Streams end only after the publishes already accepted reached the topics, so a
        // subscriber gets every message that was answered 202.
        const flushed = new AbortController();
        const settleThenEnd = (): void => {
          const flush = options.flush ?? (() => Promise.resolve());
          flush(flushed.signal).then(
            () => endStreams.abort(),
            () => endStreams.abort(),
          );
        };
        if (metrics.publishesInFlight === 0) settleThenEnd();
        else publishesSettled = settleThenEnd;
        const busy = (): number => [...activeRequests.values()].reduce((sum, count) => sum + count, 0);
        const deadline = setTimeout(() => {
          clearTimeout(idle);
          flushed.abort();
          endStreams.abort();
          // Only idle sockets left means nothing was cut short.
          const clean = busy() === 0;
          metrics.shutdownPhase = clean ? 2 : 3;
          server.closeAllConnections();
          resolve(clean);
        }, deadlineMs);
        // Stop accepting without closing idle keep-alive sockets at once (http.Server.close()
        // would): a client may be writing its next request on one right now, and closing it is a
        // reset on a request that never got an answer. Every response now says `connection:
        // close`; a socket still idle after the grace is closed.
        const idle = setTimeout(() => {
          for (const socket of activeRequests.keys()) closeIfIdle(socket);
        }, Math.min(IDLE_SOCKET_GRACE_MS, Math.floor(deadlineMs / 2)));
        NetServer.prototype.close.call(server, () => {
          clearTimeout(deadline);
          clearTimeout(idle);
          metrics.shutdownPhase = 2;
          resolve(true);
        });
      });
      return closing;
    },
  };
}

/** A resuming SSE client's `Last-Event-ID`: the seq of the last message it got. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (typeof header !== "string" || !/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/**
 * Prometheus metrics (prom-client): streams, publishes in flight, shed and refused requests,
 * subscriber lag, the broker's queue depth, topics, event-loop lag (with the rest of Node's default
 * metrics) and the shutdown phase. Every figure is read from `metrics` and the broker when scraped.
 */
function createRegistry(broker: Broker, metrics: AppMetrics): Registry {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_seconds: a blocked event loop shows here first.
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, value: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  };
  const counter = (name: string, help: string, value: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  };
  gauge("pubsub_open_streams", "SSE streams open now.", () => metrics.openStreams);
  new Counter({
    name: "pubsub_streams_ended_total",
    help: "SSE streams ended, by reason.",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(metrics.streamsEnded)) this.inc({ reason }, count);
    },
  });
  gauge("pubsub_publishes_in_flight", "Publishes being read or applied now.", () => metrics.publishesInFlight);
  counter("pubsub_published_total", "Messages published over HTTP.", () => metrics.published);
  counter("pubsub_shed_total", "Requests answered 503 because a cap was reached.", () => metrics.shed);
  counter("pubsub_refused_shutting_down_total", "Requests refused (503 + Retry-After) while shutting down.", () => metrics.refusedShuttingDown);
  counter("pubsub_lagged_messages_total", "Messages SSE subscribers missed because they fell more than TOPIC_CAPACITY behind.", () => metrics.lagged);
  gauge("pubsub_broker_queue_depth", "Commands waiting for the broker loop.", () => broker.queued);
  gauge("shutdown_phase", "0 serving, 1 draining (readiness off, no new requests), 2 closed, 3 deadline passed.", () => metrics.shutdownPhase);
  new Gauge({
    name: "pubsub_topics",
    help: "Topics held by this process.",
    registers: [registry],
    async collect() {
      const states = await broker.states({ signal: AbortSignal.timeout(1_000) }).catch(() => []);
      this.set(states.length);
    },
  });
  return registry;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function respondWithError(res: ServerResponse, error: unknown, log: Logger | undefined): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) return json(res, error.status, { error: error.message }, error.headers);
  if (error instanceof TopicLimitError) return json(res, 507, { error: error.message });
  if (error instanceof BrokerClosedError) return json(res, 503, { error: error.message }, { connection: "close" });
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return json(res, 503, { error: "the broker did not answer in time" }, { "retry-after": "1" });
  }
  log?.error("request failed", { error });
  json(res, 500, { error: "internal error" });
}

/** Reads the body up to `limit` bytes (413 beyond it) before `signal` aborts. */
async function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limit) throw new HttpError(413, `messages are limited to ${limit} bytes`, { connection: "close" });
  const chunks: Buffer[] = [];
  let size = 0;
  const onAbort = (): void => {
    req.destroy(new HttpError(408, "the request body did not arrive in time"));
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, `messages are limited to ${limit} bytes`, { connection: "close" });
      chunks.push(chunk as Buffer);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks).toString("utf8");
}
