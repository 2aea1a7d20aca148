import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { JoinSet } from "../src/join-set.js";
import { JobPool, JobTimeoutError, PoolClosedError } from "../src/pool.js";
import { type TestJob, type TestResult, createGate } from "./fixtures/test-worker.js";
import { observe } from "./support/observe.js";

const workerFile = new URL("./fixtures/test-worker.js", import.meta.url);
const pools: JobPool<TestJob, TestResult>[] = [];

function createPool(options: { threads?: number; maxQueue?: number; jobTimeoutMs?: number } = {}): JobPool<TestJob, TestResult> {
  const pool = new JobPool<TestJob, TestResult>({
    filename: workerFile,
    threads: options.threads ?? 1,
    maxQueue: options.maxQueue ?? 2,
    jobTimeoutMs: options.jobTimeoutMs ?? 20_000,
  });
  pools.push(pool);
  return pool;
}

after(async () => {
  for (const pool of pools) await pool.shutdown({ deadlineMs: 1_000 });
});

/** Signals Node keeps alive on behalf of `signal` (its internal kDependantSignals set). */
function dependantsOf(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === "kDependantSignals");
  const dependants = key === undefined ? undefined : (signal as unknown as Record<symbol, { size?: number } | undefined>)[key];
  return dependants?.size ?? 0;
}

/** True if the observed promise has not settled after `ms`. */
async function stillPending(observed: { readonly settled: boolean }, ms = 100): Promise<boolean> {
  await sleep(ms);
  return !observed.settled;
}

describe("JobPool", () => {
  it("runs a job on a worker thread and returns its result", async () => {
    const pool = createPool();
    const result = await pool.run({ kind: "echo", value: 42 });
    assert.equal(result.value, 42);
    assert.notEqual(result.threadId, 0, "ran off the main thread");
  });

  it("a long-lived caller signal keeps no dependant per job (AbortSignal.any leaks them on Node 20, nodejs/node#55351)", async () => {
    const pool = createPool({ threads: 1, maxQueue: 4 });
    const service = new AbortController();
    for (let value = 0; value < 50; value += 1) {
      await pool.run({ kind: "echo", value }, { signal: service.signal, admissionSignal: service.signal });
    }
    assert.equal(dependantsOf(service.signal), 0);
  });

  it("a full queue makes the producer wait instead of buffering", async () => {
    const pool = createPool({ threads: 1, maxQueue: 2 });
    const gate = createGate();
    const results = new JoinSet<TestResult>();
    for (let value = 1; value <= pool.capacity; value += 1) {
      await pool.submit({ kind: "gate", gate: gate.buffer, value }, results);
    }
    assert.equal(pool.stats.accepted, 3, "one running and two queued were accepted at once");

    const fourth = observe(pool.submit({ kind: "gate", gate: gate.buffer, value: 4 }, results));
    assert.equal(await stillPending(fourth), true, "the producer waits for room");
    const stats = pool.stats;
    assert.equal(stats.accepted, 3, "nothing was buffered beyond the capacity");
    assert.equal(stats.waitingProducers, 1);
    assert.ok(stats.queued <= 2, `queued ${stats.queued} <= maxQueue`);

    gate.open();
    assert.equal((await fourth.result).status, "fulfilled");
    const outcomes = await results.joinAll();
    assert.deepEqual(
      outcomes.map((outcome) => (outcome.ok ? outcome.value.value : -1)).sort(),
      [1, 2, 3, 4],
    );
  });

  it("a timed-out job rejects and its worker is replaced, so the pool keeps working", async () => {
    const pool = createPool({ threads: 1, maxQueue: 1, jobTimeoutMs: 2_000 });
    const before = await pool.run({ kind: "echo", value: 1 });
    await assert.rejects(pool.run({ kind: "hang" }), (error: unknown) => {
      assert.ok(error instanceof JobTimeoutError);
      assert.equal(error.timeoutMs, 2_000);
      return true;
    });
    const afterTimeout = await pool.run({ kind: "echo", value: 2 });
    assert.equal(afterTimeout.value, 2);
    assert.notEqual(afterTimeout.threadId, before.threadId, "a new worker thread took over");
    assert.equal(pool.stats.timedOut, 1);
  });

  it("the caller's AbortSignal cancels a running job", async () => {
    const pool = createPool({ threads: 1 });
    const controller = new AbortController();
    const running = observe(pool.run({ kind: "hang" }, { signal: controller.signal }));
    await sleep(50);
    controller.abort(new Error("caller gave up"));
    const outcome = await running.result;
    assert.equal(outcome.status, "rejected");
    assert.match(String((outcome as PromiseRejectedResult).reason), /caller gave up/);
    assert.equal((await pool.run({ kind: "echo", value: 3 })).value, 3);
    assert.equal(pool.stats.cancelled, 1);
  });

  it("the caller's AbortSignal cancels a producer waiting for room", async () => {
    const pool = createPool({ threads: 1, maxQueue: 0 });
    const gate = createGate();
    const results = new JoinSet<TestResult>();
    await pool.submit({ kind: "gate", gate: gate.buffer, value: 1 }, results);
    const controller = new AbortController();
    const waiting = pool.submit({ kind: "echo", value: 2 }, results, { signal: controller.signal });
    controller.abort(new Error("not needed any more"));
    await assert.rejects(waiting, /not needed any more/);
    gate.open();
    const outcomes = await results.joinAll();
    assert.equal(outcomes.length, 1);
    assert.equal(pool.stats.accepted, 1);
  });

  it("an admission signal stops a waiting producer but never cancels an accepted job", async () => {
    const pool = createPool({ threads: 1, maxQueue: 0 });
    const gate = createGate();
    const results = new JoinSet<TestResult>();
    const intake = new AbortController();
    await pool.submit({ kind: "gate", gate: gate.buffer, value: 1 }, results, { admissionSignal: intake.signal });
    const waiting = pool.submit({ kind: "echo", value: 2 }, results, { admissionSignal: intake.signal });
    intake.abort(new Error("intake stopped"));
    await assert.rejects(waiting, /intake stopped/);
    gate.open();
    const outcomes = await results.joinAll();
    assert.equal(outcomes.length, 1);
    assert.ok(outcomes[0]?.ok, "the accepted job ran to the end");
  });

  it("collects failures next to successes, like a JoinSet", async () => {
    const pool = createPool({ threads: 2, maxQueue: 4 });
    const results = new JoinSet<TestResult>();
    await pool.submit({ kind: "echo", value: 1 }, results);
    await pool.submit({ kind: "fail", message: "bad input" }, results);
    await pool.submit({ kind: "echo", value: 3 }, results);
    const outcomes = await results.joinAll();
    assert.equal(outcomes.length, 3);
    const failed = outcomes.filter((outcome) => !outcome.ok);
    assert.equal(failed.length, 1);
    assert.match(String((failed[0] as { error: unknown }).error), /bad input/);
    assert.equal(pool.stats.failed, 1);
    assert.equal(pool.stats.succeeded, 2);
  });

  it("shutdown finishes accepted jobs and refuses new ones", async () => {
    const pool = createPool({ threads: 1, maxQueue: 2 });
    const gate = createGate();
    const results = new JoinSet<TestResult>();
    for (let value = 1; value <= 3; value += 1) {
      await pool.submit({ kind: "gate", gate: gate.buffer, value }, results);
    }
    const waitingProducer = observe(pool.submit({ kind: "echo", value: 99 }, results));
    const shutdown = observe(pool.shutdown({ deadlineMs: 20_000 }));

    const refused = await waitingProducer.result;
    assert.ok(refused.status === "rejected" && refused.reason instanceof PoolClosedError, "a producer still waiting for room was not accepted");
    await assert.rejects(pool.submit({ kind: "echo", value: 100 }, results), PoolClosedError);
    await assert.rejects(pool.run({ kind: "echo", value: 101 }), PoolClosedError);
    assert.equal(pool.stats.accepting, false);
    assert.equal(await stillPending(shutdown), true, "shutdown waits for the accepted jobs");

    gate.open();
    assert.deepEqual(await shutdown.result, { status: "fulfilled", value: { drained: true, cancelled: 0 } });
    const outcomes = await results.joinAll();
    assert.deepEqual(outcomes.map((outcome) => outcome.ok), [true, true, true]);
    assert.equal(pool.shutdown({ deadlineMs: 1 }), pool.shutdown({ deadlineMs: 1 }), "shutdown is idempotent");
  });

  it("shutdown cancels what is still running at the deadline", async () => {
    const pool = createPool({ threads: 1, maxQueue: 1 });
    const results = new JoinSet<TestResult>();
    await pool.submit({ kind: "hang" }, results);
    await pool.submit({ kind: "hang" }, results);
    const report = await pool.shutdown({ deadlineMs: 200 });
    assert.deepEqual(report, { drained: false, cancelled: 2 });
    const outcomes = await results.joinAll();
    assert.equal(outcomes.length, 2);
    for (const outcome of outcomes) {
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok && outcome.error instanceof PoolClosedError);
    }
  });

  it("validates its options", () => {
    assert.throws(
      () => new JobPool({ filename: workerFile, threads: 0, maxQueue: 1, jobTimeoutMs: 1 }),
      /threads must be a positive integer/,
    );
    assert.throws(
      () => new JobPool({ filename: workerFile, threads: 1, maxQueue: -1, jobTimeoutMs: 1 }),
      /maxQueue must be a non-negative integer/,
    );
  });
});
