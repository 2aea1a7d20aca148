/**
 * A bounded pool of worker threads for CPU-bound jobs: Node's `spawn_blocking`.
 *
 * - Admission is bounded: at most `threads + maxQueue` jobs are accepted at once. `submit` waits
 *   for room (producer backpressure) instead of buffering, so memory stays flat however fast the
 *   producer is. Piscina's own `maxQueue` is set too, as a second line, but it does not count
 *   jobs that carry an AbortSignal, which is why admission is enforced here with a semaphore.
 * - Every job has a deadline (`jobTimeoutMs`, counted from acceptance) and can be cancelled with
 *   the caller's AbortSignal. A job aborted while running terminates its worker thread (the only
 *   way to stop synchronous code); piscina starts a replacement, so the pool keeps its size.
 * - `shutdown` stops intake, lets accepted jobs finish, and cancels what is still running at the
 *   deadline before closing the threads.
 */
import { Piscina } from "piscina";
import { JoinSet } from "./join-set.js";
import { type Permit, Semaphore, SemaphoreClosedError } from "./lib/semaphore.js";
import { linkSignals, linkWithTimeout } from "./signals.js";

export class PoolClosedError extends Error {
  override readonly name = "PoolClosedError";

  constructor(message = "The worker pool is shutting down and accepts no new jobs.") {
    super(message);
  }
}

export class JobTimeoutError extends Error {
  override readonly name = "JobTimeoutError";

  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`The job did not finish within ${timeoutMs} ms; its worker thread was replaced.`, options);
  }
}

export interface JobPoolOptions {
  /** The worker module (its default export runs each job). */
  readonly filename: string | URL;
  /** Worker threads kept running. */
  readonly threads: number;
  /** Accepted jobs that may wait for a free thread. */
  readonly maxQueue: number;
  /** Deadline of each job from acceptance to result. */
  readonly jobTimeoutMs: number;
  /** Called with errors the pool reports outside any job (a worker that failed to start). */
  readonly onPoolError?: (error: unknown) => void;
}

export interface SubmitOptions {
  /** Cancels the job: while waiting for room, in the queue, or while running. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Stops waiting for room only: the job is then never accepted, but a job accepted before it
   * aborts runs to the end. This is the producer's "stop intake" switch.
   */
  readonly admissionSignal?: AbortSignal | undefined;
}

export interface ShutdownOptions {
  /** How long accepted jobs get to finish before they are cancelled. */
  readonly deadlineMs: number;
}

export interface ShutdownReport {
  /** True when every accepted job finished before the deadline. */
  readonly drained: boolean;
  /** Jobs cancelled because the deadline passed. */
  readonly cancelled: number;
}

export interface PoolStats {
  readonly threads: number;
  readonly capacity: number;
  readonly accepted: number;
  readonly queued: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly cancelled: number;
  /** Producers waiting in `submit` for room. */
  readonly waitingProducers: number;
  readonly accepting: boolean;
}

/** How long cancelled jobs get to settle after the deadline before the threads are destroyed. */
const CANCEL_GRACE_MS = 2_000;

export class JobPool<J, R> implements AsyncDisposable {
  readonly threads: number;
  readonly capacity: number;
  readonly #jobTimeoutMs: number;
  readonly #piscina: Piscina<J, R>;
  readonly #admission: Semaphore;
  readonly #deadlinePassed = new AbortController();
  #accepting = true;
  #inFlight = 0;
  #onIdle: (() => void) | undefined;
  #shutdown: Promise<ShutdownReport> | undefined;
  #accepted = 0;
  #succeeded = 0;
  #failed = 0;
  #timedOut = 0;
  #cancelled = 0;
  #cancelledAtDeadline = 0;

  constructor(options: JobPoolOptions) {
    for (const key of ["threads", "jobTimeoutMs"] as const) {
      if (!Number.isSafeInteger(options[key]) || options[key] < 1) {
        throw new RangeError(`JobPool option ${key} must be a positive integer, got ${options[key]}.`);
      }
    }
    if (!Number.isSafeInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError(`JobPool option maxQueue must be a non-negative integer, got ${options.maxQueue}.`);
    }
    this.threads = options.threads;
    this.capacity = options.threads + options.maxQueue;
    this.#jobTimeoutMs = options.jobTimeoutMs;
    this.#admission = new Semaphore(this.capacity);
    this.#piscina = new Piscina<J, R>({
      filename: options.filename instanceof URL ? options.filename.href : options.filename,
      minThreads: options.threads,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      concurrentTasksPerWorker: 1,
    });
    const onPoolError = options.onPoolError ?? ((error: unknown) => console.error("worker pool error:", error));
    this.#piscina.on("error", onPoolError);
  }

  get stats(): PoolStats {
    const queued = Math.min(this.#piscina.queueSize, this.#inFlight);
    return {
      threads: this.threads,
      capacity: this.capacity,
      accepted: this.#accepted,
      queued,
      running: this.#inFlight - queued,
      succeeded: this.#succeeded,
      failed: this.#failed,
      timedOut: this.#timedOut,
      cancelled: this.#cancelled,
      waitingProducers: this.#admission.waiting,
      accepting: this.#accepting,
    };
  }

  /**
   * Waits for room, then starts `job` and adds it to `results`; resolves with its id in the set
   * once accepted. Rejects with `PoolClosedError` after shutdown began, or with `signal.reason`
   * when cancelled before acceptance.
   */
  async submit(job: J, results: JoinSet<R>, options: SubmitOptions = {}): Promise<number> {
    const permit = await this.#admit(options);
    return results.spawn(this.#execute(job, permit, options.signal));
  }

  /** Waits for room, runs `job`, and resolves with its result. */
  async run(job: J, options: SubmitOptions = {}): Promise<R> {
    const permit = await this.#admit(options);
    return this.#execute(job, permit, options.signal);
  }

  /**
   * Stops intake (waiting producers get `PoolClosedError`), waits for accepted jobs up to
   * `deadlineMs`, cancels the ones still running after that, and closes the threads.
   * Calling it again returns the same report.
   */
  shutdown(options: ShutdownOptions): Promise<ShutdownReport> {
    this.#shutdown ??= this.#drainAndClose(options.deadlineMs);
    return this.#shutdown;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ deadlineMs: this.#jobTimeoutMs }).then(() => undefined);
  }

  async #admit(options: SubmitOptions): Promise<Permit> {
    if (!this.#accepting) throw new PoolClosedError();
    const waiting = linkSignals(options.signal, options.admissionSignal);
    try {
      return await this.#admission.acquire({ signal: waiting.signal });
    } catch (error) {
      if (error instanceof SemaphoreClosedError) throw new PoolClosedError();
      throw error;
    } finally {
      waiting.dispose();
    }
  }

  async #execute(job: J, permit: Permit, signal: AbortSignal | undefined): Promise<R> {
    this.#accepted += 1;
    this.#inFlight += 1;
    const cancel = linkWithTimeout(this.#jobTimeoutMs, this.#deadlinePassed.signal, signal);
    try {
      const result = await this.#piscina.run(job, { signal: cancel.signal });
      this.#succeeded += 1;
      return result;
    } catch (error) {
      if (this.#deadlinePassed.signal.aborted) {
        this.#cancelled += 1;
        this.#cancelledAtDeadline += 1;
        throw new PoolClosedError("The job was cancelled: the pool's shutdown deadline passed.");
      }
      if (signal?.aborted) {
        this.#cancelled += 1;
        throw signal.reason;
      }
      if (cancel.timedOut()) {
        this.#timedOut += 1;
        throw new JobTimeoutError(this.#jobTimeoutMs, { cause: error });
      }
      this.#failed += 1;
      throw error;
    } finally {
      cancel.dispose();
      permit.release();
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#onIdle?.();
    }
  }

  async #drainAndClose(deadlineMs: number): Promise<ShutdownReport> {
    this.#accepting = false;
    this.#admission.close();
    const drained = await this.#waitIdle(deadlineMs);
    if (!drained) {
      this.#deadlinePassed.abort(new PoolClosedError("shutdown deadline passed"));
      await this.#waitIdle(CANCEL_GRACE_MS);
    }
    await this.#piscina.destroy();
    return { drained, cancelled: this.#cancelledAtDeadline };
  }

  #waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#onIdle = undefined;
        resolve(false);
      }, timeoutMs);
      this.#onIdle = () => {
        clearTimeout(timer);
        this.#onIdle = undefined;
        resolve(true);
      };
    });
  }
}
