/**
 * A single-value channel: the Node counterpart of `tokio::sync::oneshot`.
 *
 * The usual use is request/response over a channel: the requester keeps the receiver and sends
 * the sender along with the request; the worker answers through it exactly once. If the worker
 * gives up without answering (`sender.close()`), the requester's `recv` rejects with
 * `OneshotClosedError` instead of waiting forever. If the requester stops caring
 * (`receiver.close()`), the worker can see `sender.closed` and skip the work.
 */

export class OneshotClosedError extends Error {
  override readonly name = "OneshotClosedError";

  constructor(message = "The oneshot sender was closed without sending a value.") {
    super(message);
  }
}

export interface OneshotRecvOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

type State<T> =
  | { readonly kind: "empty" }
  | { readonly kind: "sent"; readonly value: T }
  | { readonly kind: "senderClosed" }
  | { readonly kind: "receiverClosed" };

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

class Shared<T> {
  state: State<T> = { kind: "empty" };
  waiter: Waiter<T> | undefined;
}

export class OneshotSender<T> {
  readonly #shared: Shared<T>;

  constructor(shared: Shared<T>) {
    this.#shared = shared;
  }

  /** True when sending can no longer deliver: already sent, closed, or the receiver closed. */
  get closed(): boolean {
    return this.#shared.state.kind !== "empty";
  }

  /** Delivers the value. Returns `false` (and drops the value) when it cannot be delivered. */
  send(value: T): boolean {
    const shared = this.#shared;
    if (shared.state.kind !== "empty") return false;
    shared.state = { kind: "sent", value };
    const waiter = shared.waiter;
    shared.waiter = undefined;
    waiter?.resolve(value);
    return true;
  }

  /** Gives up without a value: the receiver's `recv` rejects with `OneshotClosedError`. */
  close(): void {
    const shared = this.#shared;
    if (shared.state.kind !== "empty") return;
    shared.state = { kind: "senderClosed" };
    const waiter = shared.waiter;
    shared.waiter = undefined;
    waiter?.reject(new OneshotClosedError());
  }
}

export class OneshotReceiver<T> {
  readonly #shared: Shared<T>;

  constructor(shared: Shared<T>) {
    this.#shared = shared;
  }

  /**
   * Waits for the value. Rejects with `OneshotClosedError` when the sender closes without one
   * (or the receiver was closed), and with `signal.reason` when the signal aborts first.
   * Only one `recv` may wait at a time.
   */
  recv(options: OneshotRecvOptions = {}): Promise<T> {
    const { signal } = options;
    const shared = this.#shared;
    if (signal?.aborted) return Promise.reject(signal.reason);
    switch (shared.state.kind) {
      case "sent":
        return Promise.resolve(shared.state.value);
      case "senderClosed":
        return Promise.reject(new OneshotClosedError());
      case "receiverClosed":
        return Promise.reject(new OneshotClosedError("The oneshot receiver was closed."));
      case "empty":
        break;
    }
    if (shared.waiter !== undefined) {
      return Promise.reject(new Error("OneshotReceiver.recv is already waiting; only one caller may wait."));
    }

    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (shared.waiter === waiter) shared.waiter = undefined;
        reject(signal?.reason);
      };
      const waiter: Waiter<T> = {
        resolve: (value) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      shared.waiter = waiter;
    });
  }

  /** Tells the sender nobody is waiting any more; a value already sent stays receivable. */
  close(): void {
    const shared = this.#shared;
    if (shared.state.kind !== "empty") return;
    shared.state = { kind: "receiverClosed" };
    const waiter = shared.waiter;
    shared.waiter = undefined;
    waiter?.reject(new OneshotClosedError("The oneshot receiver was closed."));
  }
}

/** Creates a connected sender/receiver pair. */
export function oneshot<T>(): [OneshotSender<T>, OneshotReceiver<T>] {
  const shared = new Shared<T>();
  return [new OneshotSender(shared), new OneshotReceiver(shared)];
}
