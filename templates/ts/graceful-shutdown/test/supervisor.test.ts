import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { type Config, loadConfig } from "../src/config.js";
import { type Job, type JobResult, processJob } from "../src/jobs.js";
import { TimeoutError } from "../src/signals.js";
import { ShutdownDeadlineError, Supervisor } from "../src/supervisor.js";
import { eventually, isAscending, jobLines, MemorySink, memoryLogger, observe, order, PATIENCE_MS, valueOf } from "./support.js";

const TEST = { timeout: 3 * PATIENCE_MS };

type Processor = (job: Job, signal: AbortSignal) => Promise<JobResult>;

function setup(env: Record<string, string> = {}, process?: Processor) {
  const config: Config = loadConfig({ SHUTDOWN_TIMEOUT_MS: String(PATIENCE_MS), ...env });
  const { log, lines } = memoryLogger();
  const input = new PassThrough();
  const sink = new MemorySink();
  const supervisor = new Supervisor({ config, log, input, sink, ...(process === undefined ? {} : { process }) });
  return { supervisor, input, sink, lines };
}

/** A job processor that waits on its signal when the payload says so, as slow I/O would. */
const hangsOn = (hangingId: string, seen: unknown[]): Processor => async (job, signal) => {
  if (job.id === hangingId) {
    try {
      await sleep(60_000, undefined, { signal });
    } catch (error) {
      seen.push(signal.reason);
      throw error;
    }
  }
  return processJob(job, signal);
};

const ids = (records: readonly unknown[]) => records.map((record) => (record as { id: string }).id);

describe("Supervisor", () => {
  it("processes every job in order and shuts down cleanly at the end of the input", TEST, async () => {
    const { supervisor, input, sink, lines } = setup();
    const running = observe(supervisor.run());
    input.end(jobLines(3));
    assert.equal(await valueOf(running), 0);
    assert.deepEqual(ids(sink.records), ["job-1", "job-2", "job-3"]);
    assert.deepEqual(sink.records[0], { id: "job-1", status: "done", payloadBytes: 7 });
    assert.equal(sink.closed, true);
    assert.ok(isAscending(order(lines, "started", "intake stopped", "queue drained", "stats task stopped", "resources closed")));
    assert.equal(lines.find((line) => line.msg === "shutdown started")?.["reason"], "end of input");
  });

  it("on shutdown stops intake first, then drains the queued jobs, then stops the stats task and closes the sink", TEST, async () => {
    const { supervisor, input, sink, lines } = setup({ QUEUE_CAPACITY: "10" });
    sink.hold();
    const running = observe(supervisor.run());
    input.write(jobLines(5));
    await eventually(() => supervisor.stats.accepted === 5, "5 accepted jobs");

    supervisor.shutdown("SIGTERM");
    await eventually(() => lines.some((line) => line.msg === "intake stopped"), "intake to stop");
    input.write(jobLines(2, 6));
    assert.equal(sink.records.length, 0, "nothing was written yet: the queue still holds the jobs");
    sink.release();

    assert.equal(await valueOf(running), 0);
    assert.deepEqual(ids(sink.records), ["job-1", "job-2", "job-3", "job-4", "job-5"], "every accepted job is drained, no later one");
    assert.ok(
      isAscending(order(lines, "shutdown started", "intake stopped", "queue drained", "stats task stopped", "resources closed")),
    );
    assert.equal(supervisor.root.signal.aborted, false, "a clean shutdown never needs the root token");
  });

  it("at the end of the input drains the whole backlog, however long it takes: no deadline is armed", TEST, async () => {
    const slow: Processor = async (job, signal) => {
      await sleep(10, undefined, { signal });
      return processJob(job, signal);
    };
    const { supervisor, input, sink, lines } = setup({ SHUTDOWN_TIMEOUT_MS: "50", QUEUE_CAPACITY: "64" }, slow);
    const running = observe(supervisor.run());
    input.end(jobLines(30));
    assert.equal(await valueOf(running), 0);
    assert.equal(sink.records.length, 30, "every job read was processed");
    assert.equal(lines.some((line) => line.msg === "shutdown deadline exceeded, cancelling"), false);
  });

  it("a signal after the end of the input arms the deadline for the drain already under way", TEST, async () => {
    const { supervisor, input, sink } = setup({ SHUTDOWN_TIMEOUT_MS: "100", QUEUE_CAPACITY: "8" });
    sink.hold();
    const running = observe(supervisor.run());
    input.end(jobLines(3));
    await eventually(() => supervisor.stats.accepted === 3, "3 accepted jobs");
    supervisor.shutdown("SIGTERM");
    assert.equal(await valueOf(running), 1);
    sink.release();
  });

  it("queues the job in hand and the lines already read when intake stops, instead of dropping them", TEST, async () => {
    const { supervisor, input, sink } = setup({ QUEUE_CAPACITY: "1" });
    sink.hold();
    const running = observe(supervisor.run());
    input.write(jobLines(5));
    // One job with the consumer, one queued, the third parsed and waiting for room.
    await eventually(() => supervisor.stats.accepted === 2 && supervisor.stats.queued === 1, "the queue to fill");
    await sleep(20);
    supervisor.shutdown("SIGTERM");
    await sleep(20);
    input.write(jobLines(2, 6));
    sink.release();
    assert.equal(await valueOf(running), 0);
    assert.deepEqual(ids(sink.records), ["job-1", "job-2", "job-3", "job-4", "job-5"], "every line read was processed; none read after the stop");
  });

  it("at the deadline writes the job in progress and the queued jobs as abandoned, then syncs and closes the sink", TEST, async () => {
    const reasons: unknown[] = [];
    const { supervisor, input, sink, lines } = setup({ SHUTDOWN_TIMEOUT_MS: "100", QUEUE_CAPACITY: "8" }, hangsOn("job-1", reasons));
    const running = observe(supervisor.run());
    input.write(jobLines(3));
    await eventually(() => supervisor.stats.accepted === 3, "3 accepted jobs");
    supervisor.shutdown("SIGTERM");
    assert.equal(await valueOf(running), 1);
    assert.deepEqual(
      sink.records.map((record) => [(record as { id: string }).id, (record as { status: string }).status]),
      [
        ["job-1", "abandoned"],
        ["job-2", "abandoned"],
        ["job-3", "abandoned"],
      ],
    );
    assert.equal(sink.closed, true, "the deadline path closes the sink too");
    assert.ok(isAscending(order(lines, "shutdown deadline exceeded, cancelling", "resources closed")));
  });

  it("holds the producer back when the queue is full instead of buffering", TEST, async () => {
    const { supervisor, input, sink } = setup({ QUEUE_CAPACITY: "2" });
    sink.hold();
    const running = observe(supervisor.run());
    input.write(jobLines(10));
    await eventually(() => supervisor.stats.accepted === 3, "the queue to fill");
    await sleep(50);
    assert.equal(supervisor.stats.accepted, 3, "one job in the consumer's hands and two queued, no more");
    assert.equal(supervisor.stats.queued, 2);

    sink.release();
    input.end();
    assert.equal(await valueOf(running), 0);
    assert.equal(sink.records.length, 10);
  });

  it("skips invalid and oversized lines, counting them", TEST, async () => {
    const { supervisor, input, sink, lines } = setup({ MAX_LINE_BYTES: "64" });
    const running = observe(supervisor.run());
    input.write('{"id":"a"}\nnot json\n{"id":""}\n');
    input.write(`{"id":"long","payload":"${"x".repeat(100)}`);
    input.write(`${"y".repeat(100)}"}\n{"id":"b"}\n`);
    input.end('{"id":"last-without-newline"}');
    assert.equal(await valueOf(running), 0);
    assert.deepEqual(ids(sink.records), ["a", "b", "last-without-newline"]);
    assert.equal(supervisor.stats.rejected, 3);
    assert.equal(lines.filter((line) => line.msg === "invalid job skipped").length, 2);
    assert.equal(lines.filter((line) => line.msg === "line longer than MAX_LINE_BYTES dropped").length, 1);
  });

  it("cancels everything and exits 1 when the shutdown outlives its deadline", TEST, async () => {
    const { supervisor, input, sink, lines } = setup({ SHUTDOWN_TIMEOUT_MS: "200" });
    sink.hold();
    const running = observe(supervisor.run());
    input.write(jobLines(3));
    await eventually(() => supervisor.stats.accepted === 3, "3 accepted jobs");
    supervisor.shutdown("SIGTERM");
    assert.equal(await valueOf(running), 1);
    assert.equal(supervisor.root.signal.aborted, true);
    assert.ok(isAscending(order(lines, "shutdown started", "intake stopped", "shutdown deadline exceeded, cancelling")));
    sink.release();
  });

  it("gives up on a job at JOB_TIMEOUT_MS and carries on with the next", TEST, async () => {
    const reasons: unknown[] = [];
    const { supervisor, input, sink, lines } = setup({ JOB_TIMEOUT_MS: "50" }, hangsOn("job-2", reasons));
    const running = observe(supervisor.run());
    input.end(jobLines(3));
    assert.equal(await valueOf(running), 0);
    assert.deepEqual(ids(sink.records), ["job-1", "job-2", "job-3"]);
    assert.equal((sink.records[1] as { status: string }).status, "failed", "a failed job is in the output, not only in the log");
    assert.ok(reasons[0] instanceof TimeoutError);
    assert.equal(supervisor.stats.failed, 1);
    assert.equal(lines.find((line) => line.msg === "job failed")?.["id"], "job-2");
  });

  it("aborts the job in progress through the root token when the shutdown deadline passes", TEST, async () => {
    const reasons: unknown[] = [];
    const { supervisor, input } = setup({ SHUTDOWN_TIMEOUT_MS: "100" }, hangsOn("job-1", reasons));
    const running = observe(supervisor.run());
    input.write(jobLines(1));
    await eventually(() => supervisor.stats.accepted === 1, "the job to be accepted");
    supervisor.shutdown("SIGTERM");
    assert.equal(await valueOf(running), 1);
    await eventually(() => reasons.length === 1, "the job to see its signal abort");
    assert.ok(reasons[0] instanceof ShutdownDeadlineError);
  });

  it("cancels the other tasks and exits 1 when a task fails", TEST, async () => {
    const { supervisor, input, sink, lines } = setup();
    sink.failWith(new Error("disk full"));
    const running = observe(supervisor.run());
    input.write(jobLines(1));
    assert.equal(await valueOf(running), 1);
    const failure = lines.find((line) => line.msg === "task failed, cancelling the others");
    assert.equal(failure?.["task"], "consumer");
    assert.ok(isAscending(order(lines, "task failed, cancelling the others", "resources closed")));
    assert.equal(sink.closed, true, "resources are still closed after a failure");
  });

  it("reports stats periodically while running", TEST, async () => {
    const { supervisor, input, lines } = setup({ STATS_INTERVAL_MS: "20" });
    const running = observe(supervisor.run());
    await eventually(() => lines.filter((line) => line.msg === "stats").length >= 2, "two stats reports");
    input.end();
    assert.equal(await valueOf(running), 0);
    const report = lines.find((line) => line.msg === "stats");
    assert.deepEqual(Object.keys(report ?? {}).sort(), ["accepted", "failed", "level", "msg", "processed", "queued", "read", "rejected"]);
  });
});
