import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isAscending, jobLines, order, PATIENCE_MS, spawnService } from "./support.js";

const TEST = { timeout: 3 * PATIENCE_MS };
const SHUTDOWN_ORDER = ["shutdown started", "intake stopped", "queue drained", "stats task stopped", "resources closed", "shutdown complete"];

let dir = "";
let runs = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "graceful-shutdown-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(env: Record<string, string> = {}) {
  runs += 1;
  const outputPath = join(dir, `output-${runs}.ndjson`);
  const service = spawnService({ OUTPUT_PATH: outputPath, LOG_LEVEL: "debug", ...env });
  const output = async () => (await readFile(outputPath, "utf8")).split("\n").filter((line) => line !== "");
  return { ...service, output };
}

describe("the compiled service process", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal} stops intake, drains the accepted jobs in order, closes resources and exits 0`, TEST, async () => {
      const service = start({ MIN_JOB_INTERVAL_MS: "50", QUEUE_CAPACITY: "16" });
      await service.waitForLog("started");
      service.child.stdin?.write(jobLines(5));
      await service.waitForLog("job accepted", 5);

      service.child.kill(signal);
      assert.deepEqual(await service.exit, { code: 0, signal: null });
      assert.ok(isAscending(order(service.logs, ...SHUTDOWN_ORDER)), `shutdown steps in order:\n${service.logs.map((l) => l.msg).join("\n")}`);
      assert.equal(service.logs.find((line) => line.msg === "shutdown started")?.["reason"], signal);
      const written = (await service.output()).map((line) => (JSON.parse(line) as { id: string }).id);
      assert.deepEqual(written, ["job-1", "job-2", "job-3", "job-4", "job-5"], "every accepted job was drained");
    });
  }

  it("drains and exits 0 when its input ends", TEST, async () => {
    const service = start();
    service.child.stdin?.end(jobLines(3));
    assert.deepEqual(await service.exit, { code: 0, signal: null });
    assert.equal((await service.output()).length, 3);
    assert.equal(service.logs.find((line) => line.msg === "shutdown started")?.["reason"], "end of input");
    assert.ok(isAscending(order(service.logs, ...SHUTDOWN_ORDER)));
    assert.equal(service.logs.find((line) => line.msg === "metrics listening"), undefined, "no metrics listener unless METRICS_PORT is set");
  });

  it("serves /metrics, /healthz and /readyz on METRICS_PORT, and reports the drain there until it ends", TEST, async () => {
    const service = start({ METRICS_PORT: "0", METRICS_HOST: "127.0.0.1", MIN_JOB_INTERVAL_MS: "300", QUEUE_CAPACITY: "16" });
    await service.waitForLog("metrics listening");
    const port = service.logs.find((line) => line.msg === "metrics listening")?.["port"];
    assert.equal(typeof port, "number");
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${String(port)}${path}`, { signal: AbortSignal.timeout(PATIENCE_MS) });
      return { status: response.status, type: response.headers.get("content-type") ?? "", text: await response.text() };
    };
    service.child.stdin?.write(jobLines(6));
    service.child.stdin?.write("not json\n");
    await service.waitForLog("job accepted", 6);
    await service.waitForLog("invalid job skipped");

    assert.equal((await get("/healthz")).status, 200);
    assert.equal((await get("/readyz")).status, 200);
    const serving = await get("/metrics");
    assert.equal(serving.status, 200);
    assert.match(serving.type, /^text\/plain/);
    assert.match(serving.text, /^jobs_accepted_total 6$/m);
    assert.match(serving.text, /^jobs_rejected_total 1$/m);
    assert.match(serving.text, /^jobs_queue_capacity 16$/m);
    assert.match(serving.text, /^shutdown_phase 0$/m);
    assert.match(serving.text, /^nodejs_eventloop_lag_seconds /m, "event-loop lag is reported");
    const queued = Number(/^jobs_queued (\d+)$/m.exec(serving.text)?.[1]);
    const inFlight = Number(/^jobs_in_flight (\d+)$/m.exec(serving.text)?.[1]);
    const processed = Number(/^jobs_processed_total (\d+)$/m.exec(serving.text)?.[1]);
    assert.equal(queued + inFlight + processed, 6, `every accepted job is queued, in flight or processed:\n${serving.text}`);
    assert.ok(queued > 0, "the 300 ms pause between jobs keeps a backlog");

    service.child.kill("SIGTERM");
    await service.waitForLog("intake stopped");
    const draining = await get("/metrics");
    assert.match(draining.text, /^shutdown_phase 1$/m);
    assert.equal((await get("/readyz")).status, 503, "not ready once the shutdown began");
    assert.equal((await get("/healthz")).status, 200, "still alive while it drains");
    assert.equal((await get("/nope")).status, 404);
    assert.deepEqual(await service.exit, { code: 0, signal: null });
    assert.equal((await service.output()).length, 6);
  });

  it("drains a backlog slower than SHUTDOWN_TIMEOUT_MS when its input ends: the end of input is not a signal", TEST, async () => {
    const service = start({ MIN_JOB_INTERVAL_MS: "20", SHUTDOWN_TIMEOUT_MS: "200" });
    service.child.stdin?.end(jobLines(30));
    assert.deepEqual(await service.exit, { code: 0, signal: null });
    assert.equal((await service.output()).length, 30, "all 30 piped jobs were written");
  });

  it("exits 1 when draining the backlog outlives SHUTDOWN_TIMEOUT_MS", TEST, async () => {
    const service = start({ MIN_JOB_INTERVAL_MS: "5000", SHUTDOWN_TIMEOUT_MS: "300" });
    service.child.stdin?.write(jobLines(5));
    await service.waitForLog("job accepted", 5);

    service.child.kill("SIGTERM");
    assert.deepEqual(await service.exit, { code: 1, signal: null });
    assert.ok(isAscending(order(service.logs, "shutdown started", "intake stopped", "shutdown deadline exceeded, cancelling", "shutdown complete")));
    assert.equal(service.logs.at(-1)?.["exitCode"], 1);
    const statuses = (await service.output()).map((line) => (JSON.parse(line) as { status: string }).status);
    assert.equal(statuses.length, 5, "every accepted job is in the output: done or abandoned, none missing");
    assert.ok(statuses.includes("abandoned"), "the backlog was not drained");
  });

  it("exits at once on a second signal", TEST, async () => {
    const service = start({ MIN_JOB_INTERVAL_MS: "5000", SHUTDOWN_TIMEOUT_MS: "60000" });
    service.child.stdin?.write(jobLines(3));
    await service.waitForLog("job accepted", 3);

    service.child.kill("SIGTERM");
    await service.waitForLog("intake stopped");
    service.child.kill("SIGINT");
    assert.deepEqual(await service.exit, { code: 130, signal: null });
    assert.equal(service.logs.at(-1)?.msg, "second signal received, exiting now");
  });

  it("exits 2 and names the variable when the configuration is invalid", TEST, async () => {
    const service = start({ QUEUE_CAPACITY: "0" });
    assert.deepEqual(await service.exit, { code: 2, signal: null });
    assert.equal(service.logs[0]?.msg, "invalid configuration");
    assert.match(JSON.stringify(service.logs[0]?.["problems"]), /QUEUE_CAPACITY/);
  });

  it("exits 1 when the output cannot be opened", TEST, async () => {
    const service = spawnService({ OUTPUT_PATH: join(dir, "missing-dir", "out.ndjson") });
    assert.deepEqual(await service.exit, { code: 1, signal: null });
    assert.equal(service.logs[0]?.msg, "service failed to start");
  });
});
