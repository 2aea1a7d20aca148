/**
 * A bounded broadcast channel in the manner of `tokio::sync::broadcast`.
 *
 * Every message sent is seen by every receiver subscribed at the time. Messages live in a ring
 * buffer of fixed capacity: a receiver that falls more than `capacity` messages behind does not
 * hold the sender back and does not make the buffer grow. Its next `recv()` returns a `lagged`
 * result saying how many messages it missed, and it resumes from the oldest message still held.
 *
 * A slot is released as soon as every receiver that was subscribed when it was written has read it
 * (or unsubscribed), so a topic with fast subscribers holds no payloads at all between messages.
 */

export type RecvResult<T> =
  | { readonly kind: "message"; readonly value: T }
  | { readonly kind: "lagged"; readonly skipped: number }
  | { readonly kind: "closed" };

export type TryRecvResult<T> = RecvResult<T> | { readonly kind: "empty" };

export class BroadcastClosedError extends Error {
  override readonly name = "BroadcastClosedError";

  constructor(message = "The broadcast channel is closed: no more values can be sent.") {
    super(message);
  }
}

export interface BroadcastRecvOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

interface Slot<T> {
  seq: number;
  value: T | undefined;
  /** receivers that have yet to read this slot */
  remaining: number;
}

interface Waiter {
  wake(): void;
}

export class Broadcast<T> {
  readonly capacity: number;
  readonly #slots: Slot<T>[];
  /** sequence number the next message will get */
  #tail = 0;
  #closed = false;
  readonly #receivers = new Set<BroadcastReceiver<T>>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`broadcast capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#slots = Array.from({ length: capacity }, () => ({ seq: -1, value: undefined, remaining: 0 }));
  }

  get receiverCount(): number {
    return this.#receivers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Messages currently held in the ring (not yet read by every receiver). */
  get retained(): number {
    let count = 0;
    for (const slot of this.#slots) {
      if (slot.remaining > 0) count += 1;
    }
    return count;
  }

  /**
   * Sends `value` to every current receiver and returns how many will see it. With no receivers
   * the value is dropped and 0 is returned (as Tokio's `send` errs), so nothing is buffered for
   * nobody. Never waits: a slow receiver lags instead of slowing the sender.
   */
  send(value: T): number {
    if (this.#closed) throw new BroadcastClosedError();
    const receivers = this.#receivers.size;
    if (receivers === 0) return 0;
    const slot = this.#slots[this.#tail % this.capacity]!;
    slot.seq = this.#tail;
    slot.value = value;
    slot.remaining = receivers;
    this.#tail += 1;
    for (const receiver of this.#receivers) receiver._notify();
    return receivers;
  }

  /** A new receiver that sees the messages sent from now on. */
  subscribe(): BroadcastReceiver<T> {
    if (this.#closed) throw new BroadcastClosedError();
    const receiver = new BroadcastReceiver<T>(this, this.#tail);
    this.#receivers.add(receiver);
    return receiver;
  }

  /**
   * Closes the channel: `send` and `subscribe` throw from now on; receivers read what is still
   * buffered for them and then get `closed`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const receiver of this.#receivers) receiver._notify();
  }

  /** @internal */
  _read(receiver: BroadcastReceiver<T>, cursor: number): { result: TryRecvResult<T>; cursor: number } {
    if (cursor < this.#tail) {
      const oldest = Math.max(0, this.#tail - this.capacity);
      if (cursor < oldest) {
        return { result: { kind: "lagged", skipped: oldest - cursor }, cursor: oldest };
      }
      const slot = this.#slots[cursor % this.capacity]!;
      const value = slot.value as T;
      this.#release(slot);
      return { result: { kind: "message", value }, cursor: cursor + 1 };
    }
    if (this.#closed || !this.#receivers.has(receiver)) return { result: { kind: "closed" }, cursor };
    return { result: { kind: "empty" }, cursor };
  }

  /** @internal */
  _unsubscribe(receiver: BroadcastReceiver<T>, cursor: number): void {
    if (!this.#receivers.delete(receiver)) return;
    const oldest = Math.max(cursor, this.#tail - this.capacity);
    for (let seq = oldest; seq < this.#tail; seq += 1) {
      this.#release(this.#slots[seq % this.capacity]!);
    }
  }

  /** @internal */
  _pending(cursor: number): number {
    return this.#tail - Math.max(cursor, this.#tail - this.capacity);
  }

  #release(slot: Slot<T>): void {
    slot.remaining -= 1;
    if (slot.remaining <= 0) {
      slot.remaining = 0;
      slot.value = undefined;
    }
  }
}

export class BroadcastReceiver<T> implements AsyncIterable<RecvResult<T>> {
  readonly #channel: Broadcast<T>;
  #cursor: number;
  #waiter: Waiter | undefined;
  #unsubscribed = false;

  /** @internal use `Broadcast.subscribe()` */
  constructor(channel: Broadcast<T>, cursor: number) {
    this.#channel = channel;
    this.#cursor = cursor;
  }

  /** Messages waiting for this receiver (at most the channel's capacity). */
  get pending(): number {
    return this.#unsubscribed ? 0 : this.#channel._pending(this.#cursor);
  }

  get unsubscribed(): boolean {
    return this.#unsubscribed;
  }

  /** Returns at once: the next message, a lag report, `closed`, or `empty`. */
  tryRecv(): TryRecvResult<T> {
    if (this.#unsubscribed) return { kind: "closed" };
    const { result, cursor } = this.#channel._read(this, this.#cursor);
    this.#cursor = cursor;
    return result;
  }

  /**
   * Waits for the next message. Resolves with a `lagged` result when messages were overwritten
   * before this receiver read them, and with `closed` once the channel is closed and drained (or
   * this receiver unsubscribed). Rejects with `signal.reason` when `signal` aborts first; no message
   * is lost by an abort. One `recv` at a time per receiver.
   */
  recv(options: BroadcastRecvOptions = {}): Promise<RecvResult<T>> {
    const { signal } = options;
    const ready = this.tryRecv();
    if (ready.kind !== "empty") return Promise.resolve(ready);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiter !== undefined) {
      return Promise.reject(new Error("recv() is already pending on this receiver"));
    }
    return new Promise<RecvResult<T>>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        reject(signal?.reason);
      };
      this.#waiter = {
        wake: () => {
          const next = this.tryRecv();
          if (next.kind === "empty") return;
          this.#waiter = undefined;
          signal?.removeEventListener("abort", onAbort);
          resolve(next);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Stops receiving and releases every slot this receiver still held. A pending `recv` gets `closed`. */
  unsubscribe(): void {
    if (this.#unsubscribed) return;
    this.#unsubscribed = true;
    this.#channel._unsubscribe(this, this.#cursor);
    this.#waiter?.wake();
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }

  /** Yields messages and lag reports until the channel closes; unsubscribes when the loop ends. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecvResult<T>, void, undefined> {
    try {
      for (;;) {
        const next = await this.recv();
        if (next.kind === "closed") return;
        yield next;
      }
    } finally {
      this.unsubscribe();
    }
  }

  /** @internal */
  _notify(): void {
    this.#waiter?.wake();
  }
}

/** Tokio-style constructor: a sender and its first receiver. */
export function broadcast<T>(capacity: number): [Broadcast<T>, BroadcastReceiver<T>] {
  const channel = new Broadcast<T>(capacity);
  return [channel, channel.subscribe()];
}
