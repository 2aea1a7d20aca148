import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "./config.js";
import { type IntakeCounts, runIntake } from "./intake.js";
import { type Job, type JobResult, processJob } from "./jobs.js";
import { Channel } from "./lib/channel.js";
import { TaskGroup } from "./lib/task-group.js";
import type { Logger } from "./log.js";
import { runPeriodic } from "./periodic.js";
import { linkSignals, withDeadline } from "./signals.js";
import type { Sink } from "./sink.js";

export interface SupervisorDeps {
  readonly config: Config;
  readonly log: Logger;
  /** Newline-delimited JSON jobs (stdin in production). */
  readonly input: Readable;
  readonly sink: Sink;
  /** The work done per job; defaults to `processJob` from jobs.ts. */
  readonly process?: (job: Job, signal: AbortSignal) => Promise<JobResult>;
}

export class ShutdownDeadlineError extends Error {
  override readonly name = "ShutdownDeadlineError";

  constructor(readonly timeoutMs: number) {
    super(`The shutdown did not finish within ${timeoutMs} ms.`);
  }
}

/**
 * Runs the service's tasks under one cancellation token and shuts them down in order.
 *
 *   stdin ──intake──▶ Channel<Job>(QUEUE_CAPACITY) ──consumer──▶ sink (file)
 *                        stats task reports every STATS_INTERVAL_MS
 *
 * `shutdown(reason)` (a signal) or the end of the input starts the ordered shutdown:
 *   1. stop intake: reading stops and the queue is closed, so nothing new is accepted;
 *   2. drain: the consumer finishes every job already queued, then returns;
 *   3. stop the periodic stats task;
 *   4. close resources (the sink).
 * If that takes longer than SHUTDOWN_TIMEOUT_MS, the root token is aborted, which cancels every
 * task and the job in progress, and `run()` resolves with exit code 1 at once. The first task
 * that fails cancels the others through the task group, and the exit code is 1.
 */
export class Supervisor {
  /** The root cancellation token: aborting it cancels every task and every job in progress. */
  readonly root = new AbortController();
  readonly #intakeStop = new AbortController();
  readonly #statsStop = new AbortController();
  readonly #config: Config;
  readonly #log: Logger;
  readonly #input: Readable;
  readonly #sink: Sink;
  readonly #process: (job: Job, signal: AbortSignal) => Promise<JobResult>;
  readonly #queue: Channel<Job>;
  readonly #tasks: TaskGroup<void>;
  readonly #intake: IntakeCounts = { accepted: 0, rejected: 0 };
  #processed = 0;
  #failed = 0;
  #started = false;
  #stopping = false;
  #deadline: NodeJS.Timeout | undefined;
  #finish: (exitCode: number) => void = () => undefined;

  constructor(deps: SupervisorDeps) {
    this.#config = deps.config;
    this.#log = deps.log;
    this.#input = deps.input;
    this.#sink = deps.sink;
    this.#process = deps.process ?? processJob;
    this.#queue = new Channel<Job>(deps.config.queueCapacity);
    this.#tasks = new TaskGroup<void>({ signal: this.root.signal });
  }

  get stats(): { accepted: number; rejected: number; queued: number; processed: number; failed: number } {
    return { ...this.#intake, queued: this.#queue.size, processed: this.#processed, failed: this.#failed };
  }

  /** Starts the tasks and resolves with the process exit code once they have all stopped. */
  run(): Promise<number> {
    if (this.#started) return Promise.reject(new Error("Supervisor.run() was already called."));
    this.#started = true;
    return new Promise<number>((resolve) => {
      this.#finish = (exitCode) => {
        this.#stopping = true;
        clearTimeout(this.#deadline);
        resolve(exitCode);
      };
      this.#start();
      this.#supervise().then(this.#finish, (error: unknown) => {
        this.#log.error("supervisor failed", { error });
        this.#finish(1);
      });
    });
  }

  /** Starts the ordered shutdown; later calls, and calls after the run has ended, do nothing. */
  shutdown(reason: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#log.info("shutdown started", { reason, ...this.stats });
    this.#deadline = setTimeout(() => this.#deadlineExceeded(), this.#config.shutdownTimeoutMs);
    this.#intakeStop.abort(new Error(`shutdown: ${reason}`));
  }

  #start(): void {
    const config = this.#config;
    const log = this.#log;
    log.info("started", { queueCapacity: config.queueCapacity, outputPath: config.outputPath });
    this.#tasks.spawn("intake", async (signal) => {
      const stop = linkSignals(signal, this.#intakeStop.signal);
      try {
        await runIntake(this.#input, this.#queue, this.#intake, {
          signal: stop.signal,
          maxLineBytes: config.maxLineBytes,
          log,
        });
      } finally {
        stop.dispose();
      }
    });
    this.#tasks.spawn("consumer", (signal) => this.#consume(signal));
    this.#tasks.spawn("stats", async (signal) => {
      const stop = linkSignals(signal, this.#statsStop.signal);
      try {
        await runPeriodic(config.statsIntervalMs, stop.signal, () => log.info("stats", this.stats));
      } finally {
        stop.dispose();
      }
    });
  }

  /** Takes jobs until the queue is closed and empty: after intake stops, that is the drain. */
  async #consume(signal: AbortSignal): Promise<void> {
    const { jobTimeoutMs, minJobIntervalMs } = this.#config;
    for await (const job of this.#queue.values({ signal })) {
      let result;
      const deadline = withDeadline(signal, jobTimeoutMs);
      try {
        result = await this.#process(job, deadline.signal);
      } catch (error) {
        if (signal.aborted) throw error;
        this.#failed += 1;
        this.#log.warn("job failed", { id: job.id, error });
      } finally {
        deadline.dispose();
      }
      if (result !== undefined) {
        await this.#sink.write(result);
        this.#processed += 1;
        this.#log.debug("job processed", { id: job.id });
      }
      if (minJobIntervalMs > 0) await sleep(minJobIntervalMs, undefined, { signal });
    }
  }

  async #supervise(): Promise<number> {
    let exitCode = 0;
    for (let outcome = await this.#tasks.joinNext(); outcome !== undefined; outcome = await this.#tasks.joinNext()) {
      if (outcome.status === "rejected") {
        exitCode = 1;
        this.#log.error("task failed, cancelling the others", { task: outcome.name, error: outcome.error });
        this.shutdown(`${outcome.name} failed`);
      }
      switch (outcome.name) {
        case "intake":
          this.shutdown("end of input");
          this.#log.info("intake stopped", { accepted: this.#intake.accepted, rejected: this.#intake.rejected });
          break;
        case "consumer":
          this.#log.info("queue drained", { processed: this.#processed, failed: this.#failed, left: this.#queue.size });
          this.#statsStop.abort();
          break;
        case "stats":
          this.#log.info("stats task stopped");
          break;
      }
    }
    await this.#sink.close();
    this.#log.info("resources closed");
    return exitCode;
  }

  #deadlineExceeded(): void {
    this.#log.error("shutdown deadline exceeded, cancelling", {
      shutdownTimeoutMs: this.#config.shutdownTimeoutMs,
      ...this.stats,
    });
    this.root.abort(new ShutdownDeadlineError(this.#config.shutdownTimeoutMs));
    this.#finish(1);
  }
}
