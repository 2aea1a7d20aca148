import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { observe, order, PATIENCE_MS, request, spawnService, startUpstream, valueOf } from "./support.js";

const TEST = { timeout: 3 * PATIENCE_MS };

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listening(env: Record<string, string>) {
  const service = spawnService(env);
  cleanups.push(async () => {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill("SIGKILL");
    await service.exit;
  });
  const line = await service.waitForLog("listening");
  return { ...service, base: `http://127.0.0.1:${String(line["port"])}` };
}

async function slowUpstream() {
  const upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  return upstream;
}

describe("the compiled server process", () => {
  it("finishes a slow in-flight request after SIGTERM and exits 0", TEST, async () => {
    const upstream = await slowUpstream();
    const service = await listening({ UPSTREAM_URL: upstream.url.href });
    const inFlight = observe(request(`${service.base}/v1/upstream`));
    await upstream.received.reach(1);

    service.child.kill("SIGTERM");
    await service.waitForLog("listener closed, waiting for in-flight requests");
    assert.equal(inFlight.settled, false, "the request is still being served");
    upstream.release();

    const response = await valueOf(inFlight);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { upstream: { quote: "ok" } });
    assert.deepEqual(await service.exit, { code: 0, signal: null });
    const [signalled, started, closed, completed] = order(
      service.logs,
      "signal received, shutting down gracefully",
      "shutdown started",
      "listener closed, waiting for in-flight requests",
      "shutdown complete",
    );
    assert.ok(signalled !== -1 && signalled < started && started < closed && closed < completed, "shutdown steps in order");
    assert.equal(service.logs.at(-1)?.["outcome"], "clean");
  });

  it("exits 0 at once on SIGINT when idle", TEST, async () => {
    const service = await listening({});
    service.child.kill("SIGINT");
    assert.deepEqual(await service.exit, { code: 0, signal: null });
  });

  it("exits at once on a second signal, without waiting for in-flight requests", TEST, async () => {
    const upstream = await slowUpstream();
    const service = await listening({ UPSTREAM_URL: upstream.url.href, SHUTDOWN_TIMEOUT_MS: "60000" });
    const inFlight = observe(request(`${service.base}/v1/upstream`));
    await upstream.received.reach(1);

    service.child.kill("SIGTERM");
    await service.waitForLog("listener closed, waiting for in-flight requests");
    service.child.kill("SIGTERM");
    assert.deepEqual(await service.exit, { code: 143, signal: null });
    assert.equal((await inFlight.result).status, "rejected", "the connection was cut");
    assert.ok(service.logs.some((line) => line.msg === "second signal received, exiting now"));
  });

  it("exits 1 when in-flight requests outlive the shutdown deadline", TEST, async () => {
    const upstream = await slowUpstream();
    const service = await listening({ UPSTREAM_URL: upstream.url.href, SHUTDOWN_TIMEOUT_MS: "300" });
    const inFlight = observe(request(`${service.base}/v1/upstream`));
    await upstream.received.reach(1);

    service.child.kill("SIGTERM");
    assert.deepEqual(await service.exit, { code: 1, signal: null });
    await inFlight.result;
    assert.ok(service.logs.some((line) => line.msg === "shutdown deadline exceeded, closing remaining connections"));
    assert.equal(service.logs.at(-1)?.["outcome"], "forced");
  });

  it("exits 2 and names the variable when the configuration is invalid", TEST, async () => {
    const service = spawnService({ MAX_BODY_BYTES: "lots" });
    assert.deepEqual(await service.exit, { code: 2, signal: null });
    const [line] = service.logs;
    assert.equal(line?.msg, "invalid configuration");
    assert.match(JSON.stringify(line?.["problems"]), /MAX_BODY_BYTES/);
  });
});
