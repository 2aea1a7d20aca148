import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "./config.js";
import { type IntakeCounts, runIntake } from "./intake.js";
import { type Job, type JobResult, processJob } from "./jobs.js";
import { Channel } from "./lib/channel.js";
import { TaskGroup } from "./lib/task-group.js";
import type { Logger } from "./log.js";
import type { ServiceFigures } from "./metrics.js";
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

/**
 * After the deadline, how long cancelled tasks get to record the abandoned jobs and close the
 * sink before the exit code is reported anyway (a sink that hangs must not hang the exit).
 */
const CLOSE_GRACE_MS = 1_000;

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
  readonly #intake: IntakeCounts = { read: 0, accepted: 0, rejected: 0 };
  #processed = 0;
  #failed = 0;
  #inFlight = 0;
  #abandoned = 0;
  /** 0 running, 1 draining, 2 drained (closing resources), 3 deadline exceeded: see metrics.ts. */
  #phase = 0;
  #started = false;
  #stopping = false;
  #finished = false;
  #deadlineHit = false;
  #consumer: Promise<void> = Promise.resolve();
  #sinkClosed: Promise<void> | undefined;
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

  get stats(): { read: number; accepted: number; rejected: number; queued: number; processed: number; failed: number } {
    return { ...this.#intake, queued: this.#queue.size, processed: this.#processed, failed: this.#failed };
  }

  /** Everything the metrics report, read at scrape time. */
  get figures(): ServiceFigures {
    return { ...this.stats, inFlight: this.#inFlight, abandoned: this.#abandoned, shutdownPhase: this.#phase };
  }

  /** True until the shutdown begins (signal, end of input or a failed task): what /readyz reports. */
  get ready(): boolean {
    return this.#started && !this.#stopping;
  }

  /** Starts the tasks and resolves with the process exit code once they have all stopped. */
  run(): Promise<number> {
    if (this.#started) return Promise.reject(new Error("Supervisor.run() was already called."));
    this.#started = true;
    return new Promise<number>((resolve) => {
      this.#finish = (exitCode) => {
        if (this.#finished) return;
        this.#stopping = true;
        this.#finished = true;
        clearTimeout(this.#deadline);
        resolve(exitCode);
      };
      this.#start();
      // After the deadline, #deadlineExceeded owns the exit: it records what was abandoned first.
      this.#supervise().then((exitCode) => {
        if (!this.#deadlineHit) this.#finish(exitCode);
      }, (error: unknown) => {
        this.#log.error("supervisor failed", { error });
        this.#finish(1);
      });
    });
  }

  /**
   * Starts the ordered shutdown and arms the shutdown deadline (a signal, or a failed task).
   * Later calls, and calls after the run has ended, do nothing; a call after the input ended
   * only arms the deadline, since the drain has already begun.
   */
  shutdown(reason: string): void {
    this.#beginShutdown(reason);
    if (this.#deadline !== undefined || this.#finished) return;
    this.#deadline = setTimeout(() => void this.#deadlineExceeded(), this.#config.shutdownTimeoutMs);
  }

  /**
   * The end of the input is no reason to hurry: every job read is drained, however long that
   * takes, and no deadline is armed (only a signal brings one).
   */
  #beginShutdown(reason: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#phase = Math.max(this.#phase, 1);
    this.#log.info("shutdown started", { reason, ...this.stats });
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
          cancel: signal,
          maxLineBytes: config.maxLineBytes,
          log,
        });
      } finally {
        stop.dispose();
      }
    });
    this.#tasks.spawn("consumer", (signal) => (this.#consumer = this.#consume(signal)));
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
      this.#inFlight += 1;
      try {
        result = await this.#process(job, deadline.signal);
      } catch (error) {
        if (signal.aborted) {
          // Cancelled at the deadline: say so in the output instead of dropping the job.
          this.#abandoned += 1;
          await this.#sink.write({ id: job.id, status: "abandoned", reason: "shutdown deadline" });
          this.#log.warn("job abandoned at the shutdown deadline", { id: job.id });
          throw error;
        }
        this.#failed += 1;
        this.#log.warn("job failed", { id: job.id, error });
        await this.#sink.write({ id: job.id, status: "failed", error: error instanceof Error ? error.message : String(error) });
      } finally {
        this.#inFlight -= 1;
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
          this.#beginShutdown("end of input");
          this.#log.info("intake stopped", { read: this.#intake.read, accepted: this.#intake.accepted, rejected: this.#intake.rejected });
          break;
        case "consumer":
          this.#log.info("queue drained", { processed: this.#processed, failed: this.#failed, left: this.#queue.size });
          if (!this.#deadlineHit) this.#phase = 2;
          this.#statsStop.abort();
          break;
        case "stats":
          this.#log.info("stats task stopped");
          break;
      }
    }
    if (!this.#deadlineHit) await this.#closeSink();
    return exitCode;
  }

  /** Syncs and closes the sink once, whichever path (drain or deadline) gets there first. */
  #closeSink(): Promise<void> {
    this.#sinkClosed ??= this.#sink.close().then(() => this.#log.info("resources closed"));
    return this.#sinkClosed;
  }

  async #abandonAndClose(): Promise<void> {
    // The job in progress sees the root token and writes itself as abandoned; wait for that first.
    await this.#consumer.catch(() => undefined);
    const abandoned: string[] = [];
    for (let job = this.#queue.tryRecv(); job !== undefined; job = this.#queue.tryRecv()) {
      abandoned.push(job.id);
      this.#abandoned += 1;
      await this.#sink.write({ id: job.id, status: "abandoned", reason: "shutdown deadline" });
    }
    if (abandoned.length > 0) this.#log.warn("jobs abandoned at the shutdown deadline", { ids: abandoned });
    await this.#closeSink();
  }

  /**
   * The deadline gives up on the backlog, never silently: the root token cancels the tasks, every
   * job still queued is written to the sink as `abandoned` (so whoever reads the output knows to
   * resubmit it), and the sink is synced and closed before the exit code is reported.
   */
  async #deadlineExceeded(): Promise<void> {
    this.#log.error("shutdown deadline exceeded, cancelling", {
      shutdownTimeoutMs: this.#config.shutdownTimeoutMs,
      ...this.stats,
    });
    this.#deadlineHit = true;
    this.#phase = 3;
    this.root.abort(new ShutdownDeadlineError(this.#config.shutdownTimeoutMs));
    const grace = new AbortController();
    const settled = await Promise.race([
      this.#abandonAndClose().then(
        () => true,
        (error: unknown) => {
          this.#log.error("closing resources after the deadline failed", { error });
          return true;
        },
      ),
      sleep(CLOSE_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (!settled) this.#log.error("resources not closed within the grace period", { closeGraceMs: CLOSE_GRACE_MS });
    this.#finish(1);
  }
}
