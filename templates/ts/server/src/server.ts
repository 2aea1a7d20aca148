import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, Server as NetServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { checkDeclaredLength, readJson } from "./body.js";
import type { Config } from "./config.js";
import { ClientClosedError, DeadlineExceededError, HttpError, ShutdownError } from "./errors.js";
import { Semaphore } from "./lib/semaphore.js";
import type { Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createRoutes, type Reply, type RequestContext, type Route, type RouteState } from "./routes.js";

export type ShutdownOutcome = "clean" | "forced";

export interface Service {
  readonly server: Server;
  /** True from the moment shutdown starts: /readyz answers 503 and responses close their connection. */
  readonly draining: boolean;
  /** Handlers still running (a handler that ignores its signal keeps its slot until it returns). */
  readonly inFlight: number;
  /** Requests read, and responses written in full: the ledger a shutdown must balance. */
  readonly requests: { readonly received: number; readonly answered: number };
  listen(): Promise<AddressInfo>;
  /**
   * Graceful shutdown, safe to call more than once: fail readiness, wait the readiness drain
   * delay, stop accepting, close idle keep-alive connections, let in-flight requests finish.
   * Resolves "clean" when they did within the shutdown timeout, "forced" when the remaining
   * requests were aborted and their connections cut.
   */
  shutdown(): Promise<ShutdownOutcome>;
}

export interface ServiceDeps {
  readonly log: Logger;
  /** Where the service counts what it does; GET /metrics serves it. Defaults to a fresh registry. */
  readonly metrics?: Metrics;
  /** Builds the route table; defaults to the routes in routes.ts. */
  readonly routes?: (config: Config, state: RouteState) => Route[];
}

const JSON_TYPE = "application/json; charset=utf-8";
/** At a forced shutdown, how long the 503s of aborted requests get to be written before connections are cut. */
const FORCED_ANSWER_GRACE_MS = 1_000;

/** Resolves once the response is fully written or its connection is gone. */
function finished(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    res.once("finish", () => resolve());
    res.once("close", () => resolve());
  });
}

export function createService(config: Config, deps: ServiceDeps): Service {
  const { log } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const limiter = new Semaphore(config.maxConcurrentRequests);
  const running = new Map<AbortController, ServerResponse>();
  let draining = false;
  let received = 0;
  let answered = 0;
  let shutdownStarted: Promise<ShutdownOutcome> | undefined;
  const routes = (deps.routes ?? createRoutes)(config, { draining: () => draining });

  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Node enforces the two timeouts above only when it sweeps connections (every 30 s by
      // default); sweep often enough that they mean what they say.
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(config.headersTimeoutMs / 4))),
    },
    (req, res) => {
      received += 1;
      res.once("finish", () => {
        answered += 1;
        metrics.requests.inc({ status: String(res.statusCode) });
      });
      handle(req, res).catch((error: unknown) => {
        log.error("request handling failed", { error });
        res.destroy();
      });
    },
  );
  server.keepAliveTimeout = config.keepAliveTimeoutMs;

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": JSON_TYPE,
      "content-length": String(Buffer.byteLength(payload)),
      "cache-control": "no-store",
      ...(draining ? { connection: "close" } : {}),
      ...headers,
    });
    res.end(payload);
  }

  function sendProblem(res: ServerResponse, status: number, code: string, message: string, headers?: Readonly<Record<string, string>>): void {
    sendJson(res, status, { error: { code, message } }, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = acceptedRequestId(req.headers["x-request-id"]) ?? randomUUID();
    res.setHeader("x-request-id", requestId);
    res.once("close", () => {
      log.info("request", {
        requestId,
        method: req.method,
        path: req.url?.split("?", 1)[0],
        status: res.writableFinished ? res.statusCode : undefined,
        completed: res.writableFinished,
        durationMs: Math.round(performance.now() - started),
      });
    });

    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      sendProblem(res, 400, "bad_request", "The request target is not a valid URL.");
      return;
    }
    // Like the probes, /metrics is never shed: it must answer most of all under load.
    if (url.pathname === "/metrics" && req.method === "GET") {
      const text = await metrics.registry.metrics();
      if (!res.headersSent) {
        res.writeHead(200, { "content-type": metrics.registry.contentType, ...(draining ? { connection: "close" } : {}) });
        res.end(text);
      }
      return;
    }
    const candidates = routes.filter((route) => route.path === url.pathname);
    const route = candidates.find((candidate) => candidate.method === req.method);
    if (route === undefined) {
      const allowed = candidates.map((candidate) => candidate.method).join(", ");
      if (allowed === "") sendProblem(res, 404, "not_found", `No route for ${url.pathname}.`);
      else sendProblem(res, 405, "method_not_allowed", `Use ${allowed}.`, { allow: allowed });
      return;
    }

    try {
      checkDeclaredLength(req, config.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      sendProblem(res, error.status, error.code, error.message, error.headers);
      return;
    }

    if (route.probe === true) {
      await run(route, req, res, url, requestId);
      return;
    }
    // Load shedding: answer "busy" at once rather than queueing without limit.
    const permit = limiter.tryAcquire();
    if (permit === undefined) {
      metrics.shed.inc();
      sendProblem(res, 503, "overloaded", "The server is at capacity; retry later.", {
        "retry-after": String(config.retryAfterSeconds),
      });
      return;
    }
    try {
      await run(route, req, res, url, requestId);
    } finally {
      permit.release();
    }
  }

  async function run(route: Route, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const controller = new AbortController();
    const { signal } = controller;
    const deadline = setTimeout(() => controller.abort(new DeadlineExceededError(config.requestDeadlineMs)), config.requestDeadlineMs);
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort(new ClientClosedError());
    };
    res.once("close", onClose);
    running.set(controller, res);
    metrics.inFlight.inc();

    const ctx: RequestContext = {
      req,
      url,
      requestId,
      signal,
      log,
      readJson: () => readJson(req, config.maxBodyBytes, signal),
    };
    try {
      const work = invoke(route.handler, ctx);
      // Observed at once so a handler failing after its deadline is never an unhandled rejection.
      const stopped = work.then(
        () => undefined,
        () => undefined,
      );
      try {
        const reply = await untilAborted(work, signal);
        sendJson(res, reply.status ?? 200, reply.body, reply.headers);
      } catch (error) {
        answerFailure(res, error, signal, route, requestId);
      }
      // The response may already be out (504), but the slot stays taken until the handler stops.
      await stopped;
    } finally {
      clearTimeout(deadline);
      res.off("close", onClose);
      running.delete(controller);
      metrics.inFlight.dec();
    }
  }

  function answerFailure(res: ServerResponse, error: unknown, signal: AbortSignal, route: Route, requestId: string): void {
    const reason: unknown = signal.aborted ? signal.reason : undefined;
    if (reason instanceof ClientClosedError) return;
    if (reason instanceof DeadlineExceededError) {
      log.warn("request deadline exceeded", { requestId, path: route.path, deadlineMs: reason.deadlineMs });
      sendProblem(res, 504, "deadline_exceeded", reason.message);
      return;
    }
    if (reason instanceof ShutdownError) {
      sendProblem(res, 503, "shutting_down", reason.message, { "retry-after": String(config.retryAfterSeconds) });
      return;
    }
    if (error instanceof HttpError) {
      sendProblem(res, error.status, error.code, error.message, error.headers);
      return;
    }
    log.error("handler failed", { requestId, path: route.path, error });
    sendProblem(res, 500, "internal_error", "The server failed to handle the request.");
  }

  async function drain(): Promise<ShutdownOutcome> {
    draining = true;
    metrics.shutdownPhase.set(1);
    log.info("shutdown started", { inFlight: running.size, readinessDrainDelayMs: config.readinessDrainDelayMs });
    if (config.readinessDrainDelayMs > 0) {
      // Readiness now fails; keep serving while the load balancer takes this instance out.
      await sleep(config.readinessDrainDelayMs);
    }
    log.info("listener closed, waiting for in-flight requests", { inFlight: running.size });
    metrics.shutdownPhase.set(2);
    const outcome = await new Promise<ShutdownOutcome>((resolve) => {
      const timer = setTimeout(() => resolve("forced"), config.shutdownTimeoutMs);
      // Stop accepting, but do not close idle keep-alive connections now (http.Server.close()
      // would): a client may be writing its next request on one at this very moment, and closing
      // it is a reset on a request that never reached a handler. Each connection closes after its
      // next response (`connection: close` while draining) or at SERVER_KEEP_ALIVE_TIMEOUT_MS.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(timer);
        resolve("clean");
      });
    });
    if (outcome === "forced") {
      metrics.shutdownPhase.set(3);
      log.warn("shutdown deadline exceeded, closing remaining connections", {
        inFlight: running.size,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      });
      // Abort first and let the 503s the abort path writes reach their clients; only then cut
      // the connections. Cutting them in the same step turns every one of those 503s into a reset.
      const responses = [...running.values()];
      for (const request of running.keys()) request.abort(new ShutdownError());
      const allAnswered = (async () => {
        for (const res of responses) await finished(res);
      })();
      const grace = new AbortController();
      await Promise.race([allAnswered, sleep(FORCED_ANSWER_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
      grace.abort();
      server.closeAllConnections();
      // Only idle keep-alive connections were left: nothing was cut short, the shutdown was clean.
      if (responses.length === 0) return "clean";
    }
    return outcome;
  }

  return {
    server,
    get draining() {
      return draining;
    },
    get inFlight() {
      return running.size;
    },
    get requests() {
      return { received, answered };
    },
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    shutdown: () => {
      shutdownStarted ??= drain();
      return shutdownStarted;
    },
  };
}

/** A caller's request ID is kept when it is a plain token, so IDs can follow a request across services. */
function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === "string" && /^[\w.:-]{1,128}$/.test(header) ? header : undefined;
}

function invoke(handler: Route["handler"], ctx: RequestContext): Promise<Reply> {
  try {
    return handler(ctx);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
