/**
 * A group of tasks that share one cancellation signal: the Node counterpart of
 * `tokio::task::JoinSet` with structured cancellation.
 *
 * - `spawn(name, task)` starts `task(signal)` at once; every task receives the group's signal.
 * - `joinNext()` resolves to the next task to finish (in completion order) as an outcome that is
 *   never a rejection, or `undefined` when no task is left, like `JoinSet::join_next`.
 * - The first task that fails (rejects with anything other than the group's cancellation) aborts
 *   the signal with its error, so the other tasks stop; `joinAll()` waits for all of them and then
 *   rejects with that first error.
 * - `cancelAll(reason)` aborts the signal. A task that then rejects with the abort reason or an
 *   `AbortError` is reported as `cancelled`, not as a failure.
 * - An optional parent signal (e.g. the service's root AbortController) cancels the group too.
 *
 * Task rejections are always observed here, so a failing task never becomes an unhandled rejection.
 */

export type Task<T> = (signal: AbortSignal) => Promise<T> | T;

export type TaskOutcome<T> =
  | { readonly name: string; readonly status: "fulfilled"; readonly value: T }
  | { readonly name: string; readonly status: "rejected"; readonly error: unknown }
  | { readonly name: string; readonly status: "cancelled"; readonly reason: unknown };

export interface TaskGroupOptions {
  /** Cancels the whole group when this signal aborts. */
  readonly signal?: AbortSignal | undefined;
}

export class TaskGroupCancelledError extends Error {
  override readonly name = "TaskGroupCancelledError";

  constructor(message = "The task group is cancelled: no new tasks can be spawned.") {
    super(message);
  }
}

export class TaskGroup<T = unknown> {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal | undefined;
  readonly #finished: TaskOutcome<T>[] = [];
  readonly #joiners: ((outcome: TaskOutcome<T> | undefined) => void)[] = [];
  #running = 0;
  #failure: { readonly error: unknown } | undefined;

  constructor(options: TaskGroupOptions = {}) {
    this.#parent = options.signal;
    this.#followParent();
  }

  /** The signal every task receives; aborted by `cancelAll`, the first failure or the parent. */
  get signal(): AbortSignal {
    this.#followParent();
    return this.#controller.signal;
  }

  /** Tasks still running. */
  get running(): number {
    return this.#running;
  }

  /** Tasks not yet joined: running ones plus finished ones waiting for `joinNext`. */
  get size(): number {
    return this.#running + this.#finished.length;
  }

  /** The error of the first failed task, if any task has failed. */
  get failure(): { readonly error: unknown } | undefined {
    return this.#failure;
  }

  /** Starts a task. Throws `TaskGroupCancelledError` once the group is cancelled. */
  spawn(name: string, task: Task<T>): void {
    this.#followParent();
    const signal = this.#controller.signal;
    if (signal.aborted) throw new TaskGroupCancelledError();
    if (this.#running === 0) this.#parent?.addEventListener("abort", this.#onParentAbort, { once: true });
    this.#running += 1;

    let result: Promise<T>;
    try {
      result = Promise.resolve(task(signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => this.#settle({ name, status: "fulfilled", value }),
      (error: unknown) => this.#settle(this.#classify(name, error)),
    );
  }

  /** Resolves to the next finished task, or `undefined` when the group has no task left. */
  joinNext(): Promise<TaskOutcome<T> | undefined> {
    const outcome = this.#finished.shift();
    if (outcome !== undefined) return Promise.resolve(outcome);
    if (this.#running === 0) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#joiners.push(resolve));
  }

  /**
   * Waits for every task. Resolves to the values of the tasks that fulfilled (completion order),
   * or rejects with the first failure once all tasks have stopped.
   */
  async joinAll(): Promise<T[]> {
    const values: T[] = [];
    for (let outcome = await this.joinNext(); outcome !== undefined; outcome = await this.joinNext()) {
      if (outcome.status === "fulfilled") values.push(outcome.value);
    }
    if (this.#failure !== undefined) throw this.#failure.error;
    return values;
  }

  /** Aborts the group's signal; running tasks are expected to stop soon after. */
  cancelAll(reason?: unknown): void {
    this.#controller.abort(reason);
  }

  // The parent listener is attached only while tasks run, so an idle group leaks no listener;
  // a parent that aborted while the group was idle is noticed here.
  #followParent(): void {
    if (this.#parent?.aborted && !this.#controller.signal.aborted) this.#controller.abort(this.#parent.reason);
  }

  readonly #onParentAbort = (): void => {
    this.#controller.abort(this.#parent?.reason);
  };

  #classify(name: string, error: unknown): TaskOutcome<T> {
    const signal = this.#controller.signal;
    if (signal.aborted && (error === signal.reason || isAbortError(error))) {
      return { name, status: "cancelled", reason: signal.reason };
    }
    if (this.#failure === undefined) {
      this.#failure = { error };
      this.#controller.abort(error);
    }
    return { name, status: "rejected", error };
  }

  #settle(outcome: TaskOutcome<T>): void {
    this.#running -= 1;
    if (this.#running === 0) this.#parent?.removeEventListener("abort", this.#onParentAbort);
    const joiner = this.#joiners.shift();
    if (joiner !== undefined) joiner(outcome);
    else this.#finished.push(outcome);
    if (this.#running === 0 && this.#finished.length === 0) {
      for (const waiting of this.#joiners.splice(0)) waiting(undefined);
    }
  }
}

function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}
