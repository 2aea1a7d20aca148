/**
 * The service: reads jobs (NDJSON on stdin, or demo jobs when stdin is a terminal), runs them on
 * the worker pool with backpressure, writes one NDJSON result line per job to stdout in the order
 * they finish, and reports progress on stderr.
 *
 * Shutdown (SIGTERM or SIGINT): stop reading jobs, let accepted jobs finish within
 * SHUTDOWN_DEADLINE_MS, write their results, close the threads. Exit 0 when every job succeeded,
 * 1 when a job failed or the deadline cut the drain short, 130 on a second signal.
 */
import { once } from "node:events";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { type Outcome, JoinSet } from "./join-set.js";
import { demoJobs, readJobs } from "./jobs.js";
import { JobPool } from "./pool.js";
import { formatProgress, reportProgress } from "./progress.js";
import type { Job, JobResult } from "./worker.js";

/** Longest a result line may wait for a stalled stdout before the run gives up. */
const OUTPUT_TIMEOUT_MS = 30_000;

async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) {
    await once(process.stdout, "drain", { signal: AbortSignal.timeout(OUTPUT_TIMEOUT_MS) });
  }
}

async function emit(outcome: Outcome<JobResult>): Promise<boolean> {
  if (outcome.ok) {
    await writeLine(JSON.stringify({ id: outcome.id, ok: true, result: outcome.value }));
    return true;
  }
  const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  await writeLine(JSON.stringify({ id: outcome.id, ok: false, error: { name: error.name, message: error.message } }));
  return false;
}

async function run(config: Config): Promise<number> {
  const pool = new JobPool<Job, JobResult>({
    filename: new URL("./worker.js", import.meta.url),
    threads: config.threads,
    maxQueue: config.maxQueue,
    jobTimeoutMs: config.jobTimeoutMs,
  });
  const intake = new AbortController();
  let signalsSeen = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalsSeen += 1;
    if (signalsSeen > 1) {
      process.stderr.write(`${signal} again: exiting without waiting for jobs\n`);
      process.exit(130);
    }
    process.stderr.write(`${signal}: accepting no new jobs, draining (deadline ${config.shutdownDeadlineMs} ms)\n`);
    intake.abort(new Error(`received ${signal}`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const stopProgress = new AbortController();
  const progress = reportProgress(() => pool.stats, process.stderr, config.progressIntervalMs, stopProgress.signal).catch(
    (error: unknown) => process.stderr.write(`progress reporting stopped: ${String(error)}\n`),
  );
  const results = new JoinSet<JobResult>();
  const readingStdin = !process.stdin.isTTY;
  const source = readingStdin ? readJobs(process.stdin, intake.signal) : demoJobs(config.demoJobs);
  let failures = 0;
  try {
    try {
      for await (const job of source) {
        if (intake.signal.aborted) break;
        await pool.submit(job, results, { admissionSignal: intake.signal });
        for (let done = results.tryJoinNext(); done !== undefined; done = results.tryJoinNext()) {
          if (!(await emit(done))) failures += 1;
        }
      }
    } catch (error) {
      if (!intake.signal.aborted) {
        process.stderr.write(`stopping intake: ${(error as Error).message}\n`);
        failures += 1;
      }
    }

    const emitRemaining = async (): Promise<void> => {
      for (let done = await results.joinNext(); done !== undefined; done = await results.joinNext()) {
        if (!(await emit(done))) failures += 1;
      }
    };
    const [report] = await Promise.all([pool.shutdown({ deadlineMs: config.shutdownDeadlineMs }), emitRemaining()]);
    process.stderr.write(formatProgress(pool.stats));
    if (!report.drained) {
      process.stderr.write(`shutdown deadline passed: ${report.cancelled} job(s) cancelled\n`);
      return 1;
    }
    process.stderr.write(`drained: ${pool.stats.accepted} job(s), ${failures} failed\n`);
    return failures === 0 ? 0 : 1;
  } finally {
    stopProgress.abort();
    await progress;
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    if (readingStdin) process.stdin.destroy();
  }
}

try {
  process.exitCode = await run(loadConfig());
} catch (error) {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `fatal: ${String(error)}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
