/**
 * A bounded multi-producer, single-consumer channel: the Node counterpart of
 * `tokio::sync::mpsc::channel(capacity)`.
 *
 * `send` waits while the buffer is full, so a fast producer is slowed down to the pace of the
 * consumer instead of growing memory without limit. `trySend` never waits: it reports `false`
 * when the buffer is full, which is how a caller sheds load. `recv` resolves to `undefined` once
 * the channel is closed and drained, like Tokio's `recv()` returning `None`.
 *
 * Values may be anything except `undefined` (that is the "closed" answer of `recv`).
 */

export class ChannelClosedError extends Error {
  override readonly name = "ChannelClosedError";

  constructor(message = "The channel is closed: no more values can be sent.") {
    super(message);
  }
}

export interface ChannelWaitOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

interface PendingSend<T> {
  readonly value: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface PendingRecv<T> {
  readonly resolve: (value: T | undefined) => void;
  readonly reject: (error: unknown) => void;
}

export class Channel<T extends {} | null> implements AsyncIterable<T> {
  readonly capacity: number;
  readonly #buffer: T[] = [];
  readonly #senders: PendingSend<T>[] = [];
  readonly #receivers: PendingRecv<T>[] = [];
  #closed = false;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Channel capacity must be a positive integer, got ${capacity}.`);
    }
    this.capacity = capacity;
  }

  /** Number of buffered values waiting for the consumer. */
  get size(): number {
    return this.#buffer.length;
  }

  /** Number of producers waiting in `send` for room. */
  get waitingSenders(): number {
    return this.#senders.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a value, waiting for room while the buffer is full.
   * Rejects with `ChannelClosedError` if the channel is (or gets) closed before the value is
   * accepted, and with `signal.reason` if the signal aborts first.
   */
  send(value: T, options: ChannelWaitOptions = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new ChannelClosedError());
    if (this.#offer(value)) return Promise.resolve();

    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        removeItem(this.#senders, pending);
        reject(signal?.reason);
      };
      const pending: PendingSend<T> = {
        value,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#senders.push(pending);
    });
  }

  /**
   * Sends without waiting. Returns `false` when the buffer is full (shed the value, or retry
   * later); throws `ChannelClosedError` when the channel is closed.
   */
  trySend(value: T): boolean {
    if (this.#closed) throw new ChannelClosedError();
    return this.#offer(value);
  }

  /**
   * Receives the next value, waiting while the buffer is empty. Resolves to `undefined` once the
   * channel is closed and every buffered value has been received.
   */
  recv(options: ChannelWaitOptions = {}): Promise<T | undefined> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const value = this.#take();
    if (value !== undefined) return Promise.resolve(value);
    if (this.#closed) return Promise.resolve(undefined);

    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        removeItem(this.#receivers, pending);
        reject(signal?.reason);
      };
      const pending: PendingRecv<T> = {
        resolve: (received) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(received);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#receivers.push(pending);
    });
  }

  /** Receives a buffered value without waiting, or `undefined` when none is buffered. */
  tryRecv(): T | undefined {
    return this.#take();
  }

  /**
   * Stops intake: later sends fail and producers waiting for room are rejected with
   * `ChannelClosedError`. Values already buffered can still be received (drained).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const receiver of this.#receivers.splice(0)) receiver.resolve(undefined);
    const error = new ChannelClosedError();
    for (const sender of this.#senders.splice(0)) sender.reject(error);
  }

  /** Yields values until the channel is closed and drained, or until `signal` aborts (then throws its reason). */
  async *values(options: ChannelWaitOptions = {}): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const value = await this.recv(options);
      if (value === undefined) return;
      yield value;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.values();
  }

  #offer(value: T): boolean {
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(value);
      return true;
    }
    // Senders only wait while the buffer is full, so a free slot means nobody is queued ahead.
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(value);
      return true;
    }
    return false;
  }

  #take(): T | undefined {
    if (this.#buffer.length === 0) return undefined;
    const value = this.#buffer.shift();
    const sender = this.#senders.shift();
    if (sender !== undefined) {
      this.#buffer.push(sender.value);
      sender.resolve();
    }
    return value;
  }
}

function removeItem<T>(items: T[], item: T): void {
  const index = items.indexOf(item);
  if (index !== -1) items.splice(index, 1);
}
