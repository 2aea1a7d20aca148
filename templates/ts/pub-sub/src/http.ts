/**
 * The HTTP face of the broker, on node:http:
 *
 *   POST /topics/:name          publish the request body (202 with a receipt)
 *   GET  /topics/:name/events   subscribe: Server-Sent Events
 *   GET  /topics/:name          latest state of the topic (from its watch channel)
 *   GET  /topics                every topic's state
 *   GET  /healthz, /readyz      liveness; readiness is 503 while draining
 *
 * Every request that waits on the broker has a deadline; the server has header, request and
 * keep-alive timeouts and a connection limit; shutdown stops intake, ends every SSE stream with a
 * `shutdown` event, and closes what is left at the deadline.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Broker, BrokerClosedError, type Publisher } from "./broker.js";
import type { Config } from "./config.js";
import { TopicLimitError } from "./hub.js";
import { type StreamEnd, streamSubscription } from "./sse.js";

const TOPIC_NAME = /^[A-Za-z0-9._~-]{1,128}$/;

export interface AppMetrics {
  openStreams: number;
  readonly streamsEnded: Record<StreamEnd, number>;
  published: number;
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
  "maxMessageBytes" | "requestTimeoutMs" | "maxConnections" | "heartbeatMs" | "slowConsumerTimeoutMs"
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
}

export function createApp(config: AppConfig, broker: Broker, options: AppOptions = {}): App {
  const publisher = options.publisher ?? broker;
  const ready = options.ready ?? (() => true);
  const shutdown = new AbortController();
  const metrics: AppMetrics = {
    openStreams: 0,
    streamsEnded: { "client-closed": 0, "slow-consumer": 0, shutdown: 0, "topic-closed": 0 },
    published: 0,
  };

  const server = createServer({
    headersTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
  });
  server.maxConnections = config.maxConnections;
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
    if (parts[0] !== "topics" || parts.length > 3) throw new HttpError(404, "not found");
    if (shutdown.signal.aborted) throw new HttpError(503, "shutting down", { connection: "close" });
    const deadline = AbortSignal.timeout(config.requestTimeoutMs);

    if (parts.length === 1) {
      if (req.method !== "GET") throw new HttpError(405, "use GET", { allow: "GET" });
      return json(res, 200, { topics: await broker.states({ signal: deadline }) });
    }
    const topic = decodeURIComponent(parts[1] ?? "");
    if (!TOPIC_NAME.test(topic)) {
      throw new HttpError(400, "topic names are 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
    }
    if (parts.length === 3) {
      if (parts[2] !== "events") throw new HttpError(404, "not found");
      if (req.method !== "GET") throw new HttpError(405, "use GET", { allow: "GET" });
      const subscription = await broker.subscribe(topic, { signal: deadline });
      metrics.openStreams += 1;
      try {
        const end = await streamSubscription(res, subscription, {
          heartbeatMs: config.heartbeatMs,
          slowConsumerTimeoutMs: config.slowConsumerTimeoutMs,
          shutdown: shutdown.signal,
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
      const data = await readBody(req, config.maxMessageBytes, deadline);
      const receipt = await publisher.publish(topic, data, { signal: deadline });
      metrics.published += 1;
      return json(res, 202, receipt);
    }
    throw new HttpError(405, "use GET or POST", { allow: "GET, POST" });
  }

  // Requests in progress per socket, so shutdown can close every socket that is not serving one:
  // idle keep-alive sockets, and sockets a client opened ahead of time and never used.
  const activeRequests = new Map<Socket, number>();
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
    res.once("close", () => {
      activeRequests.set(socket, (activeRequests.get(socket) ?? 1) - 1);
      if (shutdown.signal.aborted) closeIfIdle(socket);
    });
    handle(req, res).catch((error: unknown) => respondWithError(res, error));
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
        const deadline = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, deadlineMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve(true);
        });
        for (const socket of activeRequests.keys()) closeIfIdle(socket);
      });
      return closing;
    },
  };
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

function respondWithError(res: ServerResponse, error: unknown): void {
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
  console.error("request failed:", error);
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
