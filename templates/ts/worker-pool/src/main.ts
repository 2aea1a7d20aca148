/**
 * The service: reads jobs (NDJSON on stdin, or demo jobs when stdin is a terminal), runs them on
 * the worker pool with backpressure, writes one NDJSON result line per input line to stdout as
 * soon as its job finishes, and reports progress on stderr.
 *
 * Every input line gets exactly one answer, `line` being its 1-based number:
 *   {"line":n,"ok":true,"result":{...}}                        the job ran
 *   {"line":n,"ok":false,"error":{"name","message"}}           it failed, or the line is not a job
 *   {"line":n,"ok":false,"refused":true,"retryable":true,...}  read, but not run: shutting down
 * Lines never read (still in the pipe at shutdown) get no answer: they were never accepted.
 *
 * Shutdown (SIGTERM or SIGINT): stop reading, refuse the lines already read but not yet accepted,
 * let accepted jobs finish within SHUTDOWN_DEADLINE_MS, write their results, close the threads.
 * Exit 0 when every accepted job succeeded, 1 when a job or line failed or the deadline cut the
 * drain short, 128 + the signal number (130 SIGINT, 143 SIGTERM) on a second signal.
 */
import { once } from "node:events";
import { constants } from "node:os";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { type Outcome, JoinSet } from "./join-set.js";
import { type InputLine, demoJobs, parseJob, readLines } from "./jobs.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics } from "./metrics.js";
import { type MetricsServer, startMetricsServer } from "./lib/metrics-server.js";
import { Notify } from "./notify.js";
import { JobPool, PoolClosedError } from "./pool.js";
import { logProgress, reportProgress } from "./progress.js";
import type { Job, JobResult } from "./worker.js";

/** Longest a result line may wait for a stalled stdout before the run gives up. */
const OUTPUT_TIMEOUT_MS = 30_000;

async function writeLine(record: unknown): Promise<void> {
  if (!process.stdout.write(`${JSON.stringify(record)}\n`)) {
    await once(process.stdout, "drain", { signal: AbortSignal.timeout(OUTPUT_TIMEOUT_MS) });
  }
}

const errorOf = (error: unknown): { name: string; message: string } => {
  const cause = error instanceof Error ? error : new Error(String(error));
  return { name: cause.name, message: cause.message };
};

function refusal(line: number, message: string): unknown {
  return { line, ok: false, refused: true, retryable: true, error: { name: "Refused", message } };
}

/** Jobs from stdin as input lines, or numbered demo jobs. */
async function* sourceOf(config: Config, signal: AbortSignal): AsyncGenerator<InputLine | { number: number; kind: "job"; job: Job }> {
  if (process.stdin.isTTY) {
    let number = 0;
    for (const job of demoJobs(config.demoJobs)) {
      if (signal.aborted) return;
      number += 1;
      yield { number, kind: "job", job };
    }
    return;
  }
  yield* readLines(process.stdin, { signal, maxLineBytes: config.maxLineBytes });
}

async function run(config: Config, log: Logger): Promise<number> {
  const pool = new JobPool<Job, JobResult>({
    filename: new URL("./worker.js", import.meta.url),
    threads: config.threads,
    maxQueue: config.maxQueue,
    jobTimeoutMs: config.jobTimeoutMs,
    onPoolError: (error) => log.error("worker pool error", { error }),
  });
  const intake = new AbortController();
  let signalsSeen = 0;
  /** 0 running, 1 draining, 2 drained, 3 deadline passed: the shutdown_phase metric. */
  let shutdownPhase = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalsSeen += 1;
    if (signalsSeen > 1) {
      log.warn(`${signal} again: exiting without waiting for jobs`, { signal });
      process.exit(128 + constants.signals[signal]);
    }
    shutdownPhase = 1;
    log.info(`${signal}: accepting no new jobs, draining (deadline ${config.shutdownDeadlineMs} ms)`, { signal, deadlineMs: config.shutdownDeadlineMs });
    intake.abort(new Error(`received ${signal}`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  let failures = 0;
  let refused = 0;
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    try {
      metricsServer = await startMetricsServer({
        host: config.metricsHost,
        port: config.metricsPort,
        registry: createMetrics(() => ({ pool: pool.stats, refused, shutdownPhase })),
        ready: () => !intake.signal.aborted,
        onError: (error) => log.error("metrics scrape failed", { error }),
      });
    } catch (error) {
      // The threads would keep the process alive: close them before reporting the failure.
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      await pool.shutdown({ deadlineMs: 1 });
      throw error;
    }
    log.info("metrics listening", { host: metricsServer.address.address, port: metricsServer.address.port });
  }

  const stopProgress = new AbortController();
  const progress = reportProgress(() => pool.stats, log, config.progressIntervalMs, stopProgress.signal).catch((error: unknown) =>
    log.error("progress reporting stopped", { error }),
  );
  const results = new JoinSet<JobResult>();
  const lineOf = new Map<number, number>();
  const spawned = new Notify();
  let intakeDone = false;

  const emit = async (outcome: Outcome<JobResult>): Promise<void> => {
    const line = lineOf.get(outcome.id);
    lineOf.delete(outcome.id);
    if (outcome.ok) {
      await writeLine({ line, ok: true, result: outcome.value });
      return;
    }
    failures += 1;
    await writeLine({ line, ok: false, error: errorOf(outcome.error) });
  };
  // Results are written the moment a job finishes, not when the next input line arrives.
  const emitter = (async () => {
    for (;;) {
      const done = await results.joinNext();
      if (done !== undefined) await emit(done);
      else if (intakeDone) return;
      else await spawned.notified();
    }
  })().catch((error: unknown) => {
    log.error("writing results stopped", { error });
    failures += 1;
  });

  const refuse = async (line: number, message: string): Promise<void> => {
    refused += 1;
    await writeLine(refusal(line, message));
  };

  try {
    try {
      for await (const input of sourceOf(config, intake.signal)) {
        if (intake.signal.aborted) {
          await refuse(input.number, "the service is shutting down; send this line again");
          continue;
        }
        let job: Job;
        switch (input.kind) {
          case "job":
            job = input.job;
            break;
          case "too-long":
            failures += 1;
            await writeLine({ line: input.number, ok: false, error: { name: "LineTooLong", message: `longer than MAX_LINE_BYTES (${config.maxLineBytes})` } });
            continue;
          case "unfinished":
            await refuse(input.number, "intake stopped before the end of this line; send it again");
            continue;
          case "line":
            try {
              job = parseJob(input.text, input.number);
            } catch (error) {
              // One bad line is answered and skipped: it does not stop the intake.
              failures += 1;
              await writeLine({ line: input.number, ok: false, error: errorOf(error) });
              continue;
            }
        }
        try {
          const id = await pool.submit(job, results, { admissionSignal: intake.signal });
          lineOf.set(id, input.number);
          spawned.notifyOne();
        } catch (error) {
          if (!intake.signal.aborted && !(error instanceof PoolClosedError)) throw error;
          // The job in hand was waiting for room when the shutdown began: refused, not dropped.
          await refuse(input.number, "the service is shutting down; send this line again");
        }
      }
    } catch (error) {
      log.error(`stopping intake: ${(error as Error).message}`, { error });
      failures += 1;
    } finally {
      shutdownPhase = Math.max(shutdownPhase, 1);
      intakeDone = true;
      spawned.notifyOne();
    }

    const [report] = await Promise.all([pool.shutdown({ deadlineMs: config.shutdownDeadlineMs }), emitter]);
    logProgress(log, pool.stats);
    if (!report.drained) {
      shutdownPhase = 3;
      log.error(`shutdown deadline passed: ${report.cancelled} job(s) cancelled`, { cancelled: report.cancelled });
      return 1;
    }
    shutdownPhase = 2;
    log.info(`drained: ${pool.stats.accepted} job(s), ${failures} failed, ${refused} refused`, { accepted: pool.stats.accepted, failures, refused });
    return failures === 0 ? 0 : 1;
  } finally {
    stopProgress.abort();
    await progress;
    // Closed last, so the drain could be watched on /metrics until the end.
    await metricsServer?.close();
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    if (!process.stdin.isTTY) process.stdin.destroy();
  }
}

const log = createLogger();
try {
  process.exitCode = await run(loadConfig(), log);
} catch (error) {
  if (error instanceof ConfigError) log.error(`invalid configuration: ${error.message}`);
  else log.error("fatal", { error });
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
