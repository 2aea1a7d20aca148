/**
 * A latest-value channel in the manner of `tokio::sync::watch`.
 *
 * The sender holds one value; `send` replaces it and bumps a version. Receivers never queue: a
 * receiver that was busy while three values were sent sees only the newest one. That makes it the
 * right channel for state (configuration, health, "last message on this topic") and the wrong one
 * for events that must each be seen.
 */

export class WatchClosedError extends Error {
  override readonly name = "WatchClosedError";

  constructor(message = "The watch channel is closed: no more values will be sent.") {
    super(message);
  }
}

export interface WatchWaitOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

export class WatchSender<T> {
  #value: T;
  #version = 0;
  #closed = false;
  readonly #receivers = new Set<WatchReceiver<T>>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get receiverCount(): number {
    return this.#receivers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Incremented by every `send`; receivers compare it with the version they saw last. */
  get version(): number {
    return this.#version;
  }

  /** The current value. */
  borrow(): T {
    return this.#value;
  }

  /** Replaces the value and wakes every receiver waiting in `changed()`. Returns the new version. */
  send(value: T): number {
    if (this.#closed) throw new WatchClosedError();
    this.#value = value;
    this.#version += 1;
    for (const receiver of this.#receivers) receiver._notify();
    return this.#version;
  }

  /**
   * Updates the value in place from the current one; receivers are woken only when `modify`
   * returns true (Tokio's `send_if_modified`).
   */
  sendIfModified(modify: (current: T) => { modified: boolean; value: T }): boolean {
    const { modified, value } = modify(this.#value);
    if (!modified) return false;
    this.send(value);
    return true;
  }

  /** A receiver that has seen the current value; `changed()` waits for the next one. */
  subscribe(): WatchReceiver<T> {
    const receiver = new WatchReceiver<T>(this, this.#version);
    if (!this.#closed) this.#receivers.add(receiver);
    return receiver;
  }

  /** No more values: receivers keep the last one, and `changed()` resolves false once they saw it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const receivers = [...this.#receivers];
    this.#receivers.clear();
    for (const receiver of receivers) receiver._notify();
  }

  /** @internal */
  _unsubscribe(receiver: WatchReceiver<T>): void {
    this.#receivers.delete(receiver);
  }
}

export class WatchReceiver<T> {
  readonly #sender: WatchSender<T>;
  #seen: number;
  #wake: (() => void) | undefined;
  #unsubscribed = false;

  /** @internal use `WatchSender.subscribe()` */
  constructor(sender: WatchSender<T>, seen: number) {
    this.#sender = sender;
    this.#seen = seen;
  }

  /** The current value, without marking it seen. */
  borrow(): T {
    return this.#sender.borrow();
  }

  /** The current value, marking it seen. */
  borrowAndUpdate(): T {
    this.#seen = this.#sender.version;
    return this.#sender.borrow();
  }

  /** True when a value was sent since this receiver last marked one seen. */
  hasChanged(): boolean {
    return this.#sender.version !== this.#seen;
  }

  get closed(): boolean {
    return this.#unsubscribed || this.#sender.closed;
  }

  /**
   * Waits until a value newer than the last seen one is sent and marks it seen. Resolves `true`
   * for a new value and `false` when the channel closed (or this receiver unsubscribed) with
   * nothing new. Rejects with `signal.reason` if `signal` aborts first.
   */
  changed(options: WatchWaitOptions = {}): Promise<boolean> {
    const { signal } = options;
    if (!this.#unsubscribed && this.hasChanged()) {
      this.#seen = this.#sender.version;
      return Promise.resolve(true);
    }
    if (this.closed) return Promise.resolve(false);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#wake !== undefined) {
      return Promise.reject(new Error("changed() is already pending on this receiver"));
    }
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = (): void => {
        this.#wake = undefined;
        reject(signal?.reason);
      };
      this.#wake = () => {
        this.#wake = undefined;
        signal?.removeEventListener("abort", onAbort);
        if (!this.#unsubscribed && this.hasChanged()) {
          this.#seen = this.#sender.version;
          resolve(true);
        } else {
          resolve(false);
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Resolves with the first value (the current one included) for which `predicate` holds. Rejects
   * with `WatchClosedError` if the channel closes first, or with `signal.reason` on abort.
   */
  async waitFor(predicate: (value: T) => boolean, options: WatchWaitOptions = {}): Promise<T> {
    for (;;) {
      const value = this.borrowAndUpdate();
      if (predicate(value)) return value;
      if (!(await this.changed(options))) throw new WatchClosedError();
    }
  }

  /** Stops watching; a pending `changed()` resolves false. */
  unsubscribe(): void {
    if (this.#unsubscribed) return;
    this.#unsubscribed = true;
    this.#sender._unsubscribe(this);
    this.#wake?.();
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }

  /** @internal */
  _notify(): void {
    this.#wake?.();
  }
}

/** Tokio-style constructor: the sender and a first receiver. */
export function watch<T>(initial: T): [WatchSender<T>, WatchReceiver<T>] {
  const sender = new WatchSender(initial);
  return [sender, sender.subscribe()];
}
