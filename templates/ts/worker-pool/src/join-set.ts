/**
 * Results of spawned work, collected in the order they finish: the counterpart of Tokio's
 * `JoinSet`. A failure is an outcome like a success, so one failed job does not hide the others'
 * results, and no rejection goes unhandled while it waits to be joined.
 */

export type Outcome<T> =
  | { readonly id: number; readonly ok: true; readonly value: T }
  | { readonly id: number; readonly ok: false; readonly error: unknown };

export interface JoinOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

export class JoinSet<T> {
  #nextId = 1;
  #running = 0;
  readonly #finished: Outcome<T>[] = [];
  #wake: (() => void) | undefined;

  /** Tasks not joined yet: still running, or finished and waiting in `joinNext`. */
  get size(): number {
    return this.#running + this.#finished.length;
  }

  /** Adds a started task and returns its id. Its outcome is kept until joined. */
  spawn(task: Promise<T>): number {
    const id = this.#nextId;
    this.#nextId += 1;
    this.#running += 1;
    task.then(
      (value) => this.#finish({ id, ok: true, value }),
      (error: unknown) => this.#finish({ id, ok: false, error }),
    );
    return id;
  }

  /** The next finished outcome without waiting, or `undefined` when none has finished yet. */
  tryJoinNext(): Outcome<T> | undefined {
    return this.#finished.shift();
  }

  /**
   * Waits for the next task to finish and returns its outcome; `undefined` when the set is empty
   * (as Tokio's `join_next` returns `None`).
   */
  joinNext(options: JoinOptions = {}): Promise<Outcome<T> | undefined> {
    const { signal } = options;
    const ready = this.#finished.shift();
    if (ready !== undefined || this.#running === 0) return Promise.resolve(ready);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#wake !== undefined) return Promise.reject(new Error("joinNext() is already waiting on this set"));
    return new Promise<Outcome<T> | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        this.#wake = undefined;
        reject(signal?.reason);
      };
      this.#wake = () => {
        this.#wake = undefined;
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#finished.shift());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Joins everything, in finishing order. */
  async joinAll(options: JoinOptions = {}): Promise<Outcome<T>[]> {
    const outcomes: Outcome<T>[] = [];
    for (;;) {
      const outcome = await this.joinNext(options);
      if (outcome === undefined) return outcomes;
      outcomes.push(outcome);
    }
  }

  #finish(outcome: Outcome<T>): void {
    this.#running -= 1;
    this.#finished.push(outcome);
    this.#wake?.();
  }
}
