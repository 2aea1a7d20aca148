/**
 * A counting semaphore with FIFO waiters: the Node counterpart of `tokio::sync::Semaphore`.
 *
 * `tryAcquire` never waits, which is what load shedding needs (answer "busy" at once instead of
 * queueing without limit). `acquire` waits its turn and gives up when its AbortSignal fires.
 * A permit is released exactly once however often `release()` is called, and it is `Disposable`,
 * so `using permit = await sem.acquire()` releases it on every path out of the block.
 * Where `using` is not available, `withPermit(fn)` does the same with try/finally.
 */

export class SemaphoreClosedError extends Error {
  override readonly name = "SemaphoreClosedError";

  constructor(message = "The semaphore is closed: no more permits are handed out.") {
    super(message);
  }
}

export interface AcquireOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

export interface Permit extends Disposable {
  /** True once the permit has been given back. */
  readonly released: boolean;
  /** Gives the permit back. Calling it again does nothing. */
  release(): void;
}

interface Waiter {
  readonly grant: (permit: Permit) => void;
  readonly reject: (error: unknown) => void;
}

class SemaphorePermit implements Permit {
  #giveBack: (() => void) | undefined;

  constructor(giveBack: () => void) {
    this.#giveBack = giveBack;
  }

  get released(): boolean {
    return this.#giveBack === undefined;
  }

  release(): void {
    const giveBack = this.#giveBack;
    this.#giveBack = undefined;
    giveBack?.();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

export class Semaphore {
  readonly permits: number;
  #available: number;
  readonly #waiters: Waiter[] = [];
  #closed = false;

  constructor(permits: number) {
    if (!Number.isSafeInteger(permits) || permits < 1) {
      throw new RangeError(`Semaphore permits must be a positive integer, got ${permits}.`);
    }
    this.permits = permits;
    this.#available = permits;
  }

  /** Permits free right now. */
  get available(): number {
    return this.#available;
  }

  /** Callers queued in `acquire`. */
  get waiting(): number {
    return this.#waiters.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Takes a permit if one is free, without waiting; `undefined` when none is. */
  tryAcquire(): Permit | undefined {
    if (this.#closed) throw new SemaphoreClosedError();
    if (this.#available === 0) return undefined;
    this.#available -= 1;
    return this.#newPermit();
  }

  /** Waits for a permit, first come first served. */
  acquire(options: AcquireOptions = {}): Promise<Permit> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new SemaphoreClosedError());
    const permit = this.tryAcquire();
    if (permit !== undefined) return Promise.resolve(permit);

    return new Promise<Permit>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (granted) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(granted);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Runs `fn` while holding a permit and releases it however `fn` ends. */
  async withPermit<R>(fn: () => Promise<R> | R, options: AcquireOptions = {}): Promise<R> {
    const permit = await this.acquire(options);
    try {
      return await fn();
    } finally {
      permit.release();
    }
  }

  /**
   * Refuses new acquisitions and rejects every waiter with `SemaphoreClosedError`.
   * Permits already handed out stay valid and can still be released.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new SemaphoreClosedError();
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  #newPermit(): Permit {
    return new SemaphorePermit(() => this.#giveBack());
  }

  #giveBack(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      next.grant(this.#newPermit());
      return;
    }
    this.#available += 1;
  }
}
