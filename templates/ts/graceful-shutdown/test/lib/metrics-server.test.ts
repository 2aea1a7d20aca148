import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MetricsSource, startMetricsServer } from "../../src/lib/metrics-server.js";

const source: MetricsSource = {
  contentType: "text/plain; version=0.0.4; charset=utf-8",
  metrics: () => Promise.resolve("jobs_queued 3\n"),
};

describe("startMetricsServer", () => {
  it("answers /metrics, /healthz and /readyz (503 once not ready), 404 and 405, then closes", async () => {
    let ready = true;
    const errors: unknown[] = [];
    const server = await startMetricsServer({ host: "127.0.0.1", port: 0, registry: source, ready: () => ready, onError: (error) => errors.push(error) });
    const base = `http://127.0.0.1:${server.address.port}`;
    try {
      const metrics = await fetch(`${base}/metrics?x=1`);
      assert.equal(metrics.status, 200);
      assert.equal(metrics.headers.get("content-type"), source.contentType);
      assert.equal(await metrics.text(), "jobs_queued 3\n");
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      ready = false;
      const readyz = await fetch(`${base}/readyz`);
      assert.equal(readyz.status, 503);
      assert.equal(await readyz.text(), "shutting down\n");
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
      assert.equal((await fetch(`${base}/metrics`, { method: "POST" })).status, 405);
      assert.deepEqual(errors, []);
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(`${base}/healthz`));
  });

  it("answers 500 and reports the error when the registry fails", async () => {
    const errors: unknown[] = [];
    const failing: MetricsSource = { contentType: "text/plain", metrics: () => Promise.reject(new Error("collect failed")) };
    const server = await startMetricsServer({ host: "127.0.0.1", port: 0, registry: failing, ready: () => true, onError: (error) => errors.push(error) });
    try {
      const answer = await fetch(`http://127.0.0.1:${server.address.port}/metrics`);
      assert.equal(answer.status, 500);
      await answer.text();
      assert.equal(errors.length, 1);
    } finally {
      await server.close();
    }
  });
});
