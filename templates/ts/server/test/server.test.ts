import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { after, describe, it } from "node:test";
import { setTimeout as sleep, setImmediate as tick } from "node:timers/promises";
import { loadConfig } from "../src/config.js";
import { createRoutes, type Route } from "../src/routes.js";
import { createService, type Service } from "../src/server.js";
import { memoryLogger, observe, PATIENCE_MS, request, startUpstream, type Upstream, valueOf } from "./support.js";

const TEST = { timeout: 3 * PATIENCE_MS };

interface Running {
  readonly service: Service;
  readonly base: string;
  readonly lines: Record<string, unknown>[];
}

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function start(env: Record<string, string> = {}, routes?: (base: Route[]) => Route[]): Promise<Running> {
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", SHUTDOWN_TIMEOUT_MS: "2000", READINESS_DRAIN_DELAY_MS: "0", ...env });
  const { log, lines } = memoryLogger();
  const service = createService(config, {
    log,
    ...(routes === undefined ? {} : { routes: (c, state) => routes(createRoutes(c, state)) }),
  });
  const address = await service.listen();
  cleanups.push(() => service.shutdown());
  return { service, base: `http://127.0.0.1:${address.port}`, lines };
}

async function upstream(): Promise<Upstream> {
  const server = await startUpstream();
  cleanups.push(() => server.close());
  return server;
}

describe("server", () => {
  it("answers the probes and echoes JSON", TEST, async () => {
    const { base } = await start();
    assert.deepEqual(await request(`${base}/healthz`).then((r) => [r.status, r.body]), [200, { status: "ok" }]);
    assert.deepEqual(await request(`${base}/readyz`).then((r) => [r.status, r.body]), [200, { status: "ready" }]);

    const echoed = await request(`${base}/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world", n: [1, 2] }),
    });
    assert.equal(echoed.status, 200);
    assert.equal(echoed.headers.get("content-type"), "application/json; charset=utf-8");
    assert.deepEqual(echoed.body, { received: { hello: "world", n: [1, 2] } });
  });

  it("tags every response with a request ID, keeping a usable one from the caller and forwarding it upstream", TEST, async () => {
    const quotes = await upstream();
    quotes.release();
    const { base } = await start({ UPSTREAM_URL: quotes.url.href });
    const generated = (await request(`${base}/healthz`)).headers.get("x-request-id");
    assert.match(generated ?? "", /^[0-9a-f-]{36}$/);
    const kept = await request(`${base}/v1/upstream`, { headers: { "x-request-id": "req-42" } });
    assert.equal(kept.headers.get("x-request-id"), "req-42");
    assert.deepEqual(quotes.requestIds, ["req-42"]);
    const replaced = await request(`${base}/healthz`, { headers: { "x-request-id": "has spaces & symbols" } });
    assert.notEqual(replaced.headers.get("x-request-id"), "has spaces & symbols");
  });

  it("answers 404, 405, 415 and 400 with a JSON error", TEST, async () => {
    const { base } = await start();
    const missing = await request(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: { code: "not_found", message: "No route for /nope." } });

    const wrongMethod = await request(`${base}/v1/echo`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");

    const wrongType = await request(`${base}/v1/echo`, { method: "POST", body: "hi" });
    assert.equal(wrongType.status, 415);

    const badJson = await request(`${base}/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(badJson.status, 400);
    assert.deepEqual(badJson.body, { error: { code: "invalid_json", message: "The request body is not valid JSON." } });
  });

  it("refuses a body over the limit with 413, by Content-Length and while streaming", TEST, async () => {
    const { base } = await start({ MAX_BODY_BYTES: "1024" });
    const big = JSON.stringify({ blob: "x".repeat(2048) });

    const declared = await request(`${base}/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    assert.equal(declared.status, 413);
    assert.equal((declared.body as { error: { code: string } }).error.code, "payload_too_large");
    assert.equal(declared.headers.get("connection"), "close");

    const chunks = [big.slice(0, 800), big.slice(800)];
    const streamed = await request(`${base}/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(chunk));
        },
      }),
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.status, 413);

    const small = await request(`${base}/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ok: true }),
    });
    assert.equal(small.status, 200, "the server keeps serving after refusing bodies");
  });

  it("answers 408 and disconnects a client that sends its headers too slowly", TEST, async () => {
    const { base } = await start({ SERVER_HEADERS_TIMEOUT_MS: "300", SERVER_REQUEST_TIMEOUT_MS: "300" });
    const socket = connect({ host: "127.0.0.1", port: Number(new URL(base).port), timeout: PATIENCE_MS });
    socket.setEncoding("utf8");
    let received = "";
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.once("timeout", () => socket.destroy());
    socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n");
    await closed;
    assert.match(received, /^HTTP\/1\.1 408 /, "the server gave up on the slow client");
  });

  it("sheds load with 503 and Retry-After when every slot is busy, while probes still answer", TEST, async () => {
    const slow = await upstream();
    const { base, service } = await start({
      MAX_CONCURRENT_REQUESTS: "1",
      RETRY_AFTER_SECONDS: "2",
      UPSTREAM_URL: slow.url.href,
    });
    const first = observe(request(`${base}/v1/upstream`));
    await slow.received.reach(1);
    assert.equal(service.inFlight, 1);

    const shed = await request(`${base}/v1/upstream`);
    assert.equal(shed.status, 503);
    assert.equal(shed.headers.get("retry-after"), "2");
    assert.equal((shed.body as { error: { code: string } }).error.code, "overloaded");
    assert.equal(slow.received.count, 1, "a shed request never reaches the upstream");
    assert.equal((await request(`${base}/healthz`)).status, 200);

    slow.release();
    const answered = await valueOf(first);
    assert.equal(answered.status, 200);
    assert.deepEqual(answered.body, { upstream: { quote: "ok" } });
    assert.equal((await request(`${base}/v1/upstream`)).status, 200, "the slot is free again");
  });

  it("serves Prometheus metrics on GET /metrics, never shed: in flight, shed, event-loop lag, shutdown phase", TEST, async () => {
    const { base } = await start({ MAX_CONCURRENT_REQUESTS: "1" });
    assert.equal((await request(`${base}/healthz`)).status, 200);
    const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(PATIENCE_MS) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
    const text = await response.text();
    for (const name of ["http_requests_in_flight", "http_requests_shed_total", "http_requests_total", "shutdown_phase", "nodejs_eventloop_lag_seconds"]) {
      assert.match(text, new RegExp(`^${name}`, "m"), name);
    }
    assert.match(text, /^http_requests_total\{status="200"\} 1$/m);
  });

  it("answers 504 when the upstream call outlives the deadline, and cancels that call", TEST, async () => {
    const hung = await upstream();
    const { base, lines } = await start({ REQUEST_DEADLINE_MS: "300", UPSTREAM_URL: hung.url.href });
    const response = await request(`${base}/v1/upstream`);
    assert.equal(response.status, 504);
    assert.equal((response.body as { error: { code: string } }).error.code, "deadline_exceeded");
    await hung.abandoned.reach(1);
    assert.ok(lines.some((line) => line["msg"] === "request deadline exceeded"));
  });

  it("answers 504 on time even when a handler ignores its signal, and keeps its slot until it stops", TEST, async () => {
    let finish: () => void = () => undefined;
    const stubborn: Route = {
      method: "GET",
      path: "/v1/stubborn",
      handler: () =>
        new Promise((resolve) => {
          finish = () => resolve({ body: { late: true } });
        }),
    };
    const { base, service } = await start({ REQUEST_DEADLINE_MS: "200", MAX_CONCURRENT_REQUESTS: "1" }, (routes) => [
      ...routes,
      stubborn,
    ]);
    assert.equal((await request(`${base}/v1/stubborn`)).status, 504);
    assert.equal(service.inFlight, 1);
    assert.equal((await request(`${base}/v1/stubborn`)).status, 503, "the ignored request still holds its slot");
    finish();
    while (service.inFlight > 0) await tick();
    assert.equal((await request(`${base}/healthz`)).status, 200);
  });

  it("answers 500 without leaking the error when a handler throws", TEST, async () => {
    const failing: Route = {
      method: "GET",
      path: "/v1/fail",
      handler: async () => {
        throw new Error("secret connection string in message");
      },
    };
    const { base, lines } = await start({}, (routes) => [...routes, failing]);
    const response = await request(`${base}/v1/fail`);
    assert.equal(response.status, 500);
    assert.doesNotMatch(JSON.stringify(response.body), /secret/);
    assert.ok(lines.some((line) => line["msg"] === "handler failed"));
  });

  it("fails readiness while draining but keeps serving during the readiness drain delay", TEST, async () => {
    const { base, service } = await start({ READINESS_DRAIN_DELAY_MS: "2500" });
    const stopping = observe(service.shutdown());
    assert.equal(service.draining, true);
    const ready = await request(`${base}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: "draining" });
    assert.equal(ready.headers.get("connection"), "close");
    assert.equal((await request(`${base}/healthz`)).status, 200);
    assert.equal(await valueOf(stopping), "clean");
  });

  it("lets an in-flight request finish before shutdown completes", TEST, async () => {
    const slow = await upstream();
    const { base, service } = await start({ UPSTREAM_URL: slow.url.href });
    const inFlight = observe(request(`${base}/v1/upstream`));
    await slow.received.reach(1);

    const stopping = observe(service.shutdown());
    await tick();
    assert.equal(stopping.settled, false, "shutdown waits for the request");
    await assert.rejects(request(`${base}/healthz`), "new connections are refused once the listener is closed");

    slow.release();
    assert.equal((await valueOf(inFlight)).status, 200);
    assert.equal(await valueOf(stopping), "clean");
  });

  it("forces the remaining connections closed at the shutdown deadline", TEST, async () => {
    const hung = await upstream();
    const { base, service, lines } = await start({ SHUTDOWN_TIMEOUT_MS: "300", UPSTREAM_URL: hung.url.href });
    const inFlight = observe(request(`${base}/v1/upstream`));
    await hung.received.reach(1);
    assert.equal(await service.shutdown(), "forced");
    // The aborted request is answered before its connection is cut: a 503 to retry, never a reset.
    const response = await valueOf(inFlight);
    assert.equal(response.status, 503);
    assert.deepEqual((response.body as { error: { code: string } }).error.code, "shutting_down");
    assert.equal(response.headers.get("retry-after"), "1");
    assert.equal(response.headers.get("connection"), "close");
    await hung.abandoned.reach(1);
    assert.ok(lines.some((line) => line["msg"] === "shutdown deadline exceeded, closing remaining connections"));
  });

  it("keep-alive clients looping across the shutdown: no request the server read goes unanswered, no kept-alive socket is reset", TEST, async () => {
    // The default readiness window, then the listener closes without closing idle keep-alive
    // sockets under a request in flight: each gets `connection: close` on its next response.
    const { base, service } = await start({ READINESS_DRAIN_DELAY_MS: String(loadConfig({}).readinessDrainDelayMs) });
    const url = new URL(`${base}/v1/echo`);
    let stop = false;
    const tally = { answered: 0, refused: 0, neverAccepted: 0, lost: [] as string[] };
    const client = async (): Promise<void> => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!stop) {
          const outcome = await post(agent, url, { n: tally.answered });
          if (outcome.kind === "answered") tally.answered += 1;
          else if (outcome.kind === "refused") {
            tally.refused += 1;
            await sleep(20);
          } else if (outcome.kind === "reset" && !outcome.reused) {
            // A new connection reset while the listener closed (still in the kernel's accept
            // queue): the server never read it. The ledger check below proves that.
            tally.neverAccepted += 1;
            await sleep(20);
          } else tally.lost.push("detail" in outcome ? outcome.detail : outcome.kind);
        }
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: 8 }, () => client());
    await sleep(200);
    const outcome = await service.shutdown();
    await sleep(100);
    stop = true;
    await Promise.all(clients);
    assert.equal(outcome, "clean");
    const summary = `${tally.answered} answered, ${tally.refused} refused, ${tally.neverAccepted} never accepted`;
    assert.deepEqual(tally.lost, [], summary);
    assert.deepEqual(service.requests, { received: tally.answered, answered: tally.answered }, `every request read was answered in full (${summary})`);
    assert.ok(tally.answered > 50, summary);
  });
});

type PostOutcome =
  | { readonly kind: "answered" | "refused" }
  | { readonly kind: "reset"; readonly reused: boolean; readonly detail: string }
  | { readonly kind: "other"; readonly detail: string };

/** One POST on a keep-alive agent: answered (200), refused (connection refused or 503), or how it failed. */
function post(agent: Agent, url: URL, body: unknown): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) };
    const req = httpRequest(url, { method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode === 200) resolve({ kind: "answered" });
        else if (res.statusCode === 503 && res.headers["retry-after"] !== undefined) resolve({ kind: "refused" });
        else resolve({ kind: "other", detail: `status ${res.statusCode}` });
      });
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "other", detail: `${error.code} mid-response` }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") resolve({ kind: "refused" });
      else if (error.code === "ECONNRESET") resolve({ kind: "reset", reused: req.reusedSocket, detail: `ECONNRESET reused=${req.reusedSocket}` });
      else resolve({ kind: "other", detail: error.code ?? error.message });
    });
    req.end(payload);
  });
}
